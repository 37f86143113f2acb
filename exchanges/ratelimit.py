"""Weighted rate-limit pools, client side (wait before sending) and server side (count and refuse).

Two window shapes cover the venues we speak:

* ``FixedWindowPool``: a budget per window that starts with the first request and refills
  all at once when it ends (KuCoin's 30 s resource pools).
* ``SlidingWindowPool``: at most ``capacity`` weight in any interval of ``window`` seconds
  (per-3 s style limits).

``acquire`` waits (on the injected clock) rather than fails; ``try_acquire`` never waits and
says how long it would have to. ``update`` folds in what the server reports (remaining,
reset) so a client that shares a key with other processes stays honest; ``block`` honours a
429's retry-after. Pools live in a ``RateLimitRegistry`` keyed by venue, scope and key, so
two venues (or two API keys) never share budget.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Protocol

import attrs

from .clock import Clock, SystemClock

__all__ = [
    "FixedWindowPool",
    "PoolState",
    "RateLimitRegistry",
    "RatePool",
    "SlidingWindowPool",
    "default_registry",
]


@attrs.frozen(slots=True)
class PoolState:
    """What a server puts in its rate-limit headers: quota, what is left, ms until refill."""

    limit: int
    remaining: int
    reset_ms: int


#: What ``try_acquire`` answers at least while callers are queued: it cannot know when their
#: turn ends, only that it has not.
_QUEUED_HINT_S = 0.001


class RatePool(Protocol):
    capacity: int
    window: float

    def try_acquire(self, weight: int = 1) -> float: ...

    async def acquire(self, weight: int = 1) -> None: ...

    def update(self, *, remaining: int, reset_ms: int, limit: int | None = None) -> None: ...

    def block(self, seconds: float) -> None: ...

    def state(self) -> PoolState: ...


class _PoolBase:
    def __init__(self, capacity: int, window: float, clock: Clock | None, name: str) -> None:
        if capacity <= 0 or window <= 0:
            raise ValueError("capacity and window must be positive")
        self.capacity = capacity
        self.window = window
        self.name = name
        self._clock: Clock = clock or SystemClock()
        self._window_us = round(window * 1_000_000)
        self._blocked_until = 0
        self._locks: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}
        self._queued = 0  # callers inside acquire() that had to wait

    def __repr__(self) -> str:
        s = self.state()
        return f"{type(self).__name__}({self.name!r}, {s.remaining}/{s.limit}, reset in {s.reset_ms} ms)"

    def _check_weight(self, weight: int) -> None:
        if weight < 0:
            raise ValueError("weight must not be negative")
        if weight > self.capacity:
            raise ValueError(f"weight {weight} exceeds the pool's whole budget of {self.capacity}")

    def _now(self) -> int:
        """Integer microseconds: window arithmetic must not drift with float rounding."""
        return round(self._clock.monotonic() * 1_000_000)

    def block(self, seconds: float) -> None:
        """Admit nothing for ``seconds`` (a server said so with a 429)."""
        until = self._now() + round(max(seconds, 0.0) * 1_000_000)
        self._blocked_until = max(self._blocked_until, until)

    def _blocked_for(self, now: int) -> int:
        return self._blocked_until - now if self._blocked_until > now else 0

    def _take(self, weight: int) -> float:
        """Take ``weight`` if it fits now (0.0), else say how long until it would."""
        raise NotImplementedError

    def try_acquire(self, weight: int = 1) -> float:
        """Take ``weight`` now if it fits and nobody is queued in :meth:`acquire`, else say how
        long to wait. Queued callers come first: budget freed by a refill is theirs."""
        self._check_weight(weight)
        if self._queued:
            return _QUEUED_HINT_S
        return self._take(weight)

    def state(self) -> PoolState:
        raise NotImplementedError

    async def acquire(self, weight: int = 1) -> None:
        """Wait until ``weight`` fits, then take it, first come, first served: a caller that
        must wait queues behind those already waiting, and nobody overtakes the queue."""
        self._check_weight(weight)
        if not self._queued and self._take(weight) <= 0:
            return
        loop = asyncio.get_running_loop()
        lock = self._locks.get(loop)
        if lock is None:
            lock = self._locks[loop] = asyncio.Lock()
        self._queued += 1
        try:
            async with lock:  # asyncio's lock wakes its waiters in arrival order
                while True:
                    wait = self._take(weight)
                    if wait <= 0:
                        return
                    await self._clock.sleep(wait)
        finally:
            self._queued -= 1


class FixedWindowPool(_PoolBase):
    """``capacity`` weight per window; the window opens with its first request."""

    def __init__(self, capacity: int, window: float, clock: Clock | None = None, name: str = "") -> None:
        super().__init__(capacity, window, clock, name)
        self._used = 0
        self._window_end: int | None = None

    def _roll(self, now: int) -> None:
        if self._window_end is not None and now >= self._window_end:
            self._used = 0
            self._window_end = None

    def _take(self, weight: int) -> float:
        now = self._now()
        blocked = self._blocked_for(now)
        if blocked:
            return blocked / 1_000_000
        self._roll(now)
        if self._used + weight <= self.capacity:
            if self._window_end is None:
                self._window_end = now + self._window_us
            self._used += weight
            return 0.0
        assert self._window_end is not None
        return max(self._window_end - now, 1) / 1_000_000

    def update(self, *, remaining: int, reset_ms: int, limit: int | None = None) -> None:
        """Adopt the server's view. A reset that disagrees with ours by over a second is a new
        window (take the server's count); otherwise keep the more cautious of the two counts,
        since responses to concurrent requests arrive out of order."""
        now = self._now()
        if limit is not None and limit > 0:
            self.capacity = limit
        self._roll(now)
        server_end = now + max(reset_ms, 0) * 1000
        server_used = max(self.capacity - max(remaining, 0), 0)
        if self._window_end is None or abs(server_end - self._window_end) > 1_000_000:
            self._used = server_used
        else:
            self._used = max(self._used, server_used)
        self._window_end = server_end

    def state(self) -> PoolState:
        now = self._now()
        self._roll(now)
        reset = self._window_us if self._window_end is None else self._window_end - now
        return PoolState(self.capacity, max(self.capacity - self._used, 0), round(reset / 1000))


class SlidingWindowPool(_PoolBase):
    """At most ``capacity`` weight within any ``window`` seconds."""

    def __init__(self, capacity: int, window: float, clock: Clock | None = None, name: str = "") -> None:
        super().__init__(capacity, window, clock, name)
        self._log: deque[tuple[int, int]] = deque()
        self._sum = 0

    def _expire(self, now: int) -> None:
        horizon = now - self._window_us
        log = self._log
        while log and log[0][0] <= horizon:
            self._sum -= log.popleft()[1]

    def _take(self, weight: int) -> float:
        now = self._now()
        blocked = self._blocked_for(now)
        if blocked:
            return blocked / 1_000_000
        self._expire(now)
        if self._sum + weight <= self.capacity:
            if weight:
                self._log.append((now, weight))
                self._sum += weight
            return 0.0
        excess = self._sum + weight - self.capacity
        for stamp, used in self._log:
            excess -= used
            if excess <= 0:
                return max(stamp + self._window_us - now, 1) / 1_000_000
        raise AssertionError("unreachable: weight <= capacity")  # pragma: no cover

    def update(self, *, remaining: int, reset_ms: int, limit: int | None = None) -> None:  # noqa: ARG002
        """If the server counts more than we do, record the difference as spent now (a
        sliding window has no reset to adopt: ``reset_ms`` is the pools' common signature)."""
        now = self._now()
        if limit is not None and limit > 0:
            self.capacity = limit
        self._expire(now)
        extra = (self.capacity - max(remaining, 0)) - self._sum
        if extra > 0:
            self._log.append((now, extra))
            self._sum += extra

    def state(self) -> PoolState:
        now = self._now()
        self._expire(now)
        reset = self._log[0][0] + self._window_us - now if self._log else self._window_us
        return PoolState(self.capacity, max(self.capacity - self._sum, 0), round(reset / 1000))


class RateLimitRegistry:
    """Pools by ``(venue, scope, key)``. Pass a fingerprint of an API key, never a secret."""

    def __init__(self) -> None:
        self._pools: dict[tuple[str, str, str], RatePool] = {}

    def pool(self, venue: str, scope: str, key: str, factory: Callable[[], RatePool]) -> RatePool:
        ident = (venue, scope, key)
        found = self._pools.get(ident)
        if found is None:
            found = self._pools[ident] = factory()
        return found

    def __contains__(self, ident: object) -> bool:
        return ident in self._pools

    def clear(self) -> None:
        self._pools.clear()


default_registry = RateLimitRegistry()
