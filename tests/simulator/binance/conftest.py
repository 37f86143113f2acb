"""Fixtures: a quiet Binance venue on a manual clock with a maker resting around 65000, the
dialect over it, an in-process client and a signer."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator
from decimal import Decimal
from urllib.parse import urlencode

import httpx
import pytest

from exchanges import ManualClock
from simulator.binance.app import BinanceFacade
from simulator.binance.build import binance_venue, build_facade
from simulator.binance.config import AccountConfig, ApiKey, BinanceConfig
from simulator.venue import OrderParams, Venue

START = 1_700_000_000_000
UID = 10001
KEY, SECRET = "test-key", "test-secret"
MAKER = "market-maker"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def venue(clock: ManualClock) -> Venue:
    v = binance_venue(seed=3, clock=clock, synthetic=False)
    v.create_user(MAKER, {"USDT": Decimal(10_000_000), "BTC": Decimal(100)})
    v.place_order(MAKER, OrderParams(symbol="BTC-USDT", side="sell", price="65000", size="0.01"))
    v.create_user("taker", {"USDT": Decimal(10_000)})
    v.place_order("taker", OrderParams(symbol="BTC-USDT", side="buy", type="market", size="0.01"))
    clock.advance(1)
    v.place_order(MAKER, OrderParams(symbol="BTC-USDT", side="buy", price="64000", size="1"))
    v.place_order(MAKER, OrderParams(symbol="BTC-USDT", side="sell", price="66000", size="1"))
    return v


def config(**kw: object) -> BinanceConfig:
    account = AccountConfig(
        uid=UID,
        balances={"USDT": Decimal(100_000), "BTC": Decimal(2)},
        keys=(ApiKey(key=KEY, secret=SECRET),),
    )
    fields: dict[str, object] = {"accounts": (account,)}
    fields.update(kw)
    return BinanceConfig(**fields)  # type: ignore[arg-type]


@pytest.fixture
def facade(venue: Venue) -> BinanceFacade:
    return build_facade(venue, config())


@pytest.fixture
async def client(facade: BinanceFacade) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=facade.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as c:
        yield c


class Signer:
    """Signed query strings as Binance's docs build them: the parameters in order, then the
    hex HMAC of that text."""

    def __init__(self, clock: ManualClock, secret: str = SECRET) -> None:
        self.clock = clock
        self.secret = secret

    def query(self, **params: object) -> str:
        text = urlencode({**params, "timestamp": self.clock.now_ms()})
        return (
            text + "&signature=" + hmac.new(self.secret.encode(), text.encode(), hashlib.sha256).hexdigest()
        )


@pytest.fixture
def signer(clock: ManualClock) -> Signer:
    return Signer(clock)


HEADERS = {"X-MBX-APIKEY": KEY}
