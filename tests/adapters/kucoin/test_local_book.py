"""The local order book: KuCoin's calibration procedure, row rules and gaps, without I/O."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.kucoin.local_book import APPLIED, BUFFERED, GAP, STALE, LocalBook


def inc(start: int, end: int, asks: list[list[str]] = (), bids: list[list[str]] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    return {
        "changes": {"asks": list(asks), "bids": list(bids)},
        "sequenceStart": start,
        "sequenceEnd": end,
        "symbol": "BTC-USDT",
        "time": 1_700_000_000_000 + end,
    }


def snap(sequence: int, bids: list[list[str]], asks: list[list[str]]) -> dict[str, Any]:
    return {"sequence": str(sequence), "time": 1_700_000_000_000, "bids": bids, "asks": asks}


def levels(book: LocalBook, depth: int | None = None) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    shot = book.snapshot(depth)
    return (
        [(str(lv.price), str(lv.size)) for lv in shot.bids],
        [(str(lv.price), str(lv.size)) for lv in shot.asks],
    )


def test_increments_wait_for_the_snapshot_and_those_it_covers_are_dropped() -> None:
    book = LocalBook("BTC/USDT")
    assert book.apply(inc(10, 10, asks=[["101", "5", "10"]])) == BUFFERED  # covered by the snapshot
    assert book.apply(inc(11, 12, asks=[["101", "0", "11"]], bids=[["99", "2", "12"]])) == BUFFERED
    assert book.apply(inc(13, 13, bids=[["98", "1", "13"]])) == BUFFERED
    assert book.load(snap(11, bids=[["99", "1"]], asks=[["101", "3"], ["102", "4"]])) == APPLIED
    # 10 dropped; 11-12 overlaps: row 11 already in the snapshot is skipped, row 12 applies; 13 applies
    assert book.synced
    assert book.sequence == 13
    assert levels(book) == ([("99", "2"), ("98", "1")], [("101", "3"), ("102", "4")])


def test_stale_increments_are_ignored_once_synced() -> None:
    book = LocalBook("BTC/USDT")
    book.load(snap(20, bids=[["99", "1"]], asks=[["101", "1"]]))
    assert book.apply(inc(19, 20, bids=[["99", "7", "20"]])) == STALE
    assert levels(book) == ([("99", "1")], [("101", "1")])


def test_a_skipped_sequence_stops_the_book_until_a_new_snapshot() -> None:
    book = LocalBook("BTC/USDT")
    book.load(snap(5, bids=[["99", "1"]], asks=[["101", "1"]]))
    assert book.apply(inc(6, 6, bids=[["99", "2", "6"]])) == APPLIED
    assert book.apply(inc(8, 9, bids=[["98", "1", "9"]])) == GAP  # 7 is missing
    assert not book.synced
    assert book.apply(inc(10, 10, asks=[["102", "1", "10"]])) == BUFFERED
    assert book.buffered == 2  # the increment that showed the gap is kept for the next snapshot
    assert book.load(snap(8, bids=[["99", "3"]], asks=[["101", "1"]])) == APPLIED
    assert book.sequence == 10
    assert levels(book) == ([("99", "3"), ("98", "1")], [("101", "1"), ("102", "1")])


def test_a_snapshot_older_than_the_buffer_asks_for_another() -> None:
    book = LocalBook("BTC/USDT")
    book.apply(inc(50, 50, bids=[["99", "1", "50"]]))
    assert book.load(snap(40, bids=[], asks=[])) == GAP
    assert not book.synced
    assert book.buffered == 1
    assert book.load(snap(49, bids=[], asks=[["101", "1"]])) == APPLIED
    assert levels(book) == ([("99", "1")], [("101", "1")])


def test_row_rules_price_zero_size_zero_and_spellings() -> None:
    book = LocalBook("BTC/USDT")
    book.load(snap(1, bids=[["99.50", "1"], ["99", "1"]], asks=[["101", "1"]]))
    book.apply(inc(2, 2, bids=[["0", "5", "2"]]))  # price 0: ignored, the sequence moves
    assert book.sequence == 2
    book.apply(inc(3, 4, bids=[["99.5", "0", "3"], ["99", "0.00000000", "4"]]))  # 99.5 is 99.50
    assert levels(book) == ([], [("101", "1")])
    book.apply(inc(5, 5, asks=[["101.0", "2", "5"]]))
    assert book.depth == (0, 1)


def test_depth_keeps_the_best_levels_in_order() -> None:
    book = LocalBook("BTC/USDT")
    book.load(
        snap(1, bids=[[str(p), "1"] for p in (97, 99, 98)], asks=[[str(p), "1"] for p in (103, 101, 102)])
    )
    assert levels(book, 2) == ([("99", "1"), ("98", "1")], [("101", "1"), ("102", "1")])
    shot = book.snapshot(1)
    assert shot.best_bid is not None and shot.best_bid.price == Decimal("99")
    assert shot.sequence == 1 and shot.symbol == "BTC/USDT"


def test_a_reconnect_desyncs_until_the_next_snapshot() -> None:
    book = LocalBook("BTC/USDT")
    book.load(snap(1, bids=[["99", "1"]], asks=[]))
    book.desync()
    assert book.apply(inc(2, 2, bids=[["98", "1", "2"]])) == BUFFERED


def test_the_buffer_is_bounded_and_keeps_the_newest() -> None:
    book = LocalBook("BTC/USDT", max_buffer=3)
    for s in range(1, 11):
        book.apply(inc(s, s, bids=[[str(90 + s), "1", str(s)]]))
    assert book.buffered == 3
    assert book.load(snap(7, bids=[], asks=[])) == APPLIED
    assert [p for p, _ in levels(book)[0]] == ["100", "99", "98"]


_op = st.tuples(st.booleans(), st.integers(1, 30), st.sampled_from(["0", "1", "2.5", "0.001"]))


@settings(max_examples=150, deadline=None)
@given(
    initial=st.dictionaries(st.integers(1, 30), st.sampled_from(["1", "3"]), max_size=10),
    messages=st.lists(st.lists(_op, min_size=1, max_size=4), max_size=40),
    cut=st.integers(0, 40),
)
def test_a_book_from_any_snapshot_point_equals_the_venues(
    initial: dict[int, str], messages: list[list[tuple[bool, int, str]]], cut: int
) -> None:
    """The venue's book (a model) moves through ``messages``; the local book subscribes at
    the start, takes a snapshot after ``cut`` of them, and must end equal to the venue's."""
    venue_bids = {p: s for p, s in initial.items() if p <= 15}
    venue_asks = {p: s for p, s in initial.items() if p > 15}
    book = LocalBook("X/Y")
    seq = 100
    snapshot: dict[str, Any] | None = None
    for i, ops in enumerate(messages):
        if i == cut:
            snapshot = _shot(seq, venue_bids, venue_asks)
        bids: list[list[str]] = []
        asks: list[list[str]] = []
        start = seq + 1
        for is_bid, price, size in ops:
            seq += 1
            side = venue_bids if is_bid else venue_asks
            if size == "0":
                side.pop(price, None)
            else:
                side[price] = size
            (bids if is_bid else asks).append([str(price), size, str(seq)])
        book.apply(inc(start, seq, asks=asks, bids=bids))
    if snapshot is None:
        snapshot = _shot(seq, venue_bids, venue_asks)
    assert book.load(snapshot) == APPLIED
    assert levels(book) == (
        [(str(p), s) for p, s in sorted(venue_bids.items(), reverse=True)],
        [(str(p), s) for p, s in sorted(venue_asks.items())],
    )


def _shot(seq: int, bids: dict[int, str], asks: dict[int, str]) -> dict[str, Any]:
    return snap(
        seq,
        bids=[[str(p), s] for p, s in sorted(bids.items(), reverse=True)],
        asks=[[str(p), s] for p, s in sorted(asks.items())],
    )
