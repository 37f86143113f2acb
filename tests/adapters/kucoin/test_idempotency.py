"""Idempotent placing: a lost response is reconciled by clientOid before any resend.

The fake venue below really keeps orders by clientOid (and refuses a duplicate among
active ones, as KuCoin does), so "one order, never two" is checked on the venue's side.
"""

from __future__ import annotations

import contextlib
import json
import math
from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx

from adapters.kucoin import KucoinOptions
from exchanges import (
    DuplicateClientOrderId,
    ManualClock,
    NetworkError,
    Order,
    OrderOutcomeUnknown,
    OrderRequest,
    OrderStatus,
    RequestNotSent,
)

from .conftest import SERVER_TIME, make_exchange, mock_markets, ok


class Venue:
    """Just enough of KuCoin's HF order keeping: orders by clientOid, a duplicate refused only
    among active ones (a done order's clientOid may be used again, as on KuCoin), and reads
    that may lag behind writes (``lag``: not-found answers before a new order shows)."""

    def __init__(self, lag: int = 0) -> None:
        self.placed: list[dict[str, Any]] = []
        self.place_calls = 0
        self.query_calls = 0
        self.lag = lag
        self._unseen: dict[str, int] = {}

    @property
    def orders(self) -> dict[str, dict[str, Any]]:
        """The latest order of each clientOid (what a query by clientOid resolves to)."""
        return {o["clientOid"]: o for o in self.placed}

    def count(self, coid: str) -> int:
        return sum(1 for o in self.placed if o["clientOid"] == coid)

    def place(self, request: httpx.Request) -> dict[str, Any]:
        self.place_calls += 1
        body = json.loads(request.content)
        coid = body["clientOid"]
        if any(o["clientOid"] == coid and o["active"] for o in self.placed):
            raise _Duplicate
        taker = body.get("timeInForce") in ("IOC", "FOK") or body["type"] == "market"
        size = body.get("size", "0")
        order = {
            "id": f"order{len(self.placed) + 1:020d}",
            "clientOid": coid,
            "symbol": body["symbol"],
            "type": body["type"],
            "side": body["side"],
            "price": body.get("price", "0"),
            "size": size,
            "funds": "0",
            "dealSize": size if taker else "0",
            "dealFunds": "50" if taker else "0",
            "fee": "0.05" if taker else "0",
            "feeCurrency": "USDT",
            "timeInForce": body.get("timeInForce", "GTC"),
            "active": not taker,
            "cancelExist": False,
            "createdAt": SERVER_TIME,
            "lastUpdatedAt": SERVER_TIME,
        }
        self.placed.append(order)
        self._unseen[order["id"]] = self.lag
        return order

    def _visible(self, order: dict[str, Any] | None) -> dict[str, Any] | None:
        if order is None or self._unseen.get(order["id"], 0) == 0:
            return order
        self._unseen[order["id"]] -= 1
        return None

    def query(self, request: httpx.Request) -> httpx.Response:
        self.query_calls += 1
        coid = request.url.path.rsplit("/", 1)[1]
        found = self._visible(self.orders.get(coid))
        if found is None:
            return httpx.Response(200, json={"code": "400100", "msg": "order not exist."})
        return ok(found)

    def query_by_id(self, request: httpx.Request) -> httpx.Response:
        order_id = request.url.path.rsplit("/", 1)[1]
        found = self._visible(next((o for o in self.placed if o["id"] == order_id), None))
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
        return ok(sync_answer(order))

    router.post("/api/v1/hf/orders/sync", name="place").mock(side_effect=place)
    router.get(path__regex=r"^/api/v1/hf/orders/client-order/[^/]+$").mock(side_effect=venue.query)
    router.get(path__regex=r"^/api/v1/hf/orders/order[0-9]+$", name="by_id").mock(
        side_effect=venue.query_by_id
    )


def sync_answer(order: dict[str, Any]) -> dict[str, Any]:
    return {
        "orderId": order["id"],
        "clientOid": order["clientOid"],
        "orderTime": SERVER_TIME,
        "originSize": order["size"],
        "dealSize": order["dealSize"],
        "remainSize": "0" if not order["active"] else order["size"],
        "canceledSize": "0",
        "status": "open" if order["active"] else "done",
        "matchTime": SERVER_TIME,
    }


CONFIRMATIONS = KucoinOptions().reconcile_confirmations
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


