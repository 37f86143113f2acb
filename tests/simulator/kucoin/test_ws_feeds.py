"""What the feeds say agrees with the venue: level-2 increments that rebuild the REST book from
any snapshot (NOTES 9's calibration), an order's events in KuCoin's order, balance frames
that add up to the account, and a stop order's life."""

from __future__ import annotations

import itertools
import random
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from exchanges import ManualClock
from simulator.kucoin.app import KucoinFacade
from simulator.kucoin.server import serving
from simulator.venue import OrderParams, Venue

from .conftest import MAKER, UID
from .helpers import Signer, call
from .ws_client import connected

BTC = "BTC-USDT"
ORDERS = "/spotMarket/tradeOrdersV2"


@pytest.fixture
async def url(facade: KucoinFacade) -> AsyncIterator[str]:
    async with serving(facade.app) as base:
        yield base


class _Book:
    """NOTES 9, steps 3-5, written out for the test."""

    def __init__(self, snapshot: dict[str, Any]) -> None:
        self.sequence = int(snapshot["sequence"])
        self.sides = {side: dict(snapshot[side]) for side in ("bids", "asks")}

    def apply(self, data: dict[str, Any]) -> None:
        if data["sequenceEnd"] <= self.sequence:
            return
        assert data["sequenceStart"] <= self.sequence + 1, "a hole in the sequence"
        for side in ("bids", "asks"):
            for price, size, row in data["changes"][side]:
                if int(row) <= self.sequence:
                    continue
                if Decimal(size) == 0:
                    self.sides[side].pop(price, None)
                else:
                    self.sides[side][price] = size
        self.sequence = data["sequenceEnd"]


async def _snapshot(http: httpx.AsyncClient, signer: Signer) -> dict[str, Any]:
    answer = await call(http, "GET", "/api/v3/market/orderbook/level2", params={"symbol": BTC}, signer=signer)
    data: dict[str, Any] = answer.json()["data"]
    return data


async def test_level2_increments_rebuild_the_rest_book(url: str, venue: Venue, signer: Signer) -> None:
    topic = f"/market/level2:{BTC}"
    rng = random.Random(9)
    books: list[tuple[_Book, int]] = []
    frames: list[dict[str, Any]] = []
    async with connected(url) as ws, httpx.AsyncClient(base_url=url) as http:
        await ws.subscribe(topic)
        resting: list[str] = []
        for step in range(60):
            if resting and rng.random() < 0.35:
                venue.cancel_order(MAKER, BTC, order_id=resting.pop(rng.randrange(len(resting))))
            else:
                side = rng.choice(("buy", "sell"))
                price = (
                    str(rng.randrange(640, 660) * 100)
                    if side == "buy"
                    else str(rng.randrange(661, 680) * 100)
                )
                size = str(Decimal(rng.randint(1, 9)) / 100)
                resting.append(
                    venue.place_order(MAKER, OrderParams(symbol=BTC, side=side, price=price, size=size)).id
                )
            if rng.random() < 0.5:
                venue.publish_book_changes()
            if step % 7 == 0:
                books.append((_Book(await _snapshot(http, signer)), step))
        venue.publish_book_changes()
        final = await _snapshot(http, signer)
        while not frames or frames[-1]["sequenceEnd"] < int(final["sequence"]):
            frames.append((await ws.until("message", topic))["data"])
    for before, after in itertools.pairwise(frames):
        assert after["sequenceStart"] == before["sequenceEnd"] + 1
    expected = {side: dict(final[side]) for side in ("bids", "asks")}
    assert len(books) > 5
    for book, _step in books:
        for data in frames:
            book.apply(data)
        assert book.sides == expected
        assert book.sequence == int(final["sequence"])


