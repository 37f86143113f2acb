"""Whatever a client sends, the facade answers with a KuCoin error code, never a 500.

Hypothesis draws methods, paths (served templates with odd parameters, KuCoin paths the
simulator does not serve, and junk), query strings and bodies (JSON objects with KuCoin's
field names and wild values, or raw bytes); about half the requests are properly signed so
that they get past the gateway into the handlers and the venue, and some have an
authentication header swapped for junk bytes. Numbers come in the spellings Python reads but a
wire format does not (``--5``, ``²``, ``1_0``, Arabic-Indic digits, spaces). No answer may be a
5xx or show a Python repr. ``FUZZ_EXAMPLES=5000`` runs a longer search than the default.
"""

from __future__ import annotations

import asyncio
import itertools
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
#: Numbers as Python's int(), Decimal() or str.isdigit() take them but no wire format spells them.
_ODD_NUMBERS = ["--5", "²", "¹²", "١٢", "１２", "1_0", "+1", " 1", "1 ", "-", "0x1", "1e3", "-0", "5."]
_WORDS = [
    "BTC-USDT", "ETH-USDT", "buy", "sell", "limit", "market", "GTT", "IOC", "FOK", "DC", "CN", "0.01",
    "65000", "1e9", "-1", "0", "NaN", "1e999999", "", " ", "TRADE", "loss", "entry", *_ODD_NUMBERS,
]  # fmt: skip
#: Authentication headers a request may have swapped for junk, and the junk (raw header bytes).
_AUTH_HEADERS = ["KC-API-TIMESTAMP", "KC-API-KEY-VERSION", "KC-API-PASSPHRASE", "KC-API-SIGN", "KC-API-KEY"]
_HEADER_JUNK = [w.encode() for w in _ODD_NUMBERS] + [b"\xb2", b"\xb9\xb2\xb3", b"\xff", b"1" * 40, b"2 ", b""]
#: Python reprs that must never reach a client.
_REPRS = re.compile(r"Decimal\(|Traceback|<class |object at 0x")

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
    st.sampled_from(["BTC-USDT", "abc", "vs123", "20", "100", "0", "BTC", *_ODD_NUMBERS]),
    st.text(max_size=10),
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
        self._readers: list[tuple[str, str, dict[str, str]]] | None = None
        self.client_oids = itertools.count()

    def number_readers(self) -> list[tuple[str, str, dict[str, str]]]:
        """The served paths that read a numeric parameter, with the query that gets them there:
        each is asked with every numeric parameter spelled ``x``, and kept if the refusal names one."""
        if self._readers is None:
            named = re.compile(rf"({'|'.join(_INT_QUERY + _DECIMAL_QUERY + _NUMERIC_BODY)}) is invalid")
            body = json.dumps({**_ORDER, "clientOid": "probe", **dict.fromkeys(_NUMERIC_BODY, "x")}).encode()
            self._readers = []
            for method, template in self.served:
                for base in _QUERIES:
                    query = {**base, **dict.fromkeys(_INT_QUERY + _DECIMAL_QUERY, "x")}
                    sent = body if method == "POST" else None
                    probe = _send(self, method, _path(template), query, sent, True, True, None)
                    if named.match(self.loop.run_until_complete(probe).json().get("msg", "")):
                        self._readers.append((method, template, base))
                        break
        return self._readers


_WORLD: _World | None = None


def _world() -> _World:
    global _WORLD
    if _WORLD is None:
        _WORLD = _World()
    return _WORLD


@st.composite
def requests(
    draw: st.DrawFn,
) -> tuple[str, str, dict[str, Any], bytes | None, bool, bool, tuple[str, bytes] | None]:
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
    junk = draw(st.none() | st.tuples(st.sampled_from(_AUTH_HEADERS), st.sampled_from(_HEADER_JUNK)))
    return method, path, query, body, draw(usually), draw(usually), junk


async def _send(
    world: _World,
    method: str,
    path: str,
    query: dict[str, Any],
    body: bytes | None,
    signed: bool,
    as_json: bool,
    junk: tuple[str, bytes] | None,
) -> httpx.Response:
    target = path + ("?" + urlencode(query) if query else "")
    headers: dict[bytes, bytes] = {}
    if signed:
        text = (body or b"").decode("utf-8", "replace")
        headers = {k.encode(): v.encode() for k, v in world.signer.headers(method, target, text).items()}
    if junk is not None:
        headers[junk[0].encode()] = junk[1]
    if body is not None:
        headers[b"Content-Type"] = b"application/json" if as_json else b"text/plain"
    return await world.client.request(method, target, content=body, headers=headers)


