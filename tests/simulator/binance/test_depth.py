"""Diff depth: update ids consecutive and shared with REST depth's ``lastUpdateId``; a client
that keeps a local book by Binance's procedure (NOTES section 12) from any snapshot ends
with the book as it is, even when a level changes and changes back between two events."""

from __future__ import annotations

import random
from decimal import Decimal

from simulator.binance.depth import DepthDiff, DiffPublisher
from simulator.venue import BookSnapshot, OrderParams, Venue

SYMBOL = "BTC-USDT"


def _apply(book: dict[str, dict[Decimal, Decimal]], diff: DepthDiff) -> None:
    for side, levels in (("bids", diff.bids), ("asks", diff.asks)):
        for price, qty in levels.items():
            if qty:
                book[side][price] = qty
            else:
                book[side].pop(price, None)


def _local(snapshot: BookSnapshot, events: list[DepthDiff]) -> dict[str, dict[Decimal, Decimal]]:
    """Binance's procedure: drop events with ``u <= lastUpdateId``, the first kept one must
    straddle it, each next one follow on."""
    book = {"bids": dict(snapshot.bids), "asks": dict(snapshot.asks)}
    last = snapshot.sequence
    for event in events:
        if event.last <= last:
            continue
        assert event.first <= last + 1, "a gap"
        _apply(book, event)
        last = event.last
    return book


def _truth(venue: Venue) -> dict[str, dict[Decimal, Decimal]]:
    snap = venue.order_book(SYMBOL, None)
    return {"bids": dict(snap.bids), "asks": dict(snap.asks)}


def test_a_level_that_changes_back_between_events_is_sent_to_a_snapshot_taker(venue: Venue) -> None:
    publisher = DiffPublisher(venue.order_book(SYMBOL, None))
    order = venue.place_order("market-maker", OrderParams(symbol=SYMBOL, side="buy", price="63000", size="1"))
    snapshot = venue.order_book(SYMBOL, 1000)  # the client's REST snapshot shows the level
    publisher.served(snapshot)
    venue.cancel_order("market-maker", SYMBOL, order_id=order.id)  # and it goes again
    event = publisher.next(venue.order_book(SYMBOL, None))
    assert event is not None
    assert _local(snapshot, [event]) == _truth(venue)


def test_random_changes_and_snapshots_keep_every_local_book_right(venue: Venue) -> None:
    rng = random.Random(7)
    publisher = DiffPublisher(venue.order_book(SYMBOL, None))
    events: list[DepthDiff] = []
    clients: list[tuple[BookSnapshot, int]] = []  # a snapshot and the events seen before it
    live: list[str] = []
    for step in range(400):
        if live and rng.random() < 0.4:
            venue.cancel_order("market-maker", SYMBOL, order_id=live.pop(rng.randrange(len(live))))
        else:
            side = rng.choice(("buy", "sell"))
            price = str(rng.randint(64100, 64300) if side == "buy" else rng.randint(65700, 65900))
            info = venue.place_order(
                "market-maker", OrderParams(symbol=SYMBOL, side=side, price=price, size="0.01")
            )
            live.append(info.id)
        if rng.random() < 0.2:
            snapshot = venue.order_book(SYMBOL, rng.choice((5, 100, 5000)))
            publisher.served(snapshot)
            clients.append((snapshot, len(events)))
        if step % 3 == 0:
            event = publisher.next(venue.order_book(SYMBOL, None))
            if event is not None:
                assert not events or event.first == events[-1].last + 1
                events.append(event)
    event = publisher.next(venue.order_book(SYMBOL, None))
    if event is not None:
        events.append(event)
    truth = _truth(venue)
    assert clients
    for snapshot, seen in clients:
        local = _local(snapshot, events[max(0, seen - 1) :])
        # a snapshot of a few levels a side knows nothing beyond its last level on that side
        for side, levels in (("bids", snapshot.bids), ("asks", snapshot.asks)):
            edge = levels[-1][0] if len(levels) >= 5 else None
            assert _within(local[side], edge, side) == _within(truth[side], edge, side)


def _within(book: dict[Decimal, Decimal], edge: Decimal | None, side: str) -> dict[Decimal, Decimal]:
    if edge is None:
        return book
    return {p: q for p, q in book.items() if (p >= edge if side == "bids" else p <= edge)}
