"""A local order book kept by Binance's procedure (NOTES 12, as corrected 2025-11-12). Pure.

Depth events (``U`` first and ``u`` last update id) are buffered until a REST snapshot with
its ``lastUpdateId`` is loaded; buffered events it covers (``u <= lastUpdateId``) are
dropped and the rest applied in order. An event applies when ``U <= id + 1``; one with
``u < id`` is stale; one with ``U > id + 1`` reveals a gap: the book stops, buffers again
and waits for a new snapshot. A snapshot older than the first buffered event (its
``lastUpdateId + 1 < U``) is a gap too: fetch another. Quantity "0" removes the price.

Prices are keyed by value as ``Decimal`` (so "1.50" and "1.5" are one level), each side's
keys also kept sorted: an update of a known level costs a dict store, a new or removed
level a bisection.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from adapters.common.local_book import APPLIED, BUFFERED, GAP, STALE, BufferedBook
from exchanges import OrderBook, OrderBookLevel

__all__ = ["APPLIED", "BUFFERED", "GAP", "STALE", "LocalBook"]

_ZERO = Decimal(0)


class LocalBook(BufferedBook):
    """One symbol's book, synced from a snapshot and kept by depth events."""

    __slots__ = (
        "_ask_keys",
        "_asks",
        "_bid_keys",
        "_bids",
        "update_id",
    )

    def __init__(self, symbol: str, *, max_buffer: int = 10_000) -> None:
        super().__init__(symbol, max_buffer=max_buffer)
        self.update_id = 0
        self._bids: dict[Decimal, Decimal] = {}
        self._asks: dict[Decimal, Decimal] = {}
        self._bid_keys: list[Decimal] = []  # ascending: the best bid is last
        self._ask_keys: list[Decimal] = []  # ascending: the best ask is first

    def __repr__(self) -> str:
        return (
            f"LocalBook({self.symbol!r}, synced={self.synced}, update_id={self.update_id}, "
            f"bids={len(self._bids)}, asks={len(self._asks)}, buffered={len(self._buffer)})"
        )

    @property
    def first_buffered(self) -> int | None:
        """``U`` of the oldest buffered event (a snapshot must reach it)."""
        return int(self._buffer[0]["U"]) if self._buffer else None

    def apply(self, event: Mapping[str, Any]) -> int:
        """Feed one ``depthUpdate``: ``APPLIED``, ``STALE``, ``BUFFERED`` (no snapshot yet) or
        ``GAP`` (an update is missing: the book waits for a new snapshot, keeping this event)."""
        if not self.synced:
            self._buffer.append(event)
            return BUFFERED
        last = int(event["u"])
        if last <= self.update_id:
            return STALE
        if int(event["U"]) > self.update_id + 1:
            return self._gap(event)
        _update(self._bids, self._bid_keys, event.get("b") or ())
        _update(self._asks, self._ask_keys, event.get("a") or ())
        self.update_id = last
        self.timestamp = int(event.get("E") or self.timestamp)
        return APPLIED

    def load(self, snapshot: Mapping[str, Any], timestamp: int = 0) -> int:
        """Start from ``GET /api/v3/depth`` and apply what was buffered after it: ``APPLIED``,
        or ``GAP`` when the snapshot is older than the first buffered event (fetch another)."""
        last_id = int(snapshot["lastUpdateId"])
        first = self.first_buffered
        if first is not None and last_id + 1 < first:
            return GAP
        self._bids, self._bid_keys = _levels(snapshot.get("bids"))
        self._asks, self._ask_keys = _levels(snapshot.get("asks"))
        self.update_id = last_id
        self.timestamp = timestamp
        return self._replay()

    def snapshot(self, depth: int | None = None) -> OrderBook:
        """The book as an ``OrderBook`` of at most ``depth`` levels a side (``None``: all)."""
        top_bids = self._bid_keys[::-1] if depth is None else self._bid_keys[: -depth - 1 : -1]
        top_asks = self._ask_keys if depth is None else self._ask_keys[:depth]
        bids, asks = self._bids, self._asks
        return OrderBook(
            symbol=self.symbol,
            timestamp=self.timestamp,
            bids=tuple(OrderBookLevel(p, bids[p]) for p in top_bids),
            asks=tuple(OrderBookLevel(p, asks[p]) for p in top_asks),
            sequence=self.update_id,
        )


def _update(levels: dict[Decimal, Decimal], keys: list[Decimal], rows: Iterable[Sequence[str]]) -> None:
    for price_text, size_text, *_ in rows:
        price, size = Decimal(price_text), Decimal(size_text)
        if size == _ZERO:
            if levels.pop(price, None) is not None:
                del keys[bisect_left(keys, price)]
        else:
            if price not in levels:
                insort(keys, price)
            levels[price] = size


def _levels(rows: Iterable[Sequence[str]] | None) -> tuple[dict[Decimal, Decimal], list[Decimal]]:
    levels: dict[Decimal, Decimal] = {}
    for price, size, *_ in rows or ():
        amount = Decimal(size)
        if amount > 0:
            levels[Decimal(price)] = amount
    return levels, sorted(levels)
