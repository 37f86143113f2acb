"""The paper exchange's streams: the venue's events, in-process, routed to the mailboxes of
``exchanges.Streaming`` (``Latest`` for book, ticker, candle and balance streams, which
conflate; ``Backlog`` for trades, bounded, and for orders and fills, which never drop).

The venue is listened to while any stream is open, and the books streamed are watched. What
must wait until a venue call has returned (publishing a book's changes, reading a candle or
a balance) runs soon after, from the event loop; a pump task also moves the venue along
with its clock, so that the market's own changes reach the streams without anyone calling
(on a ``ManualClock`` it runs when the clock is advanced).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from exchanges import Backlog, Balance, Candle, Fill, Interval, Latest, Order, Trade
from simulator.venue import FillInfo, OrderInfo, Venue, VenueEvent

__all__ = ["PaperStreams"]

log = logging.getLogger("simulator.paper")

#: Venue seconds between the pump's steps.
PUMP_S = 0.05
#: Trades a slow consumer may fall behind by before the oldest go (with a gap).
TRADE_BACKLOG = 10_000


class PaperStreams:
    """One paper account's streams. ``order`` and ``fill`` turn the venue's records into the
    protocol's models; ``unified`` spells a venue symbol the exchange's way."""

    def __init__(
        self,
        venue: Venue,
        uid: str,
        order: Callable[[OrderInfo], Order],
        fill: Callable[[FillInfo], Fill],
        unified: Callable[[str], str],
    ) -> None:
        self._venue = venue
        self._uid = uid
        self._order = order
        self._fill = fill
        self._unified = unified
        self.tickers: dict[str, list[Latest[None]]] = {}
        self.books: dict[str, list[Latest[None]]] = {}
        self.trades: dict[str, list[Backlog[Trade]]] = {}
        self.candles: dict[str, list[tuple[Latest[Candle], Interval]]] = {}
        self.orders: list[tuple[Backlog[Order], str | None]] = []
        self.fills: list[tuple[Backlog[Fill], str | None]] = []
        self.balances: list[Latest[Balance]] = []
        self._watching: dict[str, Callable[[], None]] = {}
        self._stop_listening: Callable[[], None] | None = None
        self._pump: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._soon: asyncio.Handle | None = None
        self._traded: set[str] = set()
        self._moved: set[str] = set()  # (currencies whose balance may have changed)
        self.known: dict[str, Balance] = {}  # (the balances last streamed)
        self._open = 0

    @property
    def open_streams(self) -> int:
        """Streams subscribed now (each leaves when its ``async for`` does)."""
        return self._open

    # --- joining and leaving ---------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def joined(self, table: Any, key: Any, entry: Any) -> AsyncIterator[None]:
        """``entry`` is in ``table`` (under ``key``, or appended for a list) while the block
        runs; the venue is listened to while anything is."""
        if self._open == 0:
            self._start()
        self._open += 1
        if isinstance(table, list):
            table.append(entry)
        else:
            table.setdefault(key, []).append(entry)
            if table is self.books and key not in self._watching:
                self._watching[key] = self._venue.watch_book(key)
        try:
            yield
        finally:
            if isinstance(table, list):
                table.remove(entry)
            else:
                entries = table[key]
                entries.remove(entry)
                if not entries:
                    del table[key]
                    if table is self.books:
                        self._watching.pop(key)()
            self._open -= 1
            if self._open == 0:
                self._stop()

    def _start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop_listening = self._venue.subscribe(self._on_event)
        self._pump = self._loop.create_task(self._run_pump(), name="paper streams pump")

    def _stop(self) -> None:
        if self._stop_listening is not None:
            self._stop_listening()
            self._stop_listening = None
        if self._pump is not None:
            self._pump.cancel()
            self._pump = None
        if self._soon is not None:
            self._soon.cancel()
            self._soon = None

    def fail(self, error: BaseException) -> None:
        """Every open stream raises ``error`` (the exchange was closed)."""
        boxes: list[Any] = [b for group in (*self.tickers.values(), *self.books.values()) for b in group]
        boxes += [b for group in self.trades.values() for b in group]
        boxes += [b for group in self.candles.values() for b, _ in group]
        boxes += [b for b, _ in self.orders] + [b for b, _ in self.fills] + self.balances
        for box in boxes:
            box.fail(error)

    # --- the venue's events ----------------------------------------------------------------------

    def _on_event(self, event: VenueEvent) -> None:
        """Inside a venue call: what needs nothing more is put now, the rest soon after.
        Nothing raised here may reach the venue (it would stop a settlement half-way)."""
        try:
            self._route(event)
        except Exception:
            log.exception("paper streams: an event could not be routed")

    def _route(self, event: VenueEvent) -> None:
        if event.uid is not None:
            if event.uid == self._uid:
                self._own(event)
        elif event.book is not None:
            symbol = event.book.symbol
            for box in self.books.get(symbol, ()):
                box.put(None)
            for box in self.tickers.get(symbol, ()):
                box.put(None)
        elif event.trade is not None:
            self._trade(event)
        self._later()

    def _own(self, event: VenueEvent) -> None:
        if event.order is not None:
            native = event.order.symbol
            if self.orders:
                order = self._order(event.order)
                for order_box, symbol in self.orders:
                    if symbol is None or symbol == order.symbol:
                        order_box.put(order)
        elif event.fill is not None:
            native = event.fill.symbol
            if self.fills:
                fill = self._fill(event.fill)
                for fill_box, symbol in self.fills:
                    if symbol is None or symbol == fill.symbol:
                        fill_box.put(fill)
        else:
            return
        if self.balances:
            spec = self._venue.symbol(native)
            self._moved.update((spec.base_currency, spec.quote_currency))

    def _trade(self, event: VenueEvent) -> None:
        trade = event.trade
        assert trade is not None
        native = trade.symbol
        boxes = self.trades.get(native)
        if boxes:
            model = Trade(
                id=str(trade.trade_id),
                symbol=self._unified(native),
                price=trade.price,
                size=trade.size,
                side=trade.side,
                timestamp=trade.time,
            )
            for box in boxes:
                box.put(model)
        for ticker in self.tickers.get(native, ()):
            ticker.put(None)
        if native in self.candles:
            self._traded.add(native)

    def _later(self) -> None:
        loop = self._loop
        if self._soon is None and loop is not None and not loop.is_closed():
            self._soon = loop.call_soon(self._after)

    def _after(self) -> None:
        """After the venue call: the books' changes, then candles and balances."""
        self._soon = None
        venue = self._venue
        if self._watching:
            venue.publish_book_changes()
        if self._traded:
            traded, self._traded = self._traded, set()
            for native in traded:
                for box, interval in self.candles.get(native, ()):
                    self.put_candle(box, native, interval)
        if self._moved and self.balances:
            moved, self._moved = self._moved, set()
            for currency in sorted(moved):
                row = venue.balance(self._uid, currency)
                balance = Balance(
                    currency=currency, total=row.balance, available=row.available, hold=row.holds
                )
                if self.known.get(currency) == balance:
                    continue
                self.known[currency] = balance
                for balance_box in self.balances:
                    balance_box.put(balance, currency)

    def put_candle(
        self, box: Latest[Candle], native: str, interval: Interval, *, current: bool = False
    ) -> None:
        """The newest candle of ``native`` (``current``: only if its interval is now)."""
        bars = self._venue.candles(native, interval, limit=1)
        if not bars:
            return
        bar = bars[0]
        if current and self._venue.now - bar.start >= interval.ms:
            return
        candle = Candle(
            start=bar.start,
            open=bar.open,
            high=bar.high,
            low=bar.low,
            close=bar.close,
            volume=bar.volume,
            quote_volume=bar.turnover,
            symbol=self._unified(native),
            interval=interval,
        )
        box.put(candle, bar.start)

    async def _run_pump(self) -> None:
        """The market moves with the clock even when nobody calls the venue."""
        clock = self._venue.clock
        while True:
            await clock.sleep(PUMP_S)
            self._venue.sync()
            self._after()
