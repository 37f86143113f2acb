"""The live runner: the same strategy against any ``Exchange``, on the system clock.

It listens to the exchange's streams where it offers them (``exchanges.Streaming``: the
book, trades, candles, the strategy's own orders and fills) and polls the rest every
``poll_interval``, until told to stop; then it calls ``on_stop``, cancels whatever the
strategy left open, and tells it the fills and ends of its orders that came meanwhile.
Callbacks run one at a time, in the order things arrived. A stream that fails (raises or
ends) is polled from then on; ``streams=False`` polls everything, the floor every venue
supports.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import attrs

from exchanges import (
    Candle,
    Clock,
    Exchange,
    ExchangeError,
    Fill,
    Interval,
    NetworkError,
    Order,
    OrderBook,
    StreamGap,
    StreamKind,
    SystemClock,
    Trade,
)

from .live_orders import OwnOrders
from .live_streams import LiveStreams, StreamFailed
from .strategy import Strategy
from .tracking import TrackingExchange

__all__ = ["LiveResult", "LiveRunner"]


#: What a live run would stream, and what polling covers otherwise.
_WANTED = frozenset(
    {StreamKind.ORDER_BOOK, StreamKind.TRADES, StreamKind.CANDLES, StreamKind.ORDERS, StreamKind.FILLS}
)
_OWN = frozenset({StreamKind.ORDERS, StreamKind.FILLS})


@attrs.frozen
class LiveResult:
    fills: tuple[Fill, ...]
    orders: tuple[Order, ...]
    cancelled_at_stop: tuple[Order, ...]
    polls: int  # rounds with REST reads (of what was not streamed, or not yet)
    errors: tuple[str, ...]
    streamed: frozenset[StreamKind] = frozenset()  # what came by streams (until any failed)
    events: int = 0  # what the streams delivered
    failed: frozenset[StreamKind] = frozenset()  # streams that failed, polled from then on


class LiveRunner:
    def __init__(
        self,
        strategy: Strategy,
        exchange: Exchange,
        *,
        clock: Clock | None = None,
        poll_interval: float = 1.0,
        candle_interval: Interval | str | None = None,
        book_depth: int = 20,
        echo: Callable[[str], None] | None = None,
        streams: bool = True,
    ) -> None:
        self.strategy = strategy
        self.exchange = TrackingExchange(exchange)
        self.clock = clock or SystemClock()
        self.poll_interval = poll_interval
        self.candle_interval = Interval.parse(candle_interval) if candle_interval else None
        self.book_depth = book_depth
        self.echo = echo
        self.use_streams = streams
        self._streams: LiveStreams | None = None
        self._events = 0
        self._open_candle: Candle | None = None
        self._seen_trades: set[str] = set()
        self._last_trade_ts = 0
        self._last_candle_start: int | None = None
        self._own = OwnOrders(self.exchange, strategy, self._say)
        self._errors: list[str] = []

    def _say(self, line: str) -> None:
        if self.echo:
            self.echo(line)

    async def run(self, duration: float | None = None, stop: asyncio.Event | None = None) -> LiveResult:
        """Run until ``duration`` seconds have passed or ``stop`` is set; always tidy up."""
        symbol = self.strategy.symbol
        self.strategy.bind(self.exchange)
        polls = 0
        cancelled: list[Order] = []
        deadline = None if duration is None else self.clock.monotonic() + duration
        streams = self._streams = LiveStreams(
            self.exchange.inner,
            symbol,
            book_depth=self.book_depth,
            candle_interval=self.candle_interval,
            wanted=_WANTED,
            use=self.use_streams,
        )
        try:
            await self.strategy.on_start()
            self._last_candle_start = await self._first_candle_cursor()
            streams.start()
            while not (stop and stop.is_set()) and (deadline is None or self.clock.monotonic() < deadline):
                try:
                    polls += await self._poll(symbol, streams.live)
                except NetworkError as err:  # transient: note it and keep going
                    polls += 1
                    self._errors.append(str(err))
                    self._say(f"poll failed (will retry): {err}")
                await self._listen(stop)
        finally:
            for kind, item in await streams.close():  # (the strategy's own news, already heard)
                if kind in _OWN:
                    await self._deliver(kind, item)
            with contextlib.suppress(ExchangeError):
                await self.strategy.on_stop()
            with contextlib.suppress(ExchangeError):
                cancelled = await self.exchange.cancel_open()
            for order in cancelled:
                self._say(f"cancelled at stop: {order.side} {order.size} @ {order.price} ({order.id})")
            self._errors += await self._own.settle()
        return LiveResult(
            tuple(self._own.fills),
            tuple(self.exchange.orders.values()),
            tuple(cancelled),
            polls,
            tuple(self._errors),
            streams.kinds,
            self._events,
            frozenset(streams.failed),
        )

    async def _listen(self, stop: asyncio.Event | None) -> None:
        """Deliver what the streams say until the next poll is due (or ``stop``)."""
        streams = self._streams
        assert streams is not None
        if not streams.kinds:
            await self._sleep(stop)
            return
        tick = asyncio.ensure_future(self.clock.sleep(self.poll_interval))
        stopping = asyncio.ensure_future(stop.wait()) if stop is not None else None
        waits = (tick, stopping) if stopping is not None else (tick,)
        try:
            while not any(w.done() for w in waits):
                said = await streams.next(*waits)
                if said is not None:
                    await self._deliver(*said)
        finally:
            for w in waits:
                w.cancel()

    async def _deliver(self, kind: StreamKind, item: object) -> None:
        if isinstance(item, StreamFailed):
            self._errors.append(str(item))
            self._say(f"{item}; polled from now on")
            return
        if isinstance(item, StreamGap):
            self._say(f"{kind} stream: events may be missing ({item.reason})")
            if kind is StreamKind.TRADES and self._last_trade_ts:
                await self._catch_up_trades(item.symbol)
            return
        self._events += 1
        s = self.strategy
        if isinstance(item, OrderBook):
            await s.on_book(item)
        elif isinstance(item, Trade):
            await self._trade(item)
        elif isinstance(item, Candle):
            await self._candle(item)
        elif isinstance(item, Order):
            await self._own.streamed_order(item)
        elif isinstance(item, Fill):
            await self._own.streamed_fill(item)

    async def _catch_up_trades(self, symbol: str) -> None:
        """The trades a gap lost, read back by REST (the stream's next ones are told once:
        trades are known by id)."""
        try:
            trades = await self.exchange.fetch_trades(symbol)
        except NetworkError as err:
            self._errors.append(str(err))
            self._say(f"trades lost in a gap not read back: {err}")
            return
        for trade in trades:
            if trade.id not in self._seen_trades and trade.timestamp >= self._last_trade_ts:
                await self._trade(trade)

    async def _trade(self, trade: Trade) -> None:
        if trade.id in self._seen_trades:
            return
        self._seen_trades.add(trade.id)
        self._last_trade_ts = max(self._last_trade_ts, trade.timestamp)
        await self.strategy.on_trade(trade)

    async def _candle(self, candle: Candle) -> None:
        """The stream updates the current candle: one with a later start closes the one before."""
        previous = self._open_candle
        self._open_candle = candle
        cursor = self._last_candle_start
        if previous is None or candle.start <= previous.start or cursor is None:
            return
        if previous.start >= cursor and self.candle_interval is not None:
            self._last_candle_start = previous.start + self.candle_interval.ms
            await self.strategy.on_candle(previous)

    async def _sleep(self, stop: asyncio.Event | None) -> None:
        if stop is None:
            await self.clock.sleep(self.poll_interval)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), self.poll_interval)

    async def _first_candle_cursor(self) -> int | None:
        if self.candle_interval is None:
            return None
        now = await self.exchange.server_time()
        return now - now % self.candle_interval.ms  # deliver bars that close from now on

    async def _poll(self, symbol: str, streamed: frozenset[StreamKind]) -> int:
        """Read by REST what does not come by streams; returns 1 if anything was read."""
        market = self._streams is not None and bool(self._streams.wanted - streamed - _OWN)
        if market:
            await self._poll_market(symbol, streamed)
        reads = await self._own.look(streamed & _OWN)
        return 1 if market or reads else 0

    async def _poll_market(self, symbol: str, streamed: frozenset[StreamKind]) -> None:
        s = self.strategy
        if StreamKind.ORDER_BOOK not in streamed:
            await s.on_book(await self.exchange.fetch_order_book(symbol, self.book_depth))
        if StreamKind.TRADES not in streamed:
            for trade in await self.exchange.fetch_trades(symbol):
                if trade.id in self._seen_trades or trade.timestamp < self._last_trade_ts:
                    continue
                await self._trade(trade)
        candles_polled = StreamKind.CANDLES not in streamed
        if candles_polled and self.candle_interval is not None and self._last_candle_start is not None:
            now = await self.exchange.server_time()
            iv = self.candle_interval
            for candle in await self.exchange.fetch_candles(symbol, iv, self._last_candle_start, now):
                if candle.start + iv.ms <= now and candle.start >= self._last_candle_start:
                    await s.on_candle(candle)
                    self._last_candle_start = candle.start + iv.ms
