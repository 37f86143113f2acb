"""The live runner where a user meets it: the KuCoin adapter against the served simulator,
with the book, trades, its own orders and fills all by KuCoin's WebSocket."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from adapters.kucoin import KucoinCredentials, KucoinExchange
from exchanges import Fill, Liquidity, Order, OrderBook, OrderRequest, OrderStatus, Side, StreamKind, Trade
from simulator.backtest import LiveRunner, Strategy
from simulator.kucoin import AccountConfig, ApiKey, FacadeConfig
from simulator.kucoin.build import build_served
from simulator.kucoin.server import serving

KEY, SECRET, PASSPHRASE = "live-key", "live-secret", "live-passphrase"
SYMBOL = "BTC/USDT"


class _RoundTrip(Strategy):
    """On the first book: a limit sell inside the spread (it rests), then a market buy that
    takes it (KuCoin prevents no self-trade unless asked), and a bid far below the market
    (it rests, for the runner to cancel at stop). Done when the sell's fill and its end
    have been told, the buy has filled and a public trade has been heard."""

    def __init__(self) -> None:
        super().__init__(SYMBOL)
        self.size = Decimal("0.001")
        self.books = 0
        self.trades: list[Trade] = []
        self.orders: list[Order] = []
        self.fills: list[Fill] = []
        self.placed: dict[str, Side] = {}
        self.done = asyncio.Event()

    async def on_book(self, book: OrderBook) -> None:
        self.books += 1
        if self.placed or book.mid is None:
            return
        place = self.exchange.place_order
        inside = OrderRequest.limit(SYMBOL, Side.SELL, self.size, book.mid.quantize(Decimal("0.1")))
        self.placed[(await place(inside)).id] = Side.SELL
        self.placed[(await place(OrderRequest.market(SYMBOL, Side.BUY, size=self.size))).id] = Side.BUY
        far = (book.bids[0].price * Decimal("0.8")).quantize(Decimal(1))
        await place(OrderRequest.limit(SYMBOL, Side.BUY, self.size, far))

    async def on_trade(self, trade: Trade) -> None:
        self.trades.append(trade)
        self._check()

    async def on_order(self, order: Order) -> None:
        self.orders.append(order)
        self._check()

    async def on_fill(self, fill: Fill) -> None:
        self.fills.append(fill)
        self._check()

    def _check(self) -> None:
        ended = {o.id for o in self.orders if o.status is OrderStatus.FILLED}
        sold = sum((f.size for f in self.fills if f.side is Side.SELL), Decimal(0))
        bought = sum((f.size for f in self.fills if f.side is Side.BUY), Decimal(0))
        if ended and sold == bought == self.size and self.trades:
            self.done.set()


@pytest.fixture
async def kucoin() -> AsyncIterator[KucoinExchange]:
    account = AccountConfig(
        uid=1,
        balances={"USDT": Decimal(100_000), "BTC": Decimal(1)},
        keys=(ApiKey(key=KEY, secret=SECRET, passphrase=PASSPHRASE),),
    )
    served = build_served(FacadeConfig(accounts=(account,), seed=5, venue={"synthetic": True}))
    credentials = KucoinCredentials(KEY, SECRET, PASSPHRASE)
    async with (
        serving(served.app, market=served.market) as url,
        KucoinExchange(credentials, base_url=url) as exchange,
    ):
        yield exchange


async def test_the_runner_trades_on_kucoin_by_its_websocket(kucoin: KucoinExchange) -> None:
    strategy = _RoundTrip()
    runner = LiveRunner(strategy, kucoin, poll_interval=1.0)  # (the streams speak well within it)
    result = await runner.run(duration=30, stop=strategy.done)  # (the duration only bounds a failure)
    assert strategy.done.is_set(), f"not done: {strategy.placed=} {strategy.fills=} {strategy.orders=}"
    wanted = {StreamKind.ORDER_BOOK, StreamKind.TRADES, StreamKind.ORDERS, StreamKind.FILLS}
    assert result.streamed == wanted and result.polls == 0 and not result.errors
    assert result.events >= strategy.books + len(strategy.trades) + len(strategy.fills)
    venue_fills = [f for o in strategy.placed for f in await kucoin.fetch_fills(SYMBOL, order_id=o)]
    assert sorted(f.trade_id for f in result.fills) == sorted(f.trade_id for f in venue_fills)
    assert list(result.fills) == strategy.fills, "on_fill saw each fill once"
    sides = {(f.side, f.liquidity) for f in result.fills}
    assert sides >= {(Side.BUY, Liquidity.TAKER), (Side.SELL, Liquidity.MAKER)}
    told = [(o.status.rank, o.filled_size) for o in strategy.orders if o.side is Side.SELL]
    assert told == sorted(set(told)) and told[-1] == (OrderStatus.FILLED.rank, strategy.size)
    assert len({t.id for t in strategy.trades}) == len(strategy.trades)
    (resting,) = result.cancelled_at_stop
    assert resting.status is OrderStatus.CANCELED and resting.id not in strategy.placed
    assert not await kucoin.fetch_open_orders(SYMBOL)
