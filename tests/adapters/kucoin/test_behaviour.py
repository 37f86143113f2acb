"""What users count on: precision, client ids, status mapping, paging, windows, symbols."""

from __future__ import annotations

import itertools
import json
from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.kucoin import KucoinExchange, KucoinOptions
from adapters.kucoin.paging import windows
from adapters.kucoin.parsing import parse_order, parse_stop_order
from exchanges import (
    AuthenticationError,
    BadRequest,
    BadSymbol,
    Exchange,
    Interval,
    InvalidClientOrderId,
    InvalidOrder,
    InvalidPrecision,
    ManualClock,
    OrderNotFound,
    OrderRequest,
    OrderStatus,
    validate_client_order_id,
)

from .conftest import SERVER_TIME, example, make_exchange, mock_markets, ok

D = Decimal
DAY = 86_400_000


def test_it_is_an_exchange() -> None:
    ex = KucoinExchange()
    assert isinstance(ex, Exchange)
    caps = ex.capabilities
    assert caps.post_only and caps.hidden and caps.iceberg and caps.market_by_funds and caps.stop_orders
    assert caps.amend and caps.max_candles_per_request == 1500
    assert (
        caps.missing(OrderRequest.limit("BTC/USDT", "buy", "1", "1", time_in_force="FOK", stp="DC")) is None
    )


def test_classic_endpoints_declare_no_amend() -> None:
    """KuCoin modifies orders on its HF endpoints only: a classic client does not offer it."""
    assert KucoinExchange().capabilities.amend
    assert not KucoinExchange(hf=False).capabilities.amend


async def test_classic_fetch_by_client_id_finds_a_done_order_among_the_recent(router: respx.Router) -> None:
    """Classic KuCoin's query by clientOid answers "not exist" once the order is done; the
    fetch looks among the recent orders (the last 24 hours) before saying so."""
    mock_markets(router)
    router.get(path__startswith="/api/v1/order/client-order/").mock(
        return_value=httpx.Response(200, json={"code": "400100", "msg": "order not exist."})
    )
    row = {
        "id": "674a9a872033a50007e2790e",
        "symbol": "BTC-USDT",
        "type": "limit",
        "side": "sell",
        "price": "70000",
        "size": "0.001",
        "dealSize": "0",
        "dealFunds": "0",
        "isActive": False,
        "cancelExist": True,
        "clientOid": "c-9",
        "createdAt": SERVER_TIME,
    }
    recent = router.get("/api/v1/limit/orders").mock(
        return_value=ok([dict(row, clientOid="c-8"), dict(row, symbol="ETH-USDT"), row])
    )
    async with make_exchange(router, hf=False) as ex:
        order = await ex.fetch_order("BTC/USDT", client_order_id="c-9")
        with pytest.raises(OrderNotFound):
            await ex.fetch_order("BTC/USDT", client_order_id="c-10")
    assert recent.call_count == 2
    assert (order.id, order.client_order_id, order.status) == (row["id"], "c-9", OrderStatus.CANCELED)


def test_options() -> None:
    assert KucoinExchange(base_url="http://127.0.0.1:8080/").options.base_url == "http://127.0.0.1:8080"
    with pytest.raises(ValueError, match="http"):
        KucoinOptions(base_url="api.kucoin.com")
    with pytest.raises(ValueError, match="vip_level"):
        KucoinOptions(vip_level=13)
    opts = KucoinOptions(hf=False)
    assert KucoinExchange(options=opts, vip_level=3).options == KucoinOptions(hf=False, vip_level=3)


# --- precision -----


