"""The Binance dialect's ``/sim/ws`` control paths, served on a loopback socket with a bare
aiohttp client (not the adapter): off unless asked for; sockets and subscriptions counted;
a disconnect closes market-stream and WebSocket API sockets alike and ends their
subscriptions; a lost diff-depth event leaves exactly one hole in the update ids."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import aiohttp
import httpx
import pytest

from exchanges import ManualClock
from simulator.binance.app import BinanceFacade
from simulator.binance.build import build_facade
from simulator.binance.config import ConfigError, config_from_mapping
from simulator.binance.protocol import BinanceHttpProtocol
from simulator.kucoin.server import serving
from simulator.venue import OrderParams, Venue

from .conftest import KEY, MAKER, SECRET, config

DEADLINE_S = 10.0
_prices = itertools.count(64_100)


@asynccontextmanager
async def served(facade: BinanceFacade) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """The facade on a loopback socket: an HTTP client on it, and its ``ws://`` base."""
    async with serving(facade.app, http=BinanceHttpProtocol) as url, httpx.AsyncClient(base_url=url) as http:
        yield http, "ws" + url.removeprefix("http")


async def state(http: httpx.AsyncClient) -> dict[str, Any]:
    answer = await http.get("/sim/ws")
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


async def until(check: Callable[[], Awaitable[bool]], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not await check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.01)


async def topics(http: httpx.AsyncClient, n: int) -> None:
    async def reached() -> bool:
        return bool((await state(http))["topics"] == n)

    await until(reached, f"{n} topics")


