"""Real KuCoin clients, unmodified, against the served simulator with only the base URL changed:
CCXT 4.5 ``kucoin`` (sync and async), KuCoin's ``kucoin-universal-sdk`` and ``python-kucoin``.

Each connects, loads markets (CCXT's start-up also reads margin and isolated symbols, futures
contracts, the account mode and the HF flag), reads balances, and places, fetches and cancels
an order. Every client has its own account, so they cannot disturb each other.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from exchanges import SystemClock
from simulator.kucoin.build import build_facade, drive_market, venue_from_config
from simulator.kucoin.config import AccountConfig, ApiKey, FacadeConfig
from simulator.kucoin.server import serve_in_thread

# The SDK's pydantic models warn about their own deprecated usage; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

CLIENTS = ("ccxt", "ccxt_async", "sdk", "pykucoin")
#: The key version each client is written for: CCXT sends ``KC-API-KEY-VERSION: 2``, the
#: universal SDK ``3`` (both a signed passphrase); python-kucoin sends its passphrase in clear
#: with no version header, which only a v1 key accepts.
_KEY_VERSIONS = {"ccxt": 3, "ccxt_async": 2, "sdk": 3, "pykucoin": 1}


def _creds(name: str) -> tuple[str, str, str]:
    return f"{name}-key", f"{name}-secret", f"{name}-pass"


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    accounts = []
    for i, name in enumerate(CLIENTS):
        key, secret, passphrase = _creds(name)
        accounts.append(
            AccountConfig(
                uid=20001 + i,
                balances={"USDT": Decimal(100_000), "BTC": Decimal(1)},
                keys=(ApiKey(key=key, secret=secret, passphrase=passphrase, version=_KEY_VERSIONS[name]),),
            )
        )
    clock = SystemClock()
    venue = venue_from_config({}, seed=11, clock=clock)
    facade = build_facade(venue, FacadeConfig(accounts=tuple(accounts)), clock)
    with serve_in_thread(facade.app, market=lambda: drive_market(venue)) as url:
        yield url


def _limit_price(last: float | Decimal, tick: str = "0.1") -> str:
    """A buy price 10 % under the market, on the tick: rests, never fills."""
    step = Decimal(tick)
    return str((Decimal(str(last)) * Decimal("0.9") / step).to_integral_value() * step)


def _ccxt_options(name: str, url: str) -> dict[str, Any]:
    key, secret, passphrase = _creds(name)
    return {"apiKey": key, "secret": secret, "password": passphrase}


def _point(exchange: Any, url: str) -> None:
    exchange.urls["api"] = dict.fromkeys(exchange.urls["api"], url)


def test_ccxt_sync(base_url: str) -> None:
    import ccxt

    ex = ccxt.kucoin(_ccxt_options("ccxt", base_url))
    _point(ex, base_url)
    markets = ex.load_markets()
    assert {"BTC/USDT", "ETH/USDT"} <= set(markets)
    assert markets["BTC/USDT"]["precision"]["price"] == 0.1
    assert ex.options["hf"] is True and ex.options["uta"] is False
    assert ex.fetch_balance()["total"]["USDT"] == 100_000
    ticker = ex.fetch_ticker("BTC/USDT")
    assert ticker["bid"] < ticker["ask"]
    price = _limit_price(ticker["bid"])
    order = ex.create_order("BTC/USDT", "limit", "buy", 0.001, float(price))
    fetched = ex.fetch_order(order["id"], "BTC/USDT")
    assert (fetched["status"], fetched["amount"], fetched["price"]) == ("open", 0.001, float(price))
    assert [o["id"] for o in ex.fetch_open_orders("BTC/USDT")] == [order["id"]]
    assert ex.fetch_balance()["used"]["USDT"] > 0
    ex.cancel_order(order["id"], "BTC/USDT")
    assert ex.fetch_order(order["id"], "BTC/USDT")["status"] == "canceled"
    market = ex.create_order("BTC/USDT", "market", "buy", 0.001)
    trades = ex.fetch_my_trades("BTC/USDT")
    assert trades and trades[0]["order"] == market["id"]
    assert len(ex.fetch_order_book("BTC/USDT", 20)["bids"]) > 0
    assert ex.fetch_status()["status"] == "ok"


def test_ccxt_async(base_url: str) -> None:
    import ccxt.async_support as ccxt_async

    async def scenario() -> None:
        ex = ccxt_async.kucoin(_ccxt_options("ccxt_async", base_url))
        _point(ex, base_url)
        try:
            markets = await ex.load_markets()
            assert "BTC/USDT" in markets
            assert (await ex.fetch_balance())["free"]["USDT"] == 100_000
            ticker = await ex.fetch_ticker("BTC/USDT")
            order = await ex.create_order(
                "BTC/USDT", "limit", "buy", 0.001, float(_limit_price(ticker["bid"]))
            )
            assert (await ex.fetch_order(order["id"], "BTC/USDT"))["status"] == "open"
            await ex.cancel_order(order["id"], "BTC/USDT")
            assert (await ex.fetch_order(order["id"], "BTC/USDT"))["status"] == "canceled"
        finally:
            await ex.close()

    asyncio.run(scenario())


def test_kucoin_universal_sdk(base_url: str) -> None:
    from kucoin_universal_sdk.api.client import DefaultClient
    from kucoin_universal_sdk.generate.account.account import GetSpotAccountListReqBuilder
    from kucoin_universal_sdk.generate.spot.market import GetAllSymbolsReqBuilder, GetTickerReqBuilder
    from kucoin_universal_sdk.generate.spot.order import (
        AddOrderReq,
        AddOrderReqBuilder,
        CancelOrderByOrderIdReqBuilder,
        GetOpenOrdersReqBuilder,
        GetOrderByOrderIdReqBuilder,
    )
    from kucoin_universal_sdk.model.client_option import ClientOptionBuilder
    from kucoin_universal_sdk.model.transport_option import TransportOptionBuilder

    key, secret, passphrase = _creds("sdk")
    option = (
        ClientOptionBuilder()
        .set_key(key)
        .set_secret(secret)
        .set_passphrase(passphrase)
        .set_spot_endpoint(base_url)
        .set_futures_endpoint(base_url)
        .set_broker_endpoint(base_url)
        .set_transport_option(TransportOptionBuilder().build())
        .build()
    )
    rest = DefaultClient(option).rest_service()
    spot = rest.get_spot_service()
    symbols = spot.get_market_api().get_all_symbols(GetAllSymbolsReqBuilder().build())
    assert "BTC-USDT" in {s.symbol for s in symbols.data}
    assert symbols.common_response.rate_limit.limit == 2000  # read from the gw-ratelimit headers
    ticker = spot.get_market_api().get_ticker(GetTickerReqBuilder().set_symbol("BTC-USDT").build())
    accounts = (
        rest.get_account_service()
        .get_account_api()
        .get_spot_account_list(GetSpotAccountListReqBuilder().build())
    )
    assert {(a.currency, a.balance) for a in accounts.data} >= {("USDT", "100000"), ("BTC", "1")}
    orders = spot.get_order_api()
    request = (
        AddOrderReqBuilder()
        .set_client_oid("sdk-1")
        .set_side(AddOrderReq.SideEnum.BUY)
        .set_symbol("BTC-USDT")
        .set_type(AddOrderReq.TypeEnum.LIMIT)
        .set_price(_limit_price(Decimal(ticker.best_bid)))
        .set_size("0.001")
        .build()
    )
    placed = orders.add_order(request)
    assert placed.client_oid == "sdk-1"
    got = orders.get_order_by_order_id(
        GetOrderByOrderIdReqBuilder().set_order_id(placed.order_id).set_symbol("BTC-USDT").build()
    )
    assert got.active and got.size == "0.001"
    open_orders = orders.get_open_orders(GetOpenOrdersReqBuilder().set_symbol("BTC-USDT").build())
    assert [o.id for o in open_orders.data] == [placed.order_id]
    orders.cancel_order_by_order_id(
        CancelOrderByOrderIdReqBuilder().set_order_id(placed.order_id).set_symbol("BTC-USDT").build()
    )
    got = orders.get_order_by_order_id(
        GetOrderByOrderIdReqBuilder().set_order_id(placed.order_id).set_symbol("BTC-USDT").build()
    )
    assert not got.active and got.cancel_exist


def test_python_kucoin(base_url: str) -> None:
    from kucoin.client import Client

    client = Client(*_creds("pykucoin"))  # passphrase in clear, no key-version header
    client.API_URL = base_url
    assert abs(client.get_timestamp() - SystemClock().now_ms()) < 5000
    assert "BTC-USDT" in {s["symbol"] for s in client.get_symbols()}
    balances = {a["currency"]: a["balance"] for a in client.get_accounts(account_type="trade")}
    assert balances == {"USDT": "100000", "BTC": "1"}
    bid = client.get_ticker("BTC-USDT")["bestBid"]
    placed = client.create_limit_order(
        "BTC-USDT", Client.SIDE_BUY, price=_limit_price(Decimal(bid)), size="0.001"
    )
    assert client.get_order(placed["orderId"])["isActive"] is True
    assert client.cancel_order(placed["orderId"]) == {"cancelledOrderIds": [placed["orderId"]]}
    assert client.get_order(placed["orderId"])["isActive"] is False
    hf = client.hf_create_order("BTC-USDT", "limit", "buy", price=_limit_price(Decimal(bid)), size="0.001")
    assert client.hf_get_order(hf["orderId"], "BTC-USDT")["active"] is True
    client.hf_cancel_order(hf["orderId"], "BTC-USDT")
    assert client.hf_get_order(hf["orderId"], "BTC-USDT")["active"] is False
