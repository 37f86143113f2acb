"""Changing an open order through the dialect: cancelReplace in every outcome of NOTES 5.5
(status, code, ``data``), its unfilled order count and weight; amend keep-priority (a
decrease keeps the order's place, anything else is refused, ten at most, down to what
filled expires the order) and its amendments; the user-data events of both; the WebSocket
API twins."""

from __future__ import annotations

import hashlib
import hmac
import json
from decimal import Decimal
from typing import Any

import httpx

from exchanges import ManualClock
from simulator.binance.app import BinanceFacade
from simulator.binance.build import build_facade
from simulator.venue import OrderParams, Venue

from .conftest import HEADERS, KEY, MAKER, SECRET, UID, Signer, config

LIMIT = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC"}


async def _send(
    client: httpx.AsyncClient, signer: Signer, method: str, path: str, **params: Any
) -> httpx.Response:
    return await client.request(method, path, content=signer.query(**params), headers=HEADERS)


async def _rest(client: httpx.AsyncClient, signer: Signer, **params: Any) -> dict[str, Any]:
    r = await _send(client, signer, "POST", "/api/v3/order", **LIMIT, **params)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def _query(client: httpx.AsyncClient, signer: Signer, order_id: int) -> dict[str, Any]:
    r = await client.get(f"/api/v3/order?{signer.query(symbol='BTCUSDT', orderId=order_id)}", headers=HEADERS)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def _replace(**params: Any) -> dict[str, Any]:
    return {**LIMIT, "cancelReplaceMode": "STOP_ON_FAILURE", "quantity": "0.01", "price": "63000", **params}


async def _cancel_replace(client: httpx.AsyncClient, signer: Signer, **params: Any) -> httpx.Response:
    return await _send(client, signer, "POST", "/api/v3/order/cancelReplace", **_replace(**params))


def _events(facade: BinanceFacade) -> list[dict[str, Any]]:
    """The account's user-data events, as a subscriber hears them."""
    assert facade.ws is not None
    heard: list[dict[str, Any]] = []
    facade.ws.sessions.feed.add(str(UID), heard.append)
    return heard


def _reports(facade: BinanceFacade, heard: list[dict[str, Any]]) -> list[tuple[str, int, str, str]]:
    assert facade.ws is not None
    facade.ws.sessions.feed.flush()
    return [(e["x"], e["i"], e["c"], e["C"]) for e in heard if e["e"] == "executionReport"]


# --- cancelReplace ---------------------------------------------------------------------------------


async def test_both_halves_done_answer_200_and_report_canceled_then_new(
    client: httpx.AsyncClient, signer: Signer, facade: BinanceFacade
) -> None:
    old = await _rest(client, signer, quantity="0.01", price="62000", newClientOrderId="keep-me")
    heard = _events(facade)
    r = await _cancel_replace(
        client, signer, cancelOrderId=old["orderId"], newClientOrderId="keep-me", cancelNewClientOrderId="c-1"
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["cancelResult"], body["newOrderResult"]) == ("SUCCESS", "SUCCESS")
    assert body["cancelResponse"]["status"] == "CANCELED"
    assert body["cancelResponse"]["clientOrderId"] == "c-1"
    new = body["newOrderResponse"]
    assert new["clientOrderId"] == "keep-me" and new["status"] == "NEW" and new["price"] == "63000.00000000"
    assert new["orderId"] != old["orderId"] and "fills" in new  # (FULL, a LIMIT's default)
    assert r.headers["X-MBX-ORDER-COUNT-10S"] == "2"
    assert r.headers["X-MBX-USED-WEIGHT-1M"] == "0"  # (successful order entry weighs nothing)
    assert (await _query(client, signer, old["orderId"]))["status"] == "CANCELED"
    assert _reports(facade, heard) == [
        ("CANCELED", old["orderId"], "c-1", "keep-me"),
        ("NEW", new["orderId"], "keep-me", ""),
    ]


async def test_a_failed_cancel_stops_the_replacement_and_still_counts_an_order(
    client: httpx.AsyncClient, signer: Signer
) -> None:
    r = await _cancel_replace(client, signer, cancelOrderId=999999)
    assert r.status_code == 400
    assert r.json() == {
        "code": -2022,
        "msg": "Order cancel-replace failed.",
        "data": {
            "cancelResult": "FAILURE",
            "newOrderResult": "NOT_ATTEMPTED",
            "cancelResponse": {"code": -2011, "msg": "Unknown order sent."},
            "newOrderResponse": None,
        },
    }
    assert r.headers["X-MBX-ORDER-COUNT-10S"] == "1"
    assert r.headers["X-MBX-USED-WEIGHT-1M"] == "1"  # (a failed one pays its weight)
    opened = await client.get(f"/api/v3/openOrders?{signer.query(symbol='BTCUSDT')}", headers=HEADERS)
    assert opened.json() == []


