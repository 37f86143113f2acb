"""Idempotent placing: a lost response is reconciled by clientOid before any resend.

The fake venue below really keeps orders by clientOid (and refuses a duplicate among
active ones, as KuCoin does), so "one order, never two" is checked on the venue's side.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from exchanges import (
    DuplicateClientOrderId,
    ExchangeUnavailable,
    ManualClock,
    NetworkError,
    Order,
    OrderRequest,
    OrderStatus,
    RequestTimeout,
)

from .conftest import SERVER_TIME, make_exchange, mock_markets, ok


class Venue:
    """Just enough of KuCoin's HF order book keeping: orders by clientOid."""

    def __init__(self) -> None:
        self.orders: dict[str, dict[str, Any]] = {}
        self.place_calls = 0
        self.query_calls = 0

    def place(self, request: httpx.Request) -> dict[str, Any]:
        self.place_calls += 1
        body = json.loads(request.content)
        coid = body["clientOid"]
        if coid in self.orders:
            raise _Duplicate
        order = {
            "id": f"order{len(self.orders) + 1:020d}",
            "clientOid": coid,
            "symbol": body["symbol"],
            "type": body["type"],
            "side": body["side"],
            "price": body.get("price", "0"),
            "size": body.get("size", "0"),
            "funds": "0",
            "dealSize": "0",
            "dealFunds": "0",
            "fee": "0",
            "feeCurrency": "USDT",
            "timeInForce": "GTC",
            "active": True,
            "cancelExist": False,
            "createdAt": SERVER_TIME,
            "lastUpdatedAt": SERVER_TIME,
        }
        self.orders[coid] = order
        return order

    def query(self, request: httpx.Request) -> httpx.Response:
        self.query_calls += 1
        coid = request.url.path.rsplit("/", 1)[1]
        found = self.orders.get(coid)
        if found is None:
            return httpx.Response(200, json={"code": "400100", "msg": "order not exist."})
        return ok(found)


class _Duplicate(Exception):
    pass


def install(router: respx.Router, venue: Venue, faults: list[str]) -> None:
    """Placement answers follow ``faults`` in turn: ``ok``, ``timeout`` (acted, answer lost),
    ``reset`` (acted, connection reset), ``502`` (acted, gateway error), ``refused``
    (never reached the venue), ``503-before`` (refused by the gateway, not acted)."""
    mock_markets(router)
    script = iter(faults)

    def place(request: httpx.Request) -> httpx.Response:
        fault = next(script, "ok")
        if fault == "refused":
            raise httpx.ConnectError("connection refused", request=request)
        if fault == "503-before":
            return httpx.Response(503, json={"code": "503000", "msg": "Service Unavailable"})
        try:
            order = venue.place(request)
        except _Duplicate:
            return httpx.Response(
                200, json={"code": "400100", "msg": "validation.createOrder.clientOidDuplicated"}
            )
        if fault == "timeout":
            raise httpx.ReadTimeout("timed out", request=request)
        if fault == "reset":
            raise httpx.RemoteProtocolError("connection reset", request=request)
        if fault == "502":
            return httpx.Response(502, text="<html>Bad Gateway</html>")
        return ok(
            {
                "orderId": order["id"],
                "clientOid": order["clientOid"],
                "orderTime": SERVER_TIME,
                "originSize": order["size"],
                "dealSize": "0",
                "remainSize": order["size"],
                "canceledSize": "0",
                "status": "open",
                "matchTime": SERVER_TIME,
            }
        )

    router.post("/api/v1/hf/orders/sync", name="place").mock(side_effect=place)
    router.get(path__regex=r"^/api/v1/hf/orders/client-order/[^/]+$").mock(side_effect=venue.query)


REQUEST = OrderRequest.limit("BTC/USDT", "buy", "0.001", "50000", client_order_id="bot-1-order-42")


