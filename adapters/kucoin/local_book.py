"""A local order book kept by KuCoin's calibration procedure (NOTES 9). Pure: no I/O.

Increments (``/market/level2`` data) are buffered until a REST snapshot with its
``sequence`` is loaded; buffered ones the snapshot already covers are dropped, the rest
applied in order. A message applies when ``sequenceStart <= seq + 1 < sequenceEnd + 1``;
one that starts further on reveals a gap: the book stops, buffers again and waits for a
new snapshot. Within an overlapping message, rows whose own sequence is not past the
book's are skipped. Price "0" rows only move the sequence; size "0" removes the price.

Prices are keyed by value as floats (so "1.50" and "1.5" are one level; exact for prices of
up to 15 significant digits, and KuCoin's have fewer), each side's keys also kept sorted:
an update of a known level costs a dict store, a new or removed level a bisection.
``OrderBook`` values (``Decimal`` from KuCoin's own strings) are built only when asked for.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from adapters.common.local_book import APPLIED, BUFFERED, GAP, STALE, BufferedBook
from exchanges import OrderBook, OrderBookLevel

__all__ = ["APPLIED", "BUFFERED", "GAP", "STALE", "LocalBook"]

_ZERO = "0"


class LocalBook(BufferedBook):
    """One symbol's level-2 book, synced from a snapshot and kept by increments."""

    __slots__ = (
        "_ask_keys",
        "_ask_names",
        "_asks",
        "_bid_keys",
        "_bid_names",
        "_bids",
        "sequence",
    )

    def __init__(self, symbol: str, *, max_buffer: int = 10_000) -> None:
        super().__init__(symbol, max_buffer=max_buffer)
        self.sequence = 0
        self._bids: dict[float, str] = {}  # price -> size, as KuCoin wrote it
        self._asks: dict[float, str] = {}
        self._bid_keys: list[float] = []  # ascending: the best bid is last
        self._ask_keys: list[float] = []  # ascending: the best ask is first
        self._bid_names: dict[float, str] = {}  # price -> KuCoin's spelling of it
        self._ask_names: dict[float, str] = {}

    def __repr__(self) -> str:
        return (
            f"LocalBook({self.symbol!r}, synced={self.synced}, sequence={self.sequence}, "
            f"bids={len(self._bids)}, asks={len(self._asks)}, buffered={len(self._buffer)})"
        )

    @property
    def depth(self) -> tuple[int, int]:
        """Levels held (bids, asks)."""
        return len(self._bids), len(self._asks)

    def apply(self, data: Mapping[str, Any]) -> int:
        """Feed one increment: ``APPLIED``, ``STALE`` (already covered), ``BUFFERED`` (no
        snapshot yet) or ``GAP`` (a sequence is missing: the book now waits for a new
        snapshot, and keeps this increment for it)."""
        if not self.synced:
            self._buffer.append(data)
            return BUFFERED
        seq = self.sequence
        end = data["sequenceEnd"]
        if end <= seq:
            return STALE
        start = data["sequenceStart"]
        if start > seq + 1:
            return self._gap(data)
        changes = data["changes"]
        overlap = start <= seq  # (only then may rows be already applied)
        for levels, keys, names, rows in (
            (self._asks, self._ask_keys, self._ask_names, changes["asks"]),
            (self._bids, self._bid_keys, self._bid_names, changes["bids"]),
        ):
            for price, size, row_sequence in rows:
                if overlap and int(row_sequence) <= seq:
                    continue
                key = float(price)
                if size == _ZERO or not size.strip("0."):
                    if levels.pop(key, None) is not None:
                        del keys[bisect_left(keys, key)]
                        del names[key]
                elif key > 0.0:
                    if key not in levels:
                        insort(keys, key)
                        names[key] = price
                    levels[key] = size
        self.sequence = end
        self.timestamp = data.get("time") or self.timestamp
        return APPLIED

    def load(self, snapshot: Mapping[str, Any]) -> int:
        """Start from a REST snapshot (``sequence``, ``time``, ``bids``, ``asks``) and apply
        what was buffered after it: ``APPLIED``, or ``GAP`` when the buffered increments
        start after the snapshot (it is older than they are: fetch another)."""
        self._bids, self._bid_names = _levels(snapshot.get("bids"))
        self._asks, self._ask_names = _levels(snapshot.get("asks"))
        bids, asks = self._bids, self._asks
        self._bid_keys = sorted(bids)
        self._ask_keys = sorted(asks)
        self.sequence = int(snapshot["sequence"])
        self.timestamp = int(snapshot.get("time") or 0)
        return self._replay()

    def snapshot(self, depth: int | None = None) -> OrderBook:
        """The book as an ``OrderBook`` of at most ``depth`` levels a side (``None``: all)."""
        bid_keys = self._bid_keys
        ask_keys = self._ask_keys
        bids, asks = self._bids, self._asks
        bid_names, ask_names = self._bid_names, self._ask_names
        top_bids = bid_keys[::-1] if depth is None else bid_keys[: -depth - 1 : -1]
        top_asks = ask_keys if depth is None else ask_keys[:depth]
        return OrderBook(
            symbol=self.symbol,
            timestamp=self.timestamp,
            bids=tuple(OrderBookLevel(Decimal(bid_names[p]), Decimal(bids[p])) for p in top_bids),
            asks=tuple(OrderBookLevel(Decimal(ask_names[p]), Decimal(asks[p])) for p in top_asks),
            sequence=self.sequence,
        )


def _levels(rows: Iterable[Sequence[str]] | None) -> tuple[dict[float, str], dict[float, str]]:
    """A snapshot side's sizes and spellings by price."""
    levels: dict[float, str] = {}
    names: dict[float, str] = {}
    for price, size, *_ in rows or ():
        key = float(price)
        if key > 0.0 and size.strip("0."):
            levels[key] = size
            names[key] = price
    return levels, names
