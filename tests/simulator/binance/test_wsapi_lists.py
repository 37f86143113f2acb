"""The WebSocket API's order-list methods on a loopback socket: ``orderList.place.oco``
answered with the list, the unfilled-order count up by two, the subscription hearing
the legs' execution reports and then ``listStatus``, then ``orderList.status``,
``openOrderLists.status``, ``allOrderLists`` and ``orderList.cancel``."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from typing import Any

import aiohttp

from exchanges import ManualClock
from simulator.binance.build import build_facade
from simulator.binance.protocol import BinanceHttpProtocol
from simulator.kucoin.server import serving
from simulator.venue import Venue

from .conftest import KEY, SECRET, UID, config

DEADLINE_S = 10.0


def _request(clock: ManualClock, rid: str, method: str, **params: Any) -> str:
    signed: dict[str, Any] = {**params, "apiKey": KEY, "timestamp": clock.now_ms()}
    payload = "&".join(f"{k}={v}" for k, v in sorted(signed.items())).encode()
    signed["signature"] = hmac.new(SECRET.encode(), payload, hashlib.sha256).hexdigest()
    return json.dumps({"id": rid, "method": method, "params": signed})


async def _answer(
    ws: aiohttp.ClientWebSocketResponse, rid: str, events: list[dict[str, Any]]
) -> dict[str, Any]:
    """The answer to request ``rid`` (user-data events met on the way go to ``events``)."""
    while True:
        message = await asyncio.wait_for(ws.receive(), DEADLINE_S)
        assert message.type is aiohttp.WSMsgType.TEXT, f"the socket ended: {message.type.name}"
        data: dict[str, Any] = json.loads(message.data)
        if "event" in data:
            events.append(data["event"])
        elif data.get("id") == rid:
            return data


async def _events(ws: aiohttp.ClientWebSocketResponse, events: list[dict[str, Any]], n: int) -> None:
    while len(events) < n:
        message = await asyncio.wait_for(ws.receive(), DEADLINE_S)
        assert message.type is aiohttp.WSMsgType.TEXT
        data = json.loads(message.data)
        if "event" in data:
            events.append(data["event"])


async def test_order_list_methods(venue: Venue, clock: ManualClock) -> None:
    facade = build_facade(venue, config())
    events: list[dict[str, Any]] = []
    async with serving(facade.app, http=BinanceHttpProtocol) as url, aiohttp.ClientSession() as session:
        ws = await session.ws_connect("ws" + url.removeprefix("http") + "/ws-api/v3")
        await ws.send_str(_request(clock, "sub", "userDataStream.subscribe.signature"))
        assert (await _answer(ws, "sub", events))["status"] == 200
        oco = {
            "symbol": "BTCUSDT", "side": "SELL", "quantity": "0.5", "aboveType": "LIMIT_MAKER",
            "abovePrice": "65500", "belowType": "STOP_LOSS", "belowStopPrice": "64500",
            "listClientOrderId": "ws-oco",
        }  # fmt: skip
        await ws.send_str(_request(clock, "place", "orderList.place.oco", **oco))
        placed = await _answer(ws, "place", events)
        assert placed["status"] == 200, placed
        result = placed["result"]
        assert result["listClientOrderId"] == "ws-oco" and len(result["orderReports"]) == 2
        assert facade.orders.counts(UID) == [2, 2]  # (the unfilled-order count: two orders)
        await _events(ws, events, 4)
        assert [e["e"] for e in events[:4]] == [
            "executionReport",
            "executionReport",
            "listStatus",
            "outboundAccountPosition",
        ]
        assert events[2]["g"] == result["orderListId"] and events[2]["C"] == "ws-oco"
        list_id = result["orderListId"]
        await ws.send_str(_request(clock, "status", "orderList.status", orderListId=list_id))
        assert (await _answer(ws, "status", events))["result"]["listOrderStatus"] == "EXECUTING"
        await ws.send_str(_request(clock, "open", "openOrderLists.status"))
        assert [r["orderListId"] for r in (await _answer(ws, "open", events))["result"]] == [list_id]
        await ws.send_str(
            _request(clock, "cancel", "orderList.cancel", symbol="BTCUSDT", orderListId=list_id)
        )
        cancelled = await _answer(ws, "cancel", events)
        assert [r["status"] for r in cancelled["result"]["orderReports"]] == ["CANCELED", "CANCELED"]
        await ws.send_str(_request(clock, "all", "allOrderLists"))
        every = (await _answer(ws, "all", events))["result"]
        assert [(r["orderListId"], r["listStatusType"]) for r in every] == [(list_id, "ALL_DONE")]
        await ws.send_str(_request(clock, "opo", "orderList.place.opo", symbol="BTCUSDT"))
        refused = await _answer(ws, "opo", events)
        assert (refused["status"], refused["error"]["code"]) == (400, -2010)
        await ws.close()
    assert venue.audit() == []
