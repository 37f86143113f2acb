"""Order lists through the dialect (OCO, OTO, OTOCO): the answers' shapes, Binance's codes for
every refusal, the unfilled-order count, the links (a fill or a trigger of one leg expires the
other; a working order's fill places its pending order; cancelling one order cancels the
list), the list queries and the user stream's ``listStatus`` events, the venue's audit clean
after each scenario."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from simulator.binance.app import BinanceFacade
from simulator.binance.user_data import UserFeed
from simulator.venue import OrderParams, Venue

from .conftest import HEADERS, MAKER, UID, Signer

SELL_OCO = {
    "symbol": "BTCUSDT",
    "side": "SELL",
    "quantity": "0.5",
    "aboveType": "LIMIT_MAKER",
    "abovePrice": "65500",
    "belowType": "STOP_LOSS_LIMIT",
    "belowStopPrice": "64500",
    "belowPrice": "64400",
    "belowTimeInForce": "GTC",
}
OTO = {
    "symbol": "BTCUSDT",
    "workingType": "LIMIT",
    "workingSide": "BUY",
    "workingPrice": "64500",
    "workingQuantity": "0.1",
    "workingTimeInForce": "GTC",
    "pendingType": "LIMIT_MAKER",
    "pendingSide": "SELL",
    "pendingPrice": "67000",
    "pendingQuantity": "0.1",
}
SELLER = "seller"


async def _post(client: httpx.AsyncClient, signer: Signer, path: str, **params: Any) -> httpx.Response:
    return await client.post(path, content=signer.query(**params), headers=HEADERS)


async def _get(client: httpx.AsyncClient, signer: Signer, path: str, **params: Any) -> Any:
    r = await client.get(path + "?" + signer.query(**params), headers=HEADERS)
    assert r.status_code == 200, r.text
    return r.json()


def _sell_into_bids(venue: Venue, size: str) -> None:
    """Another user sells at market into the maker's bids (the last price falls)."""
    if not venue.has_user(SELLER):
        venue.create_user(SELLER, {"BTC": "10"})
    venue.place_order(SELLER, OrderParams(symbol="BTC-USDT", side="sell", type="market", size=size))


def _locked(venue: Venue, currency: str) -> str:
    return str(venue.balance(str(UID), currency).holds.normalize())


async def test_oco_answer_shape_weight_and_count(client: httpx.AsyncClient, signer: Signer) -> None:
    r = await _post(client, signer, "/api/v3/orderList/oco", **SELL_OCO, listClientOrderId="bracket-1")
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {
        "orderListId", "contingencyType", "listStatusType", "listOrderStatus", "listClientOrderId",
        "transactionTime", "symbol", "orders", "orderReports",
    }  # fmt: skip
    assert (body["contingencyType"], body["listStatusType"], body["listOrderStatus"]) == (
        "OCO",
        "EXEC_STARTED",
        "EXECUTING",
    )
    assert body["listClientOrderId"] == "bracket-1" and body["symbol"] == "BTCUSDT"
    reports = body["orderReports"]
    assert [o["type"] for o in reports] == ["STOP_LOSS_LIMIT", "LIMIT_MAKER"]
    assert all(o["orderListId"] == body["orderListId"] and o["status"] == "NEW" for o in reports)
    assert [o["orderId"] for o in body["orders"]] == [o["orderId"] for o in reports]
    assert reports[0]["stopPrice"] == "64500.00000000" and reports[0]["workingTime"] == -1
    assert r.headers["X-MBX-USED-WEIGHT-1M"] == "0"  # (a successful order entry weighs nothing)
    assert r.headers["X-MBX-ORDER-COUNT-10S"] == "2"
    order = await _get(client, signer, "/api/v3/order", symbol="BTCUSDT", orderId=reports[1]["orderId"])
    assert order["orderListId"] == body["orderListId"]


