"""Five refusals at the bridge's door and before the venue, each with the paper
exchange and with the KuCoin adapter on the simulator's KuCoin server behind the bridge: a
replayed delivery, a forged signature, a stale (or future) timestamp, an order over the cap,
a pair off the allowlist. Nothing reaches the venue for any of them."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from exchanges import Exchange

from .conftest import SECRETS, config, headers, order, running
from .kucoin_sim import opener, sim_app

Opener = Callable[[], Exchange] | None


@pytest.fixture(params=["paper", "kucoin"])
def venue(request: pytest.FixtureRequest) -> Opener:
    """The exchange behind the bridge: ``None`` is the configuration's (paper)."""
    if request.param == "paper":
        return None
    return opener(httpx.ASGITransport(app=sim_app()))


async def test_a_replayed_delivery_is_refused_and_places_nothing(tmp_path: Path, venue: Opener) -> None:
    async with running(config(tmp_path), venue) as s:
        payload = json.dumps(order("s1")).encode()
        signed = headers("tv", payload)
        first = await s.client.post("/signal", content=payload, headers=signed)
        again = await s.client.post("/signal", content=payload, headers=signed)
        assert first.status_code == 200 and again.status_code == 409
        assert again.json() == {
            "error": {
                "code": "replayed",
                "message": "this delivery (its signature) was received before: a replay is refused",
            }
        }
        assert await s.orders_on_venue(first.json()["signal"]["client_order_id"]) == 1
        assert [e.kind for e in s.bridge.audit.events() if e.kind == "replayed"] == ["replayed"]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"secret": "not-the-secret-0123456789"}, "bad_signature"),
        ({"secret": SECRETS["voc"]}, "bad_signature"),  # another source's secret
    ],
)
async def test_a_forged_signature_is_refused_and_audited_without_secrets(
    tmp_path: Path, venue: Opener, change: dict[str, Any], code: str
) -> None:
    async with running(config(tmp_path), venue) as s:
        response = await s.post("/signal", order("s1"), **change)
        assert response.status_code == 401 and response.json()["error"]["code"] == code
        assert await s.exchange.fetch_open_orders() == []
        [event] = s.bridge.audit.events()
        assert (event.kind, event.source, event.signal_id) == ("refused", None, None)
        assert event.data["status"] == 401 and event.data["error"]["code"] == code
        assert event.data["claimed_source"] == "tv" and event.data["path"] == "/signal"
        assert s.bridge.audit.signal("tv", "s1") is None  # (no signal: nothing to re-judge)
    files = [tmp_path / name for name in ("audit.db", "audit.db-wal")]
    stored = b"".join(f.read_bytes() for f in files if f.exists())
    assert not any(secret.encode() in stored for secret in (*SECRETS.values(), change["secret"]))


@pytest.mark.parametrize(("offset_ms", "code"), [(-31_000, "stale"), (31_000, "from_the_future")])
async def test_stale_and_future_timestamps_are_refused(
    tmp_path: Path, venue: Opener, offset_ms: int, code: str
) -> None:
    async with running(config(tmp_path), venue) as s:
        response = await s.post("/signal", order("s1"), stamp=int(time.time() * 1000) + offset_ms)
        assert response.status_code == 401 and response.json()["error"]["code"] == code
        assert "30000 ms window" in response.json()["error"]["message"]
        assert await s.exchange.fetch_open_orders() == []


async def test_an_over_cap_order_is_refused_before_anything_is_sent(tmp_path: Path, venue: Opener) -> None:
    async with running(config(tmp_path), venue) as s:
        response = await s.signal("big", size="0.004")  # 120 USDT against a cap of 100
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["code"] == "risk_limit"
        assert error["message"] == "order notional 120 USDT is over the cap of 100 USDT per order"
        assert response.json()["signal"]["error"] == {"code": "risk_limit", "message": error["message"]}
        assert response.json()["signal"]["venue_error"] is None  # (the bridge refused, not the venue)
        assert response.json()["signal"]["state"] == "rejected"
        assert await s.exchange.fetch_open_orders() == []
        state = await s.state("big")
        assert state["state"] == "rejected" and state["reason"] == error["message"]
        # a re-delivery gets the same answer, and still sends nothing
        again = await s.signal("big", size="0.004")
        assert again.status_code == 422 and again.json()["duplicate"] is True


async def test_a_pair_off_the_allowlist_is_forbidden(tmp_path: Path, venue: Opener) -> None:
    async with running(config(tmp_path), venue) as s:
        response = await s.signal("e1", symbol="ETH/USDT", price="1000", size="0.01")
        assert response.status_code == 403
        assert response.json()["error"] == {
            "code": "pair_not_allowed",
            "message": "ETH/USDT is not on source tv's allowlist",
            "field": "symbol",
        }
        unknown = await s.signal("e2", symbol="DOGE/USDT")
        assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "unknown_pair"
        assert await s.exchange.fetch_open_orders() == []
