"""The local book by Binance's U/u/lastUpdateId procedure (NOTES 12, corrected 2025-11-12)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from adapters.binance.local_book import APPLIED, BUFFERED, GAP, STALE, LocalBook


def event(
    first: int, last: int, bids: list[list[str]] | None = None, asks: list[list[str]] | None = None
) -> dict[str, Any]:
    return {
        "e": "depthUpdate",
        "E": last,
        "s": "BTCUSDT",
        "U": first,
        "u": last,
        "b": bids or [],
        "a": asks or [],
    }


SNAPSHOT = {
    "lastUpdateId": 100,
    "bids": [["99.0", "1"], ["98.0", "2"]],
    "asks": [["101.0", "1"], ["102.0", "3"]],
}


def test_buffered_events_the_snapshot_covers_are_dropped_the_rest_applied() -> None:
    book = LocalBook("BTC/USDT")
    assert book.apply(event(95, 99, bids=[["99.0", "5"]])) == BUFFERED  # covered by the snapshot
    assert (
        book.apply(event(100, 102, bids=[["99.0", "4"]], asks=[["101.0", "0"]])) == BUFFERED
    )  # straddles it
    assert book.load(SNAPSHOT) == APPLIED
    snap = book.snapshot()
    assert [(lv.price, lv.size) for lv in snap.bids] == [
        (Decimal("99.0"), Decimal(4)),
        (Decimal("98.0"), Decimal(2)),
    ]
    assert [lv.price for lv in snap.asks] == [Decimal("102.0")]
    assert snap.sequence == 102
    assert book.apply(event(103, 103, bids=[["99.5", "1"]])) == APPLIED
    assert book.snapshot(1).bids[0].price == Decimal("99.5") and len(book.snapshot(1).bids) == 1
    assert book.apply(event(90, 101)) == STALE


def test_a_skipped_update_is_a_gap_and_waits_for_a_new_snapshot() -> None:
    book = LocalBook("BTC/USDT")
    book.load(SNAPSHOT)
    assert book.apply(event(101, 101)) == APPLIED
    assert book.apply(event(103, 104)) == GAP  # 102 is missing
    assert not book.synced and book.buffered == 1
    assert book.load(dict(SNAPSHOT, lastUpdateId=101)) == GAP  # older than the buffered event: fetch again
    assert book.load(dict(SNAPSHOT, lastUpdateId=103)) == APPLIED
    assert book.update_id == 104


def test_one_past_the_snapshot_is_no_gap() -> None:
    """``U <= lastUpdateId + 1`` joins; the pre-2025-11 rule (``U <= lastUpdateId``) would not."""
    book = LocalBook("BTC/USDT")
    book.apply(event(101, 105))
    assert book.load(SNAPSHOT) == APPLIED and book.update_id == 105
