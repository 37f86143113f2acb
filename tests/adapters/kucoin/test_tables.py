"""The checked-in tables re-derived from ../shared/kucoin-spec (skipped on a fresh clone)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from adapters.kucoin import ENDPOINTS, POOL_QUOTAS, endpoint
from adapters.kucoin import exchange as exchange_module
from adapters.kucoin import routes as routes_module
from adapters.kucoin.endpoint_table import ENDPOINT_ROWS
from adapters.kucoin.endpoints import quota
from adapters.kucoin.tablegen import derive_endpoint_rows, derive_quotas, render_endpoint_table

from .conftest import FIXTURES, SPEC_DIR, load_spec_examples

needs_spec = pytest.mark.skipif(
    not SPEC_DIR.is_dir(), reason="../shared/kucoin-spec is absent (fresh clone): tables cannot be re-derived"
)


@needs_spec
def test_endpoint_table_matches_the_spec() -> None:
    assert list(ENDPOINT_ROWS) == derive_endpoint_rows(SPEC_DIR)


@needs_spec
def test_generator_output_is_the_checked_in_file() -> None:
    checked_in = Path(exchange_module.__file__ or "").with_name("endpoint_table.py")
    assert checked_in.read_text() == render_endpoint_table(derive_endpoint_rows(SPEC_DIR))


@needs_spec
def test_pool_quotas_match_the_notes() -> None:
    assert derive_quotas(SPEC_DIR) == {k: dict(v) for k, v in POOL_QUOTAS.items()}


@needs_spec
def test_checked_in_examples_match_the_spec() -> None:
    spec = load_spec_examples()
    fixtures = json.loads(FIXTURES.read_text())
    for key, value in fixtures.items():
        assert spec[key] == value, key


def test_every_endpoint_the_adapter_uses_is_in_the_table() -> None:
    source = Path(routes_module.__file__ or "").read_text()
    used = re.findall(r'_e\("(\w+)", "([^"]+)"\)', source)
    assert len(used) >= 55
    for method, path in used:
        assert (method, path) in ENDPOINTS


def test_known_rows() -> None:
    place = endpoint("POST", "/api/v1/hf/orders")
    assert (place.pool, place.weight, place.permission, place.deprecated) == ("Spot", 1, "Spot", False)
    assert endpoint("DELETE", "/api/v1/hf/orders/cancelAll").weight == 30
    assert endpoint("GET", "/api/v1/accounts").pool == "Management"
    assert endpoint("POST", "/api/v1/orders").deprecated
    book = endpoint("GET", "/api/v3/market/orderbook/level2")
    assert book.private and book.pool == "Spot"
    assert not endpoint("GET", "/api/v1/timestamp").private
    with pytest.raises(ValueError, match="not in the KuCoin"):
        endpoint("GET", "/api/v9/nothing")


def test_quotas() -> None:
    assert quota(0, "Spot") == 4000
    assert quota(5, "Spot") == 16000
    assert quota(12, "Management") == 20000
    assert quota(12, "Public") == 2000
    with pytest.raises(ValueError, match="VIP"):
        quota(13, "Spot")
    with pytest.raises(ValueError, match="pool"):
        quota(0, "Nope")
