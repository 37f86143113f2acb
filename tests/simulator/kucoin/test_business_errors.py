"""Business refusals come back as KuCoin sends them: HTTP 200, the code, KuCoin's wording."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from exchanges import ManualClock
from simulator.venue import OrderParams, Venue

from .conftest import MAKER
from .helpers import Signer, call

ORDER = {
    "clientOid": "e-1",
    "symbol": "BTC-USDT",
    "side": "buy",
    "type": "limit",
    "price": "60000",
    "size": "0.01",
}


def _order(**patch: Any) -> dict[str, Any]:
    return {k: v for k, v in {**ORDER, **patch}.items() if v is not None}


async def _refused(client: httpx.AsyncClient, response: httpx.Response) -> tuple[str, str]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"code", "msg"}, body
    return body["code"], body["msg"]


@pytest.mark.parametrize(
    ("patch", "code", "msg"),
    [
        ({"size": "10"}, "200004", "Balance insufficient!"),
        ({"price": "60000.05"}, "400100", "Price increment invalid."),
        ({"size": "0.000000001"}, "400100", "Order size increment invalid."),
        ({"size": "0.000001"}, "400100", "Order size below the minimum requirement."),
        ({"price": "1", "size": "0.01"}, "400100", "The order funds should more then 0.1 USDT."),
        ({"type": "market", "price": None, "size": None, "funds": "10.0000001"}, "400100",
         "The amount increment is invalid."),
        ({"symbol": "FOO-BAR"}, "900001", "symbol 'FOO-BAR' not exists"),
        ({"price": "66000", "postOnly": True}, "400100", "Post only order would take liquidity, canceled"),
        ({"price": "80000"}, "400760", "order price should be less than 72600"),
        ({"side": "up"}, "400100", "side must be one of buy, sell"),
        ({"symbol": None}, "400100", "symbol is required"),
        ({"price": "1e999999"}, "400100", 'price is invalid: "1e999999"'),
        ({"size": "1e30"}, "400100", "size too large: 1E+30 (at most 18 integer digits)"),
        ({"price": "1e30"}, "400100", "price too large: 1E+30 (at most 18 integer digits)"),
        ({"size": "100000000000000000"}, "400100", "Order size above the maximum requirement."),
        ({"type": "market", "price": None, "size": None, "funds": "1e30"}, "400100",
         "funds too large: 1E+30 (at most 18 integer digits)"),
        ({"clientOid": "x" * 41}, "400100", "clientOid is too long (at most 40 characters)"),
        ({"iceberg": True}, "400100", "visibleSize is required for an iceberg order"),
    ],
)  # fmt: skip
async def test_order_refusals(
    client: httpx.AsyncClient, signer: Signer, patch: dict[str, Any], code: str, msg: str
) -> None:
    response = await call(client, "POST", "/api/v1/hf/orders", body=_order(**patch), signer=signer)
    assert await _refused(client, response) == (code, msg)


async def test_duplicate_active_client_oid_then_reuse_after_done(
    client: httpx.AsyncClient, signer: Signer
) -> None:
    first = await call(client, "POST", "/api/v1/hf/orders", body=ORDER, signer=signer)
    assert first.json()["code"] == "200000"
    again = await call(client, "POST", "/api/v1/hf/orders", body=ORDER, signer=signer)
    assert await _refused(client, again) == ("400100", "validation.createOrder.clientOidDuplicated")
    target = "/api/v1/hf/orders/client-order/e-1"
    assert (await call(client, "DELETE", target, params={"symbol": "BTC-USDT"}, signer=signer)).json()[
        "code"
    ] == "200000"
    reused = await call(client, "POST", "/api/v1/hf/orders", body=ORDER, signer=signer)
    assert reused.json()["code"] == "200000"  # KuCoin only checks active orders


@pytest.mark.parametrize(
    ("method", "path", "params", "msg"),
    [
        ("GET", "/api/v1/hf/orders/abc", {"symbol": "BTC-USDT"}, "order not exist."),
        ("DELETE", "/api/v1/hf/orders/abc", {"symbol": "BTC-USDT"}, "order_not_exist_or_not_allow_to_cancel"),
        ("DELETE", "/api/v1/hf/orders/client-order/nope", {"symbol": "BTC-USDT"},
         "order_not_exist_or_not_allow_to_cancel"),
        ("GET", "/api/v1/orders/abc", None, "order not exist."),
        ("DELETE", "/api/v1/orders/abc", None, "order_not_exist_or_not_allow_to_cancel"),
        ("GET", "/api/v1/stop-order/abc", None, "stop order not exist."),
    ],
)  # fmt: skip
async def test_unknown_orders(
    client: httpx.AsyncClient, signer: Signer, method: str, path: str, params: dict[str, str] | None, msg: str
) -> None:
    response = await call(client, method, path, params=params, signer=signer)
    assert await _refused(client, response) == ("400100", msg)


async def test_cancelling_a_done_order_is_not_allowed(client: httpx.AsyncClient, signer: Signer) -> None:
    taker = _order(clientOid="t-1", type="market", price=None, size="0.01")
    placed = (await call(client, "POST", "/api/v1/hf/orders", body=taker, signer=signer)).json()["data"]
    response = await call(
        client,
        "DELETE",
        f"/api/v1/hf/orders/{placed['orderId']}",
        params={"symbol": "BTC-USDT"},
        signer=signer,
    )
    assert await _refused(client, response) == ("400100", "order_not_exist_or_not_allow_to_cancel")


async def test_other_accounts_orders_are_not_found(
    client: httpx.AsyncClient, signer: Signer, venue: Any
) -> None:
    foreign = next(o for o in venue.active_orders("market-maker"))
    response = await call(client, "GET", f"/api/v1/orders/{foreign.id}", signer=signer)
    assert await _refused(client, response) == ("400100", "order not exist.")


@pytest.mark.parametrize(
    ("method", "path", "params", "body", "code", "msg"),
    [
        ("GET", "/api/v2/symbols/FOO-BAR", None, None, "900001", "symbol 'FOO-BAR' not exists"),
        ("GET", "/api/v1/market/orderbook/level1", {"symbol": "NOPE"}, None, "900001",
         "symbol 'NOPE' not exists"),
        ("GET", "/api/v1/market/stats", None, None, "400100", "symbol is required"),
        ("GET", "/api/v1/market/candles", {"symbol": "BTC-USDT", "type": "2min"}, None, "400100", None),
        ("POST", "/api/v1/orders", None, {k: v for k, v in ORDER.items() if k != "clientOid"}, "400100",
         "validation.createOrder.clientOidIsRequired"),
        ("POST", "/api/v1/orders", None, {**ORDER, "tradeType": "MARGIN_TRADE"}, "400100", None),
        ("POST", "/api/v1/hf/orders/multi", None, {"orderList": []}, "400100", "orderList is required"),
        ("POST", "/api/v1/hf/orders/multi", None, {"orderList": [ORDER] * 6}, "400100",
         "orderList holds at most 5 orders"),
        ("DELETE", "/api/v1/hf/orders/cancel/x", {"symbol": "BTC-USDT"}, None, "400100",
         "cancelSize is required"),
        ("POST", "/api/v1/hf/orders/dead-cancel-all", None, {"timeout": 3}, "400100",
         "timeout must be -1 or between 5 and 86400 seconds"),
        ("GET", "/api/v1/trade-fees", {"symbols": ",".join(["BTC-USDT"] * 11)}, None, "400100",
         "at most 10 symbols"),
        ("GET", "/api/v1/accounts", {"type": "savings"}, None, "400100", None),
    ],
)  # fmt: skip
async def test_parameter_errors(
    client: httpx.AsyncClient,
    signer: Signer,
    method: str,
    path: str,
    params: dict[str, str] | None,
    body: Any,
    code: str,
    msg: str | None,
) -> None:
    response = await call(client, method, path, params=params, body=body, signer=signer)
    got_code, got_msg = await _refused(client, response)
    assert got_code == code
    if msg is not None:
        assert got_msg == msg


async def test_malformed_bodies(client: httpx.AsyncClient, signer: Signer) -> None:
    for raw in (b"{", b"[1, 2]", b'"text"', b"\xff\xfe"):
        text = raw.decode("latin-1")
        headers = signer.headers("POST", "/api/v1/hf/orders", text)
        headers["Content-Type"] = "application/json"
        response = await client.post("/api/v1/hf/orders", content=text.encode("latin-1"), headers=headers)
        code, _ = (
            await _refused(client, response) if response.status_code == 200 else (response.json()["code"], "")
        )
        assert code in ("400100", "400005"), response.text


async def test_unknown_book_depth_is_not_found(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/market/orderbook/level2_50", params={"symbol": "BTC-USDT"})
    assert (response.status_code, response.json()["code"]) == (404, "404000")


async def test_batch_reports_each_failure_in_its_slot(client: httpx.AsyncClient, signer: Signer) -> None:
    batch = {"orderList": [_order(clientOid="b-1"), _order(clientOid="b-2", size="10"), "junk"]}
    response = await call(client, "POST", "/api/v1/hf/orders/multi", body=batch, signer=signer)
    rows = response.json()["data"]
    assert [r["success"] for r in rows] == [True, False, False]
    assert rows[1] == {"success": False, "failMsg": "Balance insufficient!", "clientOid": "b-2"}
    assert rows[2]["failMsg"] == "each order must be a JSON object"


async def test_batch_orders_must_share_one_trading_pair(client: httpx.AsyncClient, signer: Signer) -> None:
    batch = {"orderList": [_order(clientOid="p-1"), _order(clientOid="p-2", symbol="ETH-USDT", price="100")]}
    response = await call(client, "POST", "/api/v1/hf/orders/multi", body=batch, signer=signer)
    rows = response.json()["data"]
    assert [r["success"] for r in rows] == [True, False]
    assert rows[1]["failMsg"] == "batch orders must be of one trading pair (BTC-USDT)"


async def test_active_orders_newest_update_first_and_the_page_newest_created_first(
    client: httpx.AsyncClient, signer: Signer, venue: Venue, clock: ManualClock
) -> None:
    ids = []
    for price in ("65500", "65600"):  # the older one is the cheaper ask
        placed = await call(client, "POST", "/api/v1/hf/orders", signer=signer,
                            body=_order(clientOid=f"a-{price}", side="sell", price=price))  # fmt: skip
        ids.append(placed.json()["data"]["orderId"])
        clock.advance(1)
    venue.place_order(MAKER, OrderParams(symbol="BTC-USDT", side="buy", type="market", size="0.001"))
    query = {"symbol": "BTC-USDT"}
    active = (await call(client, "GET", "/api/v1/hf/orders/active", params=query, signer=signer)).json()
    assert [o["id"] for o in active["data"]] == ids  # the partly filled older order first
    paged = await call(client, "GET", "/api/v1/hf/orders/active/page", params=query, signer=signer)
    assert [o["id"] for o in paged.json()["data"]["items"]] == ids[::-1]
