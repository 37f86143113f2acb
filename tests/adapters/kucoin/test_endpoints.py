"""Every endpoint the adapter calls, answered with the spec's own example body (respx)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx

from adapters.kucoin import KucoinExchange
from exchanges import (
    STP,
    BelowMinimumFunds,
    Interval,
    InvalidOrder,
    KeyPermission,
    Liquidity,
    OrderNotFound,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
    StopKind,
    TimeInForce,
)

from .conftest import example, mock_markets, ok

D = Decimal


def route(router: respx.Router, method: str, path: str, body: Any = None, **kw: Any) -> respx.Route:
    """Mock ``method path`` with the spec example (or ``body``) and return the route."""
    response = httpx.Response(200, json=body if body is not None else example(method, kw.pop("spec", path)))
    return router.route(method=method, path=path, **kw).mock(return_value=response)


def sent(r: respx.Route) -> httpx.Request:
    assert r.call_count >= 1
    return r.calls.last.request


def body_of(r: respx.Route) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(sent(r).content)
    return payload


# --- market data -----


async def test_server_time_and_status(ex: KucoinExchange, router: respx.Router) -> None:
    router.routes["timestamp"].mock(
        return_value=httpx.Response(200, json=example("GET", "/api/v1/timestamp"))
    )
    assert await ex.server_time() == 1729100692873
    route(router, "GET", "/api/v1/status")
    status = await ex.service_status()
    assert status.status == "open" and status.trading


async def test_symbols_v2(ex: KucoinExchange, router: respx.Router) -> None:
    r = route(router, "GET", "/api/v2/symbols")
    markets = await ex.load_markets()
    btc = markets["BTC/USDT"]
    assert (btc.id, btc.base, btc.quote) == ("BTC-USDT", "BTC", "USDT")
    assert btc.price_increment == D("0.1")
    assert btc.size_increment == D("0.00000001")
    assert btc.funds_increment == D("0.000001")
    assert btc.min_size == D("0.00001")
    assert btc.max_size == D("10000000000")
    assert btc.min_funds == D("0.1")
    assert btc.max_funds == D("99999999")
    assert btc.price_limit_rate == D("0.1")
    assert btc.enabled
    assert isinstance(btc.raw, dict) and btc.raw["feeCategory"] == 1
    await ex.load_markets()
    assert r.call_count == 1  # cached
    await ex.load_markets(reload=True)
    assert r.call_count == 2
    assert "KC-API-KEY" not in sent(r).headers  # public


async def test_one_symbol(ex: KucoinExchange, router: respx.Router) -> None:
    route(
        router,
        "GET",
        "/api/v2/symbols/BTC-USDT",
        body={"code": "200000", "data": example("GET", "/api/v2/symbols/{symbol}")["data"]},
    )
    market = await ex.fetch_market("BTC/USDT")
    assert market.symbol == "BTC/USDT" and market.price_increment == D("0.1")


async def test_unreadable_symbols_are_skipped(ex: KucoinExchange, router: respx.Router) -> None:
    good = example("GET", "/api/v2/symbols")["data"][0]
    bad = dict(good, symbol="WEIRD", priceIncrement=None)
    router.get("/api/v2/symbols").mock(return_value=ok([bad, good]))
    assert list(await ex.load_markets()) == ["BTC/USDT"]


async def test_ticker_24h_stats(ex: KucoinExchange, router: respx.Router) -> None:
    r = route(router, "GET", "/api/v1/market/stats")
    ticker = await ex.fetch_ticker("BTC/USDT")
    assert sent(r).url.params["symbol"] == "BTC-USDT"
    assert ticker.symbol == "BTC/USDT"
    assert (ticker.bid, ticker.ask, ticker.last) == (D("66982.4"), D("66982.5"), D("66981.5"))
    assert ticker.high == D("68107.7") and ticker.low == D("66683.3")
    assert ticker.volume == D("1738.02898182") and ticker.quote_volume == D("117321982.415978333")
    assert ticker.change == D("-778.1") and ticker.change_rate == D("-0.0114")
    assert ticker.open == D("66981.5") + D("778.1")
    assert ticker.timestamp == 1729175612158


async def test_level1_ticker(ex: KucoinExchange, router: respx.Router) -> None:
    route(router, "GET", "/api/v1/market/orderbook/level1")
    ticker = await ex.fetch_level1("BTC/USDT")
    assert (ticker.bid, ticker.bid_size) == (D("67267.5"), D("0.000025"))
    assert (ticker.ask, ticker.ask_size) == (D("67267.6"), D("1.24808993"))
    assert (ticker.last, ticker.last_size) == (D("67269"), D("0.000025"))


async def test_all_tickers(ex: KucoinExchange, router: respx.Router) -> None:
    route(router, "GET", "/api/v1/market/allTickers")
    tickers = await ex.fetch_tickers()
    btc = tickers["BTC/USDT"]
    assert (btc.bid, btc.ask, btc.last) == (D("67192.5"), D("67192.6"), D("67193"))
    assert btc.bid_size == D("0.000025") and btc.timestamp == 1729173207043
    assert await ex.fetch_tickers(["ETH/USDT"]) == {}


@pytest.mark.parametrize(("depth", "size"), [(5, 20), (20, 20), (50, 100), (100, 100)])
async def test_partial_order_books(ex: KucoinExchange, router: respx.Router, depth: int, size: int) -> None:
    body = example("GET", "/api/v1/market/orderbook/level2_{size}")
    r = router.get(f"/api/v1/market/orderbook/level2_{size}").mock(
        return_value=httpx.Response(200, json=body)
    )
    book = await ex.fetch_order_book("BTC/USDT", depth=depth)
    assert sent(r).url.params["symbol"] == "BTC-USDT"
    assert "KC-API-KEY" not in sent(r).headers
    assert book.bids[0].price == D("66976.4") and book.bids[0].size == D("0.69109872")
    assert book.asks[0].price == D("66976.5")
    assert book.sequence == 14610502970 and book.timestamp == 1729176273859
    assert len(book.bids) <= depth


async def test_full_order_book_is_signed(ex: KucoinExchange, router: respx.Router) -> None:
    r = route(router, "GET", "/api/v3/market/orderbook/level2")
    book = await ex.fetch_order_book("BTC/USDT", depth=None)
    assert "KC-API-SIGN" in sent(r).headers
    assert book.spread == D("0.1")


async def test_trade_history(ex: KucoinExchange, router: respx.Router) -> None:
    route(router, "GET", "/api/v1/market/histories")
    trades = await ex.fetch_trades("BTC/USDT")
    assert [t.id for t in trades] == ["10976028003549185", "10976028003549188", "10976028003549191"]
    assert trades[0].timestamp == 1729177117877  # nanoseconds -> ms
    assert trades[0].side is Side.BUY and trades[2].price == D("67122.9")
    assert [t.id for t in await ex.fetch_trades("BTC/USDT", limit=1)] == ["10976028003549191"]


async def test_klines_without_range(ex: KucoinExchange, router: respx.Router) -> None:
    r = route(router, "GET", "/api/v1/market/candles")
    candles = await ex.fetch_candles("BTC/USDT", "1m")
    assert sent(r).url.params["type"] == "1min"
    assert [c.start for c in candles] == [1566789600000, 1566789660000, 1566789720000]  # oldest first
    first = candles[0]
    assert (first.open, first.close, first.high, first.low) == (
        D("10408.6"),
        D("10416"),
        D("10416"),
        D("10405.4"),
    )
    assert first.volume == D("12.45584973") and first.quote_volume == D("129666.51508559")
    assert first.interval is Interval.M1 and first.symbol == "BTC/USDT"


async def test_currencies(ex: KucoinExchange, router: respx.Router) -> None:
    route(router, "GET", "/api/v3/currencies")
    currencies = await ex.fetch_currencies()
    btc = currencies["BTC"]
    assert btc.full_name == "Bitcoin" and btc.precision == 8 and btc.margin_enabled
    assert "Lightning Network" in btc.chains
    route(router, "GET", "/api/v3/currencies/BTC", spec="/api/v3/currencies/{currency}")
    assert (await ex.fetch_currency("BTC")).code == "BTC"


# --- account -----


async def test_accounts_and_balances(ex: KucoinExchange, router: respx.Router) -> None:
    r = route(router, "GET", "/api/v1/accounts")
    balances = await ex.fetch_balances()
    assert sent(r).url.params["type"] == "trade"
    assert "KC-API-SIGN" in sent(r).headers
    usdt = balances["USDT"]  # two rows in the example: summed
    assert usdt.total == D("26.66759503") + D("0.01")
    assert usdt.available == D("26.67759503") and usdt.hold == 0
    accounts = await ex.fetch_accounts(currency="USDT")
    assert [a.type for a in accounts] == ["trade", "main"]
    assert sent(r).url.params["currency"] == "USDT"
    route(router, "GET", "/api/v1/accounts/548674591753", spec="/api/v1/accounts/{accountId}")
    one = await ex.fetch_account("548674591753")
    assert (one.id, one.currency, one.balance) == ("548674591753", "USDT", D("26.66759503"))


async def test_hf_ledgers(ex: KucoinExchange, router: respx.Router) -> None:
    r = route(router, "GET", "/api/v1/hf/accounts/ledgers")
    entries = await ex.fetch_ledgers("USDT")
    assert sent(r).url.params["currency"] == "USDT"
    entry = entries[0]
    assert entry.id == "254062248624417" and entry.amount == D("1.59760080")
    assert entry.biz_type == "TRADE_EXCHANGE" and entry.timestamp == 1728443957539
    assert "KCS-USDT" in entry.context


async def test_classic_ledgers_are_paged(ex: KucoinExchange, router: respx.Router) -> None:
    r = route(router, "GET", "/api/v1/accounts/ledgers")
    entries = await ex.fetch_ledgers(hf=False)
    assert sent(r).url.params["currentPage"] == "1"
    assert entries[0].biz_type == "SUB_TRANSFER" and entries[0].direction == "out"


async def test_fees(ex: KucoinExchange, router: respx.Router) -> None:
    r = route(router, "GET", "/api/v1/trade-fees")
    fees = await ex.fetch_trade_fees(["BTC/USDT", "ETH/USDT"])
    assert sent(r).url.params["symbols"] == "BTC-USDT,ETH-USDT"
    assert fees["ETH/USDT"].taker_fee_rate == D("0.001")
    route(router, "GET", "/api/v1/base-fee")
    assert (await ex.fetch_base_fee()).maker_fee_rate == D("0.001")


async def test_api_key_info(ex: KucoinExchange, router: respx.Router) -> None:
    route(router, "GET", "/api/v1/user/api-key")
    info = await ex.fetch_api_key_info()
    assert info.venue == "kucoin" and info.key_version == 3
    names = {"General", "Futures", "Spot", "Earn", "InnerTransfer", "Transfer", "Margin"}
    assert info.venue_permissions == names
    assert info.permissions == set(KeyPermission) and not info.unrecognised_permissions
    assert info.ip_whitelist == ("203.**.154", "103.**.34")
    assert info.created_at == 1728443843000 and info.account_id == "165111215" and info.sub_account == ""
    assert info.last_used_at is None  # (KuCoin does not say)
    assert "6705f5c311545b000157d3eb" not in repr(info.raw)


async def test_hf_account_opened(ex: KucoinExchange, router: respx.Router) -> None:
    route(router, "GET", "/api/v1/hf/accounts/opened")
    assert await ex.fetch_hf_account_opened() is False


# --- HF orders ---------------------------------------------------------------------------------------


async def test_place_limit_sync(ex: KucoinExchange, router: respx.Router) -> None:
    mock_markets(router)
    r = route(router, "POST", "/api/v1/hf/orders/sync")
    order = await ex.place_order(
        OrderRequest.limit("BTC/USDT", "buy", "0.00001", "50000", client_order_id="5c52e11203aa677f33e493f")
    )
    assert body_of(r) == {
        "clientOid": "5c52e11203aa677f33e493f",
        "symbol": "BTC-USDT",
        "side": "buy",
        "type": "limit",
        "price": "50000",
        "size": "0.00001",
    }
    assert sent(r).content == b'{"clientOid":"5c52e11203aa677f33e493f","symbol":"BTC-USDT","side":"buy",' + (
        b'"type":"limit","price":"50000","size":"0.00001"}'
    )
    assert order.id == "67111a7cb7cbdf000703e1f6" and order.status is OrderStatus.OPEN
    assert order.client_order_id == "5c52e11203aa677f33e493f"
    assert order.created_at == 1729174140586 and order.funds == D("0.5")


async def test_place_every_order_option(ex: KucoinExchange, router: respx.Router) -> None:
    mock_markets(router)
    r = route(router, "POST", "/api/v1/hf/orders/sync")
    await ex.place_order(
        OrderRequest.limit(
            "BTC/USDT",
            "sell",
            "0.002",
            "60000.1",
            time_in_force=TimeInForce.GTT,
            cancel_after=3600,
            post_only=True,
            hidden=False,
            iceberg=True,
            visible_size="0.0001",
            stp=STP.CO,
            remark="grid-7",
        )
    )
    body = body_of(r)
    assert body["timeInForce"] == "GTT" and body["cancelAfter"] == 3600
    assert body["postOnly"] is True and body["iceberg"] is True and body["visibleSize"] == "0.0001"
    assert body["stp"] == "CO" and body["remark"] == "grid-7"
    assert "hidden" not in body  # defaults are not sent
    await ex.place_order(
        OrderRequest.limit("BTC/USDT", "buy", "0.001", "100", hidden=True, time_in_force="IOC")
    )
    assert body_of(r)["hidden"] is True and body_of(r)["timeInForce"] == "IOC"
    await ex.place_order(OrderRequest.limit("BTC/USDT", "buy", "0.001", "100", time_in_force="FOK"))
    assert body_of(r)["timeInForce"] == "FOK"


async def test_place_market_by_size_and_by_funds(ex: KucoinExchange, router: respx.Router) -> None:
    mock_markets(router)
    r = route(router, "POST", "/api/v1/hf/orders/sync")
    await ex.place_order(OrderRequest.market("BTC/USDT", "sell", size="0.01"))
    assert {k: body_of(r)[k] for k in ("type", "size")} == {"type": "market", "size": "0.01"}
    assert "price" not in body_of(r)
    await ex.place_order(OrderRequest.market("BTC/USDT", "buy", funds="25.5"))
    assert body_of(r)["funds"] == "25.5" and "size" not in body_of(r)


async def test_place_async_endpoint_returns_new(router: respx.Router) -> None:
    from .conftest import make_exchange

    mock_markets(router)
    r = route(router, "POST", "/api/v1/hf/orders")
    async with make_exchange(router, sync_orders=False) as ex:
        order = await ex.place_order(
            OrderRequest.limit(
                "BTC/USDT", "buy", "0.00001", "50000", client_order_id="5c52e11203aa677f33e493fb"
            )
        )
    assert r.call_count == 1
    assert order.status is OrderStatus.NEW and order.id == "670fd33bf9406e0007ab3945"


async def test_sync_place_that_filled_fetches_the_order(ex: KucoinExchange, router: respx.Router) -> None:
    mock_markets(router)
    sync = example("POST", "/api/v1/hf/orders/sync")["data"]
    filled = dict(sync, orderId="6717422bd51c29000775ea03", dealSize="0.00001", remainSize="0", status="done")
    router.post("/api/v1/hf/orders/sync").mock(return_value=ok(filled))
    get = route(
        router, "GET", "/api/v1/hf/orders/6717422bd51c29000775ea03", spec="/api/v1/hf/orders/{orderId}"
    )
    order = await ex.place_order(OrderRequest.limit("BTC/USDT", "buy", "0.00001", "70000"))
    assert get.call_count == 1
    assert order.status is OrderStatus.FILLED
    assert order.filled_funds == D("0.677176") and order.fee == D("0.000677176")
    assert order.average_price == D("67717.6")


async def test_place_test_order(ex: KucoinExchange, router: respx.Router) -> None:
    mock_markets(router)
    r = route(router, "POST", "/api/v1/hf/orders/test")
    ack = await ex.place_test_order(OrderRequest.limit("BTC/USDT", "buy", "0.00001", "50000"))
    assert ack.order_id == "670fd33bf9406e0007ab3945"
    assert body_of(r)["symbol"] == "BTC-USDT"


async def test_batch_place(ex: KucoinExchange, router: respx.Router) -> None:
    mock_markets(router)
    r = route(router, "POST", "/api/v1/hf/orders/multi/sync")
    results = await ex.place_orders(
        [
            OrderRequest.limit("BTC/USDT", "buy", "0.00001", "30000", client_order_id="client_order_id_13"),
            OrderRequest.limit("BTC/USDT", "sell", "0.001", "2000", client_order_id="client_order_id_14"),
            OrderRequest.limit("BTC/USDT", "sell", "0.00001", "2000"),  # 0.02 USDT: refused before sending
        ]
    )
    assert [o["clientOid"] for o in body_of(r)["orderList"]] == ["client_order_id_13", "client_order_id_14"]
    first, second, third = results
    assert isinstance(third, BelowMinimumFunds) and third.code is None
    assert not isinstance(first, Exception)
    assert first.id == "6711195e5584bc0007bd5aef" and first.status is OrderStatus.OPEN
    assert isinstance(second, BelowMinimumFunds)
    assert "0.1 USDT" in second.message


async def test_batch_is_chunked_by_batch_size(ex: KucoinExchange, router: respx.Router) -> None:
    mock_markets(router)
    seen: list[int] = []

    def answer(request: httpx.Request) -> httpx.Response:
        orders = json.loads(request.content)["orderList"]
        seen.append(len(orders))
        return ok(
            [
                {"orderId": f"id{i}", "clientOid": o["clientOid"], "success": True}
                for i, o in enumerate(orders)
            ]
        )

    router.post("/api/v1/hf/orders/multi/sync").mock(side_effect=answer)
    requests = [OrderRequest.limit("BTC/USDT", "buy", "0.001", str(30000 + i)) for i in range(12)]
    results = await ex.place_orders(requests)
    assert seen == [5, 5, 2]
    assert all(not isinstance(r, Exception) and r.status is OrderStatus.NEW for r in results)


async def test_alter_order(ex: KucoinExchange, router: respx.Router) -> None:
    mock_markets(router)
    r = route(router, "POST", "/api/v1/hf/orders/alter")
    ack = await ex.amend_order("BTC/USDT", order_id="670fd33bf9406e0007ab3945", price="30000", size="0.0001")
    assert body_of(r) == {
        "symbol": "BTC-USDT",
        "orderId": "670fd33bf9406e0007ab3945",
        "newPrice": "30000",
        "newSize": "0.0001",
    }
    assert ack.order_id == "67112258f9406e0007408827" and ack.client_order_id == "client order id 12"


async def test_cancel_sync_by_id_then_fetch(ex: KucoinExchange, router: respx.Router) -> None:
    r = route(
        router,
        "DELETE",
        "/api/v1/hf/orders/sync/6717422bd51c29000775ea03",
        spec="/api/v1/hf/orders/sync/{orderId}",
    )
    cancelled = dict(
        example("GET", "/api/v1/hf/orders/{orderId}")["data"],
        dealSize="0",
        dealFunds="0",
        cancelledSize="0.00001",
        cancelExist=True,
    )
    get = router.get("/api/v1/hf/orders/6717422bd51c29000775ea03").mock(return_value=ok(cancelled))
    order = await ex.cancel_order("BTC/USDT", order_id="6717422bd51c29000775ea03")
    assert sent(r).url.params["symbol"] == "BTC-USDT"
    assert get.call_count == 1
    assert order.status is OrderStatus.CANCELED


async def test_cancel_sync_by_client_oid(ex: KucoinExchange, router: respx.Router) -> None:
    r = route(
        router,
        "DELETE",
        "/api/v1/hf/orders/sync/client-order/5c52e11203aa677f33e493fb",
        spec="/api/v1/hf/orders/sync/client-order/{clientOid}",
    )
    cancelled = dict(example("GET", "/api/v1/hf/orders/{orderId}")["data"], dealSize="0", cancelExist=True)
    get = router.get("/api/v1/hf/orders/client-order/5c52e11203aa677f33e493fb").mock(
        return_value=ok(cancelled)
    )
    order = await ex.cancel_order("BTC/USDT", client_order_id="5c52e11203aa677f33e493fb")
    assert r.call_count == 1 and get.call_count == 1
    assert order.status is OrderStatus.CANCELED


async def test_cancel_of_a_placed_order_needs_no_fetch(ex: KucoinExchange, router: respx.Router) -> None:
    mock_markets(router)
    route(router, "POST", "/api/v1/hf/orders/sync")
    placed = await ex.place_order(OrderRequest.limit("BTC/USDT", "buy", "0.00001", "50000"))
    r = router.delete(f"/api/v1/hf/orders/sync/{placed.id}").mock(
        return_value=ok(
            {
                "orderId": placed.id,
                "originSize": "0.00001",
                "dealSize": "0",
                "remainSize": "0",
                "canceledSize": "0.00001",
                "status": "done",
            }
        )
    )
    get = router.get(f"/api/v1/hf/orders/{placed.id}")
    order = await ex.cancel_order("BTC/USDT", order_id=placed.id)
    assert r.call_count == 1 and get.call_count == 0
    assert order.status is OrderStatus.CANCELED and order.price == D("50000")


async def test_cancel_of_a_filled_order_is_order_not_found(ex: KucoinExchange, router: respx.Router) -> None:
    router.delete("/api/v1/hf/orders/sync/abc").mock(
        return_value=httpx.Response(
            200, json={"code": "400100", "msg": "order_not_exist_or_not_allow_to_cancel"}
        )
    )
    with pytest.raises(OrderNotFound) as info:
        await ex.cancel_order("BTC/USDT", order_id="abc")
    assert info.value.code == "400100"


async def test_async_cancels(ex: KucoinExchange, router: respx.Router) -> None:
    route(router, "DELETE", "/api/v1/hf/orders/671124f9365ccb00073debd4", spec="/api/v1/hf/orders/{orderId}")
    assert (await ex.request_cancel("BTC/USDT", order_id="671124f9365ccb00073debd4")).order_id == (
        "671124f9365ccb00073debd4"
    )
    route(
        router,
        "DELETE",
        "/api/v1/hf/orders/client-order/5c52e11203aa677f33e493fb",
        spec="/api/v1/hf/orders/client-order/{clientOid}",
    )
    ack = await ex.request_cancel("BTC/USDT", client_order_id="5c52e11203aa677f33e493fb")
    assert ack.client_order_id == "5c52e11203aa677f33e493fb"


async def test_partial_cancel(ex: KucoinExchange, router: respx.Router) -> None:
    r = route(
        router,
        "DELETE",
        "/api/v1/hf/orders/cancel/6711f73c1ef16c000717bb31",
        spec="/api/v1/hf/orders/cancel/{orderId}",
    )
    result = await ex.cancel_order_partial("BTC/USDT", "6711f73c1ef16c000717bb31", "0.00001")
    assert dict(sent(r).url.params) == {"symbol": "BTC-USDT", "cancelSize": "0.00001"}
    assert result.cancel_size == D("0.00001")


async def test_cancel_all(ex: KucoinExchange, router: respx.Router) -> None:
    one = route(router, "DELETE", "/api/v1/hf/orders")
    await ex.cancel_all_orders("BTC/USDT")
    assert sent(one).url.params["symbol"] == "BTC-USDT"
    every = route(router, "DELETE", "/api/v1/hf/orders/cancelAll")
    result = await ex.cancel_all()
    assert every.call_count == 1
    assert set(result.succeeded) == {"ETH/USDT", "BTC/USDT"} and not result.failed
    every.mock(
        return_value=ok({"succeedSymbols": [], "failedSymbols": [{"symbol": "BTC-USDT", "error": "busy"}]})
    )
    from exchanges import ExchangeError

    with pytest.raises(ExchangeError, match="BTC/USDT: busy"):
        await ex.cancel_all_orders()


async def test_get_order_by_id_and_client_oid(ex: KucoinExchange, router: respx.Router) -> None:
    r = route(router, "GET", "/api/v1/hf/orders/6717422bd51c29000775ea03", spec="/api/v1/hf/orders/{orderId}")
    order = await ex.fetch_order("BTC/USDT", order_id="6717422bd51c29000775ea03")
    assert sent(r).url.params["symbol"] == "BTC-USDT"
    assert order.status is OrderStatus.FILLED  # done, dealSize == size
    assert (
        order.filled_size == D("0.00001") and order.fee_currency == "USDT" and order.remark == "order remarks"
    )
    assert order.updated_at == 1729577515481
    route(
        router,
        "GET",
        "/api/v1/hf/orders/client-order/5c52e11203aa677f33e493fb",
        spec="/api/v1/hf/orders/client-order/{clientOid}",
    )
    assert (await ex.fetch_order("BTC/USDT", client_order_id="5c52e11203aa677f33e493fb")).id == order.id
    router.get("/api/v1/hf/orders/gone").mock(return_value=ok(None))
    with pytest.raises(OrderNotFound):
        await ex.fetch_order("BTC/USDT", order_id="gone")


async def test_open_orders_for_one_and_all_symbols(ex: KucoinExchange, router: respx.Router) -> None:
    symbols = route(router, "GET", "/api/v1/hf/orders/active/symbols")
    active = route(router, "GET", "/api/v1/hf/orders/active")
    orders = await ex.fetch_open_orders("BTC/USDT")
    assert orders[0].status is OrderStatus.OPEN and orders[0].id == "67120bbef094e200070976f6"
    assert symbols.call_count == 0
    everything = await ex.fetch_open_orders()
    assert symbols.call_count == 1
    assert sorted(c.request.url.params["symbol"] for c in active.calls[1:]) == ["BTC-USDT", "ETH-USDT"]
    assert len(everything) == 2
    assert await ex.fetch_symbols_with_open_orders() == ["ETH/USDT", "BTC/USDT"]


async def test_closed_orders_and_fills(ex: KucoinExchange, router: respx.Router) -> None:
    done = route(router, "GET", "/api/v1/hf/orders/done")
    orders = await ex.fetch_closed_orders("BTC/USDT", limit=10)
    assert dict(done.calls.last.request.url.params) == {"symbol": "BTC-USDT", "limit": "10"}
    assert orders[0].status is OrderStatus.FILLED
    fills = route(router, "GET", "/api/v1/hf/fills")
    got = await ex.fetch_fills("BTC/USDT", order_id="6717422bd51c29000775ea03")
    assert fills.calls.last.request.url.params["orderId"] == "6717422bd51c29000775ea03"
    fill = got[0]
    assert (fill.id, fill.trade_id, fill.order_id) == (
        "19814995255305",
        "11029373945659392",
        "6717422bd51c29000775ea03",
    )
    assert fill.liquidity is Liquidity.TAKER and fill.price == D("67717.6") and fill.fee == D("0.000677176")
    assert fill.fee_rate == D("0.001") and fill.counter_order_id == "67174228135f9e000709da8c"


async def test_dead_man_switch(ex: KucoinExchange, router: respx.Router) -> None:
    r = route(router, "POST", "/api/v1/hf/orders/dead-cancel-all")
    status = await ex.set_dead_cancel(5, ["BTC/USDT", "ETH/USDT"])
    assert body_of(r) == {"timeout": 5, "symbols": "BTC-USDT,ETH-USDT"}
    assert status.trigger_time == 1729656593000 and status.symbols == ("BTC/USDT", "ETH/USDT")
    query = route(router, "GET", "/api/v1/hf/orders/dead-cancel-all/query")
    current = await ex.fetch_dead_cancel()
    assert current is not None and current.timeout == 5 and current.current_time == 1729241305000
    query.mock(return_value=ok(None))
    assert await ex.fetch_dead_cancel() is None
    from exchanges import BadRequest

    with pytest.raises(BadRequest):
        await ex.set_dead_cancel(3)


# --- stop orders -----


async def test_stop_orders(ex: KucoinExchange, router: respx.Router) -> None:
    mock_markets(router)
    route(router, "GET", "/api/v1/market/orderbook/level1")  # (last price 67269)
    place = route(router, "POST", "/api/v1/stop-order")
    order = await ex.place_order(
        OrderRequest.limit("BTC/USDT", "buy", "0.00001", "50000", stop="loss", stop_price="50000")
    )
    assert body_of(place)["stopPrice"] == "50000" and "stop" not in body_of(place)
    assert order.status is OrderStatus.PENDING and order.id == "670fd33bf9406e0007ab3945"
    assert order.stop is StopKind.LOSS

    listing = route(router, "GET", "/api/v1/stop-order")
    stops = await ex.fetch_stop_orders("BTC/USDT")
    assert listing.calls.last.request.url.params["symbol"] == "BTC-USDT"
    assert stops[0].status is OrderStatus.PENDING and stops[0].stop is StopKind.LOSS
    assert stops[0].stop_price == D("60000") and stops[0].price == D("50000")

    route(router, "GET", "/api/v1/stop-order/vs8hoo8q2ceshiue003b67c0", spec="/api/v1/stop-order/{orderId}")
    one = await ex.fetch_stop_order(order_id="vs8hoo8q2ceshiue003b67c0")
    assert one.symbol == "KCS/USDT" and one.type is OrderType.LIMIT
    route(router, "GET", "/api/v1/stop-order/queryOrderByClientOid")
    by_coid = await ex.fetch_stop_order("KCS/USDT", client_order_id="2b700942b5db41cebe578cff48960e09")
    assert by_coid.client_order_id == "2b700942b5db41cebe578cff48960e09"

    route(
        router, "DELETE", "/api/v1/stop-order/671124f9365ccb00073debd4", spec="/api/v1/stop-order/{orderId}"
    )
    assert await ex.cancel_stop_order(order_id="671124f9365ccb00073debd4") == ("671124f9365ccb00073debd4",)
    route(router, "DELETE", "/api/v1/stop-order/cancelOrderByClientOid")
    assert await ex.cancel_stop_order("BTC/USDT", client_order_id="689ff597f4414061aa819cc414836abd") == (
        "vs8hoo8ksc8mario0035a74n",
    )
    many = route(router, "DELETE", "/api/v1/stop-order/cancel")
    assert await ex.cancel_stop_orders("BTC/USDT", ["a", "b"]) == ("671124f9365ccb00073debd4",)
    assert dict(many.calls.last.request.url.params) == {"symbol": "BTC-USDT", "orderIds": "a,b"}


async def test_a_stop_order_sends_the_trigger_and_lets_kucoin_derive_the_direction(
    ex: KucoinExchange, router: respx.Router
) -> None:
    """The spec's stop-order request has ``stopPrice`` and no ``stop``: KuCoin triggers a
    stop price at or above its last price on a rise (entry), one below it on a fall (loss)."""
    mock_markets(router)
    level1 = route(router, "GET", "/api/v1/market/orderbook/level1")  # last 67269
    place = route(router, "POST", "/api/v1/stop-order")
    buy, sell = OrderRequest.limit, OrderRequest.market
    breakout = await ex.place_order(buy("BTC/USDT", "buy", "0.001", "70000", stop_price="69000"))
    assert "stop" not in body_of(place) and body_of(place)["stopPrice"] == "69000"
    assert level1.calls.last.request.url.params["symbol"] == "BTC-USDT"
    stop_loss = await ex.place_order(sell("BTC/USDT", "sell", size="0.001", stop_price="60000"))
    assert (breakout.stop, stop_loss.stop) == (StopKind.ENTRY, StopKind.LOSS)
    assert (breakout.stop_price, stop_loss.stop_price) == (D("69000"), D("60000"))
    at_last = await ex.place_order(OrderRequest.market("BTC/USDT", "buy", size="0.001", stop_price="67269"))
    assert at_last.stop is StopKind.ENTRY
    # a direction KuCoin would not derive cannot be sent: refused before anything is placed
    sent_before = place.call_count
    with pytest.raises(InvalidOrder, match="entry"):
        await ex.place_order(
            OrderRequest.limit("BTC/USDT", "sell", "0.001", "70000", stop="loss", stop_price="69000")
        )
    assert place.call_count == sent_before


# --- classic endpoints -----


async def test_classic_family(router: respx.Router) -> None:
    from .conftest import make_exchange

    mock_markets(router)
    async with make_exchange(router, hf=False) as ex:
        place = route(router, "POST", "/api/v1/orders")
        order = await ex.place_order(OrderRequest.limit("BTC/USDT", "buy", "0.00001", "50000"))
        assert order.status is OrderStatus.NEW and order.id == "674a8635b38d120007709c0f"
        assert body_of(place)["clientOid"]

        route(router, "POST", "/api/v1/orders/test")
        assert (await ex.place_test_order(OrderRequest.limit("BTC/USDT", "buy", "0.00001", "50000"))).order_id

        batch = route(router, "POST", "/api/v1/orders/multi")
        results = await ex.place_orders(
            [
                OrderRequest.limit("BTC/USDT", "buy", "0.0001", "50000"),
                OrderRequest.limit("BTC/USDT", "buy", "0.0001", "49999"),
            ]
        )
        assert body_of(batch)["symbol"] == "BTC-USDT" and "symbol" not in body_of(batch)["orderList"][0]
        from exchanges import InsufficientFunds

        assert not isinstance(results[0], Exception) and results[0].id == "674a97dfef434f0007efc431"
        assert isinstance(results[1], InsufficientFunds)

        route(router, "GET", "/api/v1/orders/674a97dfef434f0007efc431", spec="/api/v1/orders/{orderId}")
        fetched = await ex.fetch_order("BTC/USDT", order_id="674a97dfef434f0007efc431")
        assert fetched.status is OrderStatus.CANCELED  # isActive false, cancelExist true, nothing dealt
        route(router, "GET", "/api/v1/order/client-order/c1", spec="/api/v1/order/client-order/{clientOid}")
        assert (await ex.fetch_order("BTC/USDT", client_order_id="c1")).id == "674a97dfef434f0007efc431"

        route(router, "DELETE", "/api/v1/orders/674a97dfef434f0007efc431", spec="/api/v1/orders/{orderId}")
        cancelled = await ex.cancel_order("BTC/USDT", order_id="674a97dfef434f0007efc431")
        assert cancelled.status is OrderStatus.CANCELED
        route(
            router, "DELETE", "/api/v1/order/client-order/c2", spec="/api/v1/order/client-order/{clientOid}"
        )
        route(router, "GET", "/api/v1/orders/67c3252a63d25e0007f91de9", spec="/api/v1/orders/{orderId}")
        assert (await ex.cancel_order("BTC/USDT", client_order_id="c2")).id == "674a97dfef434f0007efc431"

        cancel_all = route(router, "DELETE", "/api/v1/orders")
        await ex.cancel_all_orders("BTC/USDT")
        assert cancel_all.calls.last.request.url.params["symbol"] == "BTC-USDT"

        listing = route(router, "GET", "/api/v1/orders")
        opened = await ex.fetch_open_orders()
        assert (
            listing.calls.last.request.url.params["status"] == "active"
            and opened[0].id == "674a9a872033a50007e2790d"
        )
        await ex.fetch_closed_orders("BTC/USDT")
        assert listing.calls.last.request.url.params["status"] == "done"

        route(router, "GET", "/api/v1/fills")
        fills = await ex.fetch_fills("DOGE/USDT")
        assert fills[0].trade_id == "10862827223795713" and fills[0].id == "10862827223795713"

        route(router, "GET", "/api/v1/limit/orders")
        from exchanges import NotSupported

        with pytest.raises(NotSupported):
            await ex.amend_order("BTC/USDT", order_id="x", price="1")


async def test_api_key_info_of_a_read_only_sub_account_key(ex: KucoinExchange, router: respx.Router) -> None:
    body = {
        "remark": "data bot",
        "apiKey": "6705f5c311545b000157d3eb",
        "apiVersion": 2,
        "permission": "General,SomethingNew",
        "ipWhitelist": "",
        "createdAt": 1700000000000,
        "uid": 42,
        "isMaster": False,
        "subName": "bots",
    }
    answer = httpx.Response(200, json={"code": "200000", "data": body})
    router.get("/api/v1/user/api-key").mock(return_value=answer)
    info = await ex.fetch_api_key_info()
    assert info.permissions == {KeyPermission.READ}
    assert info.unrecognised_permissions == {"SomethingNew"}
    assert info.ip_whitelist == () and info.sub_account == "bots" and info.label == "data bot"
    assert "6705f5c311545b000157d3eb" not in repr(info) + repr(info.raw)