def _check(response: httpx.Response) -> None:
    """A KuCoin answer: below 500, a six-digit code, no Python repr in the text."""
    assert response.status_code < 500, response.text
    assert not _REPRS.search(response.text), response.text
    payload = response.json()
    assert isinstance(payload, dict) and re.fullmatch(r"\d{6}", payload["code"]), payload
    assert payload["code"] != "500000", payload
    event(f"code {payload['code']}")  # --hypothesis-show-statistics shows how deep the fuzz got
    if payload["code"] == "200000":
        assert response.status_code == 200 and "data" in payload
    else:
        assert set(payload) == {"code", "msg"} and isinstance(payload["msg"], str)


_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "400"))


@settings(max_examples=_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests())
def test_any_request_gets_a_kucoin_error_code_never_a_500(
    request: tuple[str, str, dict[str, Any], bytes | None, bool, bool, tuple[str, bytes] | None],
) -> None:
    world = _world()
    _check(world.loop.run_until_complete(_send(world, *request)))


# --- mutated numbers, sent to the paths that read them ----------------------------------------

_INT_QUERY = ["startAt", "endAt", "lastId", "limit", "currentPage", "pageSize", "pageNum"]
_DECIMAL_QUERY = ["cancelSize"]
_NUMERIC_BODY = [
    "price", "size", "funds", "visibleSize", "stopPrice", "cancelAfter", "newPrice", "newSize", "timeout",
    "clientTimestamp", "allowMaxTimeWindow",
]  # fmt: skip
#: What a mutation inserts or substitutes: signs, separators, spaces, and other scripts' digits.
_MUTANTS = ["²", "¹", "³", "⁵", "١", "٣", "۴", "१", "１", "٫", *"-+_. \t\u00a0eEx0"]


_QUERIES = [{"symbol": "BTC-USDT"}, {"symbol": "BTC-USDT", "type": "1min"}]  # (klines need a type)
_ORDER = {"symbol": "BTC-USDT", "side": "buy", "type": "limit", "price": "60000", "size": "0.001"}
_PLAIN_NUMBERS = ["5", "20", "0.001", "65000", "-1", "0", "-0.5", "1700000000000", "100"]


def _path(template: str) -> str:
    """A served template filled the way its handler finds something: the symbol where one goes."""
    return _fill(template, ["BTC-USDT", "x", "x"] if "{symbol}" in template else ["x", "BTC-USDT", "x"])


@st.composite
def _number(draw: st.DrawFn, plain: tuple[str, ...] = tuple(_PLAIN_NUMBERS), least: int = 0) -> str:
    """A plain number (some zero or negative, for the venue's own checks) with a few characters
    inserted or replaced (at least ``least``)."""
    text = draw(st.sampled_from(plain))
    for _ in range(draw(st.sampled_from([least, least, least + 1, least + 2]))):
        at = draw(st.integers(0, len(text)))
        char = draw(st.sampled_from(_MUTANTS))
        text = text[:at] + char + text[at + draw(st.integers(0, 1)) :]  # insert, or replace one
    return text


@st.composite
def _numeric_requests(draw: st.DrawFn) -> tuple[str, str, dict[str, Any], bytes | None, bool, bool, Any]:
    """A signed request to a served path that reads numbers, with every numeric query parameter
    and one body field mutated (or left plain), and now and then a mutated timestamp."""
    world = _world()
    method, template, base = draw(st.sampled_from(world.number_readers()))
    query = {**base, **{name: draw(_number()) for name in _INT_QUERY + _DECIMAL_QUERY}}
    numbers = {draw(st.sampled_from(_NUMERIC_BODY)): draw(_number())}
    order = {**_ORDER, "clientOid": f"m-{next(world.client_oids)}", **numbers}  # never a duplicate
    body = json.dumps(order).encode() if method == "POST" else None
    bad_timestamp = None
    if draw(st.sampled_from([False, False, False, True])):
        sent = draw(_number((str(world.clock.now_ms()),), least=1))
        bad_timestamp = ("KC-API-TIMESTAMP", sent.encode("latin-1", "replace"))  # bytes on the wire
    return method, _path(template), query, body, True, True, bad_timestamp


@settings(max_examples=_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_numeric_requests())
def test_mutated_numbers_get_a_kucoin_error_code_never_a_500(
    request: tuple[str, str, dict[str, Any], bytes | None, bool, bool, tuple[str, bytes] | None],
) -> None:
    world = _world()
    _check(world.loop.run_until_complete(_send(world, *request)))