async def test_oco_take_profit_fills_and_the_stop_leg_expires(
    client: httpx.AsyncClient, signer: Signer, venue: Venue
) -> None:
    body = (await _post(client, signer, "/api/v3/orderList/oco", **SELL_OCO)).json()
    stop_id, limit_id = (o["orderId"] for o in body["orderReports"])
    assert _locked(venue, "BTC") == "0.5"  # (the limit leg; the stop holds nothing until triggered)
    venue.place_order(MAKER, OrderParams(symbol="BTC-USDT", side="buy", price="65500", size="0.5"))
    stop = await _get(client, signer, "/api/v3/order", symbol="BTCUSDT", orderId=stop_id)
    assert (stop["status"], stop["expiryReason"], stop["orderListId"]) == (
        "EXPIRED",
        "OCO_TRIGGER",
        body["orderListId"],
    )
    limit = await _get(client, signer, "/api/v3/order", symbol="BTCUSDT", orderId=limit_id)
    assert limit["status"] == "FILLED"
    listed = await _get(client, signer, "/api/v3/orderList", orderListId=body["orderListId"])
    assert (listed["listStatusType"], listed["listOrderStatus"]) == ("ALL_DONE", "ALL_DONE")
    assert "orderReports" not in listed
    assert await _get(client, signer, "/api/v3/openOrderList") == []
    assert venue.audit() == []


async def test_a_partial_fill_of_one_leg_expires_the_other(
    client: httpx.AsyncClient, signer: Signer, venue: Venue
) -> None:
    body = (await _post(client, signer, "/api/v3/orderList/oco", **SELL_OCO)).json()
    stop_id, limit_id = (o["orderId"] for o in body["orderReports"])
    venue.place_order(MAKER, OrderParams(symbol="BTC-USDT", side="buy", price="65500", size="0.2"))
    stop = await _get(client, signer, "/api/v3/order", symbol="BTCUSDT", orderId=stop_id)
    assert stop["status"] == "EXPIRED"
    still = await _get(client, signer, "/api/v3/openOrders", symbol="BTCUSDT")
    assert [(o["orderId"], o["status"], o["orderListId"]) for o in still] == [
        (limit_id, "PARTIALLY_FILLED", body["orderListId"])
    ]
    assert _locked(venue, "BTC") == "0.3"
    trades = await _get(client, signer, "/api/v3/myTrades", symbol="BTCUSDT", orderId=limit_id)
    assert [t["orderListId"] for t in trades] == [body["orderListId"]]
    assert venue.audit() == []


async def test_the_stop_leg_triggers_and_the_limit_leg_expires(
    client: httpx.AsyncClient, signer: Signer, venue: Venue
) -> None:
    body = (await _post(client, signer, "/api/v3/orderList/oco", **SELL_OCO)).json()
    stop_id, limit_id = (o["orderId"] for o in body["orderReports"])
    _sell_into_bids(venue, "0.01")  # (a print at 64000: the stop at 64500 triggers)
    limit = await _get(client, signer, "/api/v3/order", symbol="BTCUSDT", orderId=limit_id)
    assert (limit["status"], limit["expiryReason"]) == ("EXPIRED", "OCO_TRIGGER")
    stop = await _get(client, signer, "/api/v3/order", symbol="BTCUSDT", orderId=stop_id)
    assert (stop["status"], stop["isWorking"]) == ("NEW", True)
    assert _locked(venue, "BTC") == "0.5"  # (now the triggered stop's, the limit leg's released)
    assert venue.audit() == []


