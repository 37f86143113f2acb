"""Real KuCoin clients' WebSocket streams, unmodified, against the served simulator with only
their base URL changed: ccxt.pro's ``kucoin`` (every ``watch_*`` of the spot API), KuCoin's
``kucoin-universal-sdk`` (its spot public and private WebSocket services) and python-kucoin's
socket manager (which speaks only ``wss://``: the server runs with a throw-away certificate
the client is told to trust, as a user would).

The venue has no synthetic market here: a market maker's book and the clients' own orders
are all that moves, so what each client builds can be held to the venue's REST answers.
"""

from __future__ import annotations

import asyncio
import gc
import queue
import time
import warnings
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import attrs
import httpx
import pytest

from exchanges import SystemClock
from simulator.kucoin.app import KucoinFacade
from simulator.kucoin.build import build_facade
from simulator.kucoin.config import AccountConfig, ApiKey, FacadeConfig
from simulator.kucoin.server import serve_in_thread
from simulator.kucoin.tls import Tls, throwaway_tls
from simulator.venue import OrderParams, Venue

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

BTC = "BTC-USDT"
MAKER = "maker"
DEADLINE_S = 15.0
CLIENTS = {"ccxtpro": 2, "sdk": 3, "pykucoin": 1}  # (each client's key version, as for REST)


def _creds(name: str) -> tuple[str, str, str]:
    return f"{name}-key", f"{name}-secret", f"{name}-pass"


def _venue() -> Venue:
    venue = Venue(clock=SystemClock(), seed=5, name="kucoin-sim")
    venue.create_user(MAKER, {"USDT": Decimal(10_000_000), "BTC": Decimal(100)})
    for i in range(10):
        for side, price in (("buy", 64_000 - 100 * i), ("sell", 66_000 + 100 * i)):
            venue.place_order(MAKER, OrderParams(symbol=BTC, side=side, price=str(price), size="0.5"))
    return venue


@attrs.frozen
class Served:
    url: str
    venue: Venue
    facade: KucoinFacade

    def topics(self) -> int:
        """Topics the server holds (read from the test's thread: a count, no more)."""
        return self.facade.ws.topic_count()

    def disconnect(self, verify: str | bool = True) -> None:
        """Every socket closed from the server's side (its control path), then none left."""
        answer = httpx.post(f"{self.url}/sim/ws/disconnect", json={}, verify=verify)
        assert answer.status_code == 200, answer.text
        deadline = time.monotonic() + DEADLINE_S
        while self.facade.ws.sessions:
            assert time.monotonic() < deadline, "connections still open"
            time.sleep(0.01)


def _account(i: int, name: str, version: int) -> AccountConfig:
    key, secret, passphrase = _creds(name)
    return AccountConfig(
        uid=30001 + i,
        balances={"USDT": Decimal(100_000), "BTC": Decimal(1)},
        keys=(ApiKey(key=key, secret=secret, passphrase=passphrase, version=version),),
    )


def _served(tls: Tls | None = None) -> Iterator[Served]:
    accounts = [_account(i, name, version) for i, (name, version) in enumerate(CLIENTS.items())]
    venue = _venue()
    facade = build_facade(venue, FacadeConfig(accounts=tuple(accounts), control=True))
    with serve_in_thread(facade.app, tls=tls) as url:
        yield Served(url, venue, facade)


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    yield from _served()


@pytest.fixture(scope="module")
def tls() -> Tls:
    return throwaway_tls()


@pytest.fixture(scope="module")
def served_tls(tls: Tls) -> Iterator[Served]:
    yield from _served(tls)


async def _held(served: Served, count: int) -> None:
    """Wait (with a deadline) until the server holds ``count`` topics: the client's
    subscriptions have arrived."""
    deadline = time.monotonic() + DEADLINE_S
    while served.topics() < count:
        assert time.monotonic() < deadline, f"the server holds {served.topics()} topics, not {count}"
        await asyncio.sleep(0.01)


