"""``GET /sapi/v1/account/apiRestrictions`` served from the key's configuration: its
permissions (Binance's own flags), its IP whitelist (``ipRestrict``, and enforced) and its
creation time; the served shape held to the spec's when ``../shared`` is present."""

from __future__ import annotations

import hashlib
import hmac
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from simulator.binance.build import build_facade
from simulator.binance.config import (
    KEY_PERMISSIONS,
    AccountConfig,
    ApiKey,
    BinanceConfig,
    ConfigError,
    config_from_mapping,
)
from simulator.venue import Venue

from .conftest import UID, Signer

SPEC = Path(__file__).resolve().parents[3].parent / "shared" / "binance-spec" / "spot_api.yaml"
PATH = "/sapi/v1/account/apiRestrictions"
CREATED = 1_650_000_000_000


async def restrictions(venue: Venue, key: ApiKey, signer: Signer) -> httpx.Response:
    account = AccountConfig(uid=UID, balances={"USDT": Decimal(100)}, keys=(key,))
    facade = build_facade(venue, BinanceConfig(accounts=(account,)))
    transport = httpx.ASGITransport(app=facade.app)  # (its client address is 127.0.0.1)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
        signer.secret = key.secret or ""
        return await client.get(f"{PATH}?{signer.query()}", headers={"X-MBX-APIKEY": key.key})


async def test_a_read_only_whitelisted_key_is_served_as_configured(venue: Venue, signer: Signer) -> None:
    key = ApiKey(
        key="ro-key",
        secret="ro-secret",
        permissions=frozenset({"enableReading"}),
        ip_whitelist=("127.0.0.1", "10.0.0.0/8"),
        created_at=CREATED,
    )
    response = await restrictions(venue, key, signer)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ipRestrict"] is True and body["createTime"] == CREATED
    assert [name for name in KEY_PERMISSIONS if body[name]] == ["enableReading"]


async def test_a_loose_key_shows_every_permission_and_no_restriction(venue: Venue, signer: Signer) -> None:
    key = ApiKey(key="all-key", secret="all-secret", permissions=KEY_PERMISSIONS, created_at=CREATED)
    body = (await restrictions(venue, key, signer)).json()
    assert body["ipRestrict"] is False
    assert all(body[name] is True for name in KEY_PERMISSIONS)
    assert body["enableWithdrawals"] is True and body["enableInternalTransfer"] is True


async def test_a_key_whitelisted_elsewhere_is_refused_from_here(venue: Venue, signer: Signer) -> None:
    key = ApiKey(key="far-key", secret="far-secret", ip_whitelist=("203.0.113.7",))
    response = await restrictions(venue, key, signer)
    assert response.status_code == 401
    assert response.json() == {"code": -2015, "msg": "Invalid API-key, IP, or permissions for action."}


def test_the_default_key_reads_and_trades_only() -> None:
    key = ApiKey(key="k", secret="s")
    assert key.permissions == {"enableReading", "enableSpotAndMarginTrading"} and key.can_trade
    assert not ApiKey(key="k", secret="s", permissions=frozenset({"enableReading"})).can_trade


def test_keys_from_toml_take_the_same_fields() -> None:
    entry: dict[str, Any] = {
        "key": "t",
        "secret": "s",
        "permissions": ["enableReading", "enableWithdrawals"],
        "ip_whitelist": ["127.0.0.1"],
        "created_at": CREATED,
    }
    key = config_from_mapping({"accounts": [{"keys": [entry]}]}).accounts[0].keys[0]
    assert (key.permissions, key.ip_whitelist, key.created_at) == (
        frozenset({"enableReading", "enableWithdrawals"}),
        ("127.0.0.1",),
        CREATED,
    )
    legacy = config_from_mapping({"accounts": [{"keys": [{"key": "t", "secret": "s", "can_trade": False}]}]})
    assert legacy.accounts[0].keys[0].permissions == {"enableReading"}
    with pytest.raises(ConfigError, match=r"unknown API key permission.*enableMagic"):
        config_from_mapping({"accounts": [{"keys": [{**entry, "permissions": ["enableMagic"]}]}]})
    with pytest.raises(ConfigError, match="bad IP whitelist entry 'nowhere'"):
        config_from_mapping({"accounts": [{"keys": [{**entry, "ip_whitelist": ["nowhere"]}]}]})