async def test_oto_places_its_pending_order_once_the_working_one_fills(
    client: httpx.AsyncClient, signer: Signer, venue: Venue
) -> None:
    r = await _post(client, signer, "/api/v3/orderList/oto", **OTO)
    body = r.json()
    assert body["contingencyType"] == "OTO"
    working, pending = body["orderReports"]
    assert (working["status"], pending["status"], pending["workingTime"]) == ("NEW", "PENDING_NEW", -1)
    queried = await _get(client, signer, "/api/v3/order", symbol="BTCUSDT", orderId=pending["orderId"])
    assert (queried["status"], queried["isWorking"]) == ("PENDING_NEW", False)
    assert _locked(venue, "BTC") == "0"  # (a pending order holds nothing)
    _sell_into_bids(venue, "0.05")  # half the working order
    queried = await _get(client, signer, "/api/v3/order", symbol="BTCUSDT", orderId=pending["orderId"])
    assert queried["status"] == "PENDING_NEW"
    _sell_into_bids(venue, "0.05")
    placed = await _get(client, signer, "/api/v3/order", symbol="BTCUSDT", orderId=pending["orderId"])
    assert (placed["status"], placed["type"], placed["orderListId"]) == (
        "NEW",
        "LIMIT_MAKER",
        body["orderListId"],
    )
    assert _locked(venue, "BTC") == "0.1"
    listed = await _get(client, signer, "/api/v3/orderList", orderListId=body["orderListId"])
    assert listed["listOrderStatus"] == "ALL_DONE"
    assert venue.audit() == []


async def test_otoco_counts_three_and_arms_its_pair(
    client: httpx.AsyncClient, signer: Signer, venue: Venue
) -> None:
    params = {
        **{k: v for k, v in OTO.items() if not k.startswith("pending")},
        "pendingSide": "SELL",
        "pendingQuantity": "0.1",
        "pendingAboveType": "LIMIT_MAKER",
        "pendingAbovePrice": "67000",
        "pendingBelowType": "STOP_LOSS",
        "pendingBelowStopPrice": "62000",
    }
    r = await _post(client, signer, "/api/v3/orderList/otoco", **params)
    assert r.headers["X-MBX-ORDER-COUNT-10S"] == "3"
    body = r.json()
    assert [o["status"] for o in body["orderReports"]] == ["NEW", "PENDING_NEW", "PENDING_NEW"]
    _sell_into_bids(venue, "0.1")
    opened = await _get(client, signer, "/api/v3/openOrderList")
    assert [o["orderListId"] for o in opened] == [body["orderListId"]]
    stop_id, limit_id = body["orderReports"][1]["orderId"], body["orderReports"][2]["orderId"]
    venue.place_order(MAKER, OrderParams(symbol="BTC-USDT", side="buy", price="67000", size="0.1"))
    stop = await _get(client, signer, "/api/v3/order", symbol="BTCUSDT", orderId=stop_id)
    assert (stop["status"], stop["expiryReason"]) == ("EXPIRED", "OCO_TRIGGER")
    limit = await _get(client, signer, "/api/v3/order", symbol="BTCUSDT", orderId=limit_id)
    assert limit["status"] == "FILLED"
    assert await _get(client, signer, "/api/v3/openOrderList") == []
    assert venue.audit() == []


async def test_cancelling_one_order_cancels_the_list(
    client: httpx.AsyncClient, signer: Signer, venue: Venue
) -> None:
    body = (await _post(client, signer, "/api/v3/orderList/oco", **SELL_OCO)).json()
    stop_id, limit_id = (o["orderId"] for o in body["orderReports"])
    r = await client.delete(
        "/api/v3/order?" + signer.query(symbol="BTCUSDT", orderId=stop_id), headers=HEADERS
    )
    assert r.status_code == 200, r.text
    assert r.json()["orderListId"] == body["orderListId"]
    limit = await _get(client, signer, "/api/v3/order", symbol="BTCUSDT", orderId=limit_id)
    assert limit["status"] == "CANCELED"
    assert await _get(client, signer, "/api/v3/openOrderList") == []
    every = await _get(client, signer, "/api/v3/allOrderList")
    assert [(o["orderListId"], o["listOrderStatus"]) for o in every] == [(body["orderListId"], "ALL_DONE")]
    assert _locked(venue, "BTC") == "0"
    assert venue.audit() == []


