"""Market-data feeds: one per topic, shared by every stream that watches it, each stream
with its own mailbox (``exchanges.Latest`` or ``Backlog``: the memory rules of
``exchanges.Streaming``).

A feed turns frames into models and puts them in the mailboxes; a reconnect or a refused
topic reaches every mailbox as a gap or an error. The order-book feed keeps a
:class:`LocalBook` and puts, after every applied increment, a callable that builds the
``OrderBook`` of a stream's depth when the stream reads it, so a burst of increments costs
no book building that nobody reads.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Generic, TypeVar

from exchanges import (
    Backlog,
    Candle,
    Clock,
    ExchangeError,
    GapReason,
    Interval,
    Latest,
    Mailbox,
    OrderBook,
    Ticker,
    Trade,
)

from .local_book import APPLIED, GAP, LocalBook
from .ws_parsing import book_from_depth, candle_from_ws, ticker_from_ws, trade_from_ws

__all__ = ["BookFeed", "BookFeedBase", "CandleFeed", "DepthFeed", "Feed", "TickerFeed", "TradeFeed"]

log = logging.getLogger("adapters.kucoin")

B = TypeVar("B", bound=Mailbox[Any])
BookThunk = Callable[[], OrderBook]
#: What a frame's data may lack or misspell without the feed falling over.
_MALFORMED = (KeyError, TypeError, ValueError, ArithmeticError, IndexError, AttributeError, ExchangeError)


class Feed(Generic[B]):
    """A topic's mailboxes; ``start`` runs once the topic is subscribed."""

    def __init__(self, symbol: str) -> None:
        self.symbol = symbol
        self.boxes: list[B] = []
        self.ready: asyncio.Future[None] | None = None

    def attach(self, box: B) -> None:
        self.boxes.append(box)

    def detach(self, box: B) -> None:
        if box in self.boxes:
            self.boxes.remove(box)

    async def start(self) -> None:
        """What must happen once subscribed before the first value (a snapshot, a seed)."""

    def stop(self) -> None:
        """The last stream left."""

    def on_message(self, frame: dict[str, Any]) -> None:
        try:
            self._message(frame["data"])
        except _MALFORMED as exc:
            log.debug("kucoin ws: unreadable %s frame (%s: %s)", frame.get("topic"), type(exc).__name__, exc)

    def _message(self, data: Mapping[str, Any]) -> None:
        raise NotImplementedError

    def on_restart(self) -> None:
        for box in self.boxes:
            box.gap(GapReason.RECONNECT)

    def on_error(self, error: ExchangeError) -> None:
        for box in self.boxes:
            box.fail(error)


class TickerFeed(Feed[Latest[Ticker]]):
    def _message(self, data: Mapping[str, Any]) -> None:
        ticker = ticker_from_ws(data, self.symbol)
        for box in self.boxes:
            box.put(ticker)


class TradeFeed(Feed[Backlog[Trade]]):
    def _message(self, data: Mapping[str, Any]) -> None:
        trade = trade_from_ws(data, self.symbol)
        for box in self.boxes:
            box.put(trade)


class CandleFeed(Feed[Latest[Candle]]):
    def __init__(self, symbol: str, interval: Interval) -> None:
        super().__init__(symbol)
        self.interval = interval

    def _message(self, data: Mapping[str, Any]) -> None:
        candle = candle_from_ws(data, self.symbol, self.interval)
        for box in self.boxes:
            box.put(candle, key=candle.start)


class BookFeedBase(Feed[Latest[BookThunk]]):
    """A book feed: each stream reads the book at its own depth."""

    def attach_depth(self, box: Latest[BookThunk], depth: int | None) -> None:
        raise NotImplementedError