async def test_off_grid_orders_are_refused_before_sending(router: respx.Router) -> None:
    mock_markets(router)
    place = router.post("/api/v1/hf/orders/sync")
    async with make_exchange(router) as ex:
        with pytest.raises(InvalidPrecision) as info:
            await ex.place_order(OrderRequest.limit("BTC/USDT", "buy", "0.001", "50000.05"))
        assert info.value.field == "price" and info.value.increment == D("0.1")
        with pytest.raises(InvalidPrecision, match="size"):
            await ex.place_order(OrderRequest.limit("BTC/USDT", "buy", "0.000000001", "50000"))
        with pytest.raises(InvalidOrder, match="minimum"):
            await ex.place_order(OrderRequest.limit("BTC/USDT", "buy", "0.000001", "50000"))
        with pytest.raises(InvalidOrder, match="remark"):
            await ex.place_order(OrderRequest.limit("BTC/USDT", "buy", "0.001", "50000", remark="x" * 21))
        with pytest.raises(BadSymbol):
            await ex.place_order(OrderRequest.limit("DOGE/USDT", "buy", "1", "1"))
    assert place.call_count == 0


async def test_conform_rounds_on_the_safe_side(router: respx.Router) -> None:
    mock_markets(router)
    place = router.post("/api/v1/hf/orders/sync").mock(
        return_value=ok(dict(example("POST", "/api/v1/hf/orders/sync")["data"]))
    )
    async with make_exchange(router, conform=True) as ex:
        buy = await ex.place_order(OrderRequest.limit("BTC/USDT", "buy", "0.0012345678912", "50000.09"))
        body = json.loads(place.calls.last.request.content)
        assert (body["price"], body["size"]) == ("50000", "0.00123456")
        assert buy.price == D("50000.0")
        await ex.place_order(OrderRequest.limit("BTC/USDT", "sell", "0.001", "50000.01"))
        assert json.loads(place.calls.last.request.content)["price"] == "50000.1"
        await ex.place_order(OrderRequest.market("BTC/USDT", "buy", funds="10.1234567"))
        assert json.loads(place.calls.last.request.content)["funds"] == "10.123456"


# --- client order ids -----


async def test_client_oid_is_generated_valid_and_unique(router: respx.Router) -> None:
    mock_markets(router)
    place = router.post("/api/v1/hf/orders/sync").mock(
        return_value=ok(dict(example("POST", "/api/v1/hf/orders/sync")["data"]))
    )
    async with make_exchange(router) as ex:
        for _ in range(20):
            await ex.place_order(OrderRequest.limit("BTC/USDT", "buy", "0.001", "50000"))
    ids = [json.loads(c.request.content)["clientOid"] for c in place.calls]
    assert len(set(ids)) == 20
    for coid in ids:
        assert validate_client_order_id("kucoin", coid) == coid


async def test_bad_client_oid_is_refused_before_sending(router: respx.Router) -> None:
    mock_markets(router)
    place = router.post("/api/v1/hf/orders/sync")
    async with make_exchange(router) as ex:
        for bad in ("x" * 41, "has space", "semi;colon"):
            with pytest.raises(InvalidClientOrderId):
                await ex.place_order(
                    OrderRequest.limit("BTC/USDT", "buy", "0.001", "50000", client_order_id=bad)
                )
    assert place.call_count == 0


# --- order status -----


def _order(**fields: Any) -> dict[str, Any]:
    base = dict(example("GET", "/api/v1/hf/orders/{orderId}")["data"])
    base.update(fields)
    return base


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"active": True, "dealSize": "0", "dealFunds": "0"}, OrderStatus.OPEN),
        ({"active": True, "dealSize": "0.000005", "size": "0.00001"}, OrderStatus.PARTIALLY_FILLED),
        ({"active": False, "dealSize": "0.00001", "size": "0.00001"}, OrderStatus.FILLED),
        (
            {"active": False, "dealSize": "0.000005", "size": "0.00001", "cancelExist": True},
            OrderStatus.CANCELED,
        ),
        ({"active": False, "dealSize": "0", "size": "0.00001", "cancelExist": True}, OrderStatus.CANCELED),
        (
            {
                "type": "market",
                "active": False,
                "size": "0",
                "funds": "10",
                "dealFunds": "10",
                "dealSize": "0.0001",
            },
            OrderStatus.FILLED,
        ),
        (
            {
                "type": "market",
                "active": False,
                "size": "0",
                "funds": "10",
                "dealFunds": "9.99",
                "dealSize": "0.0001",
                "cancelExist": False,
                "cancelledFunds": "0",
            },
            OrderStatus.FILLED,
        ),
        (
            {
                "type": "market",
                "active": False,
                "size": "0",
                "funds": "10",
                "dealFunds": "4",
                "dealSize": "0.00004",
                "cancelExist": True,
                "cancelledFunds": "6",
            },
            OrderStatus.CANCELED,
        ),
    ],
)
def test_status_mapping(fields: dict[str, Any], status: OrderStatus) -> None:
    assert parse_order(_order(**fields)).status is status