async def frame(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    message = await asyncio.wait_for(ws.receive(), DEADLINE_S)
    assert message.type is aiohttp.WSMsgType.TEXT, f"the socket ended: {message.type.name}"
    found: dict[str, Any] = json.loads(message.data)
    return found


async def depth_after(venue: Venue, ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    """A new bid level (a change of the book), then the diff-depth event that brings it."""
    price = Decimal(next(_prices))
    venue.place_order(MAKER, OrderParams(symbol="BTC-USDT", side="buy", price=str(price), size="0.01"))
    while True:
        data = (await frame(ws))["data"]
        if any(Decimal(p) == price for p, _ in data["b"]):
            return dict(data)


def subscribe_request(clock: ManualClock) -> str:
    params: dict[str, Any] = {"apiKey": KEY, "timestamp": clock.now_ms()}
    payload = "&".join(f"{k}={v}" for k, v in sorted(params.items())).encode()
    params["signature"] = hmac.new(SECRET.encode(), payload, hashlib.sha256).hexdigest()
    return json.dumps({"id": "sub", "method": "userDataStream.subscribe.signature", "params": params})


async def test_the_control_paths_are_off_unless_asked_for(facade: BinanceFacade) -> None:
    async with served(facade) as (http, _):
        answer = await http.get("/sim/ws")
        assert answer.status_code == 404 and answer.json()["code"] == -1000
        assert (await http.post("/sim/ws/disconnect")).status_code == 404


async def test_a_disconnect_closes_every_socket_and_ends_their_subscriptions(
    venue: Venue, clock: ManualClock
) -> None:
    facade = build_facade(venue, config(control=True))
    async with served(facade) as (http, ws_base), aiohttp.ClientSession() as session:
        assert await state(http) == {"topics": 0, "connections": []}
        market = await session.ws_connect(f"{ws_base}/stream?streams=btcusdt@trade/btcusdt@depth@100ms")
        api = await session.ws_connect(f"{ws_base}/ws-api/v3")
        await api.send_str(subscribe_request(clock))
        assert (await frame(api))["result"] == {"subscriptionId": 0}
        await topics(http, 3)
        kinds = {c["kind"]: c["topics"] for c in (await state(http))["connections"]}
        assert kinds == {"streams": ["btcusdt@depth@100ms", "btcusdt@trade"], "api": ["userData:0"]}

        assert (await http.post("/sim/ws/disconnect")).json() == {"disconnected": 2}
        assert await state(http) == {"topics": 0, "connections": []}  # (at once, not when they go)
        for ws in (market, api):
            message = await asyncio.wait_for(ws.receive(), DEADLINE_S)
            assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
        assert not facade.user_feed_listening("10001")


async def test_one_socket_is_disconnected_by_its_id(venue: Venue) -> None:
    facade = build_facade(venue, config(control=True))
    async with served(facade) as (http, ws_base), aiohttp.ClientSession() as session:
        kept = await session.ws_connect(f"{ws_base}/ws/btcusdt@trade")
        cut = await session.ws_connect(f"{ws_base}/ws/ethusdt@trade")
        await topics(http, 2)
        ids = {c["topics"][0]: c["id"] for c in (await state(http))["connections"]}
        answer = await http.post("/sim/ws/disconnect", json={"connection": ids["ethusdt@trade"]})
        assert answer.json() == {"disconnected": 1}
        message = await asyncio.wait_for(cut.receive(), DEADLINE_S)
        assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
        assert [c["id"] for c in (await state(http))["connections"]] == [ids["btcusdt@trade"]]
        assert not kept.closed
        await kept.close()


async def test_a_lost_depth_event_leaves_one_hole_in_the_update_ids(venue: Venue) -> None:
    facade = build_facade(venue, config(control=True))
    async with served(facade) as (http, ws_base), aiohttp.ClientSession() as session:
        ws = await session.ws_connect(f"{ws_base}/stream?streams=btcusdt@depth@100ms")
        await topics(http, 1)
        before = await depth_after(venue, ws)
        first = await depth_after(venue, ws)
        assert first["U"] == before["u"] + 1  # (unbroken while no fault is set)

        other = await http.post("/sim/ws/faults", json={"skip_sequence": 1, "symbol": "ETHUSDT"})
        assert other.json() == {"reached": 0}  # (no socket carries ETHUSDT's depth)
        armed = await http.post("/sim/ws/faults", json={"skip_sequence": 1, "symbol": "BTCUSDT"})
        assert armed.json() == {"reached": 1}
        assert facade.ws is not None
        conn = next(iter(facade.ws.hub.connections.values()))
        venue.place_order(MAKER, OrderParams(symbol="BTC-USDT", side="buy", price="64050", size="0.01"))

        async def lost() -> bool:
            return conn.losing.get("btcusdt@depth@100ms") == 0

        await until(lost, "the event to be lost")
        after = await depth_after(venue, ws)
        assert after["U"] > first["u"] + 1, "no hole in the update ids"
        assert (await depth_after(venue, ws))["U"] == after["u"] + 1  # (one event lost, no more)
        await ws.close()


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"{", "the body is not JSON"),
        (b"[]", "the body must be a JSON object"),
        (b'{"skip_sequence": 0}', "skip_sequence: expected a positive integer"),
        (b'{"skip_sequence": true}', "skip_sequence: expected a positive integer"),
        (b'{"drop": 1}', "unknown field(s) drop"),
        (b'{"skip_sequence": 1, "symbol": 5}', "symbol: expected"),
        (b'{"skip_sequence": 1, "connection": 5}', "connection: expected"),
    ],
)
async def test_bad_faults_are_refused_saying_why(venue: Venue, body: bytes, error: str) -> None:
    facade = build_facade(venue, config(control=True))
    transport = httpx.ASGITransport(app=facade.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as http:
        answer = await http.post("/sim/ws/faults", content=body)
        assert answer.status_code == 400 and error in answer.json()["error"]


def test_control_comes_from_the_configuration_file() -> None:
    assert config_from_mapping({"control": True}).control
    assert not config_from_mapping({}).control
    with pytest.raises(ConfigError, match="control: expected true or false"):
        config_from_mapping({"control": "yes"})
