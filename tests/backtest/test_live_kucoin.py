"""The live runner where a user meets it: the KuCoin adapter against the served simulator,
with the book, trades, its own orders and fills all by KuCoin's WebSocket."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from adapters.kucoin import KucoinCredentials, KucoinExchange
from exchanges import Fill, Order, OrderBook, OrderRequest, OrderStatus, Side, StreamKind, Trade
from simulator.backtest import LiveRunner, Strategy
from simulator.kucoin import AccountConfig, ApiKey, FacadeConfig
from simulator.kucoin.build import build_served
from simulator.kucoin.server import serving

KEY, SECRET, PASSPHRASE = "live-key", "live-secret", "live-passphrase"
SYMBOL = "BTC/USDT"


class _RoundTrip(Strategy):
    """On the first book: a market buy (it takes, so it fills at once) and a bid far below
    the market (it rests, for the runner to cancel at stop); once the buy has filled, a
    market sell of what it bought. Done when both took, their final states are known and
    a public trade has been heard."""

    def __init__(self) -> None:
        super().__init__(SYMBOL)
        self.size = Decimal("0.001")
        self.books = 0
        self.trades: list[Trade] = []
        self.orders: list[Order] = []
        self.fills: list[Fill] = []
        self.takers: list[str] = []
        self.done = asyncio.Event()

    async def on_book(self, book: OrderBook) -> None:
        self.books += 1
        if self.takers or not book.bids:
            return
        buy = OrderRequest.market(SYMBOL, Side.BUY, size=self.size)
        self.takers.append((await self.exchange.place_order(buy)).id)
        far = (book.bids[0].price * Decimal("0.8")).quantize(Decimal(1))
        await self.exchange.place_order(OrderRequest.limit(SYMBOL, Side.BUY, self.size, far))

    async def on_trade(self, trade: Trade) -> None:
        self.trades.append(trade)
        self._check()

    async def on_order(self, order: Order) -> None:
        self.orders.append(order)
        self._check()

    async def on_fill(self, fill: Fill) -> None:
        self.fills.append(fill)
        bought = sum((f.size for f in self.fills if f.side is Side.BUY), Decimal(0))
        if len(self.takers) == 1 and bought == self.size:
            sell = OrderRequest.market(SYMBOL, Side.SELL, size=self.size)
            self.takers.append((await self.exchange.place_order(sell)).id)
        self._check()

    def _check(self) -> None:
        final = {o.id for o in self.orders if o.status is OrderStatus.FILLED}
        if len(self.takers) == 2 and set(self.takers) <= final and self.trades:
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
    runner = LiveRunner(strategy, kucoin, poll_interval=0.2)
    result = await runner.run(duration=30, stop=strategy.done)  # (the duration only bounds a failure)
    assert strategy.done.is_set(), f"not done: {strategy.takers=} {strategy.fills=} {strategy.orders=}"
    wanted = {StreamKind.ORDER_BOOK, StreamKind.TRADES, StreamKind.ORDERS, StreamKind.FILLS}
    assert result.streamed == wanted and result.polls == 0 and not result.errors
    assert result.events >= strategy.books + len(strategy.trades) + len(strategy.fills)
    venue_fills = [f for o in strategy.takers for f in await kucoin.fetch_fills(SYMBOL, order_id=o)]
    assert sorted(f.trade_id for f in result.fills) == sorted(f.trade_id for f in venue_fills)
    assert list(result.fills) == strategy.fills, "on_fill saw each fill once"
    assert {f.side for f in result.fills} == {Side.BUY, Side.SELL}
    assert len({t.id for t in strategy.trades}) == len(strategy.trades)
    (resting,) = result.cancelled_at_stop
    assert resting.status is OrderStatus.CANCELED and resting.id not in strategy.takers
    assert not await kucoin.fetch_open_orders(SYMBOL)
