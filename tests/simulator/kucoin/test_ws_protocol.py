"""The WebSocket server's protocol (NOTES 9): tokens, welcome, ping/pong and KuCoin's timing,
subscribe and unsubscribe with acks and errors, and the limits (NOTES 6), on a real socket."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import aiohttp
import pytest

from exchanges import ManualClock
from simulator.kucoin.app import KucoinFacade
from simulator.kucoin.build import build_facade
from simulator.kucoin.config import FacadeConfig
from simulator.kucoin.server import serving
from simulator.kucoin.ws_settings import WsLimits
from simulator.venue import Venue

from .conftest import account_config
from .helpers import Signer
from .ws_client import WsClient, bullet, connected


def _facade(venue: Venue, **limits: object) -> KucoinFacade:
    config = FacadeConfig(accounts=(account_config(),), ws_limits=WsLimits(**limits))  # type: ignore[arg-type]
    return build_facade(venue, config)


@pytest.fixture
async def url(venue: Venue) -> AsyncIterator[str]:
    async with serving(_facade(venue).app) as base:
        yield base


async def test_the_bullet_paths_point_at_this_server_with_kucoins_timing(url: str, signer: Signer) -> None:
    public = await bullet(url)
    private = await bullet(url, signer)
    for token in (public, private):
        (server,) = token["instanceServers"]
        assert server == {
            "endpoint": url.replace("http://", "ws://") + "/ws",
            "encrypt": False,
            "protocol": "websocket",
            "pingInterval": 18000,
            "pingTimeout": 10000,
        }
    assert public["token"] != private["token"]


async def test_welcome_then_pong_with_the_ping_id(url: str) -> None:
    async with connected(url, connect_id="c-42") as ws:  # (checks the welcome names c-42)
        await ws.send({"id": "p-1", "type": "ping"})
        assert await ws.recv() == {"id": "p-1", "type": "pong"}


@pytest.mark.parametrize("token", ["", "not-a-token"])
async def test_an_unknown_token_is_refused_then_closed(url: str, token: str) -> None:
    endpoint = url.replace("http://", "ws://") + f"/ws?token={token}&connectId=x1"
    async with aiohttp.ClientSession() as session, session.ws_connect(endpoint) as socket:
        frames = await WsClient(socket, {}).closed()
    assert frames == [{"id": "x1", "type": "error", "code": 401, "data": "token is invalid"}]


async def test_an_expired_token_is_refused(venue: Venue, clock: ManualClock) -> None:
    async with serving(_facade(venue, token_ttl_s=60).app) as base:
        token = await bullet(base)
        clock.advance(61)
        endpoint = f"{token['instanceServers'][0]['endpoint']}?token={token['token']}&connectId=x2"
        async with aiohttp.ClientSession() as session, session.ws_connect(endpoint) as socket:
            frames = await WsClient(socket, {}).closed()
    assert [f["code"] for f in frames] == [401]


async def test_subscribe_and_unsubscribe_are_acknowledged(url: str) -> None:
    async with connected(url) as ws:
        await ws.send(
            {"id": "s1", "type": "subscribe", "topic": "/market/ticker:BTC-USDT,ETH-USDT", "response": True}
        )
        assert await ws.until("ack") == {"id": "s1", "type": "ack"}
        answer = await ws.request("unsubscribe", "/market/ticker:ETH-USDT")
        assert answer == {"id": answer["id"], "type": "ack"}
        await ws.send({"id": "s2", "type": "subscribe", "topic": "/market/match:BTC-USDT", "response": False})
        await ws.send({"id": "p", "type": "ping"})
        assert await ws.recv() == {"id": "p", "type": "pong"}  # (no ack came for s2)


@pytest.mark.parametrize(
    ("topic", "code"),
    [
        (None, 406),
        ("/market/ticker:", 400),
        ("/market/ticker:BTC-USDT,,ETH-USDT", 400),
        ("/market/nothing:BTC-USDT", 404),
        ("/market/ticker:DOGE-USDT", 404),
        ("/market/candles:BTC-USDT_2min", 404),
        ("/callauction/level2Depth50:BTC-USDT", 404),
        ("/contractMarket/ticker:XBTUSDM", 404),
        ("/spotMarket/tradeOrdersV2", 403),
        ("/account/balance", 403),
    ],
)
async def test_refused_subscriptions_get_kucoins_codes(url: str, topic: str | None, code: int) -> None:
    async with connected(url) as ws:
        message = {"id": "r1", "type": "subscribe", "response": True}
        if topic is not None:
            message["topic"] = topic
        await ws.send(message)
        frame = await ws.until("error")
        assert (frame["id"], frame["code"]) == ("r1", code), frame
        assert isinstance(frame["data"], str) and frame["data"]
        await ws.send({"id": "p", "type": "ping"})
        assert (await ws.recv())["type"] == "pong"  # (the connection lives on)


async def test_an_unknown_message_type_is_415(url: str) -> None:
    async with connected(url) as ws:
        await ws.send({"id": "o1", "type": "openTunnel", "newTunnelId": "bt1"})
        frame = await ws.until("error")
        assert (frame["id"], frame["code"]) == ("o1", 415)


async def test_private_topics_on_a_private_token(url: str, signer: Signer) -> None:
    async with connected(url, signer) as ws:
        for topic in ("/spotMarket/tradeOrdersV2", "/spotMarket/tradeOrders", "/account/balance"):
            await ws.subscribe(topic, private=True)
        await ws.subscribe("/spotMarket/advancedOrders", private=True)
        await ws.subscribe("/market/ticker:BTC-USDT")  # (public topics too)


async def test_at_most_100_topics_per_subscribe_and_400_per_connection(venue: Venue) -> None:
    symbols = [s.symbol for s in venue.symbols()]
    facade = _facade(venue, topics_per_subscribe=3, topics_per_connection=5)
    async with serving(facade.app) as base, connected(base) as ws:
        answer = await ws.request("subscribe", "/market/ticker:" + ",".join(symbols[:4]))
        assert (answer["type"], answer["code"]) == ("error", 509)
        assert answer["data"] == "topics exceed max limit in one request"
        await ws.subscribe("/market/ticker:" + ",".join(symbols[:3]))
        await ws.subscribe("/market/match:" + symbols[0])
        await ws.subscribe("/market/ticker:" + symbols[0])  # (already held: counts once)
        answer = await ws.request("subscribe", "/market/level2:" + ",".join(symbols[:2]))
        assert (answer["type"], answer["code"]) == ("error", 509)
        assert "per session" in answer["data"]
        await ws.subscribe("/market/level2:" + symbols[0])  # (the fifth)


async def test_kucoins_own_limits_by_default(url: str) -> None:
    async with connected(url) as ws:
        answer = await ws.request("subscribe", "/market/ticker:" + ",".join(f"S{i}-USDT" for i in range(101)))
        assert (answer["type"], answer["code"]) == ("error", 509)


async def test_too_many_client_messages_end_the_connection(venue: Venue, clock: ManualClock) -> None:
    async with serving(_facade(venue, messages_per_window=5).app) as base, connected(base) as ws:
        for i in range(5):
            await ws.send({"id": f"p{i}", "type": "ping"})
        assert [(await ws.recv())["id"] for _ in range(5)] == [f"p{i}" for i in range(5)]
        clock.advance(10)  # a new window
        for i in range(6):
            await ws.send({"id": f"q{i}", "type": "ping"})
        frames = await ws.closed()
    assert [f["id"] for f in frames[:5]] == [f"q{i}" for i in range(5)]
    assert frames[5] == {
        "id": "test-connect",
        "type": "error",
        "code": 509,
        "data": "exceed max permits per second",
    }


async def test_connections_per_user(venue: Venue, signer: Signer) -> None:
    async with serving(_facade(venue, connections_per_user=2).app) as base:
        async with connected(base, signer, connect_id="a"), connected(base, signer, connect_id="b"):
            token = await bullet(base, signer)
            endpoint = f"{token['instanceServers'][0]['endpoint']}?token={token['token']}&connectId=c"
            async with aiohttp.ClientSession() as session, session.ws_connect(endpoint) as socket:
                frames = await WsClient(socket, {}).closed()
            assert [(f["id"], f["code"]) for f in frames] == [("c", 509)]
            async with connected(base, connect_id="public"):  # (public connections are not counted)
                pass
        async with connected(base, signer, connect_id="d"):  # (the two have closed)
            pass


async def test_a_silent_client_is_dropped_after_the_ping_interval_and_timeout(
    venue: Venue, clock: ManualClock
) -> None:
    facade = _facade(venue)
    async with serving(facade.app) as base, connected(base, connect_id="quiet") as ws:
        clock.advance(20)
        await ws.send({"id": "p", "type": "ping"})  # heard at 20 s: the next deadline is 48 s
        assert (await ws.recv())["type"] == "pong"
        await asyncio.sleep(0)
        clock.advance(27.5)
        await ws.send({"id": "p2", "type": "ping"})
        assert (await ws.recv())["type"] == "pong"
        clock.advance(28)
        frames = await ws.closed()
    assert frames == [{"id": "quiet", "type": "error", "code": 400, "data": "Ping timeout"}]
    assert facade.ws.sessions == {}


async def test_the_token_never_reaches_the_log(url: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with connected(url) as ws:
        await ws.subscribe("/market/match:BTC-USDT")
        await ws.request("subscribe", "/market/match:NOPE")
        token = ws.token["token"]
    assert caplog.records, "nothing was logged: the test would prove nothing"
    assert token not in caplog.text
