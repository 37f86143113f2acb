"""The live runner: the same strategy against any ``Exchange``, on the system clock.

It polls (book, trades, closed candles, the strategy's own orders and fills) until told to
stop, then calls ``on_stop`` and cancels whatever the strategy left open. Polling is the
floor every venue supports; streams can replace it without changing strategies.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from decimal import Decimal

import attrs

from exchanges import Clock, Exchange, ExchangeError, Fill, Interval, NetworkError, Order, SystemClock

from .strategy import Strategy
from .tracking import TrackingExchange

__all__ = ["LiveResult", "LiveRunner"]

ZERO = Decimal(0)


@attrs.frozen
class LiveResult:
    fills: tuple[Fill, ...]
    orders: tuple[Order, ...]
    cancelled_at_stop: tuple[Order, ...]
    polls: int
    errors: tuple[str, ...]


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
    ) -> None:
        self.strategy = strategy
        self.exchange = TrackingExchange(exchange)
        self.clock = clock or SystemClock()
        self.poll_interval = poll_interval
        self.candle_interval = Interval.parse(candle_interval) if candle_interval else None
        self.book_depth = book_depth
        self.echo = echo
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
        try:
            await self.strategy.on_start()
            self._last_candle_start = await self._first_candle_cursor()
            while not (stop and stop.is_set()) and (deadline is None or self.clock.monotonic() < deadline):
                try:
                    await self._poll(symbol)
                except NetworkError as err:  # transient: note it and keep going
                    self._errors.append(str(err))
                    self._say(f"poll failed (will retry): {err}")
                polls += 1
                await self._sleep(stop)
        finally:
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
        )

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

    async def _poll(self, symbol: str) -> None:
        s = self.strategy
        await s.on_book(await self.exchange.fetch_order_book(symbol, self.book_depth))
        for trade in await self.exchange.fetch_trades(symbol):
            if trade.id in self._seen_trades or trade.timestamp < self._last_trade_ts:
                continue
            self._seen_trades.add(trade.id)
            self._last_trade_ts = max(self._last_trade_ts, trade.timestamp)
            await s.on_trade(trade)
        if self.candle_interval is not None and self._last_candle_start is not None:
            now = await self.exchange.server_time()
            iv = self.candle_interval
            for candle in await self.exchange.fetch_candles(symbol, iv, self._last_candle_start, now):
                if candle.start + iv.ms <= now and candle.start >= self._last_candle_start:
                    await s.on_candle(candle)
                    self._last_candle_start = candle.start + iv.ms
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
                if fill.id not in self._seen_fills:
                    self._seen_fills.add(fill.id)
                    self._fills.append(fill)
                    self._say(f"fill: {fill.side} {fill.size} @ {fill.price} ({fill.liquidity})")
                    await self.strategy.on_fill(fill)
            self._delivered[order_id] = order.filled_size
        if self.exchange.remember(order):
            await self.strategy.on_order(order)
