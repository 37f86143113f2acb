"""Watched books: what changed in their visible levels, as ``book`` events with sequences.

A streaming facade rebuilds a book from a snapshot plus the changes after it, so the two
must meet exactly: every change published ends at the book's sequence of the moment, the
next one starts right after it, and :meth:`MarketData.order_book` publishes what is
pending before it reads, so that a snapshot's sequence is always the end of a published
change. A change carries each level's visible total as it is when published (not the
steps in between), so a client that applies it on top of any snapshot within its range
ends with the book as it stands. The engine is left alone: the levels are compared with
the copy taken at the last publication, and only when the book's sequence has moved.
"""

from __future__ import annotations

from collections.abc import Callable

from simulator.venue.broadcast import Broadcast
from simulator.venue.orders import tidy
from simulator.venue.records import BookChange, VenueEvent
from simulator.venue.registry import Markets
from simulator.venue.state import MarketState
from simulator.venue.timeline import Timeline

__all__ = ["BookWatch"]

Levels = dict[int, int]


class _Watched:
    __slots__ = ("asks", "bids", "mkt", "published", "seen", "watchers")

    def __init__(self, mkt: MarketState) -> None:
        self.mkt = mkt
        self.watchers = 0
        bids, asks = mkt.book.depth(None)
        self.bids: Levels = dict(bids)
        self.asks: Levels = dict(asks)
        self.seen = self.published = mkt.book.sequence


def _diff(before: Levels, now: Levels) -> list[tuple[int, int]]:
    rows = [(price, size) for price, size in now.items() if before.get(price) != size]
    rows.extend((price, 0) for price in before if price not in now)
    return rows


class BookWatch:
    """Books someone watches, and the publication of their changes."""

    __slots__ = ("_broadcast", "_markets", "_time", "_watched")

    def __init__(self, markets: Markets, broadcast: Broadcast, time: Timeline) -> None:
        self._markets = markets
        self._broadcast = broadcast
        self._time = time
        self._watched: dict[str, _Watched] = {}

    def watch(self, symbol: str) -> Callable[[], None]:
        """Publish ``symbol``'s changes from now on; returns the function that stops (each
        watcher its own: the book is watched while anyone does)."""
        mkt = self._markets.get(symbol)
        watched = self._watched.get(symbol)
        if watched is None:
            self._time.sync()
            watched = self._watched[symbol] = _Watched(mkt)
        watched.watchers += 1
        done = False

        def unwatch() -> None:
            nonlocal done
            if done:
                return
            done = True
            watched.watchers -= 1
            if watched.watchers == 0 and self._watched.get(symbol) is watched:
                del self._watched[symbol]

        return unwatch

    @property
    def watching(self) -> bool:
        return bool(self._watched)

    def flush(self, symbol: str | None = None) -> None:
        """Publish every watched book's change since its last publication (or ``symbol``'s)."""
        if not self._watched:
            return
        if symbol is not None:
            watched = self._watched.get(symbol)
            if watched is not None:
                self._publish(watched)
            return
        for watched in list(self._watched.values()):
            self._publish(watched)

    def _publish(self, w: _Watched) -> None:
        mkt = w.mkt
        book = mkt.book
        sequence = book.sequence
        if sequence == w.seen or mkt.external:  # (an external market's orders are parked, not booked)
            return
        bids, asks = book.depth(None)
        now_bids, now_asks = dict(bids), dict(asks)
        bid_rows = _diff(w.bids, now_bids)
        ask_rows = _diff(w.asks, now_asks)
        w.bids, w.asks, w.seen = now_bids, now_asks, sequence
        if not bid_rows and not ask_rows:  # (hidden liquidity moved: the next change covers it)
            return
        start, w.published = w.published + 1, sequence
        scale = mkt.scale
        bid_rows.sort(reverse=True)
        ask_rows.sort()
        change = BookChange(
            symbol=mkt.spec.symbol,
            time=self._time.now,
            sequence_start=start,
            sequence_end=sequence,
            bids=tuple((tidy(scale.price(p)), tidy(scale.size(q))) for p, q in bid_rows),
            asks=tuple((tidy(scale.price(p)), tidy(scale.size(q))) for p, q in ask_rows),
        )
        self._broadcast.emit(VenueEvent(kind="book", change="levels", time=change.time, book=change))
