"""Binance's rate limits (NOTES section 4): request weight per IP in minute windows aligned
to the clock, and new orders per account in 10-second and day windows.

Past the weight limit a request gets HTTP 429 ``-1003`` with ``Retry-After`` (seconds to
the window's end); an IP that keeps sending through its 429s is banned, HTTP 418 with
``Retry-After`` until the ban ends, two minutes the first time and twice as long each
time after, up to three days. With limits ``off`` every request is still counted (the
``X-MBX-USED-WEIGHT-1M`` header keeps meaning what it says) but none is refused.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from exchanges import Clock

from .errors import BinanceError

__all__ = ["ORDER_WINDOWS", "OrderCounter", "WeightLimiter"]

_MINUTE = 60_000
_BAN_MS = 120_000
_MAX_BAN_MS = 3 * 86_400_000
#: 429s an IP may get in one window before the next one bans it.
BAN_AFTER = 20
#: The ``ORDERS`` windows: (header suffix, interval name, interval count, length in ms).
ORDER_WINDOWS = (("10S", "SECOND", 10, 10_000), ("1D", "DAY", 1, 86_400_000))


def _seconds_until(end_ms: int, now_ms: int) -> int:
    return max(1, -((now_ms - end_ms) // 1000))


@attrs.define
class _Window:
    start: int = -1
    used: int = 0
    refused: int = 0


class WeightLimiter:
    """Request weight per IP, ``limit`` a minute."""

    def __init__(self, clock: Clock, limit: int, *, enforce: bool = True) -> None:
        self.clock = clock
        self.limit = limit
        self.enforce = enforce
        self._windows: dict[str, _Window] = {}
        self._bans: dict[str, int] = {}  # ip -> banned until (ms)
        self._offences: dict[str, int] = {}

    def used(self, ip: str) -> int:
        window = self._windows.get(ip)
        start = self.clock.now_ms() // _MINUTE * _MINUTE
        return window.used if window is not None and window.start == start else 0

    def charge(self, ip: str, weight: int) -> int:
        """Count ``weight`` for ``ip``; return the weight used in the window, or raise the
        429 (or 418) that refuses the request."""
        now = self.clock.now_ms()
        banned_until = self._bans.get(ip)
        if self.enforce and banned_until is not None:
            if now < banned_until:
                raise BinanceError(
                    -1003,
                    f"Way too much request weight used; IP banned until {banned_until}. "
                    "Please use WebSocket Streams for live updates to avoid bans.",
                    418,
                    retry_after=_seconds_until(banned_until, now),
                )
            del self._bans[ip]
        start = now // _MINUTE * _MINUTE
        window = self._windows.get(ip)
        if window is None or window.start != start:
            window = self._windows[ip] = _Window(start)
        window.used += weight
        if self.enforce and window.used > self.limit:
            window.refused += 1
            if window.refused > BAN_AFTER:
                offences = self._offences.get(ip, 0)
                self._offences[ip] = offences + 1
                until = now + min(_BAN_MS << offences, _MAX_BAN_MS)
                self._bans[ip] = until
                window.refused = 0
            raise BinanceError(
                -1003,
                f"Too much request weight used; current limit is {self.limit} request weight per 1 MINUTE. "
                "Please use WebSocket Streams for live updates to avoid polling the API.",
                429,
                retry_after=_seconds_until(start + _MINUTE, now),
            )
        return window.used


class OrderCounter:
    """New orders per account in each :data:`ORDER_WINDOWS` window. ``settle`` brings an
    account's counts up to date (its orders' first fills lower them) before they are read."""

    def __init__(self, clock: Clock, per_10s: int, per_day: int, *, enforce: bool = True) -> None:
        self.clock = clock
        self.limits = (per_10s, per_day)
        self.enforce = enforce
        self._counts: dict[int, list[tuple[int, int]]] = {}  # uid -> [(window start, count)] per window
        self.settle: Callable[[int], None] = lambda _uid: None

    def counts(self, uid: int) -> list[int]:
        self.settle(uid)
        return self._current(uid)

    def _current(self, uid: int) -> list[int]:
        now = self.clock.now_ms()
        rows = self._counts.get(uid)
        out = []
        for i, (_, _, _, length) in enumerate(ORDER_WINDOWS):
            start = now // length * length
            out.append(rows[i][1] if rows is not None and rows[i][0] == start else 0)
        return out

    def check(self, uid: int, orders: int = 1) -> None:
        """Refuse (429 ``-1015``) ``orders`` new orders that would pass a window's limit."""
        if not self.enforce:
            return
        now = self.clock.now_ms()
        for (_, name, count, length), used, limit in zip(
            ORDER_WINDOWS, self.counts(uid), self.limits, strict=True
        ):
            if used + orders > limit:
                end = now // length * length + length
                raise BinanceError(
                    -1015,
                    f"Too many new orders; current limit is {limit} orders per {count} {name}.",
                    429,
                    retry_after=_seconds_until(end, now),
                )

    def count(self, uid: int, orders: int = 1) -> list[int]:
        """``orders`` more orders for ``uid``; the counts after them."""
        return self._add(uid, orders)

    def drop(self, uid: int) -> None:
        """One order less for ``uid`` in every window (an order's first fill), never below 0."""
        self._add(uid, -1)

    def _add(self, uid: int, n: int) -> list[int]:
        now = self.clock.now_ms()
        counts = [max(c + n, 0) for c in self._current(uid)]
        self._counts[uid] = [(now // w[3] * w[3], c) for w, c in zip(ORDER_WINDOWS, counts, strict=True)]
        return counts
