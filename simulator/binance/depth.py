"""The diff-depth stream of one pair (NOTES section 12): events whose update ids are
consecutive (each ``U`` is the previous ``u`` + 1) and come from the same counter as REST
depth's ``lastUpdateId`` (the book's sequence).

Each event carries every level that differs from the state the previous event left, and
every level a REST snapshot served since then showed otherwise: a client that applies the
events after its snapshot's ``lastUpdateId`` ends with the book as it stands, even where a
level changed and changed back between two events.
"""

from __future__ import annotations

from decimal import Decimal

from simulator.venue import BookSnapshot

__all__ = ["DepthDiff", "DiffPublisher"]

Side = dict[Decimal, Decimal]


class DepthDiff:
    """One event's content: ``first``..``last`` update ids, changed levels (``0``: gone)."""

    __slots__ = ("asks", "bids", "first", "last")

    def __init__(self, first: int, last: int, bids: Side, asks: Side) -> None:
        self.first = first
        self.last = last
        self.bids = bids
        self.asks = asks

    def merge(self, later: DepthDiff) -> None:
        """Take in the next event (for a slower stream)."""
        self.last = later.last
        self.bids.update(later.bids)
        self.asks.update(later.asks)


def _side(levels: tuple[tuple[Decimal, Decimal], ...]) -> Side:
    return dict(levels)


def _changes(before: Side, after: Side, marked: set[Decimal]) -> Side:
    out = {p: q for p, q in after.items() if before.get(p) != q}
    out.update((p, Decimal(0)) for p in before if p not in after)
    out.update((p, after.get(p, Decimal(0))) for p in marked)
    return out


class DiffPublisher:
    """The diff-depth state of one pair: what the last event left, and the levels REST
    snapshots showed otherwise since."""

    __slots__ = ("asks", "bids", "marked_asks", "marked_bids", "update_id")

    def __init__(self, snapshot: BookSnapshot) -> None:
        self.bids = _side(snapshot.bids)
        self.asks = _side(snapshot.asks)
        self.update_id = snapshot.sequence
        self.marked_bids: set[Decimal] = set()
        self.marked_asks: set[Decimal] = set()

    def served(self, snapshot: BookSnapshot) -> None:
        """A REST snapshot went out: mark every level within its range that it shows
        otherwise than the last event left it."""
        for levels, published, marked, is_bid in (
            (snapshot.bids, self.bids, self.marked_bids, True),
            (snapshot.asks, self.asks, self.marked_asks, False),
        ):
            shown = dict(levels)
            if not levels:
                marked.update(published)
                continue
            edge = levels[-1][0]
            for price, qty in shown.items():
                if published.get(price) != qty:
                    marked.add(price)
            for price in published:
                inside = price >= edge if is_bid else price <= edge
                if inside and price not in shown:
                    marked.add(price)

    def next(self, snapshot: BookSnapshot) -> DepthDiff | None:
        """The event that brings the last state to ``snapshot`` (``None``: nothing to send)."""
        if snapshot.sequence <= self.update_id:
            self.marked_bids.clear()
            self.marked_asks.clear()
            return None
        bids, asks = _side(snapshot.bids), _side(snapshot.asks)
        diff_bids = _changes(self.bids, bids, self.marked_bids)
        diff_asks = _changes(self.asks, asks, self.marked_asks)
        self.marked_bids.clear()
        self.marked_asks.clear()
        if not diff_bids and not diff_asks:
            return None
        event = DepthDiff(self.update_id + 1, snapshot.sequence, diff_bids, diff_asks)
        self.bids, self.asks, self.update_id = bids, asks, snapshot.sequence
        return event