def test_market_by_funds_dust_counts_as_filled() -> None:
    # 100 USDT at 66000, no fee: 0.00151515 BTC for 99.9999; the 0.0001 left cannot buy 0.00000001 BTC
    dust = _order(
        type="market",
        active=False,
        size="0",
        funds="100",
        dealFunds="99.9999",
        dealSize="0.00151515",
        fee="0",
        cancelExist=True,
        cancelledFunds="0.0001",
    )
    assert parse_order(dust).status is OrderStatus.CANCELED  # without the market's increment: strict
    assert parse_order(dust, D("0.00000001")).status is OrderStatus.FILLED
    real_cancel = dict(dust, dealFunds="50", dealSize="0.00075757", cancelledFunds="50")
    assert parse_order(real_cancel, D("0.00000001")).status is OrderStatus.CANCELED


def test_a_market_buy_by_funds_pays_its_fee_out_of_its_funds() -> None:
    """KuCoin holds a market buy's funds and no more, so the fee comes out of them: 100 USDT
    deal 99.9 and pay 0.0999, and the 0.0001 left is dust, not a refused rest."""
    spent = _order(
        type="market",
        side="buy",
        active=False,
        size="0",
        funds="100",
        dealFunds="99.9",
        dealSize="0.00151363",
        fee="0.0999",
        feeCurrency="USDT",
        cancelExist=True,
        cancelledFunds="0.0001",
    )
    assert parse_order(spent, D("0.00000001")).status is OrderStatus.FILLED
    every_cent = dict(spent, cancelExist=False, cancelledFunds="0", dealFunds="99.9000999", fee="0.0999001")
    assert parse_order(every_cent).status is OrderStatus.FILLED  # (nothing left: no increment needed)
    # a sale by funds receives its funds before the fee: the fee takes nothing from them
    sold = dict(spent, side="sell")
    assert parse_order(sold, D("0.00000001")).status is OrderStatus.CANCELED  # 0.1 short: 150 lots


def test_classic_order_uses_is_active() -> None:
    classic = dict(example("GET", "/api/v1/orders/{orderId}")["data"])
    assert "active" not in classic
    assert parse_order(dict(classic, isActive=True)).status is OrderStatus.OPEN
    assert parse_order(dict(classic, isActive=False, dealSize="0.0001")).status is OrderStatus.FILLED


def test_market_by_funds_order_keeps_funds_not_size() -> None:
    order = parse_order(_order(type="market", size="0", funds="10", price="0", active=True))
    assert order.size is None and order.funds == D("10") and order.price is None


def test_stop_order_statuses() -> None:
    stop = example("GET", "/api/v1/stop-order/{orderId}")["data"]
    assert parse_stop_order(stop).status is OrderStatus.PENDING
    assert parse_stop_order(dict(stop, status="TRIGGERED")).status is OrderStatus.NEW


# --- paging and windows -----


async def test_klines_are_paged_beyond_1500_rows(router: respx.Router) -> None:
    windows: list[tuple[int, int]] = []

    def candles(request: httpx.Request) -> httpx.Response:
        start, end = int(request.url.params["startAt"]), int(request.url.params["endAt"])
        windows.append((start, end))
        rows = [[str(t), "1", "2", "3", "0.5", "10", "20"] for t in range(start - start % 60, end + 1, 60)]
        rows = [r for r in rows if start <= int(r[0]) <= end][::-1][:1500]  # newest first, capped like KuCoin
        return ok(rows)

    router.get("/api/v1/market/candles").mock(side_effect=candles)
    start = 1_699_999_980_000  # on a minute boundary
    end = start + 4000 * 60_000
    async with make_exchange(router) as ex:
        bars = await ex.fetch_candles("BTC/USDT", Interval.M1, start, end)
    assert len(windows) == 3
    assert all(e - s < 1500 * 60 for s, e in windows)
    assert [b.start for b in bars] == list(range(start, end, 60_000))  # every bar, once, oldest first
    assert bars[0].close == D("2") and bars[0].high == D("3")


