"""Fixtures: a venue on a manual clock, the facade over it, and an in-process client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import httpx
import pytest

from exchanges import ManualClock
from simulator.kucoin.app import KucoinFacade
from simulator.kucoin.build import build_facade
from simulator.kucoin.config import AccountConfig, ApiKey, FacadeConfig
from simulator.venue import OrderParams, Venue

from .helpers import KEY, PASSPHRASE, SECRET, Signer

START = 1_700_000_000_000
UID = 10001
MAKER = "market-maker"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def venue(clock: ManualClock) -> Venue:
    """Default pairs, and a market maker resting BTC-USDT 64000 / 66000 after one trade at 65000."""
    v = Venue(clock=clock, seed=3)
    v.create_user(MAKER, {"USDT": Decimal(10_000_000), "BTC": Decimal(100), "ETH": Decimal(1000)})
    v.place_order(MAKER, OrderParams(symbol="BTC-USDT", side="sell", price="65000", size="0.01"))
    v.place_order(MAKER, OrderParams(symbol="BTC-USDT", side="buy", type="market", size="0.01"))
    clock.advance(1)
    v.place_order(MAKER, OrderParams(symbol="BTC-USDT", side="buy", price="64000", size="1"))
    v.place_order(MAKER, OrderParams(symbol="BTC-USDT", side="sell", price="66000", size="1"))
    return v


def account_config(**kw: object) -> AccountConfig:
    fields: dict[str, object] = {
        "uid": UID,
        "balances": {"USDT": Decimal(100_000), "BTC": Decimal(2)},
        "keys": (ApiKey(key=KEY, secret=SECRET, passphrase=PASSPHRASE, created_at=START),),
    }
    fields.update(kw)
    return AccountConfig(**fields)  # type: ignore[arg-type]


@pytest.fixture
def facade(venue: Venue) -> KucoinFacade:
    return build_facade(venue, FacadeConfig(accounts=(account_config(),), rate_limits="kucoin"))


@pytest.fixture
async def client(facade: KucoinFacade) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=facade.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as c:
        yield c


@pytest.fixture
def signer(clock: ManualClock) -> Signer:
    return Signer(clock)
