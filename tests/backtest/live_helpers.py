"""What the live runner's tests share: a paper exchange that offers only some of its streams
(or has one break mid-run), a market maker that records what it was told, and the checks
that nothing it should have heard was lost or doubled."""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from collections.abc import AsyncGenerator
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar, cast

import attrs

from exchanges import (
    Candle,
    Fill,
    GapReason,
    Interval,
    ManualClock,
    NotSupported,
    Order,
    OrderBook,
    OrderStatus,
    Side,
    StreamGap,
    StreamKind,
    Trade,
)
from simulator import PaperExchange
from simulator.backtest import LiveResult, LiveRunner

sys.path.insert(0, str(Path(__file__).parents[2]))
from examples.market_maker import SimpleMarketMaker

__all__ = ["Recorder", "ShyPaper", "check_told_once", "run_on_manual_clock"]

SYMBOL = "BTC/USDT"
T = TypeVar("T")


class ShyPaper(PaperExchange):
    """A paper exchange whose capabilities list only ``offers`` of its streams (the others
    raise ``NotSupported``, as the protocol says), and whose ``breaks`` stream, after
    ``after`` events, raises ``error`` (or ends, when it is None), or with ``lose``, drops
    that many events and says so by a gap, as after a reconnect. Counts the REST reads a
    runner polls with while its streams are open (not those of its tidying up at stop)."""

    def __init__(
        self,
        clock: ManualClock,
        offers: frozenset[StreamKind] = frozenset(StreamKind),
        *,
        breaks: StreamKind | None = None,
        after: int = 0,
        error: BaseException | None = None,
        lose: int = 0,
    ) -> None:
        super().__init__({"USDT": Decimal(50_000), "BTC": Decimal(1)}, seed=21, clock=clock)
        self.capabilities = attrs.evolve(self.capabilities, streams=offers)
        self.breaks = breaks
        self.after = after
        self.error = error
        self.lose = lose
        self.lost = 0
        self.reads: Counter[str] = Counter()

    async def _shown(self, kind: StreamKind, stream: AsyncGenerator[T, None]) -> AsyncGenerator[T, None]:
        try:
            if kind not in self.capabilities.streams:
                raise NotSupported(f"no {kind} stream here", venue=self.venue)
            told = 0
            async for item in stream:
                if kind is self.breaks and told == self.after:
                    if not self.lose:
                        if self.error is None:
                            return
                        raise self.error
                    if self.lost < self.lose:
                        self.lost += 1
                        continue
                    gap = StreamGap(
                        kind=kind, symbol=SYMBOL, reason=GapReason.RECONNECT, timestamp=self.clock.now_ms()
                    )
                    yield cast(T, gap)
                told += 1
                yield item
        finally:
            await stream.aclose()

    def watch_order_book(
        self, symbol: str, depth: int | None = 20
    ) -> AsyncGenerator[OrderBook | StreamGap, None]:
        return self._shown(StreamKind.ORDER_BOOK, super().watch_order_book(symbol, depth))

    def watch_trades(self, symbol: str) -> AsyncGenerator[Trade | StreamGap, None]:
        return self._shown(StreamKind.TRADES, super().watch_trades(symbol))

    def watch_candles(
        self, symbol: str, interval: Interval | str
    ) -> AsyncGenerator[Candle | StreamGap, None]:
        return self._shown(StreamKind.CANDLES, super().watch_candles(symbol, interval))

    def watch_orders(self, symbol: str | None = None) -> AsyncGenerator[Order, None]:
        return self._shown(StreamKind.ORDERS, super().watch_orders(symbol))

    def watch_fills(self, symbol: str | None = None) -> AsyncGenerator[Fill, None]:
        return self._shown(StreamKind.FILLS, super().watch_fills(symbol))

    def _count(self, read: str) -> None:
        if self.streams.open_streams:
            self.reads[read] += 1

    async def fetch_trades(self, symbol: str, limit: int | None = None) -> list[Trade]:
        self._count("trades")
        return await super().fetch_trades(symbol, limit)

    async def fetch_order(self, symbol: str, **kw: Any) -> Order:
        self._count("order")
        return await super().fetch_order(symbol, **kw)

    async def fetch_fills(self, symbol: str, **kw: Any) -> list[Fill]:
        self._count("fills")
        return await super().fetch_fills(symbol, **kw)


class Recorder(SimpleMarketMaker):
    """The market maker, quoting close enough to trade, remembering every callback."""

    def __init__(self) -> None:
        super().__init__(SYMBOL, spread_bps="2", size="0.002", refresh_bps="0.5")
        self.books = 0
        self.trades: list[Trade] = []
        self.told: list[Order] = []
        self.fills: list[Fill] = []

    async def on_book(self, book: OrderBook) -> None:
        self.books += 1
        await super().on_book(book)

    async def on_trade(self, trade: Trade) -> None:
        self.trades.append(trade)
        await super().on_trade(trade)

    async def on_order(self, order: Order) -> None:
        self.told.append(order)
        await super().on_order(order)

    async def on_fill(self, fill: Fill) -> None:
        self.fills.append(fill)
        await super().on_fill(fill)


async def run_on_manual_clock(runner: LiveRunner, clock: ManualClock, seconds: float) -> LiveResult:
    """The run, with the clock moved half a second at a time until it ends."""
    task = asyncio.create_task(runner.run(duration=seconds))
    while not task.done():
        await clock.run_until(clock.now_ms() + 500)
    return task.result()


async def check_told_once(paper: PaperExchange, strategy: Recorder, result: LiveResult) -> None:
    """Every fill of the strategy's orders reached ``on_fill`` once; every order's states
    reached ``on_order`` in order, none twice, and the runner's last view of each is the
    venue's (a fill that ended one was told); every public trade of the run reached
    ``on_trade`` once, in order."""
    ours = [o.id for o in result.orders]
    venue_fills = [f for i in ours for f in await paper.fetch_fills(SYMBOL, order_id=i)]
    assert venue_fills, "the run should trade"
    assert sorted(f.id for f in strategy.fills) == sorted(f.id for f in venue_fills), "each fill once"
    assert list(result.fills) == strategy.fills
    net = sum((f.size if f.side is Side.BUY else -f.size for f in venue_fills), Decimal(0))
    assert strategy.inventory == net
    for order in result.orders:
        states = [(o.status.rank, o.filled_size) for o in strategy.told if o.id == order.id]
        assert states == sorted(set(states)), f"{order.id}: states told twice or out of order: {states}"
        final = await paper.fetch_order(SYMBOL, order_id=order.id)
        assert (order.status, order.filled_size) == (final.status, final.filled_size), f"{order.id}: end lost"
        if final.status is OrderStatus.FILLED:
            assert states[-1] == (final.status.rank, final.filled_size), f"{order.id}: its fill not told"
    ids = [t.id for t in strategy.trades]
    assert len(set(ids)) == len(ids), "a trade told twice"
    assert [t.timestamp for t in strategy.trades] == sorted(t.timestamp for t in strategy.trades)
    if strategy.trades:
        first, last = strategy.trades[0].timestamp, strategy.trades[-1].timestamp
        printed = {t.id for t in await paper.fetch_trades(SYMBOL, 1000) if first <= t.timestamp <= last}
        assert printed <= set(ids), f"trades missed: {sorted(printed - set(ids))[:5]}"