@pytest.mark.parametrize(
    ("interval", "wire"),
    [
        ("1m", "1min"),
        ("3m", "3min"),
        ("5m", "5min"),
        ("15m", "15min"),
        ("30m", "30min"),
        ("1h", "1hour"),
        ("2h", "2hour"),
        ("4h", "4hour"),
        ("6h", "6hour"),
        ("8h", "8hour"),
        ("12h", "12hour"),
        ("1d", "1day"),
        ("1w", "1week"),
        ("1M", "1month"),
        ("1hour", "1hour"),
    ],
)
async def test_every_kline_interval(router: respx.Router, interval: str, wire: str) -> None:
    route = router.get("/api/v1/market/candles").mock(return_value=ok([]))
    async with make_exchange(router) as ex:
        await ex.fetch_candles("BTC/USDT", interval, 1_700_000_000_000, 1_700_000_060_000)
    assert route.calls.last.request.url.params["type"] == wire


async def test_closed_orders_follow_the_last_id_cursor(router: respx.Router) -> None:
    template = example("GET", "/api/v1/hf/orders/done")["data"]["items"][0]
    ids = list(range(250, 0, -1))

    def done(request: httpx.Request) -> httpx.Response:
        last = int(request.url.params.get("lastId", 10**9))
        limit = int(request.url.params["limit"])
        page = [i for i in ids if i < last][:limit]
        items = [dict(template, id=f"o{i}", lastUpdatedAt=SERVER_TIME + i) for i in page]
        return ok({"lastId": page[-1] if page else 0, "items": items})

    route = router.get("/api/v1/hf/orders/done").mock(side_effect=done)
    async with make_exchange(router) as ex:
        everything = await ex.fetch_closed_orders("BTC/USDT")
        assert [o.id for o in everything] == [f"o{i}" for i in ids]
        assert route.call_count == 3
        some = await ex.fetch_closed_orders("BTC/USDT", limit=130)
        assert [o.id for o in some] == [f"o{i}" for i in ids[:130]]
        assert [c.request.url.params["limit"] for c in route.calls[3:]] == ["100", "30"]