async def test_an_orders_events_in_kucoins_order(url: str, venue: Venue, signer: Signer) -> None:
    uid = str(UID)
    async with connected(url, signer) as ws:
        await ws.subscribe(ORDERS, private=True)
        await ws.subscribe("/spotMarket/tradeOrders", private=True)
        order = venue.place_order(uid, OrderParams(symbol=BTC, side="sell", price="65500", size="0.5"))
        venue.place_order(MAKER, OrderParams(symbol=BTC, side="buy", type="market", size="0.1"))
        venue.cancel_partial(uid, BTC, order.id, "0.1")
        venue.cancel_order(uid, BTC, order_id=order.id)
        frames = [await ws.until("message") for _ in range(9)]
    v2 = [f["data"] for f in frames if f["topic"] == ORDERS]
    v1 = [f["data"] for f in frames if f["topic"] == "/spotMarket/tradeOrders"]
    assert [(d["type"], d["status"]) for d in v2] == [
        ("received", "new"),
        ("open", "open"),
        ("match", "open"),
        ("update", "open"),
        ("canceled", "done"),
    ]
    assert [d["type"] for d in v1] == ["open", "match", "update", "canceled"]
    received, _opened, match, update, canceled = v2
    assert {d["orderId"] for d in v2} == {order.id} and received["clientOid"] == (order.client_oid or "")
    assert (match["matchPrice"], match["matchSize"], match["liquidity"], match["feeType"]) == (
        "65500",
        "0.1",
        "maker",
        "makerFee",
    )
    assert (match["filledSize"], match["remainSize"]) == ("0.1", "0.4")
    assert (update["oldSize"], update["size"], update["remainSize"]) == ("0.5", "0.5", "0.3")
    assert (canceled["filledSize"], canceled["remainSize"], canceled["canceledSize"]) == ("0.1", "0", "0.4")
    assert [d["ts"] for d in v2] == sorted(d["ts"] for d in v2)


async def test_balance_frames_add_up_to_the_account(
    url: str, venue: Venue, signer: Signer, facade: KucoinFacade
) -> None:
    uid = str(UID)
    before = {c: venue.balance(uid, c) for c in ("USDT", "BTC")}
    async with connected(url, signer) as ws, httpx.AsyncClient(base_url=url) as http:
        await ws.subscribe("/account/balance", private=True)
        order = venue.place_order(uid, OrderParams(symbol=BTC, side="buy", price="64500", size="0.2"))
        venue.place_order(MAKER, OrderParams(symbol=BTC, side="sell", type="market", size="0.05"))
        venue.cancel_order(uid, BTC, order_id=order.id)
        venue.place_order(uid, OrderParams(symbol=BTC, side="buy", type="market", funds="100"))
        accounts = (
            await call(http, "GET", "/api/v1/accounts", params={"type": "trade"}, signer=signer)
        ).json()
        last = {a["currency"]: a for a in accounts["data"]}
        seen: dict[str, dict[str, Any]] = {}
        changes = {c: [Decimal(0), Decimal(0)] for c in ("USDT", "BTC")}
        while any(
            c not in seen
            or (seen[c]["available"], seen[c]["hold"]) != (last[c]["available"], last[c]["holds"])
            for c in changes
        ):
            frame = await ws.until("message", "/account/balance")
            assert frame["id"] == frame["data"]["relationEventId"] and frame["userId"] == uid
            data = frame["data"]
            seen[data["currency"]] = data
            changes[data["currency"]][0] += Decimal(data["availableChange"])
            changes[data["currency"]][1] += Decimal(data["holdChange"])
            assert Decimal(data["total"]) == Decimal(data["available"]) + Decimal(data["hold"])
    for currency, (available, hold) in changes.items():
        assert before[currency].available + available == Decimal(last[currency]["available"])
        assert before[currency].holds + hold == Decimal(last[currency]["holds"])


async def test_a_stop_orders_life(url: str, venue: Venue, signer: Signer, clock: ManualClock) -> None:
    uid = str(UID)
    async with connected(url, signer) as ws:
        await ws.subscribe("/spotMarket/advancedOrders", private=True)
        await ws.subscribe(ORDERS, private=True)
        stop = venue.place_stop_order(
            uid, OrderParams(symbol=BTC, side="buy", price="66000", size="0.01", stop_price="65900")
        )
        venue.place_order(
            MAKER, OrderParams(symbol=BTC, side="buy", type="market", size="0.01")
        )  # prints 66000
        frames = [await ws.until("message") for _ in range(4)]
    stops = [f["data"] for f in frames if f["topic"] == "/spotMarket/advancedOrders"]
    orders = [f["data"] for f in frames if f["topic"] == ORDERS]
    assert [(d["type"], d["orderId"], d["stop"], d["stopPrice"]) for d in stops] == [
        ("open", stop.id, "entry", "65900"),
        ("triggered", stop.id, "entry", "65900"),
    ]
    assert [(d["type"], d["orderId"]) for d in orders] == [("received", stop.id), ("match", stop.id)]


async def test_a_publishing_bug_never_reaches_the_venue(
    url: str, venue: Venue, signer: Signer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a bug in rendering")

    async with connected(url, signer) as ws:
        await ws.subscribe(ORDERS, private=True)
        monkeypatch.setattr("simulator.kucoin.ws_render.order_change", broken)
        placed = venue.place_order(str(UID), OrderParams(symbol=BTC, side="buy", type="market", size="0.01"))
    assert placed.deal_size == Decimal("0.01")  # (the trade settled whole)
    assert venue.audit() == []
    assert "could not be published" in caplog.text
