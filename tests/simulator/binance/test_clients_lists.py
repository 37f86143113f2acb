"""Real Binance clients, unmodified, place order lists on the served Binance dialect with
only their base URLs changed: python-binance's ``create_oco_order`` and the official
connector's ``new_oco_order``, ``get_oco_order``, ``get_oco_open_orders`` and
``cancel_oco_order``."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal

import pytest

from exchanges import SystemClock
from simulator.binance.build import binance_venue, build_facade
from simulator.binance.config import AccountConfig, ApiKey, BinanceConfig
from simulator.binance.protocol import BinanceHttpProtocol
from simulator.kucoin.build import drive_market
from simulator.kucoin.server import serve_in_thread
from simulator.venue import Venue

# python-binance imports websockets' deprecated legacy client; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

CLIENTS = ("pybinance", "connector")
START = {"USDT": Decimal(10_000), "BTC": Decimal(1)}


def _creds(name: str) -> tuple[str, str]:
    return f"{name}-lists-key", f"{name}-lists-secret"


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, Venue]]:
    accounts = tuple(
        AccountConfig(uid=31001 + i, balances=START, keys=(ApiKey(key=_creds(n)[0], secret=_creds(n)[1]),))
        for i, n in enumerate(CLIENTS)
    )
    clock = SystemClock()
    venue = binance_venue(seed=12, clock=clock)
    facade = build_facade(venue, BinanceConfig(accounts=accounts), clock)
    with serve_in_thread(facade.app, market=lambda: drive_market(venue), http=BinanceHttpProtocol) as url:
        yield url, venue


def _around(last: str) -> tuple[str, str, str]:
    """A take-profit 20 % over ``last``, a stop 20 % under it and its limit a tick lower."""
    price = Decimal(last)
    cent = Decimal("0.01")
    stop = (price * Decimal("0.8")).quantize(cent)
    return str((price * Decimal("1.2")).quantize(cent)), str(stop), str(stop - cent)


def test_python_binance_oco(served: tuple[str, Venue]) -> None:
    from binance.client import Client

    url, venue = served

    class Sim(Client):  # type: ignore[misc]
        API_URL = url + "/api"

    key, secret = _creds("pybinance")
    client = Sim(key, secret)
    take, stop, limit = _around(client.get_symbol_ticker(symbol="BTCUSDT")["price"])
    placed = client.create_oco_order(
        symbol="BTCUSDT", side="SELL", quantity="0.001", aboveType="LIMIT_MAKER", abovePrice=take,
        belowType="STOP_LOSS_LIMIT", belowStopPrice=stop, belowPrice=limit, belowTimeInForce="GTC",
    )  # fmt: skip
    assert placed["contingencyType"] == "OCO" and placed["listOrderStatus"] == "EXECUTING"
    assert {o["orderListId"] for o in placed["orderReports"]} == {placed["orderListId"]}
    opened = client.get_open_oco_orders()
    assert [o["orderListId"] for o in opened] == [placed["orderListId"]]
    assert venue.audit() == []
    client.close_connection()
    # (the sync client makes this thread an event loop it never closes: close it here)
    client.loop.close()
    asyncio.set_event_loop(None)


def test_connector_oco(served: tuple[str, Venue]) -> None:
    from binance.spot import Spot

    url, venue = served
    key, secret = _creds("connector")
    spot = Spot(api_key=key, api_secret=secret, base_url=url)
    take, stop, limit = _around(spot.ticker_price("BTCUSDT")["price"])
    placed = spot.new_oco_order(
        "BTCUSDT", "SELL", "0.001", "LIMIT_MAKER", "STOP_LOSS_LIMIT", abovePrice=take,
        belowStopPrice=stop, belowPrice=limit, belowTimeInForce="GTC", listClientOrderId="conn-1",
    )  # fmt: skip
    assert placed["listClientOrderId"] == "conn-1"
    assert spot.get_oco_order(orderListId=placed["orderListId"])["listStatusType"] == "EXEC_STARTED"
    assert [o["orderListId"] for o in spot.get_oco_open_orders()] == [placed["orderListId"]]
    cancelled = spot.cancel_oco_order("BTCUSDT", orderListId=placed["orderListId"])
    assert [o["status"] for o in cancelled["orderReports"]] == ["CANCELED", "CANCELED"]
    assert spot.get_oco_open_orders() == []
    assert venue.audit() == []
