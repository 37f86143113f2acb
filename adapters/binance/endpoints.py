"""The endpoint table (method, path, security, weight, parameters), derived from the spec
(see :mod:`.tablegen`), and each endpoint's weight for the parameters of one request.

Weights are REQUEST_WEIGHT per IP as NOTES 6-7 document them. Order entry that succeeds
costs 0 since 2026-04-02 (marked † in the spec); the client charges the documented weight
before sending (a failure pays it) and the ``X-MBX-USED-WEIGHT-*`` headers correct the count.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import attrs

from .endpoint_table import ENDPOINT_ROWS

__all__ = ["ENDPOINTS", "Endpoint", "endpoint", "weight_for"]

_LEADING = re.compile(r"^(\d+)")
_AFTER_COLON = re.compile(r":\s*(\d+)")
_UOC = re.compile(r"UOC \+(\d+)")


def _base_weight(text: str) -> int:
    """The weight of the plain request: the leading number, or the first one after a colon
    where the weight depends on the parameters (``limit 1-100: 5; ...``)."""
    found = _LEADING.match(text) or _AFTER_COLON.search(text)
    if found is None:
        raise ValueError(f"cannot read a weight from {text!r}")
    return int(found.group(1))


@attrs.frozen(slots=True)
class Endpoint:
    method: str
    path: str
    security: str  # NONE, TRADE, USER_DATA, USER_STREAM
    weight_text: str
    params: tuple[str, ...]
    retired: bool
    weight: int = attrs.field(init=False)
    #: Unfilled order count a success adds (NOTES 4.3).
    orders: int = attrs.field(init=False)
    #: A successful request costs no weight (since 2026-04-02).
    free_on_success: bool = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "weight", _base_weight(self.weight_text))
        uoc = _UOC.search(self.weight_text)
        object.__setattr__(self, "orders", int(uoc.group(1)) if uoc else 0)
        object.__setattr__(self, "free_on_success", "†" in self.weight_text)

    @property
    def signed(self) -> bool:
        """TRADE and USER_DATA need a key, a timestamp and a signature."""
        return self.security in ("TRADE", "USER_DATA")

    @property
    def needs_key(self) -> bool:
        return self.security != "NONE"

    @property
    def safe_to_retry(self) -> bool:
        """Reads can be repeated freely; writes only where the adapter reconciles them."""
        return self.method == "GET"


ENDPOINTS: Mapping[tuple[str, str], Endpoint] = {(r[0], r[1]): Endpoint(*r) for r in ENDPOINT_ROWS}


def endpoint(method: str, path: str) -> Endpoint:
    """The spec's row for ``method path``."""
    try:
        return ENDPOINTS[(method, path)]
    except KeyError:
        raise ValueError(f"{method} {path} is not in the Binance spot endpoint table") from None


def _count(value: object) -> int:
    """How many symbols a ``symbols`` parameter (a JSON array as text) names."""
    if not isinstance(value, str) or not value.strip("[] "):
        return 0
    return value.count(",") + 1


def _depth(limit: int) -> int:
    if limit <= 100:
        return 5
    if limit <= 500:
        return 25
    if limit <= 1000:
        return 50
    return 250


def _ticker_24hr(params: Mapping[str, object]) -> int:
    if params.get("symbol") is not None:
        return 2
    n = _count(params.get("symbols"))
    if n == 0:
        return 80
    return 2 if n <= 20 else 40 if n <= 100 else 80


def _per_symbol(params: Mapping[str, object], each: int, cap: int) -> int:
    n = 1 if params.get("symbol") is not None else _count(params.get("symbols"))
    return min(each * max(n, 1), cap)


def weight_for(ep: Endpoint, params: Mapping[str, object] | None) -> int:
    """The documented weight of ``ep`` called with ``params`` (NOTES 6-7)."""
    p = params or {}
    path = ep.path
    if path == "/api/v3/depth":
        limit = p.get("limit")
        return _depth(int(limit) if isinstance(limit, int | str) and str(limit).isdigit() else 100)
    if path == "/api/v3/ticker/24hr":
        return _ticker_24hr(p)
    if path in ("/api/v3/ticker/price", "/api/v3/ticker/bookTicker"):
        return 2 if p.get("symbol") is not None else 4
    if path in ("/api/v3/ticker", "/api/v3/ticker/tradingDay"):
        return _per_symbol(p, 4, 200)
    if path == "/api/v3/executionRules":
        return _per_symbol(p, 2, 40) if p.get("symbol") or p.get("symbols") else 40
    if path == "/api/v3/openOrders" and ep.method == "GET":
        return 6 if p.get("symbol") is not None else 80
    if path == "/api/v3/myTrades":
        return 5 if p.get("orderId") is not None else 20
    if path in ("/api/v3/order/test", "/api/v3/sor/order/test"):
        return 20 if p.get("computeCommissionRates") in (True, "true") else 1
    if path == "/api/v3/myPreventedMatches":
        return 20 if p.get("orderId") is not None else 2
    return ep.weight
