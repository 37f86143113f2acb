"""Timestamps, the 5 s window and the clock offset (freezegun freezes the wall clock)."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import respx
from freezegun import freeze_time

from exchanges import InvalidTimestamp, ManualClock

from .conftest import BASE, credentials, make_exchange, ok

FROZEN = "2024-05-01T12:00:00Z"
FROZEN_MS = 1714564800000


class ServerClock:
    """A venue whose clock runs ``skew_ms`` ahead of ours and enforces KuCoin's 5 s window."""

    def __init__(self, router: respx.Router, now_ms: int) -> None:
        self.now_ms = now_ms
        self.stamps: list[int] = []
        router.get("/api/v1/timestamp", name="timestamp").mock(side_effect=lambda r: ok(self.now_ms))
        router.get("/api/v1/accounts", name="accounts").mock(side_effect=self.private)

    def private(self, request: httpx.Request) -> httpx.Response:
        stamp = int(request.headers["KC-API-TIMESTAMP"])
        self.stamps.append(stamp)
        if abs(stamp - self.now_ms) > 5000:
            return httpx.Response(401, json={"code": "400002", "msg": "Invalid KC-API-TIMESTAMP"})
        return ok([])


async def test_timestamp_is_frozen_wall_time_plus_measured_offset(router: respx.Router) -> None:
    with freeze_time(FROZEN, real_asyncio=True):
        server = ServerClock(router, FROZEN_MS + 12_345)  # the venue's clock is 12.3 s ahead
        async with make_exchange(router) as ex:  # SystemClock: wall time, frozen
            await ex.fetch_balances()
            assert ex.client.offset_ms == 12_345
    assert server.stamps == [FROZEN_MS + 12_345]
    assert router.routes["timestamp"].call_count == 1  # measured once, before the first private call


async def test_offset_is_measured_once_and_reused(router: respx.Router) -> None:
    with freeze_time(FROZEN, real_asyncio=True) as frozen:
        server = ServerClock(router, FROZEN_MS - 60_000)  # a minute behind: outside the window
        async with make_exchange(router) as ex:
            await ex.fetch_balances()
            frozen.tick(3.0)
            server.now_ms += 3000
            await ex.fetch_balances()
    assert server.stamps == [FROZEN_MS - 60_000, FROZEN_MS - 57_000]
    assert router.routes["timestamp"].call_count == 1


async def test_400002_remeasures_and_retries_once(router: respx.Router) -> None:
    clock = ManualClock(FROZEN_MS)
    server = ServerClock(router, FROZEN_MS)
    async with make_exchange(router, clock=clock) as ex:
        await ex.fetch_balances()
        server.now_ms += 30_000  # the venue's clock jumps (or ours drifts): now 30 s apart
        await ex.fetch_balances()
    assert router.routes["timestamp"].call_count == 2
    assert server.stamps == [FROZEN_MS, FROZEN_MS, FROZEN_MS + 30_000]
    assert router.routes["accounts"].call_count == 3


async def test_persistent_400002_is_raised_after_one_retry(router: respx.Router) -> None:
    router.get("/api/v1/accounts", name="accounts").mock(
        return_value=httpx.Response(401, json={"code": "400002", "msg": "Invalid KC-API-TIMESTAMP"})
    )
    async with make_exchange(router, clock=ManualClock(FROZEN_MS)) as ex:
        with pytest.raises(InvalidTimestamp) as info:
            await ex.fetch_balances()
    assert info.value.code == "400002" and info.value.http_status == 401
    assert router.routes["accounts"].call_count == 2
    assert router.routes["timestamp"].call_count == 2


async def test_public_calls_never_measure_the_clock(router: respx.Router) -> None:
    router.get("/api/v1/status").mock(return_value=ok({"status": "open", "msg": ""}))
    async with make_exchange(router, creds=False) as ex:
        await ex.service_status()
    assert router.routes["timestamp"].call_count == 0


async def test_signature_matches_the_frozen_request(router: respx.Router) -> None:
    with freeze_time(FROZEN, real_asyncio=True):
        router.routes["timestamp"].mock(return_value=ok(FROZEN_MS))
        accounts = router.get("/api/v1/accounts").mock(return_value=ok([]))
        async with make_exchange(router) as ex:
            await ex.fetch_accounts(currency="BTC")
    request = accounts.calls.last.request
    assert str(request.url) == f"{BASE}/api/v1/accounts?currency=BTC"
    expected = credentials().sign(f"{FROZEN_MS}GET/api/v1/accounts?currency=BTC")
    assert request.headers["KC-API-SIGN"] == expected
    assert request.headers["KC-API-TIMESTAMP"] == str(FROZEN_MS)


async def test_offset_ignores_the_wait_for_rate_limit_budget(router: respx.Router) -> None:
    """The offset is measured around the HTTP exchange only: a 20 s wait for the Public
    pool's budget before the timestamp request must not skew it by half of that wait (10 s,
    outside KuCoin's 5 s window, so the first signed request would be refused)."""
    clock = ManualClock(FROZEN_MS)
    stamps: list[int] = []

    def private(request: httpx.Request) -> httpx.Response:
        stamps.append(int(request.headers["KC-API-TIMESTAMP"]))
        if abs(stamps[-1] - clock.now_ms()) > 5000:
            return httpx.Response(401, json={"code": "400002", "msg": "Invalid KC-API-TIMESTAMP"})
        return ok([])

    router.routes["timestamp"].mock(side_effect=lambda r: ok(clock.now_ms()))  # in step with ours
    router.get("/api/v1/accounts", name="accounts").mock(side_effect=private)
    async with make_exchange(router, clock=clock, pool_quotas={"Public": 30}, rate_limit_window_s=20.0) as ex:
        pool = ex.client.pool("Public")
        while pool.try_acquire(1) == 0:  # spend the Public budget: the timestamp call must wait
            pass
        task = asyncio.create_task(ex.fetch_balances())
        await clock.run_until(FROZEN_MS + 25_000)
        await task
        assert ex.client.offset_ms == 0
    assert stamps == [FROZEN_MS + 20_000], "the first signed request was refused"
