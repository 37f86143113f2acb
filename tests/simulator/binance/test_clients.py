"""Real Binance clients, unmodified, against the served Binance dialect with only their base
URLs changed: CCXT ``binance`` (sync, async and pro), python-binance (sync client, async
client and its socket manager) and Binance's official connector (``binance.spot.Spot``).

Each loads markets (CCXT's start-up also reads the wallet's coins, the margin pairs and the
futures exchange information), reads balances, places, queries and cancels an order, reads
its fills, and streams. Every client has its own account, so none disturbs another.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import pytest

from exchanges import SystemClock
from simulator.binance.app import BinanceFacade
from simulator.binance.build import binance_venue, build_facade
from simulator.binance.config import AccountConfig, ApiKey, BinanceConfig
from simulator.binance.protocol import BinanceHttpProtocol
from simulator.kucoin.build import drive_market
from simulator.kucoin.server import serve_in_thread

# python-binance imports websockets' deprecated legacy client; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

CLIENTS = ("ccxt", "ccxt_async", "ccxt_pro", "pybinance", "pybinance_async", "connector")
START = {"USDT": Decimal(10_000), "BTC": Decimal(1)}
_SERVED: dict[str, BinanceFacade] = {}


def _creds(name: str) -> tuple[str, str]:
    return f"{name}-key", f"{name}-secret"


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    accounts = tuple(
        AccountConfig(uid=30001 + i, balances=START, keys=(ApiKey(key=_creds(n)[0], secret=_creds(n)[1]),))
        for i, n in enumerate(CLIENTS)
    )
    clock = SystemClock()
    venue = binance_venue(seed=11, clock=clock)
    facade = build_facade(venue, BinanceConfig(accounts=accounts), clock)
    with serve_in_thread(facade.app, market=lambda: drive_market(venue), http=BinanceHttpProtocol) as url:
        _SERVED[url] = facade
        yield url
        del _SERVED[url]


async def _until_streamed(base_url: str, uid: int) -> None:
    """Poll (with a deadline) until the server streams ``uid``'s user data."""
    deadline = time.monotonic() + 30
    while not _SERVED[base_url].user_feed_listening(str(uid)):
        assert time.monotonic() < deadline, "the user-data subscription never arrived"
        await asyncio.sleep(0.01)


def _point(urls: dict[str, Any], base: str) -> None:
    """Every URL of a CCXT ``urls['api']`` table on ``base`` (same paths; ``ws`` for sockets)."""
    ws = base.replace("http://", "ws://")
    for key, value in urls.items():
        if isinstance(value, dict):
            _point(value, base)
        elif isinstance(value, str):
            parts = urlsplit(value)
            urls[key] = (ws if parts.scheme.startswith("ws") else base) + parts.path


def _rest_price(last: float | str) -> str:
    """A buy price 10 % under the market, on the tick: rests, never fills."""
    return str((Decimal(str(last)) * Decimal("0.9")).quantize(Decimal("0.01")))


def test_ccxt_sync(base_url: str) -> None:
    import ccxt

    key, secret = _creds("ccxt")
    ex = ccxt.binance({"apiKey": key, "secret": secret})
    _point(ex.urls["api"], base_url)
    markets = ex.load_markets()
    assert {"BTC/USDT", "ETH/USDT", "ETH/BTC"} <= set(markets)
    assert markets["BTC/USDT"]["precision"]["price"] == 0.01
    assert markets["BTC/USDT"]["limits"]["cost"]["min"] == 5
    assert ex.fetch_balance()["total"]["USDT"] == 10_000
    last = ex.fetch_ticker("BTC/USDT")["last"]
    order = ex.create_order("BTC/USDT", "limit", "buy", 0.001, _rest_price(last))
    assert ex.fetch_order(order["id"], "BTC/USDT")["status"] == "open"
    assert ex.cancel_order(order["id"], "BTC/USDT")["status"] == "canceled"
    bought = ex.create_order("BTC/USDT", "market", "buy", 0.001)
    assert bought["status"] == "closed" and bought["filled"] == 0.001
    assert bought["fee"]["currency"] == "BTC"
    fills = ex.fetch_my_trades("BTC/USDT")
    assert [f["order"] for f in fills] == [bought["id"]]
    assert fills[0]["fee"] == {"currency": "BTC", "cost": 0.000001}
    assert ex.fetch_balance()["total"]["BTC"] == pytest.approx(1.000999)