@pytest.mark.parametrize("fault", ["timeout", "reset", "502"])
async def test_lost_response_after_the_venue_acted_gives_one_order(router: respx.Router, fault: str) -> None:
    venue = Venue()
    install(router, venue, [fault])
    async with make_exchange(router) as ex:
        order = await ex.place_order(REQUEST)
    assert len(venue.orders) == 1  # one order, never two
    assert venue.place_calls == 1  # found by clientOid: not resent
    assert venue.query_calls == 1
    assert order.client_order_id == "bot-1-order-42" and order.status is OrderStatus.OPEN
    assert order.id == venue.orders["bot-1-order-42"]["id"]


@pytest.mark.parametrize("fault", ["refused", "503-before"])
async def test_request_that_never_acted_is_resent_with_the_same_client_oid(
    router: respx.Router, fault: str
) -> None:
    venue = Venue()
    install(router, venue, [fault])
    async with make_exchange(router) as ex:
        order = await ex.place_order(REQUEST)
    assert len(venue.orders) == 1
    assert venue.place_calls == 1  # only the resend reached the matcher
    assert router.routes["place"].call_count == 2
    assert venue.query_calls == 1  # asked before resending
    assert order.client_order_id == "bot-1-order-42"


async def test_generated_client_oid_is_reused_on_resend(router: respx.Router) -> None:
    venue = Venue()
    install(router, venue, ["503-before", "503-before"])
    async with make_exchange(router) as ex:
        order = await ex.place_order(OrderRequest.limit("BTC/USDT", "buy", "0.001", "50000"))
    sent = {json.loads(c.request.content)["clientOid"] for c in router.routes["place"].calls}
    assert router.routes["place"].call_count == 3 and venue.query_calls == 2
    (coid,) = venue.orders
    assert sent == {coid} and order.client_order_id == coid


async def test_gives_up_after_max_attempts_with_the_network_error(router: respx.Router) -> None:
    venue = Venue()
    install(router, venue, ["refused"] * 10)
    async with make_exchange(router, max_place_attempts=3) as ex:
        with pytest.raises(ExchangeUnavailable):
            await ex.place_order(REQUEST)
    assert venue.orders == {} and venue.query_calls == 3


async def test_unanswerable_reconciliation_raises_the_original_error(router: respx.Router) -> None:
    mock_markets(router)
    router.post("/api/v1/hf/orders/sync").mock(side_effect=httpx.ReadTimeout("lost"))
    query = router.get(path__regex=r"^/api/v1/hf/orders/client-order/").mock(
        side_effect=httpx.ConnectError("down")
    )
    async with make_exchange(router) as ex:
        with pytest.raises(RequestTimeout) as info:
            await ex.place_order(REQUEST)
    assert isinstance(info.value, NetworkError) and info.value.retryable
    assert query.call_count == 3  # asked, never resent blind


async def test_duplicate_on_first_send_is_the_callers_problem(router: respx.Router) -> None:
    venue = Venue()
    install(router, venue, [])
    venue.orders["bot-1-order-42"] = {"id": "x"}
    async with make_exchange(router) as ex:
        with pytest.raises(DuplicateClientOrderId):
            await ex.place_order(REQUEST)


async def test_reconcile_waits_on_the_injected_clock(router: respx.Router) -> None:
    import asyncio

    venue = Venue()
    install(router, venue, ["timeout"])
    clock = ManualClock(SERVER_TIME)
    async with make_exchange(router, clock=clock, reconcile_delay=0.5) as ex:
        task = asyncio.create_task(ex.place_order(REQUEST))
        await clock.run_until(SERVER_TIME + 400)
        assert not task.done() and venue.query_calls == 0
        await clock.run_until(SERVER_TIME + 600)
        order = await task
    assert venue.query_calls == 1 and len(venue.orders) == 1 and order.status is OrderStatus.OPEN


