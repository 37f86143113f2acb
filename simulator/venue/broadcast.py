"""Who hears the venue's events (order changes, fills, public trades), as they happen."""

from __future__ import annotations

from collections.abc import Callable

from simulator.venue.records import VenueEvent
from simulator.venue.registry import Markets

__all__ = ["Broadcast"]


class Broadcast:
    """Subscribers' callbacks run synchronously inside venue calls. Books build the events
    only the subscribers need (an order's acceptance and opening) only while someone
    listens."""

    __slots__ = ("listeners", "markets")

    def __init__(self, markets: Markets) -> None:
        self.markets = markets
        self.listeners: list[Callable[[VenueEvent], None]] = []

    def subscribe(self, callback: Callable[[VenueEvent], None]) -> Callable[[], None]:
        """Hear events from now on; returns an unsubscribe function."""
        self.listeners.append(callback)
        self.announce()

        def unsubscribe() -> None:
            if callback in self.listeners:
                self.listeners.remove(callback)
                self.announce()

        return unsubscribe

    def announce(self) -> None:
        listening = bool(self.listeners)
        for mkt in self.markets.by_symbol.values():
            mkt.book.emit_accepted = mkt.book.emit_opened = listening

    def emit(self, event: VenueEvent) -> None:
        for callback in list(self.listeners):
            callback(event)
