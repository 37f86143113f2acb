"""The endpoint table (method, path, pool, weight, permission, deprecated) and the 30 s
pool quotas per VIP level, both derived from the spec (see :mod:`.tablegen`).

Everything a request needs about its endpoint is computed once here, at import, so the
hot path does a dictionary lookup and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from .endpoint_table import ENDPOINT_ROWS

__all__ = ["ENDPOINTS", "POOL_QUOTAS", "Endpoint", "endpoint", "quota"]


@attrs.frozen(slots=True)
class Endpoint:
    method: str
    path: str
    pool: str
    weight: int
    permission: str  # '' for public endpoints
    deprecated: bool
    title: str

    @property
    def private(self) -> bool:
        return bool(self.permission)

    @property
    def safe_to_retry(self) -> bool:
        """Reads can be repeated freely; writes only where the adapter reconciles them."""
        return self.method == "GET"


ENDPOINTS: Mapping[tuple[str, str], Endpoint] = {(row[0], row[1]): Endpoint(*row) for row in ENDPOINT_ROWS}


def endpoint(method: str, path: str) -> Endpoint:
    """The spec's row for ``method path`` (path with ``{placeholders}``)."""
    try:
        return ENDPOINTS[(method, path)]
    except KeyError:
        raise ValueError(f"{method} {path} is not in the KuCoin spot endpoint table") from None


_POOLS = ("Spot", "Futures", "Management", "Public", "Earn", "CopyTrading")
_QUOTA_ROWS = {
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
#: Weight per 30 s by VIP level and pool (NOTES.md section 6). Public is per IP, others per UID.
POOL_QUOTAS: Mapping[int, Mapping[str, int]] = {
    level: dict(zip(_POOLS, row, strict=True)) for level, row in _QUOTA_ROWS.items()
}
POOL_WINDOW_SECONDS = 30.0


def quota(vip_level: int, pool: str) -> int:
    try:
        levels = POOL_QUOTAS[vip_level]
    except KeyError:
        raise ValueError(f"unknown VIP level {vip_level!r}; expected 0..12") from None
    try:
        return levels[pool]
    except KeyError:
        raise ValueError(f"unknown rate-limit pool {pool!r}") from None
