"""Details of the spec a probe found the facade answering differently: each test names the
spec's words it follows."""

from __future__ import annotations

from typing import Any

import httpx

from exchanges import ManualClock
from simulator.venue import OrderParams, Venue

from .conftest import MAKER
from .helpers import Signer, call, ok

SYM = {"symbol": "BTC-USDT"}
LIMIT = {"symbol": "BTC-USDT", "side": "buy", "type": "limit", "price": "60000", "size": "0.002"}


async def _code(client: httpx.AsyncClient, signer: Signer, method: str, path: str, **kw: Any) -> str:
    code: str = (await call(client, method, path, signer=signer, **kw)).json()["code"]
    return code


async def test_a_stop_order_cancelled_before_it_triggered_is_gone_from_the_stop_endpoints(
    client: httpx.AsyncClient, signer: Signer
) -> None:
    """Stop-order status: "include NEW, TRIGGERED"; the list holds "active stop orders"."""
    body = {**LIMIT, "clientOid": "s-1", "stopPrice": "50000"}
    placed = await ok(client, "POST", "/api/v1/stop-order", body=body, signer=signer)
    path = f"/api/v1/stop-order/{placed['orderId']}"
    assert (await ok(client, "GET", path, signer=signer))["status"] == "NEW"
    await ok(client, "DELETE", path, signer=signer)
    assert await _code(client, signer, "GET", path) == "400100"
    by_coid = "/api/v1/stop-order/queryOrderByClientOid"
    assert await ok(client, "GET", by_coid, params={"clientOid": "s-1"}, signer=signer) == []


async def test_a_stop_orders_direction_is_derived_unless_an_old_client_sends_one(
    client: httpx.AsyncClient, signer: Signer
) -> None:
    """The request has ``stopPrice`` and no ``stop``; the order read back has ``stop``,
    "include loss and entry": at or above the last price (65000) entry, below it loss.
    A legacy body's ``stop`` is honoured."""
    stops = {}
    for coid, side, trigger, legacy in (
        ("rise", "buy", "66000", None), ("fall", "sell", "64000", None), ("at", "buy", "65000", None),
        ("old", "buy", "64000", "entry"),
    ):  # fmt: skip
        body = {**LIMIT, "side": side, "clientOid": coid, "stopPrice": trigger}
        if legacy:
            body["stop"] = legacy
        placed = await ok(client, "POST", "/api/v1/stop-order", body=body, signer=signer)
        stops[coid] = await ok(client, "GET", f"/api/v1/stop-order/{placed['orderId']}", signer=signer)
    assert {coid: o["stop"] for coid, o in stops.items()} == {
        "rise": "entry", "fall": "loss", "at": "entry", "old": "entry"
    }  # fmt: skip
    # (a stop at the last price has been reached already; so has the old client's entry at 64000)
    assert [o["status"] for o in stops.values()] == ["NEW", "NEW", "TRIGGERED", "TRIGGERED"]


async def test_the_stop_list_filters_by_stop_or_oco(client: httpx.AsyncClient, signer: Signer) -> None:
    """``stop``: "Order type: stop: stop loss order, oco: oco order"."""
    await ok(client, "POST", "/api/v1/stop-order", body={**LIMIT, "clientOid": "s-2", "stopPrice": "50000"},
             signer=signer)  # fmt: skip
    for stop, count in (("stop", 1), ("oco", 0), (None, 1)):
        query = {"stop": stop} if stop else None
        listed = await ok(client, "GET", "/api/v1/stop-order", params=query, signer=signer)
        assert listed["totalNum"] == count, stop


async def test_hf_bodies_have_no_stop_fields_so_a_stop_price_is_ignored(
    client: httpx.AsyncClient, signer: Signer
) -> None:
    """The HF place bodies (``/api/v1/hf/orders``, ``/sync``, ``/multi``) have no ``stop`` or
    ``stopPrice``: only ``/api/v1/stop-order`` places stop orders."""
    placed = await ok(
        client, "POST", "/api/v1/hf/orders", body={**LIMIT, "stopPrice": "59000"}, signer=signer
    )
    assert not placed["orderId"].startswith("vs")
    active = await ok(client, "GET", "/api/v1/hf/orders/active", params=SYM, signer=signer)
    assert [o["id"] for o in active] == [placed["orderId"]] and active[0]["inOrderBook"]


async def test_a_partial_cancel_answers_the_size_it_cancelled(
    client: httpx.AsyncClient, signer: Signer
) -> None:
    """``cancelSize``: "The size you canceled"."""
    placed = await ok(client, "POST", "/api/v1/hf/orders", body=LIMIT, signer=signer)
    path = f"/api/v1/hf/orders/cancel/{placed['orderId']}"
    first = await ok(client, "DELETE", path, params={**SYM, "cancelSize": "0.0010"}, signer=signer)
    assert first["cancelSize"] == "0.001"
    rest = await ok(client, "DELETE", path, params={**SYM, "cancelSize": "0.005"}, signer=signer)
    assert rest["cancelSize"] == "0.001", "only what was left"


