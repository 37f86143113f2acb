"""The unfilled order count's decrement (NOTES section 4.3): an order's first fill lowers the
account's count by one in every window; later fills, cancels and expiries change nothing.

Fills are read from the venue when the count is about to be read or checked (Binance too
applies the decrement with a delay), from where the last reading stopped: nothing listens
to the venue for it, so a venue nobody asks about pays nothing.
"""

from __future__ import annotations

from simulator.venue import FillInfo, Venue

from .limits import OrderCounter

__all__ = ["FirstFills"]

_PAGE = 100
_DAY_MS = 86_400_000


class FirstFills:
    """Lowers ``counter`` once per order that got its first fill since the last look."""

    def __init__(self, venue: Venue, counter: OrderCounter) -> None:
        self.venue = venue
        self.counter = counter
        self._last: dict[int, int] = {}  # uid -> id of the newest fill looked at
        self._filled: dict[int, dict[str, int]] = {}  # uid -> {order id: its first fill's time}

    def settle(self, uid: int) -> None:
        if not self.venue.has_user(str(uid)):
            return
        fresh = self._since(uid, self._last.get(uid))
        if not fresh:
            return
        self._last[uid] = fresh[-1].id
        filled = self._filled.setdefault(uid, {})
        for fill in fresh:
            if fill.order_id not in filled:
                filled[fill.order_id] = fill.created_at
                self.counter.drop(uid)
        if len(filled) > 1024:  # (forget orders whose windows are long over)
            horizon = fresh[-1].created_at - _DAY_MS
            for order_id in [o for o, t in filled.items() if t < horizon]:
                del filled[order_id]

    def _since(self, uid: int, last: int | None) -> list[FillInfo]:
        """The account's fills after fill ``last`` (all of them if ``None``), oldest first."""
        newest = self.venue.fills(str(uid), limit=1).items
        if not newest or (last is not None and newest[0].id <= last):
            return []  # (the common case, at the cost of one fill read)
        out: list[FillInfo] = []
        cursor: int | None = None
        while True:
            page = self.venue.fills(str(uid), last_id=cursor, limit=_PAGE)
            for fill in page.items:
                if last is not None and fill.id <= last:
                    out.reverse()
                    return out
                out.append(fill)
            if len(page.items) < _PAGE or page.last_id is None:
                out.reverse()
                return out
            cursor = page.last_id
