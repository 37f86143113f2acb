"""What a venue's local book shares with any other: the words for what it did with an update
or a snapshot, and the buffer it keeps while it waits for a snapshot. Pure: no I/O.

Updates that come before a snapshot (or after a gap) are buffered; once a snapshot is
loaded, the buffered ones are applied in order (those it covers are stale); one that
reveals a gap stops the book again and is kept, with those after it, for the next snapshot.
How updates apply and what makes a gap are the venue's sequence rules.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import Any

__all__ = ["APPLIED", "BUFFERED", "GAP", "STALE", "BufferedBook"]

APPLIED = 0
BUFFERED = 1
STALE = 2
GAP = 3


class BufferedBook:
    """A local book's life between snapshots; ``apply`` is the venue's."""

    __slots__ = ("_buffer", "symbol", "synced", "timestamp")

    def __init__(self, symbol: str, *, max_buffer: int) -> None:
        self.symbol = symbol
        self.synced = False
        self.timestamp = 0
        # (while waiting for a snapshot; the oldest go first, which a newer snapshot covers)
        self._buffer: deque[Mapping[str, Any]] = deque(maxlen=max_buffer)

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    def desync(self) -> None:
        """Stop applying and buffer until the next snapshot (after a reconnect, say)."""
        self.synced = False
        self._buffer.clear()

    def apply(self, update: Mapping[str, Any]) -> int:
        raise NotImplementedError

    def _gap(self, update: Mapping[str, Any]) -> int:
        """``update`` skips one: stop, and keep it for the next snapshot."""
        self.synced = False
        self._buffer.clear()
        self._buffer.append(update)
        return GAP

    def _replay(self) -> int:
        """A snapshot is loaded: apply what was buffered, ``APPLIED`` or ``GAP``."""
        self.synced = True
        pending = list(self._buffer)
        self._buffer.clear()
        for i, update in enumerate(pending):
            if self.apply(update) == GAP:
                self._buffer.extend(pending[i + 1 :])
                return GAP
        return APPLIED
