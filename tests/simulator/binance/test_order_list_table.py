"""The order-list endpoints' weights and unfilled-order counts, re-derived from
``shared/binance-spec/ENDPOINTS.md`` (skipped, saying so, where ``../shared`` is absent)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simulator.binance.build import served_endpoints
from simulator.binance.params import Params

SPEC = Path(__file__).resolve().parents[3].parent / "shared" / "binance-spec" / "ENDPOINTS.md"
PATHS = (
    "/api/v3/order/oco",
    "/api/v3/orderList/oco",
    "/api/v3/orderList/oto",
    "/api/v3/orderList/otoco",
    "/api/v3/orderList/opo",
    "/api/v3/orderList/opoco",
    "/api/v3/orderList",
    "/api/v3/allOrderList",
    "/api/v3/openOrderList",
)
_ROW = re.compile(r"^\| (GET|POST|DELETE) \| `([^`]+)` \| \w+ \| ([^|]+) \|")


def _documented() -> dict[tuple[str, str], tuple[int, int]]:
    """(method, path) -> (weight, unfilled orders added) of every list endpoint in the index."""
    if not SPEC.exists():
        pytest.skip("../shared/binance-spec is absent (a fresh clone): no endpoint index to derive from")
    rows = {}
    for line in SPEC.read_text().splitlines():
        found = _ROW.match(line)
        if found and found.group(2) in PATHS:
            weight_text = found.group(3)
            weight = int(re.match(r"\s*(\d+)", weight_text).group(1))  # type: ignore[union-attr]
            count = re.search(r"UOC \+(\d)", weight_text)
            rows[(found.group(1), found.group(2))] = (weight, int(count.group(1)) if count else 0)
    return rows


def test_list_endpoints_weigh_and_count_as_documented() -> None:
    documented = _documented()
    served = {(e.method, e.path): e for e in served_endpoints()}
    assert len(documented) == len(PATHS) + 1  # (GET and DELETE /api/v3/orderList)
    for key, (weight, count) in documented.items():
        endpoint = served[key]
        unfilled = count if key[1] not in ("/api/v3/orderList/opo", "/api/v3/orderList/opoco") else 0
        assert (endpoint.weigh(Params({})), endpoint.places) == (weight, unfilled), key
        assert endpoint.entry == (key[0] != "GET"), key
