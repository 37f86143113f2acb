"""The checked-in tables match KuCoin's spec (re-derived when ../shared is present)."""

from __future__ import annotations

import json

import pytest

from simulator.kucoin._spec_endpoints import SPEC_ENDPOINTS
from simulator.kucoin.endpoints import EXTRA_ENDPOINTS, spec_row

from .spec_tools import (
    SCHEMA_FILE,
    derive_endpoint_rows,
    derive_response_schemas,
    derive_response_shapes,
    load_response_shapes,
    spec_available,
)

needs_spec = pytest.mark.skipif(
    not spec_available(), reason="../shared/kucoin-spec is absent (a fresh clone): nothing to re-derive from"
)


@needs_spec
def test_endpoint_table_matches_the_spec() -> None:
    assert list(SPEC_ENDPOINTS) == derive_endpoint_rows()


@needs_spec
def test_response_schemas_match_the_spec() -> None:
    assert json.loads(SCHEMA_FILE.read_text()) == derive_response_schemas()


@needs_spec
def test_the_checked_in_response_shapes_are_the_specs_examples() -> None:
    """The key paths and types the shape test holds served bodies to (on a fresh clone too)
    are those of the spec's current examples; ``python -m tests.simulator.kucoin.spec_tools``
    rewrites them."""
    assert load_response_shapes() == derive_response_shapes()


def test_table_has_the_documented_weights() -> None:
    # Spot-checks against NOTES section 7, independent of the generator.
    assert spec_row("POST", "/api/v1/hf/orders")[3:6] == ("Spot", 1, "Spot")  # type: ignore[index]
    assert spec_row("GET", "/api/v1/market/allTickers")[3:6] == ("Public", 15, None)  # type: ignore[index]
    assert spec_row("GET", "/api/v1/accounts")[3:6] == ("Management", 5, "General")  # type: ignore[index]
    assert spec_row("DELETE", "/api/v1/hf/orders/cancelAll")[3:6] == ("Spot", 30, "Spot")  # type: ignore[index]
    assert spec_row("GET", "/api/v1/contracts/active", "Futures")[3:6] == ("Public", 3, None)  # type: ignore[index]


def test_extra_endpoints_are_not_in_the_spec() -> None:
    for method, path in EXTRA_ENDPOINTS:
        assert all(spec_row(method, path, d) is None for d in ("Spot", "Futures"))
