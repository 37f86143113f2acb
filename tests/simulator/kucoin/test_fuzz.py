"""Whatever a client sends, the facade answers with a KuCoin error code, never a 500.

Hypothesis draws methods, paths (served templates with odd parameters, KuCoin paths the
simulator does not serve, and junk), query strings and bodies (JSON objects with KuCoin's
field names and wild values, or raw bytes); about half the requests are properly signed so
that they get past the gateway into the handlers and the venue. ``FUZZ_EXAMPLES=5000`` runs
a longer search than the default.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode

import httpx
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from exchanges import ManualClock
from simulator.kucoin.build import build_facade
from simulator.kucoin.config import FacadeConfig
from simulator.venue import OrderParams, Venue

from .conftest import START, account_config
from .helpers import Signer

_FIELDS = [
    "symbol", "side", "type", "price", "size", "funds", "clientOid", "timeInForce", "cancelAfter",
    "postOnly", "hidden", "iceberg", "visibleSize", "stp", "remark", "tags", "stop", "stopPrice",
    "tradeType", "orderList", "orderId", "newPrice", "newSize", "timeout", "symbols", "clientTimestamp",
    "allowMaxTimeWindow",
]  # fmt: skip
_QUERY_KEYS = [
    "symbol", "type", "side", "startAt", "endAt", "lastId", "limit", "currentPage", "pageSize", "pageNum",
    "status", "currency", "direction", "bizType", "cancelSize", "symbols", "market", "clientOid",
    "orderIds", "orderId", "tradeType", "base", "currencies", "stop", "currencyType",
]  # fmt: skip
_WORDS = [
    "BTC-USDT", "ETH-USDT", "buy", "sell", "limit", "market", "GTT", "IOC", "FOK", "DC", "CN", "0.01",
    "65000", "1e9", "-1", "0", "NaN", "1e999999", "", " ", "TRADE", "loss", "entry",
]  # fmt: skip

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.integers(min_value=-40, max_value=400).map(lambda e: f"1e{e}")  # amounts of any magnitude
    | st.decimals(allow_nan=False, allow_infinity=False).map(str)
    | st.sampled_from(_WORDS)
    | st.text(max_size=12)
)
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)
_order_like = st.fixed_dictionaries({}, optional=dict.fromkeys(_FIELDS, _json))
_param_text = st.one_of(
    st.sampled_from(["BTC-USDT", "abc", "vs123", "20", "100", "0", "BTC"]), st.text(max_size=10)
)


def _fill(template: str, values: list[str]) -> str:
    parts = iter(values)
    return re.sub(r"\{[^}]*\}", lambda _m: quote(next(parts, "x"), safe=""), template)


class _World:
    """One venue and facade for the whole fuzz run (built outside Hypothesis' examples)."""

    def __init__(self) -> None:
        self.clock = ManualClock(START)
        venue = Venue(clock=self.clock, seed=5)
        venue.create_user("mm", {"USDT": Decimal(10**7), "BTC": Decimal(100)})
        venue.place_order("mm", OrderParams(symbol="BTC-USDT", side="sell", price="66000", size="1"))
        venue.place_order("mm", OrderParams(symbol="BTC-USDT", side="buy", price="64000", size="1"))
        self.facade = build_facade(venue, FacadeConfig(accounts=(account_config(),), rate_limits="off"))
        self.served = sorted({(ep.method, ep.path) for ep in self.facade.endpoints})
        self.unsupported = sorted({(ep.method, ep.path) for ep in self.facade.unsupported})
        self.signer = Signer(self.clock)
        self.loop = asyncio.new_event_loop()
        transport = httpx.ASGITransport(app=self.facade.app)
        self.client = httpx.AsyncClient(transport=transport, base_url="http://sim")


_WORLD: _World | None = None


def _world() -> _World:
    global _WORLD
    if _WORLD is None:
        _WORLD = _World()
    return _WORLD


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, str, dict[str, Any], bytes | None, bool, bool]:
    world = _world()
    kind = draw(st.sampled_from(["served"] * 6 + ["unsupported", "junk"]))
    if kind != "junk":
        method, template = draw(st.sampled_from(world.served if kind == "served" else world.unsupported))
        method = draw(st.sampled_from([method] * 6 + ["GET", "POST", "PUT"]))
        path = _fill(template, draw(st.lists(_param_text, min_size=3, max_size=3)))
    else:
        method = draw(st.sampled_from(["GET", "POST", "DELETE", "PUT", "OPTIONS"]))
        path = "/api/" + "/".join(quote(s, safe="") for s in draw(st.lists(st.text(max_size=8), max_size=4)))
    query = draw(st.dictionaries(st.sampled_from(_QUERY_KEYS) | st.text(max_size=4), _param_text, max_size=4))
    body_kind = draw(st.sampled_from(["none", "order", "json", "bytes"]))
    body: bytes | None
    if body_kind == "none":
        body = None
    elif body_kind == "order":
        body = json.dumps(draw(_order_like)).encode()
    elif body_kind == "json":
        body = json.dumps(draw(_json)).encode()
    else:
        body = draw(st.binary(max_size=40))
    usually = st.sampled_from([True, True, True, False])
    return method, path, query, body, draw(usually), draw(usually)


async def _send(
    world: _World,
    method: str,
    path: str,
    query: dict[str, Any],
    body: bytes | None,
    signed: bool,
    as_json: bool,
) -> httpx.Response:
    target = path + ("?" + urlencode(query) if query else "")
    headers: dict[str, str] = {}
    if signed:
        headers = world.signer.headers(method, target, (body or b"").decode("utf-8", "replace"))
    if body is not None:
        headers["Content-Type"] = "application/json" if as_json else "text/plain"
    return await world.client.request(method, target, content=body, headers=headers)


@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "400")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(requests())
def test_any_request_gets_a_kucoin_error_code_never_a_500(
    request: tuple[str, str, dict[str, Any], bytes | None, bool, bool],
) -> None:
    world = _world()
    response = world.loop.run_until_complete(_send(world, *request))
    assert response.status_code != 500, response.text
    payload = response.json()
    assert isinstance(payload, dict) and re.fullmatch(r"\d{6}", payload["code"]), payload
    assert payload["code"] != "500000", payload
    event(f"code {payload['code']}")  # --hypothesis-show-statistics shows how deep the fuzz got
    if payload["code"] == "200000":
        assert response.status_code == 200 and "data" in payload
    else:
        assert set(payload) == {"code", "msg"} and isinstance(payload["msg"], str)
        assert "Traceback" not in payload["msg"]