def _schema() -> tuple[dict[str, dict[str, Any]], list[str]]:
    """The 200 answer's properties (type, example) and required names, read from the spec's
    YAML block for the path (plain ``name:``/``type:``/``example:`` lines, no YAML library)."""
    if not SPEC.exists():
        pytest.skip("../shared/binance-spec is absent (a fresh clone): no spec to hold the shape to")
    lines = SPEC.read_text().splitlines()
    start = lines.index(f"  {PATH}:")
    block = lines[start + 1 : next(i for i in range(start + 1, len(lines)) if lines[i].startswith("  /"))]
    at = next(i for i, line in enumerate(block) if line.strip() == "properties:")
    indent = len(block[at + 1]) - len(block[at + 1].lstrip())
    properties: dict[str, dict[str, Any]] = {}
    required: list[str] = []
    name = ""
    in_required = False
    for line in block[at + 1 :]:
        depth = len(line) - len(line.lstrip())
        text = line.strip()
        if depth < indent:
            in_required = text == "required:"
            if not in_required:
                break
        elif in_required:
            required.append(text.removeprefix("- "))
        elif depth == indent:
            name = text.rstrip(":")
            properties[name] = {}
        elif text.split(": ", 1)[0] in ("type", "example"):
            field, value = text.split(": ", 1)
            properties[name][field] = {"true": True, "false": False}.get(value, value)
    for p in properties.values():
        if p.get("type") == "integer" and "example" in p:
            p["example"] = int(p["example"])
    return properties, required


async def test_the_served_shape_is_the_specs_example(venue: Venue, signer: Signer) -> None:
    properties, required = _schema()
    example = {name: p["example"] for name, p in properties.items() if "example" in p}
    # the spec's example, read as a key's configuration, comes back as it is
    key = ApiKey(
        key="k",
        secret="s",
        permissions=frozenset(n for n in KEY_PERMISSIONS if example.get(n) is True),
        created_at=example["createTime"],
    )
    body = (await restrictions(venue, key, signer)).json()
    assert len(required) == 11 and set(required) <= set(body) <= set(properties)
    python_type = {"boolean": bool, "integer": int}
    for name, value in body.items():
        assert type(value) is python_type[properties[name]["type"]], name
    expires = "tradingAuthorityExpirationTime"  # (no expiry is configured: 0)
    assert {k: body[k] for k in example if k != expires} == {k: v for k, v in example.items() if k != expires}


def _ws_signed(method: str, key: ApiKey, now: int) -> str:
    params: dict[str, Any] = {"apiKey": key.key, "timestamp": now}
    payload = "&".join(f"{k}={v}" for k, v in sorted(params.items())).encode()
    params["signature"] = hmac.new((key.secret or "").encode(), payload, hashlib.sha256).hexdigest()
    return json.dumps({"id": method, "method": method, "params": params})


@pytest.mark.parametrize("method", ["account.status", "session.logon", "userDataStream.subscribe.signature"])
async def test_the_whitelist_holds_on_the_websocket_api_too(venue: Venue, method: str) -> None:
    far = ApiKey(key="far-key", secret="far-secret", ip_whitelist=("203.0.113.7",))
    near = ApiKey(key="near-key", secret="near-secret", ip_whitelist=("127.0.0.0/8",))
    account = AccountConfig(uid=UID, balances={"USDT": Decimal(100)}, keys=(far, near))
    facade = build_facade(venue, BinanceConfig(accounts=(account,)))
    assert facade.ws is not None
    session = facade.ws.sessions.connect("127.0.0.1")
    session.handle(_ws_signed(method, far, venue.now))
    refused = json.loads(session.queue.get_nowait() or "")
    assert refused["status"] == 401
    assert refused["error"] == {"code": -2015, "msg": "Invalid API-key, IP, or permissions for action."}
    session.handle(_ws_signed(method, near, venue.now))
    assert json.loads(session.queue.get_nowait() or "")["status"] == 200