async def test_ccxt_pro(served: Served) -> None:
    import ccxt.pro as ccxtpro

    url = served.url
    key, secret, passphrase = _creds("ccxtpro")
    ex = ccxtpro.kucoin({"apiKey": key, "secret": secret, "password": passphrase})
    ex.urls["api"] = dict.fromkeys(ex.urls["api"], url)

    async def within(awaitable: Any) -> Any:
        return await asyncio.wait_for(awaitable, DEADLINE_S)

    try:
        await ex.load_markets()
        ticker = await within(ex.watch_ticker("BTC/USDT"))  # (/market/snapshot by default)
        assert (ticker["bid"], ticker["ask"]) == (64_000, 66_000)
        held = served.topics()
        first_book = asyncio.ensure_future(ex.watch_order_book("BTC/USDT"))  # (level2, REST snapshot)
        await _held(served, held + 1)
        resting: list[dict[str, Any]] = []
        while not first_book.done():  # (ccxt reads its snapshot after the fifth change it hears)
            assert len(resting) < 20, "ccxt built no book from the changes"
            price = 63_000 - 10 * len(resting)
            resting.append(await ex.create_order("BTC/USDT", "limit", "buy", 0.01, price))
        book = await within(first_book)
        rest = await ex.fetch_order_book("BTC/USDT")
        for side in ("bids", "asks"):
            assert [level[:2] for level in book[side][:20]] == rest[side][:20]
        held = served.topics()
        watches = {
            "trades": asyncio.ensure_future(ex.watch_trades("BTC/USDT")),
            "ohlcv": asyncio.ensure_future(ex.watch_ohlcv("BTC/USDT", "1m")),
            "orders": asyncio.ensure_future(ex.watch_orders("BTC/USDT")),
            "my_trades": asyncio.ensure_future(ex.watch_my_trades("BTC/USDT")),
            "balance": asyncio.ensure_future(ex.watch_balance()),
        }
        await _held(served, held + 4)  # (match, candles, tradeOrders for orders and fills, balance)
        order = await ex.create_order("BTC/USDT", "market", "buy", 0.01)
        got = {name: await within(task) for name, task in watches.items()}
        mine = await ex.fetch_my_trades("BTC/USDT")
        assert got["trades"][-1]["id"] == mine[0]["id"] and got["trades"][-1]["price"] == 66_000
        assert got["ohlcv"][-1][4] == 66_000
        assert got["orders"][-1]["id"] == order["id"]
        assert got["my_trades"][-1]["id"] == mine[0]["id"] and got["my_trades"][-1]["amount"] == 0.01
        assert got["balance"]["info"]["relationContext"]["orderId"] == order["id"]
        later = asyncio.ensure_future(ex.watch_order_book("BTC/USDT"))
        await ex.cancel_order(resting[0]["id"], "BTC/USDT")  # (a change after the call)
        book = await within(later)
        rest = await ex.fetch_order_book("BTC/USDT")
        assert book["asks"][0] == [66_000, 0.49] and book["bids"][0] == [64_000, 0.5]
        for side in ("bids", "asks"):  # (ccxt keeps each changed level's sequence as a third item)
            assert [level[:2] for level in book[side][:20]] == rest[side][:20]
    finally:
        await ex.close()