async def test_long_ranges_are_split_into_7_day_windows(router: respx.Router) -> None:
    template = example("GET", "/api/v1/hf/fills")["data"]["items"][0]
    seen: list[tuple[int, int]] = []

    def fills(request: httpx.Request) -> httpx.Response:
        lo, hi = int(request.url.params["startAt"]), int(request.url.params["endAt"])
        assert hi - lo <= 7 * DAY
        seen.append((lo, hi))
        items = [dict(template, id=lo // DAY, tradeId=lo // DAY, createdAt=lo + 1)]
        return ok({"lastId": lo // DAY, "items": items})

    router.get("/api/v1/hf/fills").mock(side_effect=fills)
    start = 1_700_000_000_000
    async with make_exchange(router) as ex:
        got = await ex.fetch_fills("BTC/USDT", start=start, end=start + 20 * DAY)
    assert seen == [
        (start + 13 * DAY, start + 20 * DAY),
        (start + 6 * DAY, start + 13 * DAY),
        (start, start + 6 * DAY),
    ]
    assert [f.timestamp for f in got] == sorted((f.timestamp for f in got), reverse=True)
    assert len(got) == 3


async def test_ledgers_hf_cursor_uses_the_last_id(router: respx.Router) -> None:
    template = example("GET", "/api/v1/hf/accounts/ledgers")["data"][0]

    def ledgers(request: httpx.Request) -> httpx.Response:
        last = int(request.url.params.get("lastId", 1000))
        limit = int(request.url.params["limit"])
        page = list(range(last - 1, max(last - 1 - limit, 550), -1))
        return ok([dict(template, id=str(i), createdAt=str(SERVER_TIME + i)) for i in page])

    route = router.get("/api/v1/hf/accounts/ledgers").mock(side_effect=ledgers)
    async with make_exchange(router) as ex:
        entries = await ex.fetch_ledgers()
    assert len(entries) == 449 and route.call_count == 3
    assert entries[0].id == "999" and entries[-1].id == "551"


# --- symbols and credentials -----


async def test_bad_symbols(router: respx.Router) -> None:
    async with make_exchange(router) as ex:
        for bad in ("BTCUSDT", "BTC-USDT", "BTC/", "/USDT", "BTC/BTC"):
            with pytest.raises(BadSymbol):
                await ex.fetch_ticker(bad)
        with pytest.raises(BadRequest):
            await ex.fetch_order_book("BTC/USDT", depth=0)
    assert len(router.calls) == 0


async def test_private_calls_need_credentials(router: respx.Router) -> None:
    async with make_exchange(router, creds=False) as ex:
        with pytest.raises(AuthenticationError, match="credentials"):
            await ex.fetch_balances()
    assert len(router.calls) == 0


async def test_unexpected_bodies_become_errors_not_crashes(router: respx.Router) -> None:
    from exchanges import ExchangeError, ExchangeUnavailable

    router.get("/api/v1/status").mock(
        side_effect=[
            httpx.Response(200, text="<html>oops</html>"),
            httpx.Response(502, text="Bad Gateway"),
            httpx.Response(200, json={"code": "777777", "msg": "brand new"}),
        ]
    )
    async with make_exchange(router, clock=ManualClock(SERVER_TIME)) as ex:
        with pytest.raises(ExchangeError, match="malformed"):
            await ex.service_status()
        with pytest.raises(ExchangeUnavailable):
            await ex.service_status()
        with pytest.raises(ExchangeError) as info:
            await ex.service_status()
    assert type(info.value) is ExchangeError and info.value.code == "777777"


async def test_httpx_own_transport_works_with_respx_mock() -> None:
    with respx.mock(base_url="https://api.kucoin.com") as mock:
        mock.get("/api/v1/status").mock(return_value=ok({"status": "cancelonly", "msg": "maintenance"}))
        async with KucoinExchange(fast_transport=False) as ex:
            status = await ex.service_status()
    assert status.status == "cancelonly" and not status.trading


@settings(max_examples=100)
@given(
    start=st.integers(0, 10**13),
    length=st.integers(1, 90 * DAY),
    span=st.integers(3_600_000, 10 * DAY),
)
def test_windows_partition_the_range(start: int, length: int, span: int) -> None:
    parts = windows(start, start + length, span, now=0)
    assert parts[0][1] == start + length and parts[-1][0] == start  # newest first, whole range
    for (lo, _), (_, next_hi) in itertools.pairwise(parts):
        assert next_hi == lo  # contiguous, no gap, no overlap
    for lo, hi in parts:
        assert lo is not None and hi is not None and 0 < hi - lo <= span


async def test_classic_fills_keep_both_sides_of_a_self_trade(router: respx.Router) -> None:
    """Classic fills carry no per-side id: both sides of a self-trade share one tradeId, and
    only (tradeId, orderId) tells them apart."""
    template = example("GET", "/api/v1/fills")["data"]["items"][0]
    buy = dict(template, tradeId="77", orderId="buy-order", counterOrderId="sell-order", side="buy")
    sell = dict(
        template, tradeId="77", orderId="sell-order", counterOrderId="buy-order", side="sell",
        liquidity="maker",
    )  # fmt: skip
    page = {"currentPage": 1, "pageSize": 50, "totalNum": 2, "totalPage": 1, "items": [buy, sell]}
    router.get("/api/v1/fills").mock(return_value=ok(page))
    async with make_exchange(router, hf=False) as ex:
        fills = await ex.fetch_fills("DOGE/USDT")
    assert sorted((f.order_id, f.side.value) for f in fills) == [("buy-order", "buy"), ("sell-order", "sell")]
