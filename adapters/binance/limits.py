"""Binance's rate limits on the client (NOTES 4): request weight per IP and unfilled orders
per account, in fixed windows aligned to the clock, kept honest by the server's headers; and
the IP ban a 418 announces.

Pools live in an ``exchanges.RateLimitRegistry`` under the venue ``binance``: weight keyed by
host (Binance counts it per IP), orders by a fingerprint of the API key (per account), so no
other venue's budget, and no other key's, is ever charged. ``X-MBX-USED-WEIGHT-<n><unit>``
and ``X-MBX-ORDER-COUNT-<n><unit>`` headers say what Binance counted in the current window:
each one corrects its pool. A 418 bans the IP: every call to that host is refused here,
saying until when, without being sent (another would only lengthen the ban).
"""

from __future__ import annotations

import re
import time
import weakref
from collections.abc import Iterable, Mapping
from typing import Any

import httpx

from exchanges import Clock, FixedWindowPool, RateLimitExceeded, RateLimitRegistry, RatePool

from .endpoints import Endpoint
from .errors import VENUE

__all__ = ["BanBook", "Budgets", "bans_for", "interval_seconds"]

_UNITS = {"S": 1, "M": 60, "H": 3600, "D": 86400}
_ENUM_UNITS = {"SECOND": "S", "MINUTE": "M", "HOUR": "H", "DAY": "D"}
_HEADER = re.compile(r"^x-mbx-(used-weight|order-count)-(\d+)([smhd])$")


def interval_seconds(interval: str) -> int:
    """``"1M"`` -> 60, ``"10S"`` -> 10, ``"1D"`` -> 86400."""
    return int(interval[:-1]) * _UNITS[interval[-1]]


class BanBook:
    """Hosts Binance has banned, and until when (epoch ms)."""

    def __init__(self) -> None:
        self._until: dict[str, int] = {}

    def ban(self, host: str, until_ms: int) -> None:
        self._until[host] = max(self._until.get(host, 0), until_ms)

    def check(self, host: str, now_ms: int) -> None:
        """Raise ``RateLimitExceeded`` (HTTP 418) while ``host`` is banned."""
        until = self._until.get(host)
        if until is None:
            return
        if now_ms >= until:
            del self._until[host]
            return
        when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(until / 1000))
        raise RateLimitExceeded(
            f"Binance has banned this IP until {when} (HTTP 418): nothing is sent to {host} until then",
            retry_after=(until - now_ms) / 1000,
            venue=VENUE,
            code="-1003",
            http_status=418,
        )


_BANS: weakref.WeakKeyDictionary[RateLimitRegistry, BanBook] = weakref.WeakKeyDictionary()


def bans_for(registry: RateLimitRegistry) -> BanBook:
    """The bans every client sharing ``registry`` obeys (one per registry, as pools are)."""
    book = _BANS.get(registry)
    if book is None:
        book = _BANS[registry] = BanBook()
    return book


class Budgets:
    """The pools one client charges, and what Binance's headers say about them."""

    def __init__(
        self,
        registry: RateLimitRegistry,
        clock: Clock,
        *,
        host: str,
        account: str | None,
        limits: Mapping[tuple[str, str], int],
    ) -> None:
        self._registry = registry
        self._clock = clock
        self._host = host
        self._account = account
        #: (kind, interval) -> capacity; kind is REQUEST_WEIGHT or ORDERS
        self._limits: dict[tuple[str, str], int] = dict(limits)
        self._pools: dict[tuple[str, str], RatePool] = {}

    def _pool(self, kind: str, interval: str) -> RatePool | None:
        ident = (kind, interval)
        found = self._pools.get(ident)
        if found is not None:
            return found
        capacity = self._limits.get(ident)
        key = self._host if kind == "REQUEST_WEIGHT" else self._account
        if capacity is None or key is None:
            return None
        clock, window = self._clock, float(interval_seconds(interval))
        name = f"binance {kind} {interval} {key}"
        found = self._registry.pool(
            VENUE, f"{kind} {interval}", key, lambda: FixedWindowPool(capacity, window, clock, name=name)
        )
        self._pools[ident] = found
        return found

    def pools(self, kind: str) -> list[RatePool]:
        return [p for k, i in self._limits if k == kind and (p := self._pool(k, i)) is not None]

    async def charge(self, ep: Endpoint, weight: int) -> None:
        """Wait until the request's weight (and, for a placement, its orders) fit."""
        for pool in self.pools("REQUEST_WEIGHT"):
            cost = min(weight, pool.capacity)
            if pool.try_acquire(cost) > 0:
                await pool.acquire(cost)
        if ep.orders:
            for pool in self.pools("ORDERS"):
                if pool.try_acquire(ep.orders) > 0:
                    await pool.acquire(ep.orders)

    def observe(self, headers: httpx.Headers, now_ms: int) -> None:
        """Adopt what Binance counted, from ``X-MBX-USED-WEIGHT-*`` / ``X-MBX-ORDER-COUNT-*``."""
        for name, value in headers.items():
            found = _HEADER.match(name.lower())
            if found is None or not value.strip().isdigit():
                continue
            kind = "REQUEST_WEIGHT" if found.group(1) == "used-weight" else "ORDERS"
            interval = found.group(2) + found.group(3).upper()
            pool = self._pool(kind, interval)
            if pool is None:
                continue
            window_ms = interval_seconds(interval) * 1000
            reset_ms = window_ms - now_ms % window_ms  # (windows start at whole minutes, days...)
            pool.update(remaining=pool.capacity - int(value), reset_ms=reset_ms)

    def block(self, kind: str, seconds: float) -> None:
        for pool in self.pools(kind):
            pool.block(seconds)

    def apply(self, rate_limits: Iterable[Any]) -> None:
        """Adopt the limits ``exchangeInfo`` publishes (``rateLimits``)."""
        for row in rate_limits:
            if not isinstance(row, Mapping):
                continue
            kind, unit = row.get("rateLimitType"), _ENUM_UNITS.get(str(row.get("interval")))
            number, limit = row.get("intervalNum"), row.get("limit")
            if kind not in ("REQUEST_WEIGHT", "ORDERS") or unit is None:
                continue
            if not isinstance(number, int) or not isinstance(limit, int) or number <= 0 or limit <= 0:
                continue
            interval = f"{number}{unit}"
            self._limits[(str(kind), interval)] = limit
            pool = self._pools.get((str(kind), interval))
            if pool is not None:
                pool.capacity = limit