@pytest.mark.parametrize(("fault", "queries"), [("refused", 0), ("503-before", CONFIRMATIONS)])
async def test_request_that_never_acted_is_resent_with_the_same_client_oid(
    router: respx.Router, fault: str, queries: int
) -> None:
    """A refused connection sent nothing: resent at once. A 503 may come after the venue
    acted: resent only once enough answers said the order does not exist."""
    venue = Venue()
    install(router, venue, [fault])
    async with make_exchange(router) as ex:
        order = await ex.place_order(REQUEST)
    assert len(venue.orders) == 1
    assert venue.place_calls == 1  # only the resend reached the matcher
    assert router.routes["place"].call_count == 2
    assert venue.query_calls == queries
    assert order.client_order_id == "bot-1-order-42"


async def test_generated_client_oid_is_reused_on_resend(router: respx.Router) -> None:
    venue = Venue()
    install(router, venue, ["503-before", "503-before"])
    async with make_exchange(router) as ex:
        order = await ex.place_order(OrderRequest.limit("BTC/USDT", "buy", "0.001", "50000"))
    sent = {json.loads(c.request.content)["clientOid"] for c in router.routes["place"].calls}
    assert router.routes["place"].call_count == 3 and venue.query_calls == 2 * CONFIRMATIONS
    (coid,) = venue.orders
    assert sent == {coid} and order.client_order_id == coid


async def test_gives_up_after_max_attempts_with_the_network_error(router: respx.Router) -> None:
    """Nothing ever reached the venue: the retryable error is the truth."""
    venue = Venue()
    install(router, venue, ["refused"] * 10)
    async with make_exchange(router, max_place_attempts=3) as ex:
        with pytest.raises(RequestNotSent) as info:
            await ex.place_order(REQUEST)
    assert info.value.retryable
    assert venue.orders == {} and venue.query_calls == 0 and router.routes["place"].call_count == 3


async def test_unanswerable_reconciliation_says_the_outcome_is_unknown(router: respx.Router) -> None:
    """The placement's answer is lost and every question about it fails: the outcome is
    unknown, and said so with a non-retryable error carrying the clientOid (a retryable
    one invites the blind resend that doubles an order)."""
    mock_markets(router)
    place = router.post("/api/v1/hf/orders/sync").mock(side_effect=httpx.ReadTimeout("lost"))
    query = router.get(path__regex=r"^/api/v1/hf/orders/client-order/").mock(
        side_effect=httpx.ConnectError("down")
    )
    async with make_exchange(router, reconcile_queries=6) as ex:
        with pytest.raises(OrderOutcomeUnknown) as info:
            await ex.place_order(REQUEST)
    assert not isinstance(info.value, NetworkError) and not info.value.retryable
    assert info.value.client_order_id == "bot-1-order-42" and info.value.symbol == "BTC/USDT"
    assert info.value.order_id is None
    assert query.call_count == 6 and place.call_count == 1  # asked, never resent blind


async def test_duplicate_on_first_send_is_the_callers_problem(router: respx.Router) -> None:
    venue = Venue()
    install(router, venue, [])
    venue.placed.append({"id": "x", "clientOid": "bot-1-order-42", "active": True})
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
    assert [type(r).__name__ for r in results] == ["Order"] * 5 + ["RequestNotSent"] * 5
    assert [r.client_order_id for r in results[:5] if isinstance(r, Order)] == [f"c{i}" for i in range(5)]
    assert sorted(venue.orders) == [f"c{i}" for i in range(5)]