async def test_cancel_a_list_and_its_pending_orders(
    client: httpx.AsyncClient, signer: Signer, venue: Venue
) -> None:
    body = (await _post(client, signer, "/api/v3/orderList/oto", **OTO, listClientOrderId="oto-1")).json()
    r = await client.delete(
        "/api/v3/orderList?" + signer.query(symbol="BTCUSDT", listClientOrderId="oto-1"), headers=HEADERS
    )
    assert r.status_code == 200, r.text
    cancelled = r.json()
    assert (cancelled["listStatusType"], cancelled["listOrderStatus"]) == ("ALL_DONE", "ALL_DONE")
    assert [o["status"] for o in cancelled["orderReports"]] == ["CANCELED", "CANCELED"]
    assert all("origClientOrderId" in o for o in cancelled["orderReports"])
    again = await client.delete(
        "/api/v3/orderList?" + signer.query(symbol="BTCUSDT", orderListId=body["orderListId"]),
        headers=HEADERS,
    )
    assert again.json() == {"code": -2011, "msg": "Unknown order list sent."}
    missing = await client.get("/api/v3/orderList?" + signer.query(orderListId=999), headers=HEADERS)
    assert missing.json() == {"code": -2013, "msg": "Order list does not exist."}
    assert _locked(venue, "USDT") == "0"
    assert venue.audit() == []


async def test_cancel_open_orders_answers_lists_as_lists(
    client: httpx.AsyncClient, signer: Signer, venue: Venue
) -> None:
    body = (await _post(client, signer, "/api/v3/orderList/oco", **SELL_OCO)).json()
    single = await _post(
        client, signer, "/api/v3/order", symbol="BTCUSDT", side="BUY", type="LIMIT",
        timeInForce="GTC", quantity="0.01", price="60000",
    )  # fmt: skip
    r = await client.delete("/api/v3/openOrders?" + signer.query(symbol="BTCUSDT"), headers=HEADERS)
    rows = r.json()
    assert [row.get("orderListId") for row in rows] == [body["orderListId"], -1]
    assert rows[0]["contingencyType"] == "OCO" and rows[1]["orderId"] == single.json()["orderId"]
    assert venue.audit() == []


@pytest.mark.parametrize(
    ("change", "code", "msg"),
    [
        ({"abovePrice": "64800"}, -2010, "The relationship of the prices for the orders is not correct."),
        ({"belowStopPrice": "65200"}, -2010, "The relationship of the prices for the orders is not correct."),
        (
            {"aboveType": "STOP_LOSS", "abovePrice": None, "aboveStopPrice": "65500"},
            -1197,
            "A stop loss order in a sell OCO must be below.",
        ),
        (
            {"belowType": "LIMIT_MAKER", "belowStopPrice": None, "belowTimeInForce": None},
            -1168,
            "At least one OCO order must be contingent.",
        ),
        (
            {"aboveType": "TAKE_PROFIT", "abovePrice": None, "aboveStopPrice": "65500",
             "belowType": "LIMIT_MAKER", "belowStopPrice": None, "belowTimeInForce": None},
            -1166,
            "A limit order in a sell OCO must be above.",
        ),
        ({"side": "BUY"}, -1165, "A limit order in a buy OCO must be below."),
        ({"quantity": "5"}, -2010, "Account has insufficient balance for requested action."),
        ({"aboveType": "LIMIT"}, -1014, "Unsupported order combination."),
    ],
)  # fmt: skip
async def test_oco_refusals(
    client: httpx.AsyncClient,
    signer: Signer,
    venue: Venue,
    change: dict[str, Any],
    code: int,
    msg: str,
) -> None:
    params = {k: v for k, v in {**SELL_OCO, **change}.items() if v is not None}
    r = await _post(client, signer, "/api/v3/orderList/oco", **params)
    assert r.status_code == 400
    assert r.json() == {"code": code, "msg": msg}
    assert int(r.headers["X-MBX-USED-WEIGHT-1M"]) == 1  # (a failed order entry pays its weight)
    assert await _get(client, signer, "/api/v3/openOrders", symbol="BTCUSDT") == []
    assert await _get(client, signer, "/api/v3/allOrderList") == []
    assert venue.audit() == []


