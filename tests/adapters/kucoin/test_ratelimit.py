"""Pools, server headers and 429s, on a manual clock (no sleeping in tests)."""

from __future__ import annotations

import asyncio
import itertools

import httpx
import pytest
import respx

from adapters.kucoin import KucoinCredentials, KucoinExchange
from exchanges import ManualClock, OrderRequest, RateLimitExceeded, RateLimitRegistry

from .conftest import SERVER_TIME, example, make_exchange, mock_markets, ok

STATS = example("GET", "/api/v1/market/stats")


def too_many(reset_ms: int | None = 5000) -> httpx.Response:
    headers = (
        {}
        if reset_ms is None
        else {
            "gw-ratelimit-limit": "2000",
            "gw-ratelimit-remaining": "0",
            "gw-ratelimit-reset": str(reset_ms),
        }
    )
    return httpx.Response(429, json={"code": "429000", "msg": "Too Many Requests"}, headers=headers)


async def test_429_waits_for_the_reset_then_retries_once(router: respx.Router) -> None:
    clock = ManualClock(SERVER_TIME)
    stats = router.get("/api/v1/market/stats").mock(
        side_effect=[too_many(5000), httpx.Response(200, json=STATS)]
    )
    async with make_exchange(router, clock=clock) as ex:
        task = asyncio.create_task(ex.fetch_ticker("BTC/USDT"))
        await clock.run_until(SERVER_TIME + 4_990)
        assert stats.call_count == 1 and not task.done()  # honours gw-ratelimit-reset
        await clock.run_until(SERVER_TIME + 5_010)
        ticker = await task
    assert stats.call_count == 2
    assert ticker.last is not None


async def test_no_storm_retries_are_bounded_and_spaced(router: respx.Router) -> None:
    clock = ManualClock(SERVER_TIME)
    stamps: list[int] = []

    def always_429(request: httpx.Request) -> httpx.Response:
        stamps.append(clock.now_ms())
        return too_many(2000)

    router.get("/api/v1/market/stats").mock(side_effect=always_429)
    async with make_exchange(router, clock=clock, max_rate_limit_retries=3) as ex:
        task = asyncio.create_task(ex.fetch_ticker("BTC/USDT"))
        await clock.run_until(SERVER_TIME + 60_000)
        with pytest.raises(RateLimitExceeded) as info:
            await task
    assert len(stamps) == 4  # the first try and three retries, no more
    assert all(b - a >= 2000 for a, b in itertools.pairwise(stamps))
    assert info.value.retry_after == 2.0 and info.value.code == "429000" and info.value.http_status == 429


async def test_a_429_holds_back_every_request_of_the_pool(router: respx.Router) -> None:
    clock = ManualClock(SERVER_TIME)
    stats = router.get("/api/v1/market/stats").mock(
        side_effect=[too_many(3000), httpx.Response(200, json=STATS)]
    )
    level1 = router.get("/api/v1/market/orderbook/level1").mock(
        return_value=httpx.Response(200, json=example("GET", "/api/v1/market/orderbook/level1"))
    )
    async with make_exchange(router, clock=clock) as ex:
        first = asyncio.create_task(ex.fetch_ticker("BTC/USDT"))
        await clock.run_until(SERVER_TIME + 10)
        second = asyncio.create_task(ex.fetch_level1("BTC/USDT"))  # same Public pool
        await clock.run_until(SERVER_TIME + 2_000)
        assert level1.call_count == 0
        await clock.run_until(SERVER_TIME + 3_100)
        await asyncio.gather(first, second)
    assert stats.call_count == 2 and level1.call_count == 1


async def test_limiter_off_lets_the_429_surface(router: respx.Router) -> None:
    stats = router.get("/api/v1/market/stats").mock(return_value=too_many(7000))
    async with make_exchange(router, rate_limit=False) as ex:
        with pytest.raises(RateLimitExceeded) as info:
            await ex.fetch_ticker("BTC/USDT")
    assert stats.call_count == 1 and info.value.retry_after == 7.0


async def test_overload_429_without_headers_backs_off(router: respx.Router) -> None:
    clock = ManualClock(SERVER_TIME)
    stats = router.get("/api/v1/market/stats").mock(
        side_effect=[too_many(None), httpx.Response(200, json=STATS)]
    )
    async with make_exchange(router, clock=clock) as ex:
        task = asyncio.create_task(ex.fetch_ticker("BTC/USDT"))
        await clock.run_until(SERVER_TIME + 900)
        assert not task.done()
        await clock.run_until(SERVER_TIME + 1_100)
        await task
    assert stats.call_count == 2


