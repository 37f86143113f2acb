"""Every topic's frames in KuCoin's exact shapes (the spec's message schemas, checked in as
``data/ws_schemas.json``) and time units, from one burst of activity on the served venue."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import jsonschema
import pytest

from exchanges import ManualClock
from simulator.kucoin.app import KucoinFacade
from simulator.kucoin.server import serving
from simulator.venue import OrderParams, Venue

from .conftest import UID
from .helpers import Signer
from .ws_client import WsClient, connected
from .ws_spec_tools import WS_SCHEMA_FILE

BTC = "BTC-USDT"
PUBLIC = [
    f"/market/ticker:{BTC}",
    "/market/ticker:all",
    f"/spotMarket/level1:{BTC}",
    f"/spotMarket/level2Depth5:{BTC}",
    f"/spotMarket/level2Depth50:{BTC}",
    f"/market/level2:{BTC}",
    f"/market/match:{BTC}",
    f"/market/candles:{BTC}_1min",
    f"/market/snapshot:{BTC}",
    "/market/snapshot:USDS",
]
PRIVATE = [
    "/spotMarket/tradeOrdersV2",
    "/spotMarket/tradeOrders",
    "/account/balance",
    "/spotMarket/advancedOrders",
]


def _spec_topic(frame: dict[str, Any]) -> str:
    """The spec's name (``x-topic``) of the topic a frame came on."""
    topic: str = frame["topic"]
    prefix, colon, subject = topic.partition(":")
    if not colon:
        return topic
    if topic == "/market/ticker:all":
        return topic
    if prefix == "/market/candles":
        return "/market/candles:{symbol}_{type}"
    if prefix == "/market/snapshot":
        return "/market/snapshot:{symbol}" if "-" in subject else "/market/snapshot:{market}"
    return f"{prefix}:{{symbol}},{{symbol}}"


def _ms(value: object) -> bool:
    return isinstance(value, int) and 10**12 <= value < 10**13


def _ns(value: object) -> bool:
    return isinstance(value, int) and 10**18 <= value < 10**19


@pytest.fixture
async def url(facade: KucoinFacade) -> AsyncIterator[str]:
    async with serving(facade.app) as base:
        yield base


async def _collect(ws: WsClient, wanted: dict[str, int]) -> list[dict[str, Any]]:
    """Frames until every (topic, type) of ``wanted`` has come at least that many times."""
    frames: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    while any(counts.get(k, 0) < n for k, n in wanted.items()):
        frame = await ws.until("message")
        private = frame.get("channelType") == "private" and "type" in frame["data"]
        key = frame["topic"] + (" " + frame["data"]["type"] if private else "")
        counts[key] = counts.get(key, 0) + 1
        frames.append(frame)
    return frames


async def test_every_topic_in_kucoins_shapes_and_units(
    url: str, venue: Venue, clock: ManualClock, signer: Signer
) -> None:
    schemas = json.loads(WS_SCHEMA_FILE.read_text())
    uid = str(UID)
    async with connected(url) as public, connected(url, signer, connect_id="private") as private:
        for topic in PUBLIC:
            await public.subscribe(topic)
        for topic in PRIVATE:
            await private.subscribe(topic, private=True)
        resting = venue.place_order(uid, OrderParams(symbol=BTC, side="buy", price="64500", size="0.01"))
        venue.place_order(uid, OrderParams(symbol=BTC, side="buy", type="market", size="0.01"))
        stop = venue.place_stop_order(
            uid, OrderParams(symbol=BTC, side="sell", price="60000", size="0.01", stop_price="61000")
        )
        venue.cancel_order(uid, BTC, order_id=resting.id)
        venue.cancel_stop_order(uid, order_id=stop.id)
        await asyncio.sleep(0)
        clock.advance(2.5)  # (the periodic topics' next push)
        public_frames = await _collect(public, dict.fromkeys(PUBLIC, 1))
        private_frames = await _collect(
            private,
            {
                "/spotMarket/tradeOrdersV2 received": 2,
                "/spotMarket/tradeOrdersV2 open": 1,
                "/spotMarket/tradeOrdersV2 match": 1,
                "/spotMarket/tradeOrdersV2 filled": 1,
                "/spotMarket/tradeOrdersV2 canceled": 1,
                "/spotMarket/tradeOrders canceled": 1,
                "/spotMarket/advancedOrders open": 1,
                "/spotMarket/advancedOrders cancel": 1,
                "/account/balance": 4,
            },
        )
    for frame in public_frames + private_frames:
        jsonschema.validate(frame, schemas[_spec_topic(frame)])
    by_topic: dict[str, list[dict[str, Any]]] = {}
    for frame in public_frames + private_frames:
        by_topic.setdefault(frame["topic"], []).append(frame["data"])
    ticker = by_topic[f"/market/ticker:{BTC}"][0]
    assert _ms(ticker["time"]) and ticker["bestBid"] == "64000" and ticker["bestAsk"] == "66000"
    assert (ticker["price"], ticker["size"], ticker["bestAskSize"]) == ("66000", "0.01", "0.99")
    assert _ms(by_topic[f"/spotMarket/level1:{BTC}"][0]["timestamp"])
    depth = by_topic[f"/spotMarket/level2Depth5:{BTC}"][0]
    assert depth["bids"][0] == ["64000", "1"] and _ms(depth["timestamp"])
    match = by_topic[f"/market/match:{BTC}"][0]
    assert (match["price"], match["size"], match["side"]) == ("66000", "0.01", "buy")
    assert len(match["time"]) == 19 and match["takerOrderId"] and match["makerOrderId"]
    candle = by_topic[f"/market/candles:{BTC}_1min"][0]
    assert _ns(candle["time"]) and len(candle["candles"][0]) == 10 and candle["candles"][2] == "66000"
    level2 = by_topic[f"/market/level2:{BTC}"]
    assert all(_ms(d["time"]) for d in level2)
    snapshot = by_topic[f"/market/snapshot:{BTC}"][0]
    assert snapshot["data"]["lastTradedPrice"] == 66000 and _ms(snapshot["data"]["datetime"])
    orders = by_topic["/spotMarket/tradeOrdersV2"]
    assert all(_ms(d["orderTime"]) and _ns(d["ts"]) for d in orders)
    (matched,) = [d for d in orders if d["type"] == "match"]
    assert (matched["status"], matched["liquidity"], matched["feeType"]) == ("match", "taker", "takerFee")
    assert "received" not in {d["type"] for d in by_topic["/spotMarket/tradeOrders"]}
    stops = by_topic["/spotMarket/advancedOrders"]
    assert [d["type"] for d in stops] == ["open", "cancel"]
    assert all(_ms(d["createdAt"]) and _ns(d["ts"]) for d in stops)
    balances = by_topic["/account/balance"]
    assert all(isinstance(d["time"], str) and _ms(int(d["time"])) for d in balances)
    assert {d["relationEvent"] for d in balances} >= {"trade.hold", "trade.setted"}