async def test_the_hf_active_page_takes_page_sizes_of_1_to_50(
    client: httpx.AsyncClient, signer: Signer
) -> None:
    for i in range(3):
        await ok(client, "POST", "/api/v1/hf/orders", body={**LIMIT, "price": str(60000 - i)}, signer=signer)
    page = await ok(
        client, "GET", "/api/v1/hf/orders/active/page", params={**SYM, "pageSize": 2}, signer=signer
    )
    assert (page["pageSize"], len(page["items"]), page["totalPage"]) == (2, 2, 2)
    too_big = {**SYM, "pageSize": 51}
    assert await _code(client, signer, "GET", "/api/v1/hf/orders/active/page", params=too_big) == "400100"


async def test_symbol_is_required_where_the_spec_requires_it(
    client: httpx.AsyncClient, signer: Signer
) -> None:
    for path in (
        "/api/v1/hf/orders/active",
        "/api/v1/hf/orders/active/page",
        "/api/v1/hf/fills",
        "/api/v1/fills",
    ):
        assert await _code(client, signer, "GET", path) == "400100", path
    assert await ok(client, "GET", "/api/v1/limit/fills", signer=signer) == []  # (no symbol there)


async def test_fills_by_order_id_ignore_the_other_filters(
    client: httpx.AsyncClient, signer: Signer, venue: Venue, clock: ManualClock
) -> None:
    """``orderId``: "If orderId is specified, please ignore the other query parameters"."""
    bought = await ok(client, "POST", "/api/v1/hf/orders", signer=signer,
                      body={**LIMIT, "type": "market", "price": None, "size": "0.001"})  # fmt: skip
    clock.advance(5)
    other = {"orderId": bought["orderId"], "side": "sell", "startAt": clock.now_ms(), "type": "limit"}
    hf = await ok(client, "GET", "/api/v1/hf/fills", params={**SYM, **other}, signer=signer)
    classic = await ok(client, "GET", "/api/v1/fills", params={**SYM, **other}, signer=signer)
    assert len(hf["items"]) == 1 and classic["totalNum"] == 1


async def test_classic_fills_find_a_stop_orders_fills_by_limit_stop_or_market_stop(
    client: httpx.AsyncClient, signer: Signer, venue: Venue
) -> None:
    """``type``: limit, market, limit_stop, market_stop."""
    await ok(client, "POST", "/api/v1/hf/orders", signer=signer,
             body={**LIMIT, "type": "market", "price": None, "size": "0.001"})  # fmt: skip
    stop = {**LIMIT, "clientOid": "s-3", "type": "market", "price": None, "size": "0.001", "side": "sell",
            "stopPrice": "64000", "stop": "loss"}  # fmt: skip
    await ok(client, "POST", "/api/v1/stop-order", body=stop, signer=signer)
    venue.place_order(MAKER, OrderParams(symbol="BTC-USDT", side="sell", type="market", size="0.5"))  # 64000
    counts = {}
    for kind in ("limit", "market", "limit_stop", "market_stop"):
        listed = await ok(client, "GET", "/api/v1/fills", params={**SYM, "type": kind}, signer=signer)
        counts[kind] = listed["totalNum"]
    assert counts == {"limit": 0, "market": 1, "limit_stop": 0, "market_stop": 1}


async def test_classic_get_by_client_oid_does_not_find_a_settled_order(
    client: httpx.AsyncClient, signer: Signer
) -> None:
    """ "The system will send a prompt that the order does not exist if the order does not
    exist or has been settled.\""""
    body = {**LIMIT, "clientOid": "c-1"}
    await ok(client, "POST", "/api/v1/orders", body=body, signer=signer)
    path = "/api/v1/order/client-order/c-1"
    assert (await ok(client, "GET", path, signer=signer))["isActive"] is True
    await ok(client, "DELETE", path, signer=signer)
    assert await _code(client, signer, "GET", path) == "400100"


async def test_the_classic_batch_takes_limit_orders_only(client: httpx.AsyncClient, signer: Signer) -> None:
    """ "The order type must be a limit order of the same symbol"."""
    orders = [
        {"clientOid": "b-1", "side": "buy", "type": "limit", "price": "60000", "size": "0.001"},
        {"clientOid": "b-2", "side": "buy", "type": "market", "funds": "100"},
    ]
    rows = (
        await ok(client, "POST", "/api/v1/orders/multi", body={**SYM, "orderList": orders}, signer=signer)
    )["data"]
    assert [r["status"] for r in rows] == ["success", "fail"]


async def test_an_order_without_remark_tags_or_stp_answers_null_there(
    client: httpx.AsyncClient, signer: Signer
) -> None:
    """KuCoin's examples: an HF order placed without them has ``"stp": null, "tags": null``, and
    the classic GET example's order ``"remark": null``; one with them answers its own values."""
    plain = await ok(client, "POST", "/api/v1/hf/orders", body=LIMIT, signer=signer)
    own = {**LIMIT, "clientOid": "o-1", "remark": "dip", "tags": "grid", "stp": "CN"}
    marked = await ok(client, "POST", "/api/v1/hf/orders", body=own, signer=signer)
    for family in ("/api/v1/hf/orders/", "/api/v1/orders/"):
        seen = []
        for placed in (plain, marked):
            got = await ok(client, "GET", family + placed["orderId"], params=SYM, signer=signer)
            seen.append((got["remark"], got["tags"], got["stp"]))
        unset = (None, None, None) if "hf" in family else (None, None, "")  # classic: "stp": ""
        assert seen == [unset, ("dip", "grid", "CN")], family
