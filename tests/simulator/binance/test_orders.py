"""Orders through the dialect: Binance's codes for every refusal, the answer shapes, stop
types, STP names and statuses, cancels and queries by either id."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from simulator.venue import OrderParams, Venue

from .conftest import HEADERS, UID, Signer

LIMIT = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.01"}


async def _place(client: httpx.AsyncClient, signer: Signer, **params: Any) -> httpx.Response:
    return await client.post("/api/v3/order", content=signer.query(**params), headers=HEADERS)


@pytest.mark.parametrize(
    ("params", "code", "msg"),
    [
        ({**LIMIT, "price": "60000.001"}, -1013, "Filter failure: PRICE_FILTER"),
        ({**LIMIT, "price": "20000000"}, -1013, "Filter failure: PRICE_FILTER"),
        ({**LIMIT, "price": "60000", "quantity": "0.000015"}, -1013, "Filter failure: LOT_SIZE"),
        ({**LIMIT, "price": "60000", "quantity": "0.00001"}, -1013, "Filter failure: NOTIONAL"),
        ({**LIMIT, "price": "1000"}, -1013, "Filter failure: PERCENT_PRICE_BY_SIDE"),
        (
            {**LIMIT, "price": "60000", "quantity": "1", "icebergQty": "0.001"},
            -1013,
            "Filter failure: ICEBERG_PARTS",
        ),
        (
            {**LIMIT, "price": "60000", "quantity": "10"},
            -2010,
            "Account has insufficient balance for requested action.",
        ),
        (
            {**LIMIT, "type": "LIMIT_MAKER", "price": "66000", "timeInForce": None},
            -2010,
            "Order would immediately match and take.",
        ),
        ({**LIMIT, "side": "HOLD", "price": "60000"}, -1117, "Invalid side."),
        ({**LIMIT, "type": "OCO", "price": "60000"}, -1116, "Invalid orderType."),
        ({**LIMIT, "timeInForce": "GTX", "price": "60000"}, -1115, "Invalid timeInForce."),
        (
            {**LIMIT, "timeInForce": None, "price": "60000"},
            -1102,
            "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed.",
        ),
        ({**LIMIT, "price": "6e4"}, -1100, None),
        ({**LIMIT, "symbol": "DOGEUSDT", "price": "1"}, -1121, "Invalid symbol."),
        ({**LIMIT, "price": "60000", "newClientOrderId": "x" * 37}, -1100, None),
        ({**LIMIT, "price": "60000", "selfTradePreventionMode": "EXPIRE_ALL"}, -1013, None),
        (
            {
                "symbol": "BTCUSDT",
                "side": "SELL",
                "type": "STOP_LOSS",
                "quantity": "0.01",
                "stopPrice": "70000",
            },
            -2010,
            "Order would trigger immediately.",
        ),
        ({"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET"}, -1102, None),
    ],
)
async def test_refusals_carry_binance_codes(
    client: httpx.AsyncClient, signer: Signer, params: dict[str, Any], code: int, msg: str | None
) -> None:
    r = await _place(client, signer, **{k: v for k, v in params.items() if v is not None})
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == code, body
    if msg is not None:
        assert body["msg"] == msg


async def test_duplicate_client_id_and_limits(
    client: httpx.AsyncClient, signer: Signer, venue: Venue
) -> None:
    first = await _place(client, signer, **LIMIT, price="60000", newClientOrderId="mine-1")
    assert first.status_code == 200
    again = await _place(client, signer, **LIMIT, price="60000", newClientOrderId="mine-1")
    assert again.json() == {"code": -2010, "msg": "Duplicate order sent."}
    for _ in range(199):
        venue.place_order(str(UID), OrderParams(symbol="BTC-USDT", side="buy", price="60000", size="0.0001"))
    full = await _place(client, signer, **LIMIT, price="60000")
    assert full.json() == {"code": -1013, "msg": "Filter failure: MAX_NUM_ORDERS"}


async def test_stop_orders_and_their_cap(client: httpx.AsyncClient, signer: Signer) -> None:
    stop = {
        "symbol": "BTCUSDT",
        "side": "SELL",
        "type": "STOP_LOSS_LIMIT",
        "timeInForce": "GTC",
        "quantity": "0.01",
    }
    for _ in range(5):
        r = await _place(client, signer, **stop, price="59000", stopPrice="60000")
        assert r.json()["orderId"] > 0
    r = await _place(client, signer, **stop, price="59000", stopPrice="60000")
    assert r.json() == {"code": -1013, "msg": "Filter failure: MAX_NUM_ALGO_ORDERS"}
    listed = await client.get("/api/v3/openOrders?" + signer.query(symbol="BTCUSDT"), headers=HEADERS)
    rows = listed.json()
    assert {o["type"] for o in rows} == {"STOP_LOSS_LIMIT"}
    assert all(
        o["isWorking"] is False and o["workingTime"] == -1 and o["stopPrice"] == "60000.00000000"
        for o in rows
    )
    take = {
        "symbol": "BTCUSDT",
        "side": "BUY",
        "type": "TAKE_PROFIT",
        "quantity": "0.01",
        "stopPrice": "60000",
    }
    r = await _place(client, signer, **take, newOrderRespType="RESULT")
    assert r.json()["code"] == -1013  # a sixth stop order on the pair


async def test_full_answer_and_commission_in_the_asset_received(
    client: httpx.AsyncClient, signer: Signer
) -> None:
    r = await _place(client, signer, symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.01")
    body = r.json()
    assert body["status"] == "FILLED" and body["type"] == "MARKET" and body["price"] == "0.00000000"
    assert body["selfTradePreventionMode"] == "EXPIRE_MAKER"
    assert body["fills"] == [
        {
            "price": "66000.00000000",
            "qty": "0.01000000",
            "commission": "0.00001000",
            "commissionAsset": "BTC",
            "tradeId": body["fills"][0]["tradeId"],
        }
    ]
    account = (await client.get("/api/v3/account?" + signer.query(), headers=HEADERS)).json()
    assert {b["asset"]: b["free"] for b in account["balances"]} == {
        "BTC": "2.00999000",
        "USDT": "99340.00000000",
    }
    ack = await _place(
        client, signer, symbol="BTCUSDT", side="SELL", type="MARKET", quantity="0.01", newOrderRespType="ACK"
    )
    assert set(ack.json()) == {"symbol", "orderId", "orderListId", "clientOrderId", "transactTime"}


async def test_market_by_quote_quantity(client: httpx.AsyncClient, signer: Signer) -> None:
    r = await _place(client, signer, symbol="BTCUSDT", side="BUY", type="MARKET", quoteOrderQty="660")
    body = r.json()
    assert (body["executedQty"], body["cummulativeQuoteQty"], body["origQuoteOrderQty"]) == (
        "0.01000000",
        "660.00000000",
        "660.00000000",
    )


async def test_cancel_and_query_by_either_id(client: httpx.AsyncClient, signer: Signer) -> None:
    placed = (await _place(client, signer, **LIMIT, price="60000", newClientOrderId="keep-me")).json()
    oid = placed["orderId"]
    by_client = await client.get(
        "/api/v3/order?" + signer.query(symbol="BTCUSDT", origClientOrderId="keep-me"), headers=HEADERS
    )
    assert by_client.json()["orderId"] == oid
    mismatch = await client.get(
        "/api/v3/order?" + signer.query(symbol="BTCUSDT", orderId=oid, origClientOrderId="other"),
        headers=HEADERS,
    )
    assert mismatch.json()["code"] == -2039
    neither = await client.get("/api/v3/order?" + signer.query(symbol="BTCUSDT"), headers=HEADERS)
    assert neither.json()["code"] == -1102
    missing = await client.get("/api/v3/order?" + signer.query(symbol="BTCUSDT", orderId=1), headers=HEADERS)
    assert missing.json() == {"code": -2013, "msg": "Order does not exist."}
    restricted = await client.delete(
        "/api/v3/order?"
        + signer.query(symbol="BTCUSDT", orderId=oid, cancelRestrictions="ONLY_PARTIALLY_FILLED"),
        headers=HEADERS,
    )
    assert restricted.json() == {"code": -2011, "msg": "Order was not canceled due to cancel restrictions."}
    cancel = await client.delete(
        "/api/v3/order?"
        + signer.query(symbol="BTCUSDT", origClientOrderId="keep-me", newClientOrderId="cancel-1"),
        headers=HEADERS,
    )
    body = cancel.json()
    assert (body["status"], body["origClientOrderId"], body["clientOrderId"]) == (
        "CANCELED",
        "keep-me",
        "cancel-1",
    )
    again = await client.delete(
        "/api/v3/order?" + signer.query(symbol="BTCUSDT", orderId=oid), headers=HEADERS
    )
    assert again.json() == {"code": -2011, "msg": "Unknown order sent."}
    nothing = await client.delete("/api/v3/openOrders?" + signer.query(symbol="BTCUSDT"), headers=HEADERS)
    assert nothing.json() == {"code": -2011, "msg": "Unknown order sent."}


async def test_stp_modes_and_expired_in_match(client: httpx.AsyncClient, signer: Signer) -> None:
    resting = (await _place(client, signer, **{**LIMIT, "side": "SELL"}, price="65500")).json()
    taker = await _place(client, signer, **LIMIT, price="65500", selfTradePreventionMode="EXPIRE_TAKER")
    assert taker.json()["status"] == "EXPIRED_IN_MATCH"
    assert taker.json()["selfTradePreventionMode"] == "EXPIRE_TAKER"
    maker = (
        await client.get(
            "/api/v3/order?" + signer.query(symbol="BTCUSDT", orderId=resting["orderId"]), headers=HEADERS
        )
    ).json()
    assert maker["status"] == "NEW"
    none = await _place(client, signer, **LIMIT, price="65500", selfTradePreventionMode="NONE")
    assert none.json()["status"] == "FILLED"  # a trade with itself
    assert none.json()["selfTradePreventionMode"] == "NONE"


async def test_my_trades_pages_from_an_id(client: httpx.AsyncClient, signer: Signer) -> None:
    for _ in range(3):
        await _place(client, signer, symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.001")
    rows = (await client.get("/api/v3/myTrades?" + signer.query(symbol="BTCUSDT"), headers=HEADERS)).json()
    assert len(rows) == 3 and rows[0]["id"] < rows[1]["id"] < rows[2]["id"]
    later = await client.get(
        "/api/v3/myTrades?" + signer.query(symbol="BTCUSDT", fromId=rows[1]["id"], limit=5), headers=HEADERS
    )
    assert [t["id"] for t in later.json()] == [rows[1]["id"], rows[2]["id"]]
    orders = (await client.get("/api/v3/allOrders?" + signer.query(symbol="BTCUSDT"), headers=HEADERS)).json()
    assert [o["status"] for o in orders] == ["FILLED"] * 3
