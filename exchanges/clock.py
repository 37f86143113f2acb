"""Injectable time: the system clock for live trading, a manual one for tests and backtests.

Everything that reads time or waits (rate limiters, the simulator, runners) takes a
``Clock`` so that a backtest can run years of market in seconds and a test can step
through a 30 s rate-limit window without sleeping.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "ManualClock", "SystemClock"]


@runtime_checkable
class Clock(Protocol):
    def time(self) -> float:
        """Seconds since the epoch."""
        ...

    def now_ms(self) -> int:
        """Milliseconds since the epoch."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (for measuring waits)."""
        ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """Wall time (``time.time``, which freezegun can freeze) and ``asyncio.sleep``."""

    def time(self) -> float:
        return time.time()

    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(_seconds(seconds))

    def __repr__(self) -> str:
        return "SystemClock()"


class ManualClock:
    """Time that moves only when told to. Held as integer nanoseconds, so no drift.

    ``sleep`` returns once the clock has been advanced to its deadline. ``advance`` moves
    time and wakes due sleepers; ``run_until`` (async) steps deadline by deadline and
    yields to the event loop at each, so woken tasks can act (and sleep again) in order.
    """

    def __init__(self, start_ms: int = 1_700_000_000_000) -> None:
        self._ns = int(start_ms) * 1_000_000
        self._sleepers: list[tuple[int, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def __repr__(self) -> str:
        return f"ManualClock(now_ms={self.now_ms()})"

    def time(self) -> float:
        return self._ns / 1e9

    def now_ms(self) -> int:
        return self._ns // 1_000_000

    def now_ns(self) -> int:
        return self._ns

    def monotonic(self) -> float:
        return self._ns / 1e9

    def set_ms(self, ms: int) -> None:
        """Jump to ``ms`` (never backwards) and wake due sleepers."""
        target = int(ms) * 1_000_000
        if target < self._ns:
            raise ValueError(f"a manual clock does not go back ({ms} < {self.now_ms()})")
        self._ns = target
        self._wake()

    def advance(self, seconds: float) -> None:
        if not seconds >= 0:  # (NaN too)
            raise ValueError(f"a manual clock does not go back, nor by {seconds!r}")
        self._ns += int(round(seconds * 1e9))
        self._wake()

    def advance_ms(self, ms: int) -> None:
        """Move on ``ms`` milliseconds from now exactly (not from now rounded to the ms)."""
        if ms < 0:
            raise ValueError(f"a manual clock does not go back ({ms} ms)")
        self._ns += int(ms) * 1_000_000
        self._wake()

    @property
    def next_deadline_ms(self) -> int | None:
        self._drop_cancelled()
        return -(-self._sleepers[0][0] // 1_000_000) if self._sleepers else None

    async def sleep(self, seconds: float) -> None:
        seconds = _seconds(seconds)
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        deadline = self._ns + max(int(round(seconds * 1e9)), 1)
        heapq.heappush(self._sleepers, (deadline, next(self._seq), future))
        await future

    async def run_until(self, ms: int, *, settle: int = 3) -> None:
        """Advance to ``ms`` one deadline at a time, letting woken tasks run between steps
        (until the loop has nothing left to run, so a chain of tasks handing a lock on gets
        through before the next deadline; ``settle`` yields at least)."""
        target = int(ms) * 1_000_000
        while True:
            await _quiesce(settle)
            self._drop_cancelled()
            if not self._sleepers or self._sleepers[0][0] > target:
                break
            self._ns = max(self._ns, self._sleepers[0][0])
            self._wake()
        if target > self._ns:
            self._ns = target
        await _quiesce(settle)

    def _drop_cancelled(self) -> None:
        while self._sleepers and self._sleepers[0][2].done():
            heapq.heappop(self._sleepers)

    def _wake(self) -> None:
        while self._sleepers and self._sleepers[0][0] <= self._ns:
            _, _, future = heapq.heappop(self._sleepers)
            if not future.done():
                future.set_result(None)


def _seconds(seconds: float) -> float:
    if seconds != seconds:  # NaN: neither a wait nor no wait
        raise ValueError("cannot sleep for NaN seconds")
    return max(seconds, 0.0)


async def _quiesce(settle: int, limit: int = 10_000) -> None:
    """Yield ``settle`` times, then on while the running loop has callbacks ready (CPython's
    loop exposes them; another loop gets the ``settle`` yields only)."""
    for _ in range(settle):
        await asyncio.sleep(0)
    ready = getattr(asyncio.get_running_loop(), "_ready", None)
    if ready is None:
        return
    for _ in range(limit):
        if not ready:
            return
        await asyncio.sleep(0)
