"""Fault knobs for testing clients: off by default, set per connection, per server (the
configuration), or from another process through the control paths."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from exchanges import ManualClock
from simulator.kucoin.app import KucoinFacade
from simulator.kucoin.build import build_facade
from simulator.kucoin.config import FacadeConfig
from simulator.kucoin.server import serving
from simulator.kucoin.ws_settings import WsFaults
from simulator.venue import OrderParams, Venue

from .conftest import MAKER, account_config
from .ws_client import WsClient, connected

BTC = "BTC-USDT"
MATCH = f"/market/match:{BTC}"


def _trade(venue: Venue) -> None:
    """One public trade (the maker's ask at 66000 takes a small market buy)."""
    venue.place_order(MAKER, OrderParams(symbol=BTC, side="buy", type="market", size="0.001"))


async def _matches(ws: WsClient, count: int) -> list[str]:
    return [(await ws.until("message", MATCH))["data"]["tradeId"] for _ in range(count)]


def _served(venue: Venue, **config: Any) -> KucoinFacade:
    return build_facade(venue, FacadeConfig(accounts=(account_config(),), **config))


@pytest.fixture
def facade(venue: Venue) -> KucoinFacade:
    return _served(venue, control=True)


@pytest.fixture
async def url(facade: KucoinFacade) -> AsyncIterator[str]:
    async with serving(facade.app) as base:
        yield base


def _only(facade: KucoinFacade, connect_id: str) -> str:
    (session,) = [s for s in facade.ws.sessions.values() if s.connect_id == connect_id]
    return session.id


async def _traded(venue: Venue, count: int) -> list[str]:
    before = {t.trade_id for t in venue.trades(BTC)}
    for _ in range(count):
        _trade(venue)
    return [str(t.trade_id) for t in venue.trades(BTC) if t.trade_id not in before]


async def test_no_faults_by_default(url: str, venue: Venue) -> None:
    async with connected(url) as ws:
        await ws.subscribe(MATCH)
        ids = await _traded(venue, 3)
        assert await _matches(ws, 3) == ids


async def test_drop_duplicate_and_reorder_on_one_connection(
    url: str, venue: Venue, facade: KucoinFacade
) -> None:
    async with connected(url, connect_id="bent") as bent, connected(url, connect_id="straight") as straight:
        await bent.subscribe(MATCH)
        await straight.subscribe(MATCH)
        facade.ws.set_faults(WsFaults(drop=1), _only(facade, "bent"))
        a, b = await _traded(venue, 2)
        assert await _matches(bent, 1) == [b]
        facade.ws.set_faults(WsFaults(duplicate=1), _only(facade, "bent"))
        (c,) = await _traded(venue, 1)
        assert await _matches(bent, 2) == [c, c]
        facade.ws.set_faults(WsFaults(reorder=1), _only(facade, "bent"))
        d, e, f = await _traded(venue, 3)
        assert await _matches(bent, 3) == [e, d, f]
        assert await _matches(straight, 6) == [a, b, c, d, e, f]


async def test_skip_a_sequence_number(url: str, venue: Venue, facade: KucoinFacade) -> None:
    topic = f"/market/level2:{BTC}"
    async with connected(url, connect_id="skip") as ws:
        await ws.subscribe(topic)
        facade.ws.set_faults(WsFaults(skip_sequence=1), _only(facade, "skip"))
        for price in ("63000", "63100"):
            venue.place_order(MAKER, OrderParams(symbol=BTC, side="buy", price=price, size="0.1"))
            venue.publish_book_changes()
        first = (await ws.until("message", topic))["data"]
        second = (await ws.until("message", topic))["data"]
    assert first["sequenceStart"] == first["sequenceEnd"] + 1  # (one number late: a hole before it)
    assert second["sequenceStart"] == first["sequenceEnd"] + 1  # (the next one is honest)


async def test_delay_holds_data_frames_back_but_not_pongs(venue: Venue, clock: ManualClock) -> None:
    facade = _served(venue, ws_faults=WsFaults(delay_ms=500))  # (every connection, from its start)
    async with serving(facade.app) as base, connected(base) as ws:
        await ws.subscribe(MATCH)
        (trade,) = await _traded(venue, 1)
        await ws.send({"id": "p", "type": "ping"})
        assert await ws.recv() == {"id": "p", "type": "pong"}  # (ahead of the delayed match)
        await asyncio.sleep(0)
        clock.advance(0.5)
        assert await _matches(ws, 1) == [trade]


async def test_disconnect_after_n_data_frames(url: str, venue: Venue, facade: KucoinFacade) -> None:
    async with connected(url, connect_id="short") as ws:
        await ws.subscribe(MATCH)
        facade.ws.set_faults(WsFaults(disconnect_after=2), _only(facade, "short"))
        await _traded(venue, 3)
        frames = await ws.closed()
    assert [f["topic"] for f in frames if f["type"] == "message"] == [MATCH, MATCH]


async def test_stalled_pongs(url: str, facade: KucoinFacade) -> None:
    async with connected(url, connect_id="stalled") as ws:
        facade.ws.set_faults(WsFaults(stall_pongs=True), _only(facade, "stalled"))
        await ws.send({"id": "p", "type": "ping"})
        answer = await ws.request("subscribe", MATCH)
        assert answer["type"] == "ack"  # (the pong never came before it)


async def test_the_control_paths(url: str, venue: Venue) -> None:
    async with connected(url, connect_id="watched") as ws, httpx.AsyncClient(base_url=url) as http:
        await ws.subscribe(f"/market/ticker:{BTC},ETH-USDT")
        state = (await http.get("/sim/ws")).json()
        (connection,) = state["connections"]
        assert state["topics"] == 2 and connection["connectId"] == "watched"
        assert connection["topics"] == ["/market/ticker:BTC-USDT", "/market/ticker:ETH-USDT"]
        bad = await http.post("/sim/ws/faults", json={"drop": -1})
        assert bad.status_code == 400 and "drop" in bad.json()["error"]
        assert (await http.post("/sim/ws/faults", json={"drop": 1})).json() == {"reached": 1}
        await ws.subscribe(MATCH)
        _a, b = await _traded(venue, 2)
        assert await _matches(ws, 1) == [b]
        assert (await http.post("/sim/ws/disconnect", json={})).json() == {"disconnected": 1}
        await ws.closed()
        assert (await http.get("/sim/ws")).json() == {"topics": 0, "connections": []}


async def test_the_control_paths_are_off_unless_asked_for(venue: Venue) -> None:
    async with serving(_served(venue).app) as base, httpx.AsyncClient(base_url=base) as http:
        answer = await http.get("/sim/ws")
    assert answer.status_code == 404 and answer.json()["code"] == "404000"


def test_faults_from_the_configuration_file() -> None:
    from simulator.kucoin.config import ConfigError, config_from_mapping

    config = config_from_mapping({"websocket": {"topics_per_connection": 10, "faults": {"drop": 2}}})
    assert config.ws_limits.topics_per_connection == 10 and config.ws_faults.drop == 2
    with pytest.raises(ConfigError, match=r"websocket\.faults: unknown field\(s\) dorp"):
        config_from_mapping({"websocket": {"faults": {"dorp": 2}}})
    with pytest.raises(ConfigError, match="topics_per_connection: expected a whole number > 0"):
        config_from_mapping({"websocket": {"topics_per_connection": 0}})
