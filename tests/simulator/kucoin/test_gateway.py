"""The facade's gateway over HTTP (in-process): envelope, auth codes and statuses, 404/415, 429."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from exchanges import ManualClock
from simulator.kucoin.build import build_facade
from simulator.kucoin.config import AccountConfig, ApiKey, FacadeConfig
from simulator.kucoin.server import serving
from simulator.venue import Venue

from .helpers import KEY, PASSPHRASE, SECRET, Signer, call, ok

START = 1_700_000_000_000


def _config(rate_limits: str = "kucoin", **key: object) -> FacadeConfig:
    fields: dict[str, object] = {"key": KEY, "secret": SECRET, "passphrase": PASSPHRASE}
    fields.update(key)
    return FacadeConfig(
        accounts=(AccountConfig(uid=10001, keys=(ApiKey(**fields),)),),  # type: ignore[arg-type]
        rate_limits=rate_limits,
    )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


async def _client(config: FacadeConfig, clock: ManualClock, ip: str = "127.0.0.1") -> httpx.AsyncClient:
    facade = build_facade(Venue(clock=clock), config)
    transport = httpx.ASGITransport(app=facade.app, client=(ip, 5555))
    return httpx.AsyncClient(transport=transport, base_url="http://sim")


@pytest.fixture
async def client(clock: ManualClock) -> AsyncIterator[httpx.AsyncClient]:
    async with await _client(_config(), clock) as c:
        yield c


async def test_success_envelope_and_headers(client: httpx.AsyncClient, clock: ManualClock) -> None:
    response = await client.get("/api/v1/timestamp")
    assert response.status_code == 200
    assert response.json() == {"code": "200000", "data": START}
    assert response.headers["gw-ratelimit-limit"] == "2000"
    assert response.headers["gw-ratelimit-remaining"] == "1997"  # weight 3
    assert response.headers["gw-ratelimit-reset"] == "30000"
    assert response.headers["content-type"].startswith("application/json")


async def test_unknown_path_and_method_are_404000(client: httpx.AsyncClient) -> None:
    for method, path in [("GET", "/api/v1/nope"), ("GET", "/"), ("DELETE", "/api/v1/timestamp")]:
        response = await client.request(method, path)
        assert response.status_code == 404
        assert response.json()["code"] == "404000"
        assert "gw-ratelimit-remaining" in response.headers


async def test_margin_and_futures_paths_answer_not_supported(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    signer = Signer(clock)
    for method, path in [
        ("GET", "/api/v3/margin/accounts"),
        ("POST", "/api/v1/st-orders"),
        ("GET", "/api/v1/position"),
    ]:
        response = await call(client, method, path, signer=signer, body={} if method == "POST" else None)
        assert response.status_code == 404
        body = response.json()
        assert body["code"] == "404000" and "Not supported" in body["msg"], body


async def test_start_up_probes_answer_empty_lists(client: httpx.AsyncClient, clock: ManualClock) -> None:
    signer = Signer(clock)
    assert (await ok(client, "GET", "/api/v3/margin/symbols", signer=signer))["items"] == []
    assert await ok(client, "GET", "/api/v1/isolated/symbols", signer=signer) == []
    assert await ok(client, "GET", "/api/v1/contracts/active") == []
    mode = await ok(client, "GET", "/api/ua/v1/account/mode", signer=signer)
    assert mode["selfAccountMode"] == "CLASSIC"


async def test_wrong_content_type_is_415000(client: httpx.AsyncClient, clock: ManualClock) -> None:
    headers = Signer(clock).headers("POST", "/api/v1/bullet-private", "a=b")
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    response = await client.post("/api/v1/bullet-private", content=b"a=b", headers=headers)
    assert response.status_code == 415 and response.json()["code"] == "415000"


async def test_partner_headers_are_accepted_and_ignored(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    headers = Signer(clock).headers("POST", "/api/v1/bullet-private")
    headers.update(
        {"KC-API-PARTNER": "ccxt", "KC-API-PARTNER-SIGN": "garbage", "KC-API-PARTNER-VERIFY": "true"}
    )
    response = await client.post("/api/v1/bullet-private", headers=headers)
    assert response.json()["code"] == "200000"
    token = response.json()["data"]
    assert token["token"] and token["instanceServers"][0]["endpoint"].startswith("ws://")


@pytest.mark.parametrize(
    ("mutate", "code", "status"),
    [
        (lambda h: h.pop("KC-API-SIGN"), "400001", 400),
        (lambda h: h.update({"KC-API-KEY": "other"}), "400003", 401),
        (lambda h: h.update({"KC-API-PASSPHRASE": "nope"}), "400004", 401),
        (lambda h: h.update({"KC-API-SIGN": "nope"}), "400005", 401),
        (lambda h: h.update({"KC-API-TIMESTAMP": str(START - 6000)}), "400002", 401),
    ],
)
async def test_auth_failures_have_kucoin_codes_and_statuses(
    client: httpx.AsyncClient, clock: ManualClock, mutate: object, code: str, status: int
) -> None:
    headers = Signer(clock).headers("GET", "/api/ua/v1/account/mode")
    mutate(headers)  # type: ignore[operator]
    response = await client.get("/api/ua/v1/account/mode", headers=headers)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert set(response.json()) == {"code", "msg"}


async def test_timestamp_follows_the_simulator_clock(client: httpx.AsyncClient, clock: ManualClock) -> None:
    signer = Signer(clock)
    headers = signer.headers("GET", "/api/ua/v1/account/mode")
    clock.advance(5.001)
    response = await client.get("/api/ua/v1/account/mode", headers=headers)
    assert response.json()["code"] == "400002"


async def test_ip_whitelist_is_400006(clock: ManualClock) -> None:
    config = _config(ip_whitelist=("192.168.1.0/24",))
    async with await _client(config, clock, ip="10.0.0.9") as c:
        response = await call(c, "GET", "/api/ua/v1/account/mode", signer=Signer(clock))
        assert (response.status_code, response.json()["code"]) == (403, "400006")
        assert "10.0.0.9" in response.json()["msg"]
    async with await _client(config, clock, ip="192.168.1.7") as c:
        assert (await call(c, "GET", "/api/ua/v1/account/mode", signer=Signer(clock))).json()[
            "code"
        ] == "200000"


async def test_missing_permission_is_400007(clock: ManualClock) -> None:
    async with await _client(_config(permissions=["General"]), clock) as c:
        response = await call(c, "POST", "/api/v3/hf/margin/order", body={}, signer=Signer(clock))
        assert (response.status_code, response.json()["code"]) == (403, "400007")


async def test_passphrase_in_clear_for_version_1(clock: ManualClock) -> None:
    async with await _client(_config(version=1), clock) as c:
        plain = Signer(clock, version="1")
        assert (await call(c, "GET", "/api/ua/v1/account/mode", signer=plain)).json()["code"] == "200000"
        signed_as_plain = Signer(
            clock, version="1", passphrase=Signer(clock).headers("GET", "/")["KC-API-PASSPHRASE"]
        )
        response = await call(c, "GET", "/api/ua/v1/account/mode", signer=signed_as_plain)
        assert response.json()["code"] == "400004"


@pytest.mark.parametrize("version", [1, 2, 3])
async def test_each_key_is_held_to_its_own_version(clock: ManualClock, version: int) -> None:
    own = "1" if version == 1 else str(version)
    other = "2" if version == 1 else "1"
    async with await _client(_config(version=version), clock) as c:
        info = await ok(c, "GET", "/api/v1/user/api-key", signer=Signer(clock, version=own))
        assert info["apiVersion"] == version
        refused = await call(c, "GET", "/api/v1/user/api-key", signer=Signer(clock, version=other))
        assert (refused.status_code, refused.json()) == (
            401,
            {"code": "400004", "msg": "Invalid KC-API-PASSPHRASE"},
        )


async def test_public_pool_429_at_its_quota_and_refill(client: httpx.AsyncClient, clock: ManualClock) -> None:
    # /api/v1/timestamp weighs 3 in the Public pool (2000 per 30 s per IP): 666 calls fit.
    for _ in range(666):
        assert (await client.get("/api/v1/timestamp")).status_code == 200
    clock.advance(12)
    refused = await client.get("/api/v1/timestamp")
    assert refused.status_code == 429
    assert refused.json() == {"code": "429000", "msg": "Too Many Requests"}
    assert refused.headers["gw-ratelimit-limit"] == "2000"
    assert refused.headers["gw-ratelimit-remaining"] == "2"
    assert refused.headers["gw-ratelimit-reset"] == "18000"
    clock.advance(17.999)
    assert (await client.get("/api/v1/timestamp")).status_code == 429
    clock.advance(0.001)
    again = await client.get("/api/v1/timestamp")
    assert again.status_code == 200 and again.headers["gw-ratelimit-remaining"] == "1997"


async def test_private_pools_count_per_account_and_vip_level(clock: ManualClock) -> None:
    config = FacadeConfig(
        accounts=(
            AccountConfig(uid=1, vip_level=0, keys=(ApiKey(key=KEY, secret=SECRET, passphrase=PASSPHRASE),)),
            AccountConfig(uid=2, vip_level=5, keys=(ApiKey(key="k2", secret=SECRET, passphrase=PASSPHRASE),)),
        )
    )
    async with await _client(config, clock) as c:
        first = await call(c, "POST", "/api/v1/bullet-private", signer=Signer(clock))  # Spot pool, weight 10
        assert (first.headers["gw-ratelimit-limit"], first.headers["gw-ratelimit-remaining"]) == (
            "4000",
            "3990",
        )
        other = await call(c, "POST", "/api/v1/bullet-private", signer=Signer(clock, key="k2"))
        assert (other.headers["gw-ratelimit-limit"], other.headers["gw-ratelimit-remaining"]) == (
            "16000",
            "15990",
        )


async def test_legacy_profile_counts_requests_in_sliding_windows(clock: ManualClock) -> None:
    async with await _client(_config("legacy"), clock) as c:
        for _ in range(100):
            assert (await c.get("/api/v1/timestamp")).status_code == 200
        refused = await c.get("/api/v1/timestamp")
        assert refused.status_code == 429 and refused.headers["gw-ratelimit-limit"] == "100"
        clock.advance(10)
        assert (await c.get("/api/v1/timestamp")).status_code == 200
        signer = Signer(clock)
        for _ in range(30):
            assert (await call(c, "POST", "/api/v1/bullet-private", signer=signer)).status_code == 200
        assert (await call(c, "POST", "/api/v1/bullet-private", signer=signer)).status_code == 429
        clock.advance(3)
        assert (await call(c, "POST", "/api/v1/bullet-private", signer=signer)).status_code == 200


async def test_off_profile_never_refuses(clock: ManualClock) -> None:
    async with await _client(_config("off"), clock) as c:
        for _ in range(800):
            response = await c.get("/api/v1/timestamp")
            assert response.status_code == 200
        assert "gw-ratelimit-limit" not in response.headers


async def test_management_pool_refuses_at_its_quota(clock: ManualClock) -> None:
    # /api/v2/user-info weighs 20 in the Management pool (2000 per 30 s at VIP0): 100 calls fit.
    async with await _client(_config(), clock) as c:
        signer = Signer(clock)
        for _ in range(100):
            assert (await call(c, "GET", "/api/v2/user-info", signer=signer)).status_code == 200
        refused = await call(c, "GET", "/api/v2/user-info", signer=signer)
        assert (refused.status_code, refused.json()["code"]) == (429, "429000")
        assert (refused.headers["gw-ratelimit-limit"], refused.headers["gw-ratelimit-remaining"]) == (
            "2000",
            "0",
        )
        # Other pools of the same account are untouched.
        other = await call(c, "POST", "/api/v1/bullet-private", signer=signer)
        assert other.status_code == 200 and other.headers["gw-ratelimit-limit"] == "4000"


async def test_an_internal_bug_is_500000_without_a_traceback(
    clock: ManualClock, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    venue = Venue(clock=clock)
    facade = build_facade(venue, _config())

    def broken(*_args: object, **_kw: object) -> None:
        raise RuntimeError("boom: a bug in the simulator")

    monkeypatch.setattr(venue, "level1", broken)
    transport = httpx.ASGITransport(app=facade.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as c:
        response = await c.get("/api/v1/market/orderbook/level1", params={"symbol": "BTC-USDT"})
    assert response.status_code == 500
    assert response.json() == {"code": "500000", "msg": "Internal Server Error"}
    assert "boom" in caplog.text  # logged for the operator, never sent to the client


async def test_accounts_added_at_run_time_can_trade(clock: ManualClock) -> None:
    venue = Venue(clock=clock)
    facade = build_facade(venue, _config())
    facade.add_account(
        AccountConfig(uid=777, balances={"ETH": 3}, keys=(ApiKey(key="late", secret="s", passphrase="p"),))
    )
    with pytest.raises(ValueError, match="already exists"):
        facade.add_account(AccountConfig(uid=778, keys=(ApiKey(key="late", secret="x", passphrase="y"),)))
    assert not venue.has_user("778")
    transport = httpx.ASGITransport(app=facade.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as c:
        rows = await ok(
            c, "GET", "/api/v1/accounts", signer=Signer(clock, key="late", secret="s", passphrase="p")
        )
    assert [(r["currency"], r["balance"]) for r in rows] == [("ETH", "3")]


async def test_a_forwarded_for_header_does_not_pass_the_whitelist(clock: ManualClock) -> None:
    """KuCoin sees the connection's address: a client on loopback that claims another one in
    ``X-Forwarded-For`` is still refused by a whitelist that does not hold loopback."""
    facade = build_facade(Venue(clock=clock), _config(ip_whitelist=("10.0.0.0/8",)))
    path = "/api/ua/v1/account/mode"
    async with serving(facade.app) as url, httpx.AsyncClient(base_url=url) as client:
        headers = {**Signer(clock).headers("GET", path), "X-Forwarded-For": "10.0.0.9"}
        response = await client.get(path, headers=headers)
    assert (response.status_code, response.json()["code"]) == (403, "400006")
    assert "127.0.0.1" in response.json()["msg"]
