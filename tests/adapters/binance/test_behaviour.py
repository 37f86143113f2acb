"""What the adapter sends and what it makes of the answers: markets from every filter, order
types, cancels, queries, fills paged by fromId, cancel-replace, amend, order lists, and the
venue registry."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import parse_qsl

import httpx
import pytest

from adapters.binance import BinanceExchange, ListLeg
from exchanges import (
    STP,
    Amending,
    BadSymbol,
    BatchPlacing,
    BelowMinimumFunds,
    DuplicateClientOrderId,
    Exchange,
    InvalidClientOrderId,
    InvalidPrecision,
    KeyPermission,
    NotSupported,
    OrderNotFound,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
    StopKind,
    Streaming,
    TimeInForce,
    connect,
)

from .conftest import KEY, SECRET, SERVER_TIME, FakeBinance, error, raw_params


def sent(venue: FakeBinance, method: str, path: str) -> list[dict[str, str]]:
    return [
        dict(parse_qsl(raw_params(r)))
        for r in venue.requests
        if r.method == method and r.url.path == path
    ]


def test_it_claims_only_what_binance_spot_has(ex: BinanceExchange) -> None:
    """Binance spot has no batch placement endpoint: the adapter does not pretend to one (a
    caller, or the contract, falls back to one placement each). It amends, by amend
    keep-priority or cancel-replace."""
    assert isinstance(ex, Exchange)
    assert isinstance(ex, Streaming)
    assert not isinstance(ex, BatchPlacing)
    assert isinstance(ex, Amending)
    assert ex.capabilities.amend


async def test_markets_come_from_every_filter(ex: BinanceExchange) -> None:
    markets = await ex.load_markets()
    assert set(markets) == {"BTC/USDT", "ETH/USDT", "ETH/BTC"}  # (the Unicode test symbol is skipped)
    btc = markets["BTC/USDT"]
    assert (btc.id, btc.price_increment, btc.size_increment) == (
        "BTCUSDT",
        Decimal("0.01"),
        Decimal("0.00001"),
    )
    assert (btc.min_size, btc.max_size, btc.min_funds, btc.max_funds) == (
        Decimal("0.00001"),
        Decimal("9000"),
        Decimal("5"),
        Decimal("9000000"),
    )
    assert btc.enabled and not markets["ETH/BTC"].enabled
    info = await ex.symbol_info("BTC/USDT")
    by_side = info.filter("PERCENT_PRICE_BY_SIDE")
    assert (
        by_side is not None
        and by_side.decimal("bidMultiplierUp") == 5
        and by_side.integer("avgPriceMins") == 5
    )
    assert info.filter("ICEBERG_PARTS") is not None and info.filter("ICEBERG_PARTS").integer("limit") == 100  # type: ignore[union-attr]
    assert "DECREMENT" in info.stp_allowed and info.amend_allowed
    with pytest.raises(BadSymbol):
        await ex.market("DOGE/USDT")


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        (
            OrderRequest.limit("BTC/USDT", "buy", "0.001", "50000"),
            {"type": "LIMIT", "timeInForce": "GTC", "quantity": "0.001", "price": "50000"},
        ),
        (
            OrderRequest.limit("BTC/USDT", "sell", "0.001", "60000", post_only=True),
            {"type": "LIMIT_MAKER", "quantity": "0.001", "price": "60000"},
        ),
        (
            OrderRequest.limit("BTC/USDT", "buy", "0.001", "50000", time_in_force="FOK", stp="CB"),
            {"type": "LIMIT", "timeInForce": "FOK", "selfTradePreventionMode": "EXPIRE_BOTH"},
        ),
        (OrderRequest.market("BTC/USDT", "buy", funds="25"), {"type": "MARKET", "quoteOrderQty": "25"}),
        (OrderRequest.market("BTC/USDT", "sell", size="0.002"), {"type": "MARKET", "quantity": "0.002"}),
        (
            OrderRequest.limit("BTC/USDT", "buy", "0.01", "50000", iceberg=True, visible_size="0.002"),
            {"type": "LIMIT", "icebergQty": "0.002"},
        ),
        (
            OrderRequest.limit("BTC/USDT", "sell", "0.001", "40000", stop_price="40100", stop="loss"),
            {"type": "STOP_LOSS_LIMIT", "stopPrice": "40100", "price": "40000"},
        ),
        (
            OrderRequest.market("BTC/USDT", "buy", size="0.001", stop_price="60000", stop="entry"),
            {"type": "STOP_LOSS", "stopPrice": "60000"},
        ),
        (
            OrderRequest.market("BTC/USDT", "sell", size="0.001", stop_price="60000"),  # above the last price
            {"type": "TAKE_PROFIT", "stopPrice": "60000"},
        ),
    ],
)
async def test_order_types_on_the_wire(
    ex: BinanceExchange, venue: FakeBinance, request_: OrderRequest, expected: dict[str, str]
) -> None:
    order = await ex.place_order(request_)
    (params,) = sent(venue, "POST", "/api/v3/order")
    assert {k: params.get(k) for k in expected} == expected
    assert params["side"] == request_.side.value.upper() and params["newOrderRespType"] == "FULL"
    assert order.client_order_id == params["newClientOrderId"]
    if request_.stop_price is not None:
        assert order.status is OrderStatus.PENDING and order.stop is not None
        assert order.stop is (request_.stop or StopKind.ENTRY)


async def test_a_full_answer_gives_the_fills_and_their_fee(ex: BinanceExchange) -> None:
    order = await ex.place_order(OrderRequest.limit("BTC/USDT", "buy", "0.001", "50000", time_in_force="IOC"))
    assert order.status is OrderStatus.FILLED and order.filled_size == Decimal("0.001")
    assert (order.fee, order.fee_currency) == (Decimal("0.05"), "USDT")
    assert order.time_in_force is TimeInForce.IOC and order.type is OrderType.LIMIT


async def test_checks_before_sending(ex: BinanceExchange, venue: FakeBinance) -> None:
    with pytest.raises(InvalidPrecision):
        await ex.place_order(OrderRequest.limit("BTC/USDT", "buy", "0.001", "50000.005"))
    with pytest.raises(BelowMinimumFunds):
        await ex.place_order(OrderRequest.limit("BTC/USDT", "buy", "0.00001", "100"))
    with pytest.raises(InvalidClientOrderId):
        await ex.place_order(OrderRequest.limit("BTC/USDT", "buy", "0.001", "50000", client_order_id="a.b"))
    with pytest.raises(NotSupported):
        await ex.place_order(OrderRequest.limit("BTC/USDT", "buy", "0.001", "50000", hidden=True))
    assert not sent(venue, "POST", "/api/v3/order")


async def test_duplicate_client_id_is_refused(ex: BinanceExchange) -> None:
    request = OrderRequest.limit("BTC/USDT", "buy", "0.001", "50000", client_order_id="dup-1")
    await ex.place_order(request)
    with pytest.raises(DuplicateClientOrderId):
        await ex.place_order(request)


async def test_cancel_returns_the_order_with_its_own_client_id(ex: BinanceExchange) -> None:
    placed = await ex.place_order(
        OrderRequest.limit("BTC/USDT", "buy", "0.001", "50000", client_order_id="mine")
    )
    cancelled = await ex.cancel_order("BTC/USDT", client_order_id="mine")
    assert (cancelled.id, cancelled.status, cancelled.client_order_id) == (
        placed.id,
        OrderStatus.CANCELED,
        "mine",
    )
    with pytest.raises(OrderNotFound):
        await ex.cancel_order("BTC/USDT", order_id=placed.id)
    with pytest.raises(OrderNotFound):
        await ex.fetch_order("BTC/USDT", order_id="not-a-number")


async def test_cancel_all_with_nothing_open_is_no_error(ex: BinanceExchange, venue: FakeBinance) -> None:
    venue.routes[("DELETE", "/api/v3/openOrders")] = lambda request: error(-2011, "Unknown order sent.")
    assert await ex.cancel_all("BTC/USDT") == []
    await ex.cancel_all_orders("BTC/USDT")


async def test_open_and_closed_orders(ex: BinanceExchange) -> None:
    a = await ex.place_order(OrderRequest.limit("BTC/USDT", "buy", "0.001", "50000"))
    b = await ex.place_order(OrderRequest.limit("BTC/USDT", "buy", "0.001", "50000", time_in_force="IOC"))
    c = await ex.place_order(OrderRequest.limit("ETH/USDT", "sell", "0.1", "3000"))
    assert {o.id for o in await ex.fetch_open_orders()} == {a.id, c.id}
    assert {o.symbol for o in await ex.fetch_open_orders()} == {"BTC/USDT", "ETH/USDT"}
    assert [o.id for o in await ex.fetch_closed_orders("BTC/USDT")] == [b.id]
    assert [o.id for o in await ex.fetch_closed_orders("BTC/USDT", start=SERVER_TIME - 1000)] == [b.id]
    assert await ex.fetch_closed_orders("BTC/USDT", limit=0) == []


async def test_open_orders_placed_in_one_millisecond_come_newest_first(ex: BinanceExchange) -> None:
    """Binance lists open orders oldest first, and orders placed within one millisecond share
    their times: the later order id is the newer order."""
    placed = [await ex.place_order(OrderRequest.limit("BTC/USDT", "buy", "0.001", "50000")) for _ in range(3)]
    assert len({o.updated_at for o in placed}) == 1
    assert [o.id for o in await ex.fetch_open_orders("BTC/USDT")] == [o.id for o in reversed(placed)]


async def test_my_trades_are_paged_by_from_id(ex: BinanceExchange, venue: FakeBinance) -> None:
    for i in range(2500):
        venue.trades.append(
            {
                "symbol": "BTCUSDT",
                "id": 10_000 + i,
                "orderId": 1 + i // 100,
                "orderListId": -1,
                "price": "50000.00",
                "qty": "0.001",
                "quoteQty": "50.00",
                "commission": "0.00000100",
                "commissionAsset": "BTC",
                "time": SERVER_TIME - 2500 + i,
                "isBuyer": True,
                "isMaker": i % 2 == 0,
                "isBestMatch": True,
            }
        )
    fills = await ex.fetch_fills_from("BTC/USDT", 10_500)
    assert [f.trade_id for f in fills] == [str(10_000 + i) for i in range(500, 2500)]
    assert len(sent(venue, "GET", "/api/v3/myTrades")) == 3  # two full pages, then an empty one
    ranged = await ex.fetch_fills("BTC/USDT", start=SERVER_TIME - 2500, end=SERVER_TIME)
    assert len(ranged) == 2500 and ranged[0].trade_id == "12499"  # newest first, all of them
    by_order = await ex.fetch_fills("BTC/USDT", order_id="3")
    assert len(by_order) == 100 and {f.order_id for f in by_order} == {"3"}
    fill = by_order[0]
    assert (fill.side, fill.fee_currency, fill.funds) == (Side.BUY, "BTC", Decimal("50"))


async def test_cancel_replace_reports_both_halves(ex: BinanceExchange, venue: FakeBinance) -> None:
    placed = await ex.place_order(OrderRequest.limit("BTC/USDT", "buy", "0.001", "50000"))
    cancelled = {**venue.orders[0], "status": "CANCELED", "origClientOrderId": placed.client_order_id}

    def partly(request: httpx.Request) -> httpx.Response:
        body = {
            "code": -2021,
            "msg": "Order cancel-replace partially failed.",
            "data": {
                "cancelResult": "SUCCESS",
                "newOrderResult": "FAILURE",
                "cancelResponse": cancelled,
                "newOrderResponse": {
                    "code": -2010,
                    "msg": "Account has insufficient balance for requested action.",
                },
            },
        }
        return httpx.Response(409, json=body)

    venue.routes[("POST", "/api/v3/order/cancelReplace")] = partly
    result = await ex.cancel_replace(
        "BTC/USDT", OrderRequest.limit("BTC/USDT", "buy", "0.002", "49000"), order_id=placed.id
    )
    assert result.cancel_result == "SUCCESS" and result.new_order_result == "FAILURE"
    assert result.cancelled is not None and result.cancelled.status is OrderStatus.CANCELED
    assert result.placed is None and type(result.placed_error).__name__ == "InsufficientFunds"
    (params,) = sent(venue, "POST", "/api/v3/order/cancelReplace")
    assert params["cancelReplaceMode"] == "STOP_ON_FAILURE" and params["cancelOrderId"] == placed.id


async def test_amend_keeps_priority_and_lowers_the_size(ex: BinanceExchange, venue: FakeBinance) -> None:
    placed = await ex.place_order(OrderRequest.limit("BTC/USDT", "buy", "0.002", "50000"))

    def amend(request: httpx.Request) -> httpx.Response:
        row = dict(venue.orders[0])
        row.pop("origQty")
        amended = {
            **row,
            "qty": "0.001",
            "cumulativeQuoteQty": "0",
            "origClientOrderId": row["clientOrderId"],
        }
        return httpx.Response(
            200, json={"transactTime": SERVER_TIME, "executionId": 77, "amendedOrder": amended}
        )

    venue.routes[("PUT", "/api/v3/order/amend/keepPriority")] = amend
    result = await ex.amend_keep_priority("BTC/USDT", "0.001", order_id=placed.id)
    assert (result.order.id, result.order.size, result.execution_id) == (placed.id, Decimal("0.001"), 77)
    with pytest.raises(InvalidPrecision.__mro__[1]):  # (InvalidOrder: off the size grid)
        await ex.amend_keep_priority("BTC/USDT", "0.0000001", order_id=placed.id)


async def test_oco_list_legs_on_the_wire(ex: BinanceExchange, venue: FakeBinance) -> None:
    def oco(request: httpx.Request) -> httpx.Response:
        p = dict(parse_qsl(raw_params(request)))
        orders = [
            {"symbol": "BTCUSDT", "orderId": 1, "clientOrderId": p["aboveClientOrderId"]},
            {"symbol": "BTCUSDT", "orderId": 2, "clientOrderId": p["belowClientOrderId"]},
        ]
        return httpx.Response(
            200,
            json={
                "orderListId": 9,
                "contingencyType": "OCO",
                "listStatusType": "EXEC_STARTED",
                "listOrderStatus": "EXECUTING",
                "listClientOrderId": "list-1",
                "transactionTime": SERVER_TIME,
                "symbol": "BTCUSDT",
                "orders": orders,
                "orderReports": [],
            },
        )

    venue.routes[("POST", "/api/v3/orderList/oco")] = oco
    result = await ex.place_oco(
        "BTC/USDT",
        Side.SELL,
        Decimal("0.001"),
        above=ListLeg(type="LIMIT_MAKER", price=Decimal("60000")),
        below=ListLeg(
            type="STOP_LOSS_LIMIT",
            price=Decimal("40000"),
            stop_price=Decimal("40100"),
            time_in_force=TimeInForce.GTC,
        ),
        list_client_id="list-1",
    )
    assert (result.id, result.order_ids, result.is_open) == ("9", ("1", "2"), True)
    (params,) = sent(venue, "POST", "/api/v3/orderList/oco")
    assert params["aboveType"] == "LIMIT_MAKER" and params["belowStopPrice"] == "40100"
    assert params["belowTimeInForce"] == "GTC" and params["quantity"] == "0.001" and params["side"] == "SELL"


async def test_the_binance_venue_is_registered(venue: FakeBinance) -> None:
    env = {"BINANCE_API_KEY": KEY, "BINANCE_API_SECRET": SECRET}
    ex = connect("binance", base_url="http://127.0.0.1:9", transport=venue.transport(), environ=env)
    assert isinstance(ex, BinanceExchange) and ex.options.base_url == "http://127.0.0.1:9"
    assert ex.options.ws_api == "ws://127.0.0.1:9/ws-api/v3" and ex.options.streams == "ws://127.0.0.1:9"
    assert ex.capabilities.stp == frozenset(STP) and TimeInForce.GTT not in ex.capabilities.time_in_force
    await ex.close()
    public = connect("binance", public=True, environ={})
    assert public.options.ws_api == "wss://ws-api.binance.com:443/ws-api/v3"  # type: ignore[attr-defined]
    await public.close()
    with pytest.raises(ValueError, match="BINANCE_API_KEY") as info:
        connect("binance", environ={"BINANCE_API_SECRET": SECRET})
    assert SECRET not in str(info.value)


async def test_api_key_information(ex: BinanceExchange, venue: FakeBinance) -> None:
    restrictions = {
        "ipRestrict": True,
        "createTime": SERVER_TIME - 86_400_000,
        "enableReading": True,
        "enableSpotAndMarginTrading": True,
        "enableWithdrawals": False,
        "enableInternalTransfer": False,
        "enableMargin": False,
        "enableFutures": False,
        "permitsUniversalTransfer": False,
        "enableVanillaOptions": False,
        "enableFixApiTrade": True,
        "tradingAuthorityExpirationTime": 1_800_000_000_000,
    }
    venue.routes[("GET", "/sapi/v1/account/apiRestrictions")] = lambda request: httpx.Response(
        200, json=restrictions
    )
    info = await ex.fetch_api_key_info()
    assert info.permissions == {KeyPermission.READ, KeyPermission.TRADE}
    assert info.unrecognised_permissions == {"enableFixApiTrade"}
    assert info.ip_whitelist == ("restricted",) and info.created_at == SERVER_TIME - 86_400_000
