"""The spec-derived tables: the endpoint table re-derived from ENDPOINTS.md, and every error
code NOTES names mapped to a meaning (from the spec when ../shared is there, else from the
checked-in list)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from adapters.binance import ENDPOINTS, endpoint, weight_for
from adapters.binance.endpoint_table import ENDPOINT_ROWS
from adapters.binance.errors import CODE_ERRORS, class_for
from adapters.binance.tablegen import derive_endpoint_rows, render_endpoint_table
from exchanges import ExchangeError

from .conftest import NO_SPEC, SPEC_DIR

CODES_FIXTURE = Path(__file__).with_name("fixtures") / "notes_error_codes.json"
needs_spec = pytest.mark.skipif(not SPEC_DIR.is_dir(), reason=NO_SPEC)


def notes_codes(notes: str) -> list[str]:
    """Every code NOTES section 5 names, ranges (``-1169..-1191``) spelled out."""
    section = notes[notes.index("## 5. HTTP statuses and errors") : notes.index("## 6. REST endpoints")]
    codes = set(re.findall(r"(?<![\d-])(-[12]\d{3})(?!\d)", section))
    for a, b in re.findall(r"`?(-1\d{3})`?\.\.`?(-1\d{3})`?", section):
        low, high = sorted((int(a), int(b)))
        codes.update(str(c) for c in range(low, high + 1))
    return sorted(codes, key=int, reverse=True)


@needs_spec
def test_endpoint_table_is_derived_from_the_spec() -> None:
    rows = derive_endpoint_rows(SPEC_DIR)
    assert tuple(rows) == ENDPOINT_ROWS
    table = Path(__file__).resolve().parents[3] / "adapters" / "binance" / "endpoint_table.py"
    assert render_endpoint_table(rows) == table.read_text()


@needs_spec
def test_checked_in_codes_are_those_of_the_notes() -> None:
    assert notes_codes((SPEC_DIR / "NOTES.md").read_text()) == json.loads(CODES_FIXTURE.read_text())


def test_every_code_of_the_notes_has_a_meaning() -> None:
    codes = json.loads(CODES_FIXTURE.read_text())
    assert len(codes) > 100
    unmapped = [c for c in codes if c not in CODE_ERRORS]
    assert unmapped == []
    # -2021 (cancel-replace partly done) is the one code whose meaning is in its data
    bare = [c for c in codes if class_for(c) is ExchangeError]
    assert bare == ["-2021"]


def test_weights_follow_the_parameters() -> None:
    depth = endpoint("GET", "/api/v3/depth")
    assert [weight_for(depth, {"limit": n}) for n in (5, 100, 101, 500, 1000, 5000)] == [
        5,
        5,
        25,
        25,
        50,
        250,
    ]
    assert weight_for(depth, None) == 5
    tickers = endpoint("GET", "/api/v3/ticker/24hr")
    assert weight_for(tickers, {"symbol": "BTCUSDT"}) == 2
    assert weight_for(tickers, None) == 80
    assert weight_for(tickers, {"symbols": json.dumps(["A"] * 21)}) == 40
    assert weight_for(endpoint("GET", "/api/v3/openOrders"), None) == 80
    assert weight_for(endpoint("GET", "/api/v3/openOrders"), {"symbol": "X"}) == 6
    assert weight_for(endpoint("GET", "/api/v3/myTrades"), {"symbol": "X", "orderId": 1}) == 5
    assert weight_for(endpoint("GET", "/api/v3/myTrades"), {"symbol": "X"}) == 20
    assert weight_for(endpoint("POST", "/api/v3/order/test"), {"computeCommissionRates": True}) == 20
    place = ENDPOINTS[("POST", "/api/v3/order")]
    assert (place.weight, place.orders, place.free_on_success, place.signed) == (1, 1, True, True)
    assert ENDPOINTS[("POST", "/api/v3/orderList/otoco")].orders == 3
    assert ENDPOINTS[("POST", "/api/v3/userDataStream")].retired
    assert not ENDPOINTS[("GET", "/api/v3/exchangeInfo")].signed
