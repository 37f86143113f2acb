"""The dialect's gateway: signatures (HMAC over query, query + body, percent-encoded; Ed25519
and RSA keys), timing, authentication codes, weights and their headers, 429 then 418,
parameters in the query with any content type, public calls with an empty key header."""

from __future__ import annotations

import base64
import hashlib
import hmac
from decimal import Decimal
from urllib.parse import quote, urlencode

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from exchanges import ManualClock
from simulator.binance.app import BinanceFacade
from simulator.binance.auth import Keyring, rest_payloads, sign_hmac
from simulator.binance.build import build_facade
from simulator.binance.config import AccountConfig, ApiKey
from simulator.venue import OrderParams, Venue

from .conftest import HEADERS, KEY, UID, Signer, config

# NOTES section 3.3's vectors.
DOC_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
DOC_ORDER = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1"
DOC_QUERY = DOC_ORDER + "&recvWindow=5000&timestamp=1499827319559"


def test_hmac_vectors_of_the_docs() -> None:
    assert (
        sign_hmac(DOC_SECRET, DOC_QUERY) == "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
    )
    ring = Keyring([AccountConfig(uid=1, keys=(ApiKey(key="k", secret=DOC_SECRET),))])
    principal = ring.principal("k")
    split = rest_payloads(
        "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC",
        "quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559&signature=x",
    )
    ring.verify(principal, split, "0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77")
    encoded = (
        "symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY&type=LIMIT&timeInForce=GTC"
    )
    encoded += "&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"
    ring.verify(
        principal,
        rest_payloads(encoded, ""),
        "e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3",
    )


async def _get(client: httpx.AsyncClient, path: str, **headers: str) -> httpx.Response:
    return await client.get(path, headers=headers)


async def test_account_holds_exactly_its_balances(client: httpx.AsyncClient, signer: Signer) -> None:
    r = await client.get("/api/v3/account?" + signer.query(), headers=HEADERS)
    assert r.status_code == 200
    assert r.json()["balances"] == [
        {"asset": "BTC", "free": "2.00000000", "locked": "0.00000000"},
        {"asset": "USDT", "free": "100000.00000000", "locked": "0.00000000"},
    ]
    assert r.headers["content-type"] == "application/json;charset=UTF-8"


@pytest.mark.parametrize(
    ("headers", "query", "status", "code"),
    [
        ({}, None, 401, -2014),
        ({"X-MBX-APIKEY": ""}, None, 401, -2014),
        ({"X-MBX-APIKEY": "nobody"}, None, 401, -2015),
        (HEADERS, "timestamp=1", 400, -1102),  # no signature
        (HEADERS, "signature=ab", 400, -1102),  # no timestamp
        (HEADERS, "bad-signature", 400, -1022),
    ],
)
async def test_authentication_refusals(
    client: httpx.AsyncClient,
    signer: Signer,
    headers: dict[str, str],
    query: str | None,
    status: int,
    code: int,
) -> None:
    if query is None:
        query = signer.query()
    elif query == "bad-signature":
        query = signer.query()[:-4] + "0000"
    r = await client.get("/api/v3/account?" + query, headers=headers)
    assert (r.status_code, r.json()["code"]) == (status, code)


async def test_timing_refusals(client: httpx.AsyncClient, clock: ManualClock, signer: Signer) -> None:
    early = signer.query()
    clock.advance(6000)  # past the default recvWindow of 5000
    r = await client.get("/api/v3/account?" + early, headers=HEADERS)
    assert r.json() == {"code": -1021, "msg": "Timestamp for this request is outside of the recvWindow."}
    widened = Signer(clock)
    text = widened.query(recvWindow=60001)
    r = await client.get("/api/v3/account?" + text, headers=HEADERS)
    assert r.json()["code"] == -1102
    ahead = Signer(ManualClock(clock.now_ms() + 2000)).query()
    r = await client.get("/api/v3/account?" + ahead, headers=HEADERS)
    assert r.json()["msg"] == "Timestamp for this request was 1000ms ahead of the server's time."


async def test_post_with_everything_in_the_query_and_any_content_type(
    client: httpx.AsyncClient, signer: Signer
) -> None:
    query = signer.query(
        symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.01", price="60000"
    )
    for content_type in ("application/json;charset=utf-8", "text/plain", None):
        headers = dict(HEADERS) if content_type is None else {**HEADERS, "Content-Type": content_type}
        r = await client.post("/api/v3/order?" + query, headers=headers, content=b"")
        assert r.status_code == 200, r.text
        query = Signer(signer.clock).query(
            symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.01", price="60000"
        )


async def test_form_body_signed_with_unencoded_values(client: httpx.AsyncClient, clock: ManualClock) -> None:
    """python-binance signs its values unencoded and sends them encoded, under a JSON content type."""
    params = {
        "symbol": "BTCUSDT",
        "side": "BUY",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "newClientOrderId": "a b",
    }
    params |= {"quantity": "0.01", "price": "60000", "timestamp": str(clock.now_ms())}
    plain = "&".join(f"{k}={v}" for k, v in params.items())
    signature = hmac.new(b"test-secret", plain.encode(), hashlib.sha256).hexdigest()
    body = urlencode({**params, "signature": signature})
    r = await client.post(
        "/api/v3/order", content=body, headers={**HEADERS, "Content-Type": "application/json"}
    )
    assert r.json()["code"] == -1100  # signature good; the space is not a legal client id


