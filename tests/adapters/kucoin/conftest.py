"""Shared pieces for the KuCoin adapter tests: spec examples, a respx router as transport,
and an exchange factory that never touches the network."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from adapters.kucoin import KucoinCredentials, KucoinExchange
from exchanges import ManualClock, RateLimitRegistry

BASE = "https://api.kucoin.com"
SPEC_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "kucoin-spec"
FIXTURES = Path(__file__).with_name("fixtures") / "spec_examples.json"
KEY = "key-6705f5c311545b000157d3eb"
SECRET = "secret-f03a5284-5c39-4aaa-9b20-dea10bdcf8e3"
PASSPHRASE = "passphrase-Tr0ub4dor&3"
SERVER_TIME = 1_700_000_000_000


def unescape(text: str | None) -> Any:
    """The spec stores example bodies as escaped JSON text (a few are not valid: ``None``)."""
    if not text:
        return None
    try:
        return json.loads(json.loads('"' + text + '"'))
    except ValueError:
        return None


def load_spec_examples() -> dict[str, dict[str, Any]]:
    """``"METHOD /path"`` -> ``{"request": ..., "response": ...}`` from the spec files."""
    out: dict[str, dict[str, Any]] = {}
    for file in sorted((SPEC_DIR / "rest").glob("openapi-*.json")):
        spec = json.loads(file.read_text())
        for path, operations in spec["paths"].items():
            for method, op in operations.items():
                if op.get("x-domain") != "Spot":
                    continue
                out[f"{method.upper()} {path}"] = {
                    "request": unescape(op.get("x-request-example")),
                    "response": unescape(op.get("x-response-example")),
                }
    return out


def _examples() -> dict[str, dict[str, Any]]:
    if SPEC_DIR.is_dir():
        return load_spec_examples()
    checked_in: dict[str, dict[str, Any]] = json.loads(FIXTURES.read_text())
    return checked_in


EXAMPLES = _examples()


def example(method: str, path: str) -> Any:
    """The spec's example response body for an endpoint (checked-in copy without ../shared)."""
    return json.loads(json.dumps(EXAMPLES[f"{method} {path}"]["response"]))


def ok(data: Any, **headers: str) -> httpx.Response:
    return httpx.Response(200, json={"code": "200000", "data": data}, headers=headers)


def fail(code: str, msg: str, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, json={"code": code, "msg": msg}, headers=headers)


def new_router() -> respx.Router:
    router = respx.Router(base_url=BASE, assert_all_called=False)
    router.get("/api/v1/timestamp", name="timestamp").mock(return_value=ok(SERVER_TIME))
    return router


def credentials() -> KucoinCredentials:
    return KucoinCredentials(KEY, SECRET, PASSPHRASE)


def make_exchange(router: respx.Router, *, creds: bool = True, **options: Any) -> KucoinExchange:
    options.setdefault("reconcile_delay", 0.0)
    options.setdefault("max_read_retries", 0)  # (tests of read retries ask for them)
    options.setdefault("registry", RateLimitRegistry())
    return KucoinExchange(
        credentials() if creds else None,
        transport=httpx.MockTransport(router.async_handler),
        **options,
    )


@pytest.fixture
def router() -> respx.Router:
    return new_router()


@pytest.fixture
async def ex(router: respx.Router) -> AsyncIterator[KucoinExchange]:
    exchange = make_exchange(router, clock=ManualClock(SERVER_TIME))
    yield exchange
    await exchange.close()


MarketsFactory = Callable[[respx.Router], None]


def mock_markets(router: respx.Router) -> None:
    """BTC/USDT with the spec's increments, and ETH/USDT."""
    btc = example("GET", "/api/v2/symbols")["data"][0]
    eth = dict(btc, symbol="ETH-USDT", name="ETH-USDT", baseCurrency="ETH", priceIncrement="0.01")
    router.get("/api/v2/symbols", name="symbols").mock(return_value=ok([btc, eth]))
