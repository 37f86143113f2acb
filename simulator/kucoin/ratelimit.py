"""Server-side rate limits: KuCoin's resource pools, the legacy per-3 s table, or none.

``kucoin`` (rate limit 2.0, NOTES section 6): each endpoint costs its spec weight from one pool;
the Public pool is counted per IP, the others per account (UID); 30 s fixed windows that open
with their first request, with quotas by the account's VIP level. ``legacy``: the starting
document's table, counted in requests: public 100 per 10 s per IP, private 30 per 3 s per key,
bulk (batch place, cancel all) 20 per 3 s per key, sliding windows. ``off``: nothing counted.

Windows run on the injected clock, so a test steps through them on a ``ManualClock``.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from exchanges import Clock, FixedWindowPool, PoolState, RateLimitRegistry, RatePool, SlidingWindowPool

__all__ = ["PROFILES", "VIP_QUOTAS", "RateLimiter", "quota"]

PROFILES = ("kucoin", "legacy", "off")
WINDOW_S = 30.0

#: Quota per 30 s window by VIP level (NOTES section 6): Spot, Futures, Management, Public,
#: Earn, CopyTrading.
VIP_QUOTAS: dict[int, tuple[int, int, int, int, int, int]] = {
    0: (4000, 2000, 2000, 2000, 2000, 2000),
    1: (6000, 2000, 2000, 2000, 2000, 2000),
    2: (8000, 4000, 4000, 2000, 2000, 2000),
    3: (10000, 5000, 5000, 2000, 2000, 2000),
    4: (13000, 6000, 6000, 2000, 2000, 2000),
    5: (16000, 7000, 7000, 2000, 2000, 2000),
    6: (20000, 8000, 8000, 2000, 2000, 2000),
    7: (23000, 10000, 10000, 2000, 2000, 2000),
    8: (26000, 12000, 12000, 2000, 2000, 2000),
    9: (30000, 14000, 14000, 2000, 2000, 2000),
    10: (33000, 16000, 16000, 2000, 2000, 2000),
    11: (36000, 18000, 18000, 2000, 2000, 2000),
    12: (40000, 20000, 20000, 2000, 2000, 2000),
}
_POOL_COLUMN = {"Spot": 0, "Futures": 1, "Management": 2, "Public": 3, "Earn": 4, "CopyTrading": 5}

LEGACY_PUBLIC = (100, 10.0)
LEGACY_PRIVATE = (30, 3.0)
LEGACY_BULK = (20, 3.0)


def quota(pool: str, vip_level: int) -> int:
    """The 30 s quota of ``pool`` at ``vip_level``; pools the table lacks get the smallest."""
    row = VIP_QUOTAS[max(0, min(vip_level, 12))]
    return row[_POOL_COLUMN.get(pool, 5)]


@attrs.frozen
class Charge:
    """The outcome of charging a request: admitted or not, and the pool's state after."""

    admitted: bool
    state: PoolState | None


class RateLimiter:
    """Counts requests against pools and says whether each may pass."""

    def __init__(
        self,
        profile: str,
        clock: Clock,
        *,
        window_s: float = WINDOW_S,
        quotas: Mapping[str, int] | None = None,
    ) -> None:
        """``window_s`` and ``quotas`` (per pool, overriding the VIP table) shrink the ``kucoin``
        profile for tests that must cross a window in seconds rather than in 30 s."""
        if profile not in PROFILES:
            raise ValueError(f"rate-limit profile must be one of {', '.join(PROFILES)}, not {profile!r}")
        if window_s <= 0:
            raise ValueError("the rate-limit window must be positive")
        self.profile = profile
        self._clock = clock
        self._window_s = window_s
        self._quotas = dict(quotas or {})
        self._registry = RateLimitRegistry()

    def _pool(self, scope: str, ident: str, capacity: int, window: float, sliding: bool) -> RatePool:
        def make() -> RatePool:
            kind = SlidingWindowPool if sliding else FixedWindowPool
            return kind(capacity, window, self._clock, name=f"{scope}:{ident}")

        return self._registry.pool("kucoin-sim", scope, ident, make)

    def _select(
        self, pool: str, ip: str, uid: int | None, key: str | None, vip_level: int, bulk: bool
    ) -> RatePool | None:
        if self.profile == "off":
            return None
        if self.profile == "legacy":
            if key is None:
                return self._pool("public", ip, *LEGACY_PUBLIC, sliding=True)
            if bulk:
                return self._pool("bulk", key, *LEGACY_BULK, sliding=True)
            return self._pool("private", key, *LEGACY_PRIVATE, sliding=True)
        if pool == "Public" or uid is None:
            cap = self._quotas.get("Public") or quota("Public", vip_level)
            return self._pool("Public", ip, cap, self._window_s, sliding=False)
        cap = self._quotas.get(pool) or quota(pool, vip_level)
        return self._pool(pool, str(uid), cap, self._window_s, sliding=False)

    def charge(
        self,
        *,
        pool: str,
        weight: int,
        ip: str,
        uid: int | None = None,
        key: str | None = None,
        vip_level: int = 0,
        bulk: bool = False,
    ) -> Charge:
        """Take ``weight`` (one request under ``legacy``) from the pool this request counts in."""
        target = self._select(pool, ip, uid, key, vip_level, bulk)
        if target is None:
            return Charge(True, None)
        cost = 1 if self.profile == "legacy" else min(max(weight, 0), target.capacity)
        admitted = target.try_acquire(cost) <= 0
        return Charge(admitted, target.state())

    def peek_public(self, ip: str) -> PoolState | None:
        """The caller's public pool, uncharged (for the headers of a refused request)."""
        target = self._select("Public", ip, None, None, 0, False)
        return None if target is None else target.state()