async def test_headers_keep_the_local_budget_honest(router: respx.Router) -> None:
    clock = ManualClock(SERVER_TIME)
    exhausted = {"gw-ratelimit-limit": "2000", "gw-ratelimit-remaining": "0", "gw-ratelimit-reset": "4000"}
    stats = router.get("/api/v1/market/stats").mock(
        return_value=httpx.Response(200, json=STATS, headers=exhausted)
    )
    async with make_exchange(router, clock=clock) as ex:
        await ex.fetch_ticker("BTC/USDT")
        pool = ex.client.pool("Public")
        assert pool.state().remaining == 0
        task = asyncio.create_task(ex.fetch_ticker("BTC/USDT"))
        await clock.run_until(SERVER_TIME + 3_900)
        assert stats.call_count == 1  # the server said the budget is spent: wait for its reset
        await clock.run_until(SERVER_TIME + 4_100)
        await task
    assert stats.call_count == 2


async def test_weights_come_from_the_table(router: respx.Router) -> None:
    router.get("/api/v1/market/allTickers").mock(
        return_value=httpx.Response(200, json=example("GET", "/api/v1/market/allTickers"))
    )
    async with make_exchange(router) as ex:
        await ex.fetch_tickers()
        assert ex.client.pool("Public").state().remaining == 2000 - 15


def test_budgets_are_per_key_and_public_is_shared() -> None:
    registry = RateLimitRegistry()
    a = KucoinExchange(KucoinCredentials("key-a", "s", "p"), registry=registry, vip_level=5)
    a2 = KucoinExchange(KucoinCredentials("key-a", "s", "p"), registry=registry, vip_level=5)
    b = KucoinExchange(KucoinCredentials("key-b", "s", "p"), registry=registry, vip_level=5)
    anonymous = KucoinExchange(registry=registry)
    elsewhere = KucoinExchange(
        KucoinCredentials("key-a", "s", "p"), registry=registry, base_url="http://127.0.0.1:8080"
    )
    assert a.client.pool("Spot") is a2.client.pool("Spot")
    assert a.client.pool("Spot") is not b.client.pool("Spot")
    assert a.client.pool("Management") is not b.client.pool("Management")
    assert a.client.pool("Public") is b.client.pool("Public") is anonymous.client.pool("Public")
    assert elsewhere.client.pool("Public") is not a.client.pool("Public")
    assert a.client.pool("Spot").capacity == 16000  # VIP 5
    assert a.client.pool("Public").capacity == 2000


async def test_one_keys_exhaustion_does_not_delay_another(router: respx.Router) -> None:
    clock = ManualClock(SERVER_TIME)
    registry = RateLimitRegistry()
    accounts = router.get("/api/v1/accounts").mock(return_value=ok([]))
    a = make_exchange(router, clock=clock, registry=registry)
    b = KucoinExchange(
        KucoinCredentials("other-key", "other-secret", "pp"),
        clock=clock,
        registry=registry,
        transport=httpx.MockTransport(router.async_handler),
    )
    a.client.pool("Management").update(remaining=0, reset_ms=20_000)
    await b.fetch_balances()
    assert accounts.call_count == 1
    task = asyncio.create_task(a.fetch_balances())
    await clock.run_until(SERVER_TIME + 10_000)
    assert accounts.call_count == 1 and not task.done()
    await clock.run_until(SERVER_TIME + 20_100)
    await task
    assert accounts.call_count == 2
    await a.close()
    await b.close()


async def test_placement_429_is_waited_out_then_resent(router: respx.Router) -> None:
    clock = ManualClock(SERVER_TIME)
    mock_markets(router)
    placed = {
        "orderId": "o1",
        "clientOid": "c-1",
        "orderTime": SERVER_TIME,
        "originSize": "0.001",
        "dealSize": "0",
        "remainSize": "0.001",
        "canceledSize": "0",
        "status": "open",
        "matchTime": SERVER_TIME,
    }
    place = router.post("/api/v1/hf/orders/sync").mock(side_effect=[too_many(1000), ok(placed)])
    query = router.get("/api/v1/hf/orders/client-order/c-1").mock(
        return_value=httpx.Response(200, json={"code": "400100", "msg": "order not exist."})
    )
    async with make_exchange(router, clock=clock) as ex:
        task = asyncio.create_task(
            ex.place_order(OrderRequest.limit("BTC/USDT", "buy", "0.001", "100", client_order_id="c-1"))
        )
        await clock.run_until(SERVER_TIME + 5_000)
        order = await task
    assert place.call_count == 2 and query.call_count == 0  # a 429 is a refusal, not a lost answer
    assert place.calls[1].request.headers["KC-API-TIMESTAMP"] >= str(SERVER_TIME + 1000)
    assert order.id == "o1"


async def test_placement_429_surfaces_when_the_limiter_is_off(router: respx.Router) -> None:
    mock_markets(router)
    place = router.post("/api/v1/hf/orders/sync").mock(return_value=too_many(1000))
    async with make_exchange(router, rate_limit=False) as ex:
        with pytest.raises(RateLimitExceeded):
            await ex.place_order(OrderRequest.limit("BTC/USDT", "buy", "0.001", "100"))
    assert place.call_count == 1