async def test_allow_failure_places_even_when_the_cancel_fails(
    client: httpx.AsyncClient, signer: Signer
) -> None:
    r = await _cancel_replace(
        client, signer, cancelOrigClientOrderId="nobody", cancelReplaceMode="ALLOW_FAILURE"
    )
    assert r.status_code == 409
    body = r.json()
    assert (body["code"], body["msg"]) == (-2021, "Order cancel-replace partially failed.")
    data = body["data"]
    assert (data["cancelResult"], data["newOrderResult"]) == ("FAILURE", "SUCCESS")
    assert data["cancelResponse"] == {"code": -2011, "msg": "Unknown order sent."}
    assert (await _query(client, signer, data["newOrderResponse"]["orderId"]))["status"] == "NEW"


async def test_a_refused_new_order_after_the_cancel_is_a_partial_failure(
    client: httpx.AsyncClient, signer: Signer
) -> None:
    old = await _rest(client, signer, quantity="0.01", price="62000")
    r = await _cancel_replace(client, signer, cancelOrderId=old["orderId"], quantity="5")
    assert r.status_code == 409
    data = r.json()["data"]
    assert (data["cancelResult"], data["newOrderResult"]) == ("SUCCESS", "FAILURE")
    assert data["cancelResponse"]["orderId"] == old["orderId"]
    assert data["newOrderResponse"] == {
        "code": -2010,
        "msg": "Account has insufficient balance for requested action.",
    }
    assert (await _query(client, signer, old["orderId"]))["status"] == "CANCELED"


async def test_both_halves_failing_with_allow_failure(client: httpx.AsyncClient, signer: Signer) -> None:
    r = await _cancel_replace(
        client, signer, cancelOrderId=999999, cancelReplaceMode="ALLOW_FAILURE", quantity="5"
    )
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == -2022
    assert (body["data"]["cancelResult"], body["data"]["newOrderResult"]) == ("FAILURE", "FAILURE")
    assert body["data"]["newOrderResponse"]["code"] == -2010


async def test_a_filter_failure_is_a_plain_error_and_changes_nothing(
    client: httpx.AsyncClient, signer: Signer
) -> None:
    old = await _rest(client, signer, quantity="0.01", price="62000")
    r = await _cancel_replace(client, signer, cancelOrderId=old["orderId"], price="63000.001")
    assert r.status_code == 400
    assert r.json() == {"code": -1013, "msg": "Filter failure: PRICE_FILTER"}
    assert (await _query(client, signer, old["orderId"]))["status"] == "NEW"
    missing = await _send(client, signer, "POST", "/api/v3/order/cancelReplace", **_replace())
    assert missing.json()["code"] == -1102
    bad_mode = await _cancel_replace(client, signer, cancelOrderId=old["orderId"], cancelReplaceMode="MAYBE")
    assert bad_mode.json()["code"] == -1100


async def test_the_unfilled_order_limit_by_rate_limit_mode(venue: Venue, signer: Signer) -> None:
    facade = build_facade(venue, config(orders_per_10s=2))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=facade.app), base_url="http://sim"
    ) as client:
        first = await _rest(client, signer, quantity="0.01", price="62000")
        second = await _rest(client, signer, quantity="0.01", price="62000")
        nothing = await _cancel_replace(client, signer, cancelOrderId=first["orderId"])
        assert nothing.status_code == 429 and nothing.json()["code"] == -1015
        assert (await _query(client, signer, first["orderId"]))["status"] == "NEW"
        only = await _cancel_replace(
            client, signer, cancelOrderId=first["orderId"], orderRateLimitExceededMode="CANCEL_ONLY"
        )
        assert only.status_code == 429
        body = only.json()
        assert body["code"] == -2021
        assert (body["data"]["cancelResult"], body["data"]["newOrderResult"]) == ("SUCCESS", "FAILURE")
        assert body["data"]["newOrderResponse"]["code"] == -1015
        assert (await _query(client, signer, first["orderId"]))["status"] == "CANCELED"
        allowed = await _cancel_replace(
            client,
            signer,
            cancelOrderId=second["orderId"],
            cancelReplaceMode="ALLOW_FAILURE",
            orderRateLimitExceededMode="CANCEL_ONLY",
        )
        assert allowed.status_code == 409 and allowed.json()["code"] == -2021
        for mode, status, result in (
            ("STOP_ON_FAILURE", 429, "NOT_ATTEMPTED"),
            ("ALLOW_FAILURE", 400, "FAILURE"),
        ):
            neither = await _cancel_replace(
                client,
                signer,
                cancelOrderId=999999,
                cancelReplaceMode=mode,
                orderRateLimitExceededMode="CANCEL_ONLY",
            )
            assert (neither.status_code, neither.json()["code"]) == (status, -2022)
            assert neither.json()["data"]["newOrderResult"] == result