class DepthFeed(BookFeedBase):
    """KuCoin's depth-5/50 snapshot topics: each frame a whole top of book."""

    def __init__(self, symbol: str) -> None:
        super().__init__(symbol)
        self.depths: dict[int, int | None] = {}

    def attach_depth(self, box: Latest[BookThunk], depth: int | None) -> None:
        self.depths[id(box)] = depth
        self.attach(box)

    def detach(self, box: Latest[BookThunk]) -> None:
        super().detach(box)
        self.depths.pop(id(box), None)

    def _message(self, data: Mapping[str, Any]) -> None:
        book = book_from_depth(data, self.symbol, None)
        for box in self.boxes:
            box.put(functools.partial(_top, book, self.depths.get(id(box))))


def _top(book: OrderBook, depth: int | None) -> OrderBook:
    if depth is None or (len(book.bids) <= depth and len(book.asks) <= depth):
        return book
    return OrderBook(
        symbol=book.symbol,
        timestamp=book.timestamp,
        bids=book.bids[:depth],
        asks=book.asks[:depth],
        sequence=book.sequence,
        raw=book.raw,
    )


class BookFeed(BookFeedBase):
    """The local book of ``/market/level2``, calibrated from REST snapshots (NOTES 9)."""

    def __init__(
        self,
        symbol: str,
        snapshot: Callable[[], Awaitable[Mapping[str, Any]]],
        clock: Clock,
        *,
        max_buffer: int,
    ) -> None:
        super().__init__(symbol)
        self.book = LocalBook(symbol, max_buffer=max_buffer)
        self._snapshot = snapshot
        self._clock = clock
        self._thunks: dict[int, BookThunk] = {}
        self._resync: asyncio.Task[None] | None = None
        #: Snapshots loaded (the first, and one per gap or reconnect).
        self.snapshots = 0

    def attach_depth(self, box: Latest[BookThunk], depth: int | None) -> None:
        thunk = functools.partial(self.book.snapshot, depth)
        self._thunks[id(box)] = thunk
        self.attach(box)
        if self.book.synced:
            box.put(thunk)

    def detach(self, box: Latest[BookThunk]) -> None:
        super().detach(box)
        self._thunks.pop(id(box), None)

    async def start(self) -> None:
        self._schedule()
        assert self._resync is not None
        await asyncio.shield(self._resync)

    def stop(self) -> None:
        if self._resync is not None:
            self._resync.cancel()

    def on_message(self, frame: dict[str, Any]) -> None:
        try:
            status = self.book.apply(frame["data"])
        except _MALFORMED as exc:  # a frame we cannot read may hide a change: start over
            log.debug("kucoin ws: unreadable level2 frame for %s (%s)", self.symbol, type(exc).__name__)
            self.book.desync()
            status = GAP
        if status == APPLIED:
            thunks = self._thunks
            for box in self.boxes:
                box.put(thunks[id(box)])
        elif status == GAP:
            for box in self.boxes:
                box.gap(GapReason.SEQUENCE)
            self._schedule()

    def on_restart(self) -> None:
        self.book.desync()
        super().on_restart()
        self._schedule()

    def _schedule(self) -> None:
        if self._resync is None or self._resync.done():
            self._resync = asyncio.get_running_loop().create_task(self._calibrate())

    async def _calibrate(self) -> None:
        """Snapshot until one joins the buffered increments (a snapshot older than them,
        or a failed read, is tried again after a pause)."""
        pause = 0.05
        while not self.book.synced:
            try:
                status = self.book.load(await self._snapshot())
            except ExchangeError as exc:
                if not exc.retryable:
                    self.on_error(exc)
                    return
                log.debug("kucoin ws: no snapshot for %s yet: %s", self.symbol, exc)
                status = GAP
            except _MALFORMED as exc:
                log.debug("kucoin ws: unreadable snapshot for %s (%s)", self.symbol, type(exc).__name__)
                self.book.desync()
                status = GAP
            if status == APPLIED:
                self.snapshots += 1
                for box in self.boxes:
                    box.put(self._thunks[id(box)])
                return
            await self._clock.sleep(pause)
            pause = min(pause * 2, 2.0)
