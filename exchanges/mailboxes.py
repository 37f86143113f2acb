"""Where a stream's events wait for their consumer: the memory rules of ``Streaming``, once.

A producer (a socket reader, a venue's event listener) puts without ever waiting; the
consumer's ``get`` waits. ``Latest`` conflates (books, tickers, candles, balances), so a
slow consumer costs one value per key; ``Backlog`` keeps every event in order (orders,
fills) or, with a ``limit``, the newest ones and a gap for the rest (trades). Any
implementation of :class:`exchanges.Streaming` may use them, so every venue conflates,
drops and reports gaps alike.
"""

from __future__ import annotations

import asyncio
import copy
from collections import deque
from collections.abc import Hashable
from typing import Generic, TypeVar

from .clock import Clock
from .enums import GapReason, StreamKind
from .models import StreamGap

__all__ = ["Backlog", "Latest", "Mailbox"]

T = TypeVar("T")


class Mailbox(Generic[T]):
    """The waiting and failing shared by both kinds; ``_take`` says what is ready."""

    __slots__ = ("_clock", "_error", "_waiter", "kind", "symbol")

    def __init__(self, kind: StreamKind, symbol: str, clock: Clock) -> None:
        self.kind = kind
        self.symbol = symbol
        self._clock = clock
        self._waiter: asyncio.Future[None] | None = None
        self._error: BaseException | None = None

    def fail(self, error: BaseException) -> None:
        """``get`` raises ``error`` once what is already here has been taken."""
        if self._error is None:
            self._error = error
        self._wake()

    @property
    def failed(self) -> bool:
        return self._error is not None

    def gap(self, reason: GapReason) -> None:
        """Events may be missing here (a market stream's ``StreamGap``)."""
        raise NotImplementedError

    async def get(self) -> T | StreamGap:
        while True:
            ready, item = self._take()
            if ready:
                return item  # type: ignore[return-value]
            if self._error is not None:
                raise copy.copy(self._error)  # (one error may fail many streams: a copy each)
            waiter = asyncio.get_running_loop().create_future()
            self._waiter = waiter
            try:
                await waiter
            finally:
                self._waiter = None

    def _take(self) -> tuple[bool, T | StreamGap | None]:
        raise NotImplementedError

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)


class Latest(Mailbox[T]):
    """The newest value per key (one key by default), oldest key first.

    A gap drops what is pending (the state it described may be stale) and is handed out
    before the next value.
    """

    __slots__ = ("_gap", "_values")

    def __init__(self, kind: StreamKind, symbol: str, clock: Clock) -> None:
        super().__init__(kind, symbol, clock)
        self._values: dict[Hashable, T] = {}
        self._gap: StreamGap | None = None

    def put(self, item: T, key: Hashable = None) -> None:
        self._values[key] = item
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def gap(self, reason: GapReason) -> None:
        self._values.clear()
        if self._gap is None:
            self._gap = StreamGap(
                kind=self.kind, symbol=self.symbol, reason=reason, timestamp=self._clock.now_ms()
            )
        self._wake()

    def __len__(self) -> int:
        return len(self._values) + (self._gap is not None)

    def _take(self) -> tuple[bool, T | StreamGap | None]:
        if self._gap is not None:
            gap, self._gap = self._gap, None
            return True, gap
        values = self._values
        if values:
            key = next(iter(values))
            return True, values.pop(key)
        return False, None


class Backlog(Mailbox[T]):
    """Every event in order; with a ``limit``, the newest ``limit`` and one ``OVERFLOW`` gap
    counting the dropped ones, handed out where they were."""

    __slots__ = ("_dropped", "_dropped_at", "_items", "limit")

    def __init__(self, kind: StreamKind, symbol: str, clock: Clock, *, limit: int | None = None) -> None:
        super().__init__(kind, symbol, clock)
        if limit is not None and limit < 1:
            raise ValueError(f"a backlog's limit must be at least 1, got {limit}")
        self.limit = limit
        self._items: deque[T | StreamGap] = deque()
        self._dropped = 0
        self._dropped_at = 0

    def put(self, item: T) -> None:
        self._push(item)

    def gap(self, reason: GapReason) -> None:
        now = self._clock.now_ms()
        self._push(StreamGap(kind=self.kind, symbol=self.symbol, reason=reason, timestamp=now))

    def _push(self, item: T | StreamGap) -> None:
        items = self._items
        items.append(item)
        if self.limit is not None and len(items) > self.limit:
            dropped = items.popleft()
            if not isinstance(dropped, StreamGap):
                if not self._dropped:
                    self._dropped_at = self._clock.now_ms()
                self._dropped += 1
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def __len__(self) -> int:
        return len(self._items) + (self._dropped > 0)

    def _take(self) -> tuple[bool, T | StreamGap | None]:
        if self._dropped:
            dropped, self._dropped = self._dropped, 0
            gap = StreamGap(
                kind=self.kind,
                symbol=self.symbol,
                reason=GapReason.OVERFLOW,
                timestamp=self._dropped_at,
                dropped=dropped,
            )
            return True, gap
        if self._items:
            return True, self._items.popleft()
        return False, None