def test_kucoin_universal_sdk(served: Served) -> None:
    from kucoin_universal_sdk.api.client import DefaultClient
    from kucoin_universal_sdk.generate.spot.order import AddOrderReq, AddOrderReqBuilder
    from kucoin_universal_sdk.model.client_option import ClientOptionBuilder
    from kucoin_universal_sdk.model.transport_option import TransportOptionBuilder
    from kucoin_universal_sdk.model.websocket_option import WebSocketClientOptionBuilder

    url = served.url
    key, secret, passphrase = _creds("sdk")
    option = (
        ClientOptionBuilder()
        .set_key(key)
        .set_secret(secret)
        .set_passphrase(passphrase)
        .set_spot_endpoint(url)
        .set_futures_endpoint(url)
        .set_broker_endpoint(url)
        .set_transport_option(TransportOptionBuilder().build())
        # (no reconnect: the test ends by closing the sockets from the server's side, which
        # lets the client's threads end at once; its own stop alone waits 10 s in websocket-client)
        .set_websocket_client_option(WebSocketClientOptionBuilder().with_reconnect(False).build())
        .build()
    )
    client = DefaultClient(option)
    got: queue.Queue[tuple[str, Any]] = queue.Queue()

    def hear(name: str) -> Any:
        return lambda _topic, _subject, data: got.put((name, data))

    orders = client.rest_service().get_spot_service().get_order_api()
    public = client.ws_service().new_spot_public_ws()
    private = client.ws_service().new_spot_private_ws()
    public.start()
    private.start()
    try:
        public.ticker([BTC], hear("ticker"))
        public.trade([BTC], hear("trade"))
        public.orderbook_increment([BTC], hear("increment"))
        public.orderbook_level5([BTC], hear("level5"))
        public.orderbook_level50([BTC], hear("level50"))
        public.orderbook_level1([BTC], hear("level1"))
        public.klines(BTC, "1min", hear("klines"))
        public.symbol_snapshot(BTC, hear("snapshot"))
        public.market_snapshot("USDS", hear("market"))
        public.all_tickers(hear("all"))
        private.order_v2(hear("v2"))
        private.order_v1(hear("v1"))
        private.account(hear("account"))
        private.stop_order(hear("stop"))
        request = (
            AddOrderReqBuilder()
            .set_client_oid("sdk-ws-1")
            .set_side(AddOrderReq.SideEnum.BUY)
            .set_symbol(BTC)
            .set_type(AddOrderReq.TypeEnum.MARKET)
            .set_size("0.01")
            .build()
        )
        placed = orders.add_order(request)
        wanted = {"ticker", "trade", "increment", "level5", "level50", "level1", "klines"}
        wanted |= {"snapshot", "market", "all", "v2", "v1", "account"}
        seen: dict[str, list[Any]] = {}
        deadline = time.monotonic() + DEADLINE_S
        while not wanted <= set(seen) or len(seen.get("v2", [])) < 3:
            assert time.monotonic() < deadline, f"still waiting for {sorted(wanted - set(seen))}"
            try:
                name, data = got.get(timeout=0.5)
            except queue.Empty:
                continue
            seen.setdefault(name, []).append(data)
    finally:
        served.disconnect()
        public.stop()
        private.stop()
        orders.transport.close()  # (the REST client's session: the SDK offers no close of its own)
        # websocket-client, under the SDK, leaves a socket the server closed to the collector:
        # collect it here, where that is known, not in whichever test runs next
        del public, private, client, orders
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            gc.collect()
    (trade,) = [t for t in seen["trade"] if t.taker_order_id == placed.order_id]
    assert (trade.price, trade.size, trade.trade_id) == ("66000", "0.01", seen["v2"][1].trade_id)
    assert seen["level5"][0].bids[0] == ["64000", "0.5"] and len(seen["level50"][0].asks) == 10
    assert [(o.type.value, o.order_id) for o in seen["v2"][:3]] == [
        ("received", placed.order_id),
        ("match", placed.order_id),
        ("filled", placed.order_id),
    ]
    assert seen["v2"][1].match_price == "66000" and seen["v2"][1].fee_type.value == "takerFee"
    assert {a.relation_context.order_id for a in seen["account"]} == {placed.order_id}
    assert seen["klines"][-1].candles[2] == "66000"


async def test_python_kucoin_socket_manager_over_wss(
    served_tls: Served, tls: Tls, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kucoin.asyncio import KucoinSocketManager
    from kucoin.client import Client

    url = served_tls.url
    assert url.startswith("https://")
    monkeypatch.setenv("SSL_CERT_FILE", str(tls.ca))  # (its WebSocket library's default context)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls.ca))  # (its REST client, requests)
    client = Client(*_creds("pykucoin"))
    client.API_URL = url
    details = client.get_ws_endpoint(private=True)
    server = details["instanceServers"][0]
    assert server["endpoint"].startswith("wss://") and server["encrypt"] is True
    heard: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def hear(message: dict[str, Any]) -> None:
        await heard.put(message)

    loop = asyncio.get_running_loop()
    public = await KucoinSocketManager.create(loop, client, hear)
    private = await KucoinSocketManager.create(loop, client, hear, private=True)
    topics = ["/market/match:BTC-USDT", "/spotMarket/tradeOrdersV2", "/account/balance"]
    try:
        await public.subscribe(topics[0])
        await private.subscribe(topics[1])
        await private.subscribe(topics[2])
        await _held(served_tls, 3)
        placed = await loop.run_in_executor(
            None, lambda: client.create_market_order(BTC, Client.SIDE_BUY, size="0.01")
        )
        seen: dict[str, dict[str, Any]] = {}
        while set(seen) != set(topics):
            message = await asyncio.wait_for(heard.get(), DEADLINE_S)
            seen.setdefault(message["topic"], message["data"])
    finally:
        # (python-kucoin's tasks swallow cancellation; a socket the server closes ends them)
        await loop.run_in_executor(None, lambda: served_tls.disconnect(str(tls.ca)))
        tasks = (public._conn._conn, private._conn._conn)
        done, _ = await asyncio.wait(tasks, timeout=DEADLINE_S)
        assert len(done) == 2, "python-kucoin's sockets are still running"
        client.session.close()  # (a kept-alive TLS connection would hold the server's shutdown)
    assert seen[topics[0]]["takerOrderId"] == placed["orderId"]
    assert seen[topics[1]]["orderId"] == placed["orderId"]
    assert seen[topics[2]]["relationContext"]["orderId"] == placed["orderId"]