async def test_public_calls_take_an_empty_key_header(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v3/depth?symbol=BTCUSDT", headers={"X-MBX-APIKEY": ""})
    assert r.status_code == 200
    assert r.headers["X-MBX-USED-WEIGHT-1M"] == "5"


async def test_depth_honours_limits_up_to_5000_and_weighs_by_them(
    client: httpx.AsyncClient, venue: Venue
) -> None:
    for i, price in enumerate(range(60000, 61200)):
        if i % 200 == 0:  # (200 open orders a pair each: MAX_NUM_ORDERS)
            maker = venue.create_user(balances={"USDT": "20000"})
        venue.place_order(maker, _limit("buy", str(price), "0.001"))
    r = await client.get("/api/v3/depth?symbol=BTCUSDT&limit=5000")
    assert len(r.json()["bids"]) == 1201
    assert r.headers["X-MBX-USED-WEIGHT-1M"] == "250"
    r = await client.get("/api/v3/depth?symbol=BTCUSDT&limit=1000")
    assert len(r.json()["bids"]) == 1000
    assert r.headers["X-MBX-USED-WEIGHT-1M"] == "300"


def _limit(side: str, price: str, size: str) -> OrderParams:
    return OrderParams(symbol="BTC-USDT", side=side, price=price, size=size)


async def test_429_then_418_and_the_ban_ends(venue: Venue, clock: ManualClock) -> None:
    facade = build_facade(venue, config(weight_limit=100))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=facade.app), base_url="http://sim") as c:
        for _ in range(5):
            assert (await c.get("/api/v3/exchangeInfo")).status_code == 200  # 20 each
        refused = await c.get("/api/v3/exchangeInfo")
        assert refused.status_code == 429 and refused.json()["code"] == -1003
        assert int(refused.headers["Retry-After"]) >= 1
        for _ in range(25):
            r = await c.get("/api/v3/ping")
        assert r.status_code == 418
        assert "IP banned until" in r.json()["msg"]
        clock.advance(121_000)
        assert (await c.get("/api/v3/ping")).status_code == 200


async def test_weights_are_counted_and_sent_when_limits_are_off(venue: Venue) -> None:
    facade = build_facade(venue, config(weight_limit=30, rate_limits="off"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=facade.app), base_url="http://sim") as c:
        for n in range(1, 4):
            r = await c.get("/api/v3/exchangeInfo")
            assert r.status_code == 200
            assert r.headers["X-MBX-USED-WEIGHT-1M"] == str(20 * n)


async def test_orders_per_10_seconds(venue: Venue, clock: ManualClock) -> None:
    facade = build_facade(venue, config(orders_per_10s=2))
    signer = Signer(clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=facade.app), base_url="http://sim") as c:
        for n in (1, 2):
            q = signer.query(
                symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.01", price="60000"
            )
            r = await c.post("/api/v3/order?" + q, headers=HEADERS)
            assert r.headers["X-MBX-ORDER-COUNT-10S"] == str(n)
            assert r.headers["X-MBX-USED-WEIGHT-1M"] == "0"  # successful order entry weighs nothing
        q = signer.query(
            symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.01", price="60000"
        )
        r = await c.post("/api/v3/order?" + q, headers=HEADERS)
        assert (r.status_code, r.json()["code"]) == (429, -1015)
        assert r.json()["msg"] == "Too many new orders; current limit is 2 orders per 10 SECOND."


def _ed25519() -> tuple[ed25519.Ed25519PrivateKey, str]:
    private = ed25519.Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public.decode()


async def test_ed25519_and_rsa_keys(venue: Venue, clock: ManualClock) -> None:
    ed_private, ed_public = _ed25519()
    rsa_private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsa_public = rsa_private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    keys = (ApiKey(key="ed", public_key=ed_public), ApiKey(key="rsa", public_key=rsa_public.decode()))
    facade = build_facade(
        venue, config(accounts=(AccountConfig(uid=UID, balances={"USDT": Decimal(5)}, keys=keys),))
    )
    text = urlencode({"timestamp": clock.now_ms()})
    ed_sig = base64.b64encode(ed_private.sign(text.encode())).decode()
    rsa_sig = base64.b64encode(rsa_private.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=facade.app), base_url="http://sim") as c:
        for key, sig in (("ed", ed_sig), ("rsa", rsa_sig)):
            r = await c.get(
                f"/api/v3/account?{text}&signature={quote(sig, safe='')}", headers={"X-MBX-APIKEY": key}
            )
            assert r.status_code == 200, r.text
        r = await c.get(
            f"/api/v3/account?{text}&signature={quote(rsa_sig, safe='')}", headers={"X-MBX-APIKEY": "ed"}
        )
        assert r.json()["code"] == -1022


def test_facade_names_its_pairs_the_binance_way(facade: BinanceFacade) -> None:
    assert facade.native("BTCUSDT") == "BTC-USDT"
    assert facade.names.binance["ETH-BTC"] == "ETHBTC"
    assert KEY in facade.keyring