def test_ccxt_async(base_url: str) -> None:
    import ccxt.async_support as ccxt_async

    async def run() -> None:
        key, secret = _creds("ccxt_async")
        ex = ccxt_async.binance({"apiKey": key, "secret": secret})
        _point(ex.urls["api"], base_url)
        try:
            await ex.load_markets()
            assert (await ex.fetch_balance())["free"]["USDT"] == 10_000
            book = await ex.fetch_order_book("BTC/USDT", 50)
            assert book["bids"] and book["asks"] and book["nonce"]
            first = await ex.create_order("BTC/USDT", "limit", "sell", 0.001, 200_000)
            order = await ex.edit_order(
                first["id"], "BTC/USDT", "limit", "sell", 0.002, 210_000
            )  # (cancelReplace)
            assert order["id"] != first["id"] and (order["price"], order["amount"]) == (210_000, 0.002)
            assert [o["id"] for o in await ex.fetch_open_orders("BTC/USDT")] == [order["id"]]
            assert (await ex.fetch_order(first["id"], "BTC/USDT"))["status"] == "canceled"
            await ex.cancel_order(order["id"], "BTC/USDT")
            assert await ex.fetch_open_orders("BTC/USDT") == []
            sold = await ex.create_order("BTC/USDT", "market", "sell", 0.001)
            assert sold["fee"]["currency"] == "USDT"
            assert len(await ex.fetch_my_trades("BTC/USDT")) == 1
        finally:
            await ex.close()

    asyncio.run(run())


def test_ccxt_pro_streams(base_url: str) -> None:
    import ccxt.pro as ccxtpro

    async def run() -> None:
        key, secret = _creds("ccxt_pro")
        ex = ccxtpro.binance({"apiKey": key, "secret": secret})
        _point(ex.urls["api"], base_url)
        try:
            await ex.load_markets()
            trades = await asyncio.wait_for(ex.watch_trades("BTC/USDT"), 30)
            assert trades and trades[0]["symbol"] == "BTC/USDT"
            book = await asyncio.wait_for(ex.watch_order_book("BTC/USDT"), 30)
            assert book["bids"] and book["asks"] and book["bids"][0][0] < book["asks"][0][0]
            ticker = await asyncio.wait_for(ex.watch_ticker("BTC/USDT"), 30)
            assert ticker["last"]
            watching = asyncio.ensure_future(ex.watch_orders("BTC/USDT"))
            balances = asyncio.ensure_future(ex.watch_balance())
            await _until_streamed(base_url, 30001 + CLIENTS.index("ccxt_pro"))
            order = await ex.create_order("BTC/USDT", "market", "buy", 0.001)
            orders = await asyncio.wait_for(watching, 30)
            assert orders[-1]["id"] == order["id"]
            balance = await asyncio.wait_for(balances, 30)
            assert balance["BTC"]["free"] == pytest.approx(1.000999)
        finally:
            await ex.close()

    asyncio.run(run())