async def test_batch_lost_response_places_each_order_once(router: respx.Router) -> None:
    venue = Venue()
    mock_markets(router)
    calls = {"n": 0}

    def batch(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        items = json.loads(request.content)["orderList"]
        if calls["n"] == 1:  # the venue takes the first order, then the answer is lost
            venue.place(httpx.Request("POST", "http://x", content=json.dumps(items[0])))
            raise httpx.ReadTimeout("lost", request=request)
        out = []
        for item in items:
            order = venue.place(httpx.Request("POST", "http://x", content=json.dumps(item)))
            out.append(
                {
                    "orderId": order["id"],
                    "clientOid": order["clientOid"],
                    "success": True,
                    "status": "open",
                    "dealSize": "0",
                    "orderTime": SERVER_TIME,
                }
            )
        return ok(out)

    router.post("/api/v1/hf/orders/multi/sync").mock(side_effect=batch)
    router.get(path__regex=r"^/api/v1/hf/orders/client-order/[^/]+$").mock(side_effect=venue.query)
    async with make_exchange(router) as ex:
        results = await ex.place_orders(
            [
                OrderRequest.limit("BTC/USDT", "buy", "0.001", str(p), client_order_id=f"c{p}")
                for p in (100, 101)
            ]
        )
    assert sorted(venue.orders) == ["c100", "c101"]
    assert all(not isinstance(r, Exception) for r in results)
    assert calls["n"] == 2


async def test_a_failed_batch_chunk_does_not_lose_what_the_others_placed(router: respx.Router) -> None:
    """Ten orders in two chunks of five; the second chunk's connection is refused: the five
    placed come back as orders, the five not placed as errors, in the input order."""
    venue = Venue()
    mock_markets(router)
    calls = {"n": 0}

    def batch(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] > 1:
            raise httpx.ConnectError("refused", request=request)
        out = []
        for item in json.loads(request.content)["orderList"]:
            order = venue.place(httpx.Request("POST", "http://x", content=json.dumps(item)))
            out.append({"orderId": order["id"], "clientOid": order["clientOid"], "success": True,
                        "status": "open", "dealSize": "0", "orderTime": SERVER_TIME})  # fmt: skip
        return ok(out)

    router.post("/api/v1/hf/orders/multi/sync").mock(side_effect=batch)
    router.get(path__regex=r"^/api/v1/hf/orders/client-order/[^/]+$").mock(side_effect=venue.query)
    requests = [
        OrderRequest.limit("BTC/USDT", "buy", "0.001", str(100 + i), client_order_id=f"c{i}")
        for i in range(10)
    ]
    async with make_exchange(router, batch_size=5) as ex:
        results = await ex.place_orders(requests)
    assert [type(r).__name__ for r in results] == ["Order"] * 5 + ["ExchangeUnavailable"] * 5
    assert [r.client_order_id for r in results[:5] if isinstance(r, Order)] == [f"c{i}" for i in range(5)]
    assert sorted(venue.orders) == [f"c{i}" for i in range(5)]


async def test_classic_reconciliation_also_reads_recent_done_orders(router: respx.Router) -> None:
    """Classic KuCoin forgets a clientOid once the order is done: the last 24 h list is checked too."""
    mock_markets(router)
    place = router.post("/api/v1/orders").mock(side_effect=httpx.ReadTimeout("lost"))
    by_coid = router.get("/api/v1/order/client-order/c-77").mock(
        return_value=httpx.Response(200, json={"code": "400100", "msg": "order not exist."})
    )
    recent_row = {
        "id": "674a9a872033a50007e2790d",
        "symbol": "BTC-USDT",
        "type": "limit",
        "side": "buy",
        "price": "50000",
        "size": "0.001",
        "dealSize": "0.001",
        "dealFunds": "50",
        "isActive": False,
        "cancelExist": False,
        "clientOid": "c-77",
        "createdAt": SERVER_TIME,
    }
    recent = router.get("/api/v1/limit/orders").mock(
        return_value=ok([dict(recent_row, clientOid="other"), recent_row])
    )
    async with make_exchange(router, hf=False) as ex:
        order = await ex.place_order(
            OrderRequest.limit("BTC/USDT", "buy", "0.001", "50000", client_order_id="c-77")
        )
    assert place.call_count == 1 and by_coid.call_count == 1 and recent.call_count == 1
    assert order.id == "674a9a872033a50007e2790d" and order.status is OrderStatus.FILLED