# --- amend keep-priority ---------------------------------------------------------------------------


async def _amend(client: httpx.AsyncClient, signer: Signer, **params: Any) -> httpx.Response:
    return await _send(client, signer, "PUT", "/api/v3/order/amend/keepPriority", symbol="BTCUSDT", **params)


async def test_a_decrease_keeps_the_order_its_place_in_the_queue(
    client: httpx.AsyncClient, signer: Signer, venue: Venue, facade: BinanceFacade
) -> None:
    mine = await _rest(client, signer, quantity="0.02", price="64500", newClientOrderId="first")
    venue.place_order(MAKER, OrderParams(symbol="BTC-USDT", side="buy", price="64500", size="0.05"))
    heard = _events(facade)
    r = await _amend(client, signer, orderId=mine["orderId"], newQty="0.01", newClientOrderId="renamed")
    assert r.status_code == 200, r.text
    assert r.headers["X-MBX-USED-WEIGHT-1M"] == "4"
    assert "X-MBX-ORDER-COUNT-10S" not in r.headers
    assert await _count(client, signer) == [1, 1]  # (the placement's; an amend adds none)
    body = r.json()
    amended = body["amendedOrder"]
    assert (amended["orderId"], amended["qty"], amended["status"]) == (mine["orderId"], "0.01000000", "NEW")
    assert (amended["origClientOrderId"], amended["clientOrderId"]) == ("first", "renamed")
    reports = _reports(facade, heard)
    assert reports == [("REPLACED", mine["orderId"], "renamed", "")]  # (C: only a cancel's)
    assert heard[0]["q"] == "0.01000000" and heard[0]["I"] == body["executionId"]
    venue.place_order(MAKER, OrderParams(symbol="BTC-USDT", side="sell", type="market", size="0.01"))
    after = await _query(client, signer, mine["orderId"])
    assert (after["status"], after["clientOrderId"]) == ("FILLED", "renamed")  # first in line still
    rows = await client.get(
        f"/api/v3/order/amendments?{signer.query(symbol='BTCUSDT', orderId=mine['orderId'])}", headers=HEADERS
    )
    assert rows.json() == [
        {
            "symbol": "BTCUSDT",
            "orderId": mine["orderId"],
            "executionId": body["executionId"],
            "origClientOrderId": "first",
            "newClientOrderId": "renamed",
            "origQty": "0.02000000",
            "newQty": "0.01000000",
            "time": body["transactTime"],
        }
    ]


async def test_amend_refuses_increases_and_an_eleventh_amend(
    client: httpx.AsyncClient, signer: Signer
) -> None:
    order = await _rest(client, signer, quantity="1", price="60000")
    more = await _amend(client, signer, orderId=order["orderId"], newQty="2")
    assert more.json() == {"code": -2038, "msg": "Order amend (quantity increase) is not supported."}
    for n in range(10):
        done = await _amend(
            client, signer, orderId=order["orderId"], newQty=str(Decimal("0.9") - n * Decimal("0.01"))
        )
        assert done.status_code == 200, done.text
    eleventh = await _amend(client, signer, orderId=order["orderId"], newQty="0.5")
    assert eleventh.json() == {"code": -2038, "msg": "Filter failure: MAX_NUM_ORDER_AMENDS"}
    unknown = await _amend(client, signer, orderId=999999, newQty="0.5")
    assert unknown.json()["code"] == -2011


async def test_an_amend_the_venue_refuses_leaves_no_report_behind(
    client: httpx.AsyncClient, signer: Signer, facade: BinanceFacade
) -> None:
    order = await _rest(client, signer, quantity="1", price="60000")
    _events(facade)
    off_grid = await _amend(client, signer, orderId=order["orderId"], newQty="0.123456789")
    assert off_grid.json()["code"] == -1013
    assert facade.amendments.replaced == {} and facade.amendments.of(str(UID), order["orderId"]) == []