def test_python_binance(base_url: str) -> None:
    from binance.client import Client

    class Sim(Client):  # type: ignore[misc]
        API_URL = base_url + "/api"

    key, secret = _creds("pybinance")
    client = Sim(key, secret)  # pings at construction
    assert client.get_asset_balance("USDT") == {
        "asset": "USDT",
        "free": "10000.00000000",
        "locked": "0.00000000",
    }
    info = client.get_symbol_info("BTCUSDT")
    assert {f["filterType"] for f in info["filters"]} >= {
        "PRICE_FILTER",
        "LOT_SIZE",
        "MARKET_LOT_SIZE",
        "NOTIONAL",
        "PERCENT_PRICE_BY_SIDE",
        "MAX_NUM_ORDERS",
        "MAX_NUM_ALGO_ORDERS",
        "ICEBERG_PARTS",
    }
    last = client.get_symbol_ticker(symbol="BTCUSDT")["price"]
    order = client.order_limit_buy(symbol="BTCUSDT", quantity="0.001", price=_rest_price(last))
    assert order["status"] == "NEW" and order["clientOrderId"].startswith("x-")
    assert client.get_order(symbol="BTCUSDT", orderId=order["orderId"])["status"] == "NEW"
    assert client.cancel_order(symbol="BTCUSDT", orderId=order["orderId"])["status"] == "CANCELED"
    bought = client.order_market_buy(symbol="BTCUSDT", quantity="0.001")
    assert bought["status"] == "FILLED"
    assert bought["fills"][0]["commissionAsset"] == "BTC"
    trades = client.get_my_trades(symbol="BTCUSDT")
    assert [t["orderId"] for t in trades] == [bought["orderId"]]
    client.close_connection()
    # (the sync client makes this thread an event loop it never closes: close it here)
    client.loop.close()
    asyncio.set_event_loop(None)


def test_python_binance_async_streams(base_url: str) -> None:
    from binance import AsyncClient, BinanceSocketManager

    ws_url = base_url.replace("http://", "ws://")

    class Sim(AsyncClient):  # type: ignore[misc]
        API_URL = base_url + "/api"
        WS_API_URL = ws_url + "/ws-api/v3"

    class Sockets(BinanceSocketManager):  # type: ignore[misc]
        STREAM_URL = ws_url + "/"

    async def run() -> None:
        key, secret = _creds("pybinance_async")
        client = await Sim.create(key, secret)
        try:
            sockets = Sockets(client)
            async with sockets.trade_socket("BTCUSDT") as stream:
                message = await asyncio.wait_for(stream.recv(), 30)
                assert message["e"] == "trade" and message["s"] == "BTCUSDT"
            async with sockets.multiplex_socket(["btcusdt@depth@100ms", "ethusdt@bookTicker"]) as stream:
                message = await asyncio.wait_for(stream.recv(), 30)
                assert message["stream"] in ("btcusdt@depth@100ms", "ethusdt@bookTicker")
            async with sockets.user_socket() as user:
                order = await client.order_market_buy(symbol="BTCUSDT", quantity="0.001")
                seen: list[dict[str, Any]] = []
                while not any(e.get("e") == "outboundAccountPosition" for e in seen):
                    seen.append(await asyncio.wait_for(user.recv(), 30))
                reports = [e for e in seen if e.get("e") == "executionReport"]
                assert [(r["x"], r["X"]) for r in reports] == [("NEW", "NEW"), ("TRADE", "FILLED")]
                assert reports[-1]["i"] == order["orderId"] and reports[-1]["N"] == "BTC"
        finally:
            await client.close_connection()

    asyncio.run(run())


def test_connector(base_url: str) -> None:
    from binance.error import ClientError
    from binance.spot import Spot

    key, secret = _creds("connector")
    spot = Spot(api_key=key, api_secret=secret, base_url=base_url)  # every parameter in the query
    assert spot.time()["serverTime"] > 0
    assert {b["asset"]: b["free"] for b in spot.account()["balances"]} == {
        "BTC": "1.00000000",
        "USDT": "10000.00000000",
    }
    last = spot.ticker_price("BTCUSDT")["price"]
    order = spot.new_order(
        symbol="BTCUSDT",
        side="BUY",
        type="LIMIT",
        timeInForce="GTC",
        quantity="0.001",
        price=_rest_price(last),
    )
    assert spot.get_order("BTCUSDT", orderId=order["orderId"])["status"] == "NEW"
    assert spot.cancel_order("BTCUSDT", orderId=order["orderId"])["status"] == "CANCELED"
    with pytest.raises(ClientError) as refused:
        spot.cancel_open_orders("BTCUSDT")  # nothing open: Binance's -2011
    assert (refused.value.status_code, refused.value.error_code) == (400, -2011)
    sold = spot.new_order(symbol="BTCUSDT", side="SELL", type="MARKET", quantity="0.001")
    assert sold["fills"][0]["commissionAsset"] == "USDT"
    assert [t["orderId"] for t in spot.my_trades("BTCUSDT")] == [sold["orderId"]]
