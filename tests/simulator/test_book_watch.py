"""Watched books: changes that rebuild the book from any snapshot, events of refused orders
never heard, and the order ids of public trades."""

from __future__ import annotations

import itertools
import random
from decimal import Decimal

from exchanges import ManualClock, PostOnlyWouldTake
from simulator.market import attach_synthetic
from simulator.venue import BookChange, BookSnapshot, Venue, VenueEvent

from .helpers import START_MS, limit, market

BTC = "BTC-USDT"


class _Rebuilt:
    """A book kept the way a KuCoin client keeps one (NOTES 9: snapshot, then the changes
    that end after it, rows applied when their sequence is past the book's)."""

    def __init__(self, snap: BookSnapshot) -> None:
        self.sequence = snap.sequence
        self.bids = dict(snap.bids)
        self.asks = dict(snap.asks)

    def apply(self, change: BookChange) -> None:
        if change.sequence_end <= self.sequence:
            return
        assert change.sequence_start <= self.sequence + 1, "a hole in the sequence"
        for side, rows in ((self.bids, change.bids), (self.asks, change.asks)):
            for price, size in rows:
                if size:
                    side[price] = size
                else:
                    side.pop(price, None)
        self.sequence = change.sequence_end

    def same_as(self, snap: BookSnapshot) -> bool:
        return self.bids == dict(snap.bids) and self.asks == dict(snap.asks)


def _venue(clock: ManualClock) -> Venue:
    venue = Venue(clock=clock, seed=5)
    attach_synthetic(venue)
    venue.sync()
    for uid in ("a", "b"):
        venue.create_user(uid, {"USDT": Decimal(10_000_000), "BTC": Decimal(100)})
    return venue


def test_snapshots_plus_changes_are_the_book_whenever_the_snapshot_was_taken() -> None:
    clock = ManualClock(START_MS)
    venue = _venue(clock)
    changes: list[BookChange] = []
    venue.subscribe(lambda ev: changes.append(ev.book) if ev.book is not None else None)
    stop = venue.watch_book(BTC)
    rng = random.Random(3)
    rebuilt: list[tuple[_Rebuilt, int]] = []  # (a book from a snapshot, changes seen before it)
    resting: list[tuple[str, str]] = []
    mid = venue.reference_price(BTC)
    for step in range(400):
        roll = rng.random()
        uid = rng.choice(("a", "b"))
        if roll < 0.45:
            side = rng.choice(("buy", "sell"))
            offset = Decimal(rng.randint(-30, 30)) / 10
            price = (mid * (1 + offset / 100) / 10).quantize(Decimal(1)) * 10  # (10 levels apart)
            info = venue.place_order(uid, limit(BTC, side, str(price), "0.01"))
            if info.active:
                resting.append((uid, info.id))
        elif roll < 0.7 and resting:
            uid, order_id = resting.pop(rng.randrange(len(resting)))
            if venue.get_order(uid, BTC, order_id=order_id).active:
                venue.cancel_order(uid, BTC, order_id=order_id)
        elif roll < 0.8:
            venue.place_order(uid, market(BTC, rng.choice(("buy", "sell")), size="0.003"))
        else:
            clock.advance(rng.uniform(0.05, 2))  # the synthetic market's agents requote and trade
            venue.sync()
        if rng.random() < 0.3:
            venue.publish_book_changes()
        if step % 9 == 0:  # a snapshot at any moment, flushed or not
            rebuilt.append((_Rebuilt(venue.order_book(BTC, None)), len(changes)))
    venue.publish_book_changes()
    final = venue.order_book(BTC, None)
    assert len(changes) > 50
    for before, after in itertools.pairwise(changes):
        assert after.sequence_start == before.sequence_end + 1
        assert after.sequence_end >= after.sequence_start
    assert changes[-1].sequence_end == final.sequence
    for book, seen in rebuilt:
        for change in changes[max(seen - 1, 0) :]:
            book.apply(change)
        assert book.same_as(final)
    stop()
    count = len(changes)
    venue.place_order("a", limit(BTC, "buy", str((mid * Decimal("0.9")).quantize(Decimal(1))), "0.01"))
    venue.publish_book_changes()
    assert len(changes) == count, "an unwatched book publishes nothing"


def test_a_level_that_changes_and_comes_back_before_a_publication() -> None:
    """A snapshot between two publications sees a level that later returns to what was last
    published: the change after it must still carry that level."""
    clock = ManualClock(START_MS)
    venue = Venue(clock=clock, seed=5)
    venue.create_user("a", {"USDT": Decimal(1_000_000), "BTC": Decimal(10)})
    changes: list[BookChange] = []
    venue.subscribe(lambda ev: changes.append(ev.book) if ev.book is not None else None)
    venue.watch_book(BTC)
    first = venue.place_order("a", limit(BTC, "buy", "100", "1"))
    venue.publish_book_changes()
    second = venue.place_order("a", limit(BTC, "buy", "100", "2"))
    snap = venue.order_book(BTC, None)  # (publishes: 100 -> 3)
    book = _Rebuilt(snap)
    venue.cancel_order("a", BTC, order_id=second.id)  # 100 -> 1 again
    venue.publish_book_changes()
    for change in changes:
        book.apply(change)
    assert book.bids == {Decimal(100): Decimal(1)}
    venue.cancel_order("a", BTC, order_id=first.id)
    venue.publish_book_changes()
    book.apply(changes[-1])
    assert book.bids == {}


def test_an_order_refused_on_entry_is_never_heard_of() -> None:
    clock = ManualClock(START_MS)
    venue = Venue(clock=clock, seed=5)
    venue.create_user("a", {"USDT": Decimal(1_000_000), "BTC": Decimal(10)})
    venue.create_user("b", {"USDT": Decimal(1_000_000), "BTC": Decimal(10)})
    venue.place_order("b", limit(BTC, "sell", "100", "1"))
    heard: list[VenueEvent] = []
    venue.subscribe(heard.append)
    try:
        venue.place_order("a", limit(BTC, "buy", "100", "1", post_only=True))
    except PostOnlyWouldTake:
        pass
    else:  # pragma: no cover - the rule under test
        raise AssertionError("a post-only order that would take was placed")
    assert [(e.kind, e.change) for e in heard if e.uid == "a"] == []
    placed = venue.place_order("a", limit(BTC, "buy", "99", "1"))
    mine = [(e.change, e.order.id) for e in heard if e.uid == "a" and e.order is not None]
    assert mine == [("received", placed.id), ("open", placed.id)]


def test_public_trades_name_their_maker_and_taker_orders() -> None:
    clock = ManualClock(START_MS)
    venue = Venue(clock=clock, seed=5)
    venue.create_user("a", {"USDT": Decimal(1_000_000), "BTC": Decimal(10)})
    venue.create_user("b", {"USDT": Decimal(1_000_000), "BTC": Decimal(10)})
    trades: list[VenueEvent] = []
    venue.subscribe(lambda ev: trades.append(ev) if ev.kind == "trade" else None)
    maker = venue.place_order("b", limit(BTC, "sell", "100", "1"))
    taker = venue.place_order("a", market(BTC, "buy", size="0.5"))
    (event,) = trades
    assert event.trade is not None
    assert (event.trade.maker_order_id, event.trade.taker_order_id) == (maker.id, taker.id)
    assert venue.trades(BTC)[-1].maker_order_id == ""  # (listings keep prints without them)