async def test_amend_down_to_what_filled_expires_the_order_and_weighs_nothing(
    client: httpx.AsyncClient, signer: Signer, venue: Venue
) -> None:
    order = await _rest(client, signer, quantity="0.03", price="64500")
    venue.place_order(MAKER, OrderParams(symbol="BTC-USDT", side="sell", type="market", size="0.01"))
    r = await _amend(client, signer, orderId=order["orderId"], newQty="0.01")
    assert r.status_code == 200, r.text
    assert r.headers["X-MBX-USED-WEIGHT-1M"] == "0"
    assert r.json()["amendedOrder"]["status"] == "EXPIRED"
    assert (await _query(client, signer, order["orderId"]))["status"] == "EXPIRED"


async def test_exchange_info_allows_both(client: httpx.AsyncClient) -> None:
    info = (await client.get("/api/v3/exchangeInfo?symbol=BTCUSDT")).json()["symbols"][0]
    assert info["cancelReplaceAllowed"] is True and info["amendAllowed"] is True
    assert {"filterType": "MAX_NUM_ORDER_AMENDS", "maxNumOrderAmends": 10} in info["filters"]


# --- the WebSocket API -----------------------------------------------------------------------------


def _ws_request(clock: ManualClock, method: str, **params: Any) -> str:
    signed: dict[str, Any] = {**params, "apiKey": KEY, "timestamp": clock.now_ms()}
    payload = "&".join(f"{k}={v}" for k, v in sorted(signed.items())).encode()
    signed["signature"] = hmac.new(SECRET.encode(), payload, hashlib.sha256).hexdigest()
    return json.dumps({"id": method, "method": method, "params": signed})


async def test_the_websocket_api_serves_both(facade: BinanceFacade, clock: ManualClock, venue: Venue) -> None:
    assert facade.ws is not None
    session = facade.ws.sessions.connect("127.0.0.1")
    order = venue.place_order(
        str(UID), OrderParams(symbol="BTC-USDT", side="buy", price="62000", size="0.02")
    )
    session.handle(
        _ws_request(clock, "order.amend.keepPriority", symbol="BTCUSDT", orderId=order.id, newQty="0.01")
    )
    amended = json.loads(session.queue.get_nowait() or "")
    assert amended["status"] == 200 and amended["result"]["amendedOrder"]["qty"] == "0.01000000"
    session.handle(_ws_request(clock, "order.cancelReplace", **_replace(cancelOrderId=999999)))
    failed = json.loads(session.queue.get_nowait() or "")
    assert failed["status"] == 400 and failed["error"]["code"] == -2022
    assert failed["error"]["data"]["newOrderResult"] == "NOT_ATTEMPTED"
    session.handle(_ws_request(clock, "order.cancelReplace", **_replace(cancelOrderId=order.id)))
    replaced = json.loads(session.queue.get_nowait() or "")
    assert replaced["status"] == 200 and replaced["result"]["newOrderResult"] == "SUCCESS"


# --- the unfilled order count ----------------------------------------------------------------------


async def _count(client: httpx.AsyncClient, signer: Signer) -> list[int]:
    r = await client.get(f"/api/v3/rateLimit/order?{signer.query()}", headers=HEADERS)
    return [row["count"] for row in r.json()]


async def test_an_orders_first_fill_lowers_the_unfilled_order_count(
    client: httpx.AsyncClient, signer: Signer, venue: Venue
) -> None:
    resting = await _send(client, signer, "POST", "/api/v3/order", **LIMIT, quantity="0.03", price="64500")
    assert resting.headers["X-MBX-ORDER-COUNT-10S"] == "1"
    assert await _count(client, signer) == [1, 1]
    venue.place_order(MAKER, OrderParams(symbol="BTC-USDT", side="sell", type="market", size="0.01"))
    assert await _count(client, signer) == [0, 0]  # (its first fill)
    second = await _send(client, signer, "POST", "/api/v3/order", **LIMIT, quantity="0.01", price="60000")
    assert second.headers["X-MBX-ORDER-COUNT-10S"] == "1" and second.headers["X-MBX-ORDER-COUNT-1D"] == "1"
    venue.place_order(MAKER, OrderParams(symbol="BTC-USDT", side="sell", type="market", size="0.01"))
    assert await _count(client, signer) == [1, 1]  # (a later fill of the first order changes nothing)
    taker = await _send(
        client, signer, "POST", "/api/v3/order", symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.001"
    )
    assert taker.headers["X-MBX-ORDER-COUNT-10S"] == "2"
    assert await _count(client, signer) == [1, 1]
