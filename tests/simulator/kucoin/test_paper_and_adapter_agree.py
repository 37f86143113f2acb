"""The paper exchange and the KuCoin adapter, reading the same venue state, tell a bot the same.

Two venues are built alike; one is traded through ``PaperExchange``, the other through
``KucoinExchange`` against the simulator's KuCoin server (in-process). Each order is placed
the same way on both and the two ``exchanges.Order`` values are compared: the adapter reads
KuCoin's HF order object (``active``, ``cancelExist``, ``cancelledFunds``, ``dealFunds``), the
paper exchange reads the venue directly.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from decimal import Decimal

import httpx
import pytest

from adapters.kucoin import KucoinCredentials, KucoinExchange
from exchanges import InvalidOrder, ManualClock, Order, OrderRequest, OrderStatus, RateLimitRegistry, StopKind
from simulator import PaperExchange
from simulator.kucoin import AccountConfig, ApiKey, FacadeConfig, build_facade
from simulator.venue import OrderParams, Venue
from simulator.venue.listing import DEFAULT_CURRENCIES, CurrencySpec, SymbolSpec

START = 1_700_000_000_000
KEY, SECRET, PASSPHRASE = "agree-key", "agree-secret", "agree-pass"
SYMBOL, NATIVE = "XYZ/USDT", "XYZ-USDT"
BALANCES = {"USDT": Decimal(1000), "XYZ": Decimal(10)}
#: Whole lots worth about 10 USDT each, so that funds can fall short of one lot.
XYZ = SymbolSpec(
    symbol=NATIVE, base_currency="XYZ", quote_currency="USDT", base_increment="1",
    quote_increment="0.01", price_increment="0.01", base_min_size="1", quote_min_size="0.1",
    min_funds="0.1", initial_price="10",
)  # fmt: skip
MAKER = "maker"

Book = Sequence[tuple[str, str]]  # (side, price) of one-lot resting orders


def _venue(clock: ManualClock, book: Book, last: str | None) -> Venue:
    venue = Venue(clock=clock, symbols=[XYZ], currencies=[*DEFAULT_CURRENCIES, CurrencySpec(currency="XYZ")])
    venue.create_user(MAKER, {"USDT": Decimal(10_000), "XYZ": Decimal(100)})
    if last is not None:  # one trade, the maker's with itself
        venue.place_order(MAKER, OrderParams(symbol=NATIVE, side="sell", type="limit", price=last, size="1"))
        venue.place_order(MAKER, OrderParams(symbol=NATIVE, side="buy", type="market", size="1"))
    for side, price in book:
        venue.place_order(MAKER, OrderParams(symbol=NATIVE, side=side, type="limit", price=price, size="1"))
    return venue


class Pair:
    """The same venue twice: one behind a paper exchange, one behind the KuCoin adapter."""

    def __init__(self, book: Book, last: str | None = None) -> None:
        self.clock = ManualClock(START)
        self.paper = PaperExchange(BALANCES, venue=_venue(self.clock, book, last))
        key = ApiKey(key=KEY, secret=SECRET, passphrase=PASSPHRASE, created_at=START)
        account = AccountConfig(uid=1, balances=BALANCES, keys=(key,))
        config = FacadeConfig(accounts=(account,), rate_limits="off")
        app = build_facade(_venue(self.clock, book, last), config).app
        self.adapter = KucoinExchange(
            KucoinCredentials(KEY, SECRET, PASSPHRASE),
            base_url="http://sim",
            transport=httpx.ASGITransport(app=app),
            clock=self.clock,
            registry=RateLimitRegistry(),
            rate_limit=False,
        )

    async def place(self, request: OrderRequest) -> tuple[Order, Order]:
        """The order as each side answers the placement, then as each reads it back: the
        two readings of each side must agree too."""
        paper = await self.paper.place_order(request)
        adapted = await self.adapter.place_order(request)
        assert _view(paper) == _view(await self.paper.fetch_order(SYMBOL, order_id=paper.id))
        assert _view(adapted) == _view(await self.adapter.fetch_order(SYMBOL, order_id=adapted.id))
        return paper, adapted

    async def close(self) -> None:
        await self.paper.close()
        await self.adapter.close()


def _view(o: Order) -> tuple[object, ...]:
    filled = (o.filled_size, o.filled_funds, o.fee)
    return (o.status, o.side, o.type, o.size, o.funds, *filled, o.stop, o.stop_price)


@pytest.fixture
async def pairs() -> AsyncIterator[list[Pair]]:
    made: list[Pair] = []
    yield made
    for pair in made:
        await pair.close()


ASKS = (("sell", "10"), ("sell", "10.5"), ("sell", "10.9"))  # (within the 10 % price band)


@pytest.mark.parametrize(
    ("book", "side", "funds", "status", "dealt"),
    [
        # too little to buy one lot: nothing dealt, and KuCoin cancels the order
        ((("sell", "10"),), "buy", "5", OrderStatus.CANCELED, 0),
        # two lots, and what is left cannot buy one more at any price seen: filled
        (ASKS, "buy", "21", OrderStatus.FILLED, 2),
        # one lot, and the rest (more than one lot's worth at its price) finds no lot it can pay
        ((("sell", "10"), ("sell", "10.9")), "buy", "20.5", OrderStatus.CANCELED, 1),
        # one lot for 10 and 0.01 of fee: the 10 left would not pay for another at that cost
        ((("sell", "10"), ("sell", "10.9")), "buy", "20.01", OrderStatus.FILLED, 1),
        # one lot, and the next lies beyond the price band
        ((("sell", "10"), ("sell", "30")), "buy", "25", OrderStatus.CANCELED, 1),
        # the book runs out with a lot's worth unspent: cancelled
        ((("sell", "10"),), "buy", "50", OrderStatus.CANCELED, 1),
        # the book runs out with less than a lot's worth left: filled
        ((("sell", "10"),), "buy", "15", OrderStatus.FILLED, 1),
        # all the USDT there is (the fee is paid out of the funds): 99 lots and 0.99 of fee
        ((("sell", "10"),) * 100, "buy", "1000", OrderStatus.FILLED, 99),
        # selling by funds: too little to sell one lot, then a sale whose rest is dust
        ((("buy", "10"),), "sell", "5", OrderStatus.CANCELED, 0),
        ((("buy", "10"), ("buy", "9")), "sell", "15", OrderStatus.FILLED, 1),
    ],
)
async def test_a_market_order_by_funds_ends_alike_on_both(
    pairs: list[Pair], book: Book, side: str, funds: str, status: OrderStatus, dealt: int
) -> None:
    """KuCoin cancels what a market order by funds cannot spend (NOTES section 8); an order
    that dealt nothing is cancelled on both, one that dealt something is filled on both when
    what it left could not buy one more lot at its average price."""
    pair = Pair(book)
    pairs.append(pair)
    paper, adapted = await pair.place(OrderRequest.market(SYMBOL, side, funds=funds))
    assert _view(paper) == _view(adapted)
    assert (paper.status, paper.filled_size) == (status, Decimal(dealt))
    assert paper.funds == Decimal(funds)
    # KuCoin's object: done, and whatever was not dealt of the funds cancelled, and said so
    hf = (await pair.adapter.fetch_order(SYMBOL, order_id=adapted.id)).raw
    assert isinstance(hf, Mapping) and hf["active"] is False
    unspent = Decimal(funds) - Decimal(hf["dealFunds"]) - (Decimal(hf["fee"]) if side == "buy" else 0)
    assert unspent >= 0
    assert (Decimal(hf["cancelledFunds"]), Decimal(hf["remainFunds"])) == (unspent, Decimal(0))
    assert hf["cancelExist"] is (unspent > 0)
    balances = await pair.paper.fetch_balances()
    assert balances == await pair.adapter.fetch_balances()
    assert balances["USDT"].total == BALANCES["USDT"] + (-1 if side == "buy" else 1) * (
        paper.filled_funds + (paper.fee if side == "buy" else -paper.fee)
    )
    assert pair.paper.sim.audit() == []


async def test_a_stop_order_gets_the_same_direction_on_both(pairs: list[Pair]) -> None:
    """Without a direction, both derive KuCoin's from the last price (10): at or above it an
    entry, below it a loss, whatever the side; a direction KuCoin would not derive is
    refused by both."""
    pair = Pair((("sell", "12"), ("buy", "8")), last="10")
    pairs.append(pair)
    requests = [
        OrderRequest.limit(SYMBOL, "buy", "1", "11.5", stop_price="11"),
        OrderRequest.market(SYMBOL, "sell", size="1", stop_price="9"),
        OrderRequest.limit(SYMBOL, "buy", "1", "9", stop_price="9.5"),
        OrderRequest.market(SYMBOL, "buy", funds="20", stop_price="10.5"),
        OrderRequest.limit(SYMBOL, "sell", "1", "8.5", stop="loss", stop_price="9"),
    ]
    kinds = []
    for request in requests:
        paper = await pair.paper.place_order(request)
        adapted = await pair.adapter.place_order(request)
        assert _view(paper) == _view(adapted)
        read_back = await pair.adapter.fetch_stop_order(order_id=adapted.id)
        assert (read_back.stop, read_back.stop_price) == (adapted.stop, adapted.stop_price)
        kinds.append(paper.stop)
    assert kinds == [StopKind.ENTRY, StopKind.LOSS, StopKind.LOSS, StopKind.ENTRY, StopKind.LOSS]
    wrong = OrderRequest.limit(SYMBOL, "sell", "1", "11", stop="loss", stop_price="11")
    for exchange in (pair.paper, pair.adapter):
        with pytest.raises(InvalidOrder, match="makes it entry, not loss"):
            await exchange.place_order(wrong)


async def test_a_market_order_by_funds_ended_by_self_trade_prevention_ends_alike(pairs: list[Pair]) -> None:
    """Stopped by its owner's own order (STP cancel-newest), a buy whose rest is dust has
    spent its funds all the same, on both; one with a lot's worth left is cancelled."""
    for funds, status in (("10.02", OrderStatus.FILLED), ("30", OrderStatus.CANCELED)):
        pair = Pair((("sell", "10"),))
        pairs.append(pair)
        await pair.paper.place_order(OrderRequest.limit(SYMBOL, "sell", "1", "10.5"))
        await pair.adapter.place_order(OrderRequest.limit(SYMBOL, "sell", "1", "10.5"))
        request = OrderRequest.market(SYMBOL, "buy", funds=funds, stp="CN")
        paper, adapted = await pair.place(request)
        assert _view(paper) == _view(adapted)
        assert (paper.status, paper.filled_size) == (status, Decimal(1))