async def test_classic_reconciliation_also_reads_recent_done_orders(router: respx.Router) -> None:
    """Classic KuCoin forgets a clientOid once the order is done: the done orders of its
    symbol, side and type since just before it was sent are read too."""
    mock_markets(router)
    place = router.post("/api/v1/orders").mock(side_effect=httpx.ReadTimeout("lost"))
    by_coid = router.get("/api/v1/order/client-order/c-77").mock(
        return_value=httpx.Response(200, json={"code": "400100", "msg": "order not exist."})
    )
    done_row = {
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
    page = {"currentPage": 1, "pageSize": 500, "totalNum": 2, "totalPage": 1}
    done = router.get("/api/v1/orders").mock(
        return_value=ok(dict(page, items=[dict(done_row, clientOid="other"), done_row]))
    )
    async with make_exchange(router, hf=False, clock=ManualClock(SERVER_TIME)) as ex:
        order = await ex.place_order(
            OrderRequest.limit("BTC/USDT", "buy", "0.001", "50000", client_order_id="c-77")
        )
    assert place.call_count == 1 and by_coid.call_count == 1 and done.call_count == 1
    params = done.calls.last.request.url.params
    assert (params["status"], params["symbol"], params["side"], params["type"]) == (
        "done",
        "BTC-USDT",
        "buy",
        "limit",
    )
    assert int(params["startAt"]) == SERVER_TIME - 10_000
    assert order.id == "674a9a872033a50007e2790d" and order.status is OrderStatus.FILLED


# --- reads that lag behind writes (KuCoin promises no read-after-write) ---------------------------

IOC = OrderRequest.limit("BTC/USDT", "buy", "0.001", "50000", time_in_force="IOC", client_order_id="ioc-1")


@pytest.mark.parametrize("lag", [1, 2, CONFIRMATIONS - 1])
async def test_a_filled_ioc_behind_a_lagging_read_is_not_placed_twice(router: respx.Router, lag: int) -> None:
    """The IOC filled at once and its answer was lost; the query by clientOid says "not
    exist" ``lag`` times before it shows. A resend would be accepted (the first order is no
    longer active) and fill a second time."""
    venue = Venue(lag=lag)
    install(router, venue, ["timeout"])
    async with make_exchange(router) as ex:
        order = await ex.place_order(IOC)
    assert venue.count("ioc-1") == 1, "the filled IOC was placed a second time"
    assert order.status is OrderStatus.FILLED and order.id == venue.placed[0]["id"]
    assert venue.query_calls == lag + 1


async def test_an_active_order_behind_a_lagging_read_is_returned_not_a_duplicate_error(
    router: respx.Router,
) -> None:
    """The order rests; its answer was lost, and the reads lag. Even if a resend happens and
    is refused as a duplicate, the caller gets the order, never ``DuplicateClientOrderId``."""
    venue = Venue(lag=CONFIRMATIONS - 1)
    install(router, venue, ["timeout"])
    async with make_exchange(router) as ex:
        order = await ex.place_order(REQUEST)
    assert venue.count("bot-1-order-42") == 1
    assert order.status is OrderStatus.OPEN and order.client_order_id == "bot-1-order-42"


@pytest.mark.parametrize("batch", [False, True])
async def test_every_answer_lost_behind_a_read_lagging_past_the_lookups_is_unknown_not_retryable(
    router: respx.Router, batch: bool
) -> None:
    """The first send places the order; every answer is lost (the resends' duplicate
    refusals too), and reads hide the order longer than the lookups wait. Having concluded
    absence after each send, the adapter still cannot know: it says the outcome is unknown,
    not that a resend is safe."""
    venue = Venue(lag=100)
    mock_markets(router)

    def lost(request: httpx.Request) -> httpx.Response:
        for item in json.loads(request.content).get("orderList") or [json.loads(request.content)]:
            with contextlib.suppress(_Duplicate):  # (refused, and the refusal lost)
                venue.place(httpx.Request("POST", "http://x", content=json.dumps(item)))
        raise httpx.ReadTimeout("lost", request=request)

    router.post(path__regex=r"^/api/v1/hf/orders(/multi)?/sync$").mock(side_effect=lost)
    router.get(path__regex=r"^/api/v1/hf/orders/client-order/[^/]+$").mock(side_effect=venue.query)
    async with make_exchange(router) as ex:
        if batch:
            other = OrderRequest.limit("BTC/USDT", "buy", "0.001", "50001", client_order_id="bot-1-order-43")
            results: list[Order | Exception] = list(await ex.place_orders([REQUEST, other]))
        else:
            try:
                results = [await ex.place_order(REQUEST)]
            except OrderOutcomeUnknown as exc:
                results = [exc]
    for result in results:
        assert isinstance(result, OrderOutcomeUnknown) and not result.retryable, result
    assert venue.count("bot-1-order-42") == 1


async def test_a_duplicate_refusal_after_a_lost_answer_means_the_order_exists(router: respx.Router) -> None:
    """Reads lag longer than the adapter waits: it concludes "not placed" and resends; KuCoin
    refuses the resend as a duplicate, which proves the first send landed: the adapter keeps
    reading (the order shows) instead of raising ``DuplicateClientOrderId``."""
    venue = Venue(lag=CONFIRMATIONS + 2)
    install(router, venue, ["timeout"])
    async with make_exchange(router) as ex:
        order = await ex.place_order(REQUEST)
    assert venue.count("bot-1-order-42") == 1 and router.routes["place"].call_count == 2
    assert order.id == venue.placed[0]["id"]


async def test_lookups_are_spaced_out_on_the_clock(router: respx.Router) -> None:
    """Absence is concluded from answers spread over time (0.25, 0.5, 1, 2 s apart), not
    from a burst a lagging replica answers all at once."""
    import asyncio

    venue = Venue()
    install(router, venue, ["503-before"])
    clock = ManualClock(SERVER_TIME)
    asked: list[int] = []

    def query(request: httpx.Request) -> httpx.Response:
        asked.append(clock.now_ms())
        return venue.query(request)

    router.get(path__regex=r"^/api/v1/hf/orders/client-order/[^/]+$").mock(side_effect=query)
    async with make_exchange(router, clock=clock, reconcile_delay=0.25) as ex:
        task = asyncio.create_task(ex.place_order(REQUEST))
        await clock.run_until(SERVER_TIME + 10_000)
        await task
    assert [t - SERVER_TIME for t in asked] == [250, 750, 1750, 3750]
    assert router.routes["place"].call_count == 2 and len(venue.orders) == 1


# --- a failure after success --------------------------------------------------------------------


@pytest.mark.parametrize("read_fault", ["timeout", "lag"])
async def test_a_filled_sync_placement_is_never_a_retryable_error(
    router: respx.Router, read_fault: str
) -> None:
    """KuCoin answered the sync placement (filled); the read that fetches its fills then
    fails or lags. The order is returned once it can be read, and no retryable error is
    raised for an order that exists."""
    venue = Venue(lag=2 if read_fault == "lag" else 0)
    install(router, venue, [])
    if read_fault == "timeout":
        calls = {"n": 0}

        def flaky(request: httpx.Request) -> httpx.Response:
            calls["n"] += 1
            if calls["n"] <= 2:
                raise httpx.ReadTimeout("lost", request=request)
            return venue.query_by_id(request)

        router.routes["by_id"].mock(side_effect=flaky)
    async with make_exchange(router) as ex:
        order = await ex.place_order(IOC)
    assert order.status is OrderStatus.FILLED and order.filled_size == Decimal("0.001")
    assert order.fee == Decimal("0.05") and venue.count("ioc-1") == 1


async def test_a_filled_sync_placement_that_cannot_be_read_raises_unknown_with_its_id(
    router: respx.Router,
) -> None:
    venue = Venue()
    install(router, venue, [])
    router.routes["by_id"].mock(side_effect=httpx.ConnectError("down"))
    async with make_exchange(router, reconcile_queries=5) as ex:
        with pytest.raises(OrderOutcomeUnknown) as info:
            await ex.place_order(IOC)
    assert not info.value.retryable and not isinstance(info.value, NetworkError)
    assert info.value.order_id == venue.placed[0]["id"] and info.value.client_order_id == "ioc-1"
    assert venue.count("ioc-1") == 1


# --- batches: each order its own outcome --------------------------------------------------------


async def test_a_lost_batch_gives_each_order_its_own_outcome(router: respx.Router) -> None:
    """The venue applied the first two orders of three, then the answer was lost. The first
    order's lookup keeps failing (unknown), the second is found (placed), the third is not
    there (resent, placed): nothing found is dropped, nothing unknown is called failed."""
    venue = Venue()
    mock_markets(router)
    calls = {"n": 0}

    def batch(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        items = json.loads(request.content)["orderList"]
        if calls["n"] == 1:
            for item in items[:2]:
                venue.place(httpx.Request("POST", "http://x", content=json.dumps(item)))
            raise httpx.ReadTimeout("lost", request=request)
        out = []
        for item in items:
            order = venue.place(httpx.Request("POST", "http://x", content=json.dumps(item)))
            out.append(dict(sync_answer(order), success=True))
        return ok(out)

    def query(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/c0"):
            raise httpx.ReadTimeout("lost", request=request)
        return venue.query(request)

    router.post("/api/v1/hf/orders/multi/sync").mock(side_effect=batch)
    router.get(path__regex=r"^/api/v1/hf/orders/client-order/[^/]+$").mock(side_effect=query)
    requests = [
        OrderRequest.limit("BTC/USDT", "buy", "0.001", str(100 + i), client_order_id=f"c{i}")
        for i in range(3)
    ]
    async with make_exchange(router) as ex:
        first, second, third = await ex.place_orders(requests)
    assert isinstance(first, OrderOutcomeUnknown) and first.client_order_id == "c0" and not first.retryable
    assert isinstance(second, Order) and second.id == venue.orders["c1"]["id"]
    assert isinstance(third, Order) and third.id == venue.orders["c2"]["id"]
    assert [venue.count(f"c{i}") for i in range(3)] == [1, 1, 1]
    assert calls["n"] == 2


async def test_a_batch_answer_that_leaves_an_order_out_does_not_call_it_refused(router: respx.Router) -> None:
    venue = Venue()
    mock_markets(router)

    def batch(request: httpx.Request) -> httpx.Response:
        items = json.loads(request.content)["orderList"]
        placed = [venue.place(httpx.Request("POST", "http://x", content=json.dumps(i))) for i in items]
        return ok([dict(sync_answer(placed[0]), success=True)])  # the second row is missing

    router.post("/api/v1/hf/orders/multi/sync").mock(side_effect=batch)
    router.get(path__regex=r"^/api/v1/hf/orders/client-order/[^/]+$").mock(side_effect=venue.query)
    requests = [
        OrderRequest.limit("BTC/USDT", "buy", "0.001", str(100 + i), client_order_id=f"c{i}")
        for i in range(2)
    ]
    async with make_exchange(router) as ex:
        results = await ex.place_orders(requests)
    assert all(isinstance(r, Order) for r in results), results
    assert [r.client_order_id for r in results if isinstance(r, Order)] == ["c0", "c1"]


# --- the reconcile's deadline -------------------------------------------------------------------


@pytest.mark.parametrize("hang_s", [10, 3600])
async def test_reconcile_ends_at_its_deadline_however_long_each_lookup_takes(
    router: respx.Router, hang_s: int
) -> None:
    """Every lookup hangs until its timeout (10 s, retried twice) or for an hour: the outcome
    is reported unknown when the deadline passes, not after eight such lookups (minutes)."""
    import asyncio

    mock_markets(router)
    clock = ManualClock(SERVER_TIME)
    asked: list[int] = []

    async def hanging(request: httpx.Request) -> httpx.Response:
        asked.append(clock.now_ms() - SERVER_TIME)
        await clock.sleep(hang_s)
        raise httpx.ReadTimeout("timed out", request=request)

    place = router.post("/api/v1/hf/orders/sync").mock(side_effect=httpx.ReadTimeout("lost"))
    router.get(path__regex=r"^/api/v1/hf/orders/client-order/").mock(side_effect=hanging)
    options: dict[str, Any] = {"reconcile_delay": 0.25, "max_read_retries": 2, "read_retry_delay": 0.25}
    async with make_exchange(router, clock=clock, reconcile_deadline=20, **options) as ex:
        task = asyncio.create_task(ex.place_order(REQUEST))
        await clock.run_until(SERVER_TIME + 19_900)
        assert not task.done()
        await clock.run_until(SERVER_TIME + 20_000)
        assert task.done(), f"still looking after the 20 s deadline (lookups began at {asked} ms)"
        with pytest.raises(OrderOutcomeUnknown) as info:
            await task
    assert info.value.client_order_id == "bot-1-order-42" and not info.value.retryable
    assert "20 s" in str(info.value)
    assert place.call_count == 1 and asked and max(asked) < 20_000


def test_the_reconcile_deadline_is_an_option_with_a_sensible_default() -> None:
    """Long enough for every lookup of the default spacing (0.25 s doubling to 2 s, eight of
    them: 11.75 s of pauses), short enough that a caller hears within a minute."""
    default = KucoinOptions().reconcile_deadline
    assert 11.75 < default <= 60
    with pytest.raises(ValueError, match="reconcile_deadline"):
        KucoinOptions(reconcile_deadline=0)


async def test_an_infinite_reconcile_deadline_leaves_the_lookups_to_bound_it(router: respx.Router) -> None:
    """Each lookup takes a second: with no deadline, the order is found on the third."""
    import asyncio

    venue = Venue(lag=2)
    install(router, venue, ["timeout"])
    clock = ManualClock(SERVER_TIME)

    async def slow(request: httpx.Request) -> httpx.Response:
        await clock.sleep(1)
        return venue.query(request)

    router.get(path__regex=r"^/api/v1/hf/orders/client-order/[^/]+$").mock(side_effect=slow)
    async with make_exchange(router, clock=clock, reconcile_deadline=math.inf) as ex:
        task = asyncio.create_task(ex.place_order(REQUEST))
        await clock.run_until(SERVER_TIME + 10_000)
        order = await task
    assert venue.count("bot-1-order-42") == 1 and order.id == venue.placed[0]["id"] and venue.query_calls == 3
