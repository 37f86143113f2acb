"""The simulator's KuCoin server with two accounts, and the KuCoin adapter opened on it by name
(as a bridge's configuration would open it)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx

from exchanges import Exchange, SystemClock, connect
from simulator import Venue
from simulator.kucoin import AccountConfig, ApiKey, FacadeConfig, build_facade
from simulator.market import attach_synthetic

from .conftest import count_orders

__all__ = [
    "BTC",
    "CREDS",
    "KEY",
    "OTHER",
    "PASSPHRASE",
    "SECRET",
    "URL",
    "kucoin",
    "on_venue",
    "opener",
    "sim_app",
]

KEY, SECRET, PASSPHRASE = "bridge-key-01234", "bridge-secret-0123456789", "bridge-passphrase"
CREDS = {"KUCOIN_API_KEY": KEY, "KUCOIN_API_SECRET": SECRET, "KUCOIN_API_PASSPHRASE": PASSPHRASE}
BTC = "BTC/USDT"
URL = "http://kucoin-sim.local"


#: A second account on the same simulator: the other side of the bridge's trades.
OTHER = {
    "KUCOIN_API_KEY": "other-key-0123",
    "KUCOIN_API_SECRET": "other-secret-01234567",
    "KUCOIN_API_PASSPHRASE": "p",
}


def sim_app(*, synthetic: bool = True) -> Any:
    venue = Venue(seed=3, clock=SystemClock())
    attach_synthetic(venue, synthetic)
    key = ApiKey(key=KEY, secret=SECRET, passphrase=PASSPHRASE)
    account = AccountConfig(uid=1, balances={"USDT": Decimal(10_000), "BTC": Decimal("0.5")}, keys=(key,))
    other_key = ApiKey(key=OTHER["KUCOIN_API_KEY"], secret=OTHER["KUCOIN_API_SECRET"], passphrase="p")
    other = AccountConfig(uid=2, balances={"BTC": Decimal(1)}, keys=(other_key,))
    venue.sync()
    return build_facade(venue, FacadeConfig(accounts=(account, other), rate_limits="off")).app


def kucoin(transport: httpx.AsyncBaseTransport, **options: Any) -> Exchange:
    """The KuCoin adapter by name, as the bridge's configuration would open it."""
    settings: dict[str, Any] = {
        "rate_limit": False,
        "reconcile_delay": 0.0,
        "read_retry_delay": 0.0,
        **options,
    }
    return connect("kucoin", base_url=URL, transport=transport, environ=CREDS, **settings)


def opener(transport: httpx.AsyncBaseTransport, **options: Any) -> Callable[[], Exchange]:
    return lambda: kucoin(transport, **options)


async def on_venue(app: Any, client_order_id: str) -> int:
    """Judged through a clean client: orders the venue holds under this id."""
    judge = kucoin(httpx.ASGITransport(app=app))
    try:
        return await count_orders(judge, client_order_id)
    finally:
        await judge.close()
