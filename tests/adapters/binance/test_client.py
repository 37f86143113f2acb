"""The HTTP layer: weights corrected by Binance's headers, 429 honouring Retry-After, a 418
ban that stops every call to the host, clock resync after -1021, budgets kept per venue."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from exchanges import (
    ExchangeUnavailable,
    ManualClock,
    OrderRequest,
    RateLimitExceeded,
    RateLimitRegistry,
)

from .conftest import SERVER_TIME, FakeBinance, error, make_exchange

TICKER = ("GET", "/api/v3/ticker/24hr")


def ticker_answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        200,
        json={"symbol": "BTCUSDT", "lastPrice": "50000.00", "bidPrice": "49999", "askPrice": "50001"},
        headers={"X-MBX-USED-WEIGHT-1M": "5900"},
    )


async def test_used_weight_header_corrects_the_budget() -> None:
    venue = FakeBinance()
    venue.routes[TICKER] = ticker_answer
    registry = RateLimitRegistry()
    async with make_exchange(venue, registry=registry, clock=ManualClock(SERVER_TIME)) as ex:
        await ex.fetch_ticker("BTC/USDT")
        (pool,) = ex.client.budgets.pools("REQUEST_WEIGHT")
        assert pool.state().remaining == 100  # 6000 - 5900, as Binance counted
        assert pool.state().reset_ms == 60_000 - SERVER_TIME % 60_000  # (the window ends on the minute)
        assert ("binance", "REQUEST_WEIGHT 1M", "api.binance.com") in registry


async def test_exchange_info_limits_replace_the_defaults() -> None:
    venue = FakeBinance()
    async with make_exchange(venue, weight_per_minute=1200) as ex:
        assert ex.client.budgets.pools("REQUEST_WEIGHT")[0].capacity == 1200
        await ex.load_markets()
        assert ex.client.budgets.pools("REQUEST_WEIGHT")[0].capacity == 6000
        assert sorted(p.capacity for p in ex.client.budgets.pools("ORDERS")) == [50, 160000]


async def test_order_count_headers_feed_the_order_pools() -> None:
    venue = FakeBinance()
    async with make_exchange(venue) as ex:
        await ex.place_order(OrderRequest.limit("BTC/USDT", "buy", "0.001", "50000"))
        counts = sorted(p.state().remaining for p in ex.client.budgets.pools("ORDERS"))
        assert counts == [49, 159999]


async def test_429_waits_retry_after_then_retries_a_read() -> None:
    clock = ManualClock(SERVER_TIME)
    venue = FakeBinance()
    answers = iter([error(-1003, "Too much request weight used", 429, **{"Retry-After": "7"})])
    venue.routes[TICKER] = lambda request: next(answers, None) or ticker_answer(request)
    async with make_exchange(venue, clock=clock) as ex:
        task = asyncio.ensure_future(ex.fetch_ticker("BTC/USDT"))
        await clock.run_until(SERVER_TIME + 6_000)
        assert not task.done()  # still waiting out Retry-After
        await clock.run_until(SERVER_TIME + 8_000)
        ticker = await task
    assert ticker.last is not None
    assert sum(1 for r in venue.requests if r.url.path == "/api/v3/ticker/24hr") == 2


async def test_429_surfaces_with_retry_after_when_retries_are_off() -> None:
    venue = FakeBinance()
    venue.routes[TICKER] = lambda request: error(
        -1003, "Too much request weight used", 429, **{"Retry-After": "3"}
    )
    async with make_exchange(venue, max_rate_limit_retries=0) as ex:
        with pytest.raises(RateLimitExceeded) as info:
            await ex.fetch_ticker("BTC/USDT")
    assert info.value.retry_after == 3.0 and info.value.http_status == 429


async def test_a_418_ban_stops_every_call_to_the_host_until_it_ends() -> None:
    clock = ManualClock(SERVER_TIME)
    venue = FakeBinance()
    until = SERVER_TIME + 120_000
    venue.routes[TICKER] = lambda request: error(
        -1003, f"Way too much request weight used; IP banned until {until}.", 418, **{"Retry-After": "120"}
    )
    registry = RateLimitRegistry()
    async with make_exchange(venue, clock=clock, registry=registry) as ex:
        await ex.load_markets()
        with pytest.raises(RateLimitExceeded) as first:
            await ex.fetch_ticker("BTC/USDT")
        assert first.value.http_status == 418
        sent = len(venue.requests)
        other = make_exchange(venue, clock=clock, registry=registry)  # (a second exchange, same IP)
        for call in (ex.fetch_balances(), ex.fetch_order_book("BTC/USDT"), other.server_time()):
            with pytest.raises(RateLimitExceeded, match="banned this IP until") as info:
                await call
            assert info.value.retry_after == pytest.approx(120.0)
        assert len(venue.requests) == sent  # nothing was sent while banned
        clock.advance(121)
        venue.routes.pop(TICKER)
        assert await other.server_time() == SERVER_TIME
        await other.close()


async def test_budgets_of_two_venues_never_meet() -> None:
    registry = RateLimitRegistry()
    venue = FakeBinance()
    venue.routes[TICKER] = ticker_answer
    async with make_exchange(venue, registry=registry) as ex:
        await ex.fetch_ticker("BTC/USDT")
    assert all(ident[0] == "binance" for ident in registry._pools)


async def test_invalid_timestamp_resyncs_the_clock_and_retries_once() -> None:
    venue = FakeBinance()
    answers = iter([error(-1021, "Timestamp for this request was 1000ms ahead of the server's time.")])

    def account(request: httpx.Request) -> httpx.Response:
        return next(answers, None) or venue._get_api_v3_account({})

    venue.routes[("GET", "/api/v3/account")] = account
    async with make_exchange(venue, clock=ManualClock(SERVER_TIME + 5_000)) as ex:
        balances = await ex.fetch_balances()
        assert ex.client.offset_ms == -5_000
    assert balances["BTC"].hold == 0.25 and balances["BTC"].available == 1.5
    times = [r for r in venue.requests if r.url.path == "/api/v3/time"]
    assert len(times) == 2  # before the first signed call, and after the -1021


async def test_reads_retry_5xx_writes_do_not() -> None:
    venue = FakeBinance()
    answers = iter([httpx.Response(502, text="<html>Bad Gateway</html>")])
    venue.routes[TICKER] = lambda request: next(answers, None) or ticker_answer(request)
    async with make_exchange(venue, max_read_retries=1, read_retry_delay=0.0) as ex:
        assert (await ex.fetch_ticker("BTC/USDT")).last is not None
    venue = FakeBinance()
    venue.routes[TICKER] = lambda request: httpx.Response(502, text="<html>Bad Gateway</html>")
    async with make_exchange(venue, max_read_retries=0) as ex:
        with pytest.raises(ExchangeUnavailable):
            await ex.fetch_ticker("BTC/USDT")


async def test_signed_requests_carry_the_key_and_public_ones_do_not() -> None:
    venue = FakeBinance()
    async with make_exchange(venue) as ex:
        await ex.fetch_balances()
        await ex.load_markets()
    by_path = {r.url.path: r for r in venue.requests}
    assert by_path["/api/v3/account"].headers.get("X-MBX-APIKEY")
    assert "X-MBX-APIKEY" not in by_path["/api/v3/exchangeInfo"].headers
    assert "signature=" not in str(by_path["/api/v3/exchangeInfo"].url)
    assert (
        by_path["/api/v3/account"]
        .url.query.decode()
        .endswith("&signature=" + by_path["/api/v3/account"].url.params["signature"])
    )
