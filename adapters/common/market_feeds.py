"""Market-data feeds: one per venue topic or stream, shared by every stream that watches it,
each stream with its own mailbox (``exchanges.Latest`` or ``Backlog``: the memory rules of
``exchanges.Streaming``).

A feed turns messages into models and puts them in the mailboxes; a reconnect or a refusal
reaches every mailbox as a gap or an error. What a message looks like is the venue's: each
feed is given the parser that reads it. The book feed keeps the venue's local book and puts,
after every applied update, a callable that builds the ``OrderBook`` of a stream's depth when
the stream reads it, so a burst of updates costs no book building that nobody reads.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Generic, Protocol, TypeVar

from exchanges import Backlog, Candle, Clock, ExchangeError, GapReason, Latest, Mailbox, OrderBook

from .local_book import APPLIED, GAP

__all__ = [
    "MALFORMED",
    "BookFeed",
    "BookThunk",
    "CandleFeed",
    "Feed",
    "LocalBookLike",
    "Snapshot",
    "ValueFeed",
]

B = TypeVar("B", bound=Mailbox[Any])
T = TypeVar("T")
BookThunk = Callable[[], OrderBook]
Parse = Callable[[Any], T]
#: A REST read of the book, for a local book to start from.
Snapshot = Callable[[], Awaitable[Mapping[str, Any]]]

#: What a message may lack or misspell without the feed falling over.
MALFORMED = (KeyError, TypeError, ValueError, ArithmeticError, IndexError, AttributeError, ExchangeError)


class LocalBookLike(Protocol):
    """A venue's local book: kept by its sequence rules, synced from a snapshot."""

    @property
    def synced(self) -> bool: ...

    def apply(self, update: Any) -> int: ...

    def load(self, snapshot: Mapping[str, Any]) -> int: ...

    def desync(self) -> None: ...

    def snapshot(self, depth: int | None = None) -> OrderBook: ...


class Feed(Generic[B]):
    """A topic's mailboxes; ``start`` runs once the topic is subscribed."""

    def __init__(self, symbol: str, venue: str) -> None:
        self.symbol = symbol
        self.venue = venue
        self.log = logging.getLogger(f"adapters.{venue}")
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

    def on_message(self, message: Any) -> None:
        try:
            self._message(message)
        except MALFORMED as exc:
            name = type(exc).__name__
            self.log.debug("%s ws: unreadable message for %s (%s: %s)", self.venue, self.symbol, name, exc)

    def _message(self, message: Any) -> None:
        raise NotImplementedError

    def on_restart(self) -> None:
        for box in self.boxes:
            box.gap(GapReason.RECONNECT)

    def on_error(self, error: ExchangeError) -> None:
        for box in self.boxes:
            box.fail(error)


class _Parsed(Feed[B], Generic[B, T]):
    """A feed whose messages the venue's parser reads into values."""

    def __init__(self, symbol: str, venue: str, parse: Parse[T]) -> None:
        super().__init__(symbol, venue)
        self._parse = parse


class ValueFeed(_Parsed[Latest[T] | Backlog[T], T]):
    """Each message one value (a ticker, a trade) for every mailbox."""

    def _message(self, message: Any) -> None:
        value = self._parse(message)
        for box in self.boxes:
            box.put(value)


class CandleFeed(_Parsed[Latest[Candle], Candle]):
    """The current candle, one per start time."""

    def _message(self, message: Any) -> None:
        candle = self._parse(message)
        for box in self.boxes:
            box.put(candle, key=candle.start)


class BookFeed(Feed[Latest[BookThunk]]):
    """A local book kept from the venue's updates and calibrated from REST snapshots: a
    skipped update is a ``SEQUENCE`` gap and a new snapshot, as is a reconnect. ``apply``
    and ``load`` stand in for the book's own where a message or a snapshot needs more."""

    def __init__(
        self,
        symbol: str,
        venue: str,
        book: LocalBookLike,
        snapshot: Snapshot,
        clock: Clock,
        *,
        apply: Callable[[Any], int] | None = None,
        load: Callable[[Mapping[str, Any]], int] | None = None,
    ) -> None:
        super().__init__(symbol, venue)
        self.book = book
        self._apply = apply or book.apply
        self._load = load or book.load
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

    def on_message(self, message: Any) -> None:
        try:
            status = self._apply(message)
        except MALFORMED as exc:  # an update we cannot read may hide a change: start over
            name = type(exc).__name__
            self.log.debug("%s ws: unreadable book update for %s (%s)", self.venue, self.symbol, name)
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
        """Snapshot until one joins the buffered updates (a snapshot older than they are, or
        a failed read, is tried again after a pause)."""
        pause = 0.05
        while not self.book.synced:
            try:
                status = self._load(await self._snapshot())
            except ExchangeError as exc:
                if not exc.retryable:
                    self.on_error(exc)
                    return
                self.log.debug("%s ws: no snapshot for %s yet: %s", self.venue, self.symbol, exc)
                status = GAP
            except MALFORMED as exc:
                name = type(exc).__name__
                self.log.debug("%s ws: unreadable snapshot for %s (%s)", self.venue, self.symbol, name)
                self.book.desync()
                status = GAP
            if status == APPLIED:
                self.snapshots += 1
                for box in self.boxes:
                    box.put(self._thunks[id(box)])
                return
            await self._clock.sleep(pause)
            pause = min(pause * 2, 2.0)