async def test_max_num_order_lists_and_opo(client: httpx.AsyncClient, signer: Signer, venue: Venue) -> None:
    small = {**OTO, "workingPrice": "60000", "workingQuantity": "0.001", "pendingQuantity": "0.001"}
    for _ in range(20):
        assert (await _post(client, signer, "/api/v3/orderList/oto", **small)).status_code == 200
    r = await _post(client, signer, "/api/v3/orderList/oto", **small)
    assert r.json() == {"code": -1013, "msg": "Filter failure: MAX_NUM_ORDER_LISTS"}
    opo = await _post(client, signer, "/api/v3/orderList/opo", **small)
    assert (opo.status_code, opo.json()) == (
        400,
        {"code": -2010, "msg": "OPO orders are not supported for this symbol."},
    )
    info = (await client.get("/api/v3/exchangeInfo?symbol=BTCUSDT")).json()["symbols"][0]
    assert (info["ocoAllowed"], info["otoAllowed"], info["opoAllowed"]) == (True, True, False)
    assert {"filterType": "MAX_NUM_ORDER_LISTS", "maxNumOrderLists": 20} in info["filters"]
    assert venue.audit() == []


async def test_the_deprecated_oco(client: httpx.AsyncClient, signer: Signer, venue: Venue) -> None:
    r = await _post(
        client, signer, "/api/v3/order/oco", symbol="BTCUSDT", side="SELL", quantity="0.5", price="65500",
        stopPrice="64500", stopLimitPrice="64400", stopLimitTimeInForce="GTC", limitClientOrderId="tp",
        stopClientOrderId="sl",
    )  # fmt: skip
    assert r.status_code == 200, r.text
    body = r.json()
    assert [(o["clientOrderId"], o["type"]) for o in body["orderReports"]] == [
        ("sl", "STOP_LOSS_LIMIT"),
        ("tp", "LIMIT_MAKER"),
    ]
    assert venue.audit() == []


async def test_user_stream_list_status_beside_execution_reports(
    client: httpx.AsyncClient, signer: Signer, venue: Venue, facade: BinanceFacade
) -> None:
    feed = UserFeed(facade)
    events: list[dict[str, Any]] = []
    feed.add(str(UID), events.append)
    facade.user_feed_listening = lambda uid: uid == str(UID)
    body = (await _post(client, signer, "/api/v3/orderList/oco", **SELL_OCO)).json()
    feed.flush()
    list_id = body["orderListId"]
    assert [(e["e"], e.get("x"), e.get("g")) for e in events] == [
        ("executionReport", "NEW", list_id),
        ("executionReport", "NEW", list_id),
        ("listStatus", None, list_id),
        ("outboundAccountPosition", None, None),
    ]
    started = events[2]
    assert (started["c"], started["l"], started["L"], started["s"]) == (
        "OCO",
        "EXEC_STARTED",
        "EXECUTING",
        "BTCUSDT",
    )
    assert [o["i"] for o in started["O"]] == [o["orderId"] for o in body["orders"]]
    events.clear()
    venue.place_order(MAKER, OrderParams(symbol="BTC-USDT", side="buy", price="65500", size="0.5"))
    feed.flush()
    assert [(e["e"], e.get("x"), e.get("X")) for e in events] == [
        ("executionReport", "TRADE", "FILLED"),
        ("executionReport", "EXPIRED", "EXPIRED"),
        ("listStatus", None, None),
        ("outboundAccountPosition", None, None),
    ]
    assert events[1]["eR"] == "OCO_TRIGGER" and events[1]["g"] == list_id
    assert (events[2]["l"], events[2]["L"]) == ("ALL_DONE", "ALL_DONE")
    feed.remove(str(UID), events.append)
