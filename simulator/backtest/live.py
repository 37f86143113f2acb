"""The live runner: the same strategy against any ``Exchange``, on the system clock.

It listens to the exchange's streams where it offers them (``exchanges.Streaming``: the
book, trades, candles, the strategy's own orders and fills) and polls the rest every
``poll_interval``, until told to stop; then it calls ``on_stop`` and cancels whatever the
strategy left open. Callbacks run one at a time, in the order things arrived. A stream that
fails is polled from then on; ``streams=False`` polls everything, the floor every venue
supports.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from decimal import Decimal

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

from .live_streams import LiveStreams
from .strategy import Strategy
from .tracking import TrackingExchange

__all__ = ["LiveResult", "LiveRunner"]

ZERO = Decimal(0)


#: What a live run would stream, and what polling covers otherwise.
_WANTED = frozenset(
    {StreamKind.ORDER_BOOK, StreamKind.TRADES, StreamKind.CANDLES, StreamKind.ORDERS, StreamKind.FILLS}
)


@attrs.frozen
class LiveResult:
    fills: tuple[Fill, ...]
    orders: tuple[Order, ...]
    cancelled_at_stop: tuple[Order, ...]
    polls: int  # rounds of polling (of what was not streamed)
    errors: tuple[str, ...]
    streamed: frozenset[StreamKind] = frozenset()  # what came by streams (until any failed)
    events: int = 0  # what the streams delivered


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
        self._seen_fills: set[str] = set()
        self._delivered: dict[str, Decimal] = {}
        self._fills: list[Fill] = []
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
                if streams.live != streams.wanted:  # (something is not streamed: poll it)
                    try:
                        await self._poll(symbol, streams.live)
                    except NetworkError as err:  # transient: note it and keep going
                        self._errors.append(str(err))
                        self._say(f"poll failed (will retry): {err}")
                    polls += 1
                await self._listen(stop)
        finally:
            await streams.close()
            with contextlib.suppress(ExchangeError):
                await self.strategy.on_stop()
            with contextlib.suppress(ExchangeError):
                cancelled = await self.exchange.cancel_open()
            for order in cancelled:
                self._say(f"cancelled at stop: {order.side} {order.size} @ {order.price} ({order.id})")
        return LiveResult(
            tuple(self._fills),
            tuple(self.exchange.orders.values()),
            tuple(cancelled),
            polls,
            tuple(self._errors),
            streams.kinds,
            self._events,
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
        if isinstance(item, ExchangeError):
            self._errors.append(str(item))
            self._say(f"{kind} stream failed, polled from now on: {item}")
            return
        if isinstance(item, StreamGap):
            self._say(f"{kind} stream: events may be missing ({item.reason})")
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
            if item.id in self.exchange.orders and self.exchange.remember(item):
                await s.on_order(item)
        elif isinstance(item, Fill) and item.order_id in self.exchange.orders:
            await self._fill(item)

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

    async def _fill(self, fill: Fill) -> None:
        key = f"{fill.order_id}/{fill.trade_id or fill.id}"  # (a streamed fill's id may be its trade's)
        if key in self._seen_fills:
            return
        self._seen_fills.add(key)
        self._fills.append(fill)
        self._say(f"fill: {fill.side} {fill.size} @ {fill.price} ({fill.liquidity})")
        await self.strategy.on_fill(fill)

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

    async def _poll(self, symbol: str, streamed: frozenset[StreamKind]) -> None:
        """Read by REST what does not come by streams."""
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
        if not {StreamKind.ORDERS, StreamKind.FILLS} <= streamed:
            await self._own_orders()

    async def _own_orders(self) -> None:
        pending = self.exchange.take_pending()
        for i, order_id in enumerate(pending):
            try:
                await self._own_order(order_id)
            except NetworkError:
                self.exchange.requeue(pending[i:])  # looked at again on the next poll
                raise

    async def _own_order(self, order_id: str) -> None:
        order = known = self.exchange.orders[order_id]
        if known.is_open:
            order = await self.exchange.fetch_order(known.symbol, order_id=order_id)
        if order.filled_size > self._delivered.get(order_id, ZERO):
            fills = await self.exchange.fetch_fills(order.symbol, order_id=order_id)
            for fill in sorted(fills, key=lambda f: f.timestamp):
                await self._fill(fill)
            self._delivered[order_id] = order.filled_size
        if self.exchange.remember(order):
            await self.strategy.on_order(order)
