"""Orders and the account (security ``TRADE`` and ``USER_DATA``, NOTES section 7): place,
test, cancel one or all, query one, open and all orders, trades, the account, commission
rates and the unfilled order count."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from exchanges import OrderNotFound
from simulator.venue import FillInfo, OrderInfo, Venue

from . import errors
from . import serialize as ser
from .app import Ctx
from .endpoints import Registry, Security
from .limits import ORDER_WINDOWS
from .orders import check_trigger, new_client_id, order_request
from .params import Params

__all__ = ["all_fills", "all_orders", "registry"]

registry = Registry()
route = registry.route
TRADE, USER_DATA = Security.TRADE, Security.USER_DATA
_PAGE = 100


def place(ctx: Ctx) -> dict[str, Any]:
    """Place the order the parameters describe; the answer by ``newOrderRespType``."""
    p = ctx.params
    name = p.symbol()
    assert name is not None
    request = order_request(p, ctx.native(name))
    venue = ctx.venue
    check_trigger(venue, request.params)
    info = venue.place_order(ctx.uid, request.params)
    fills = order_fills(venue, ctx.uid, info) if request.response == "FULL" else []
    return ser.placed(info, name, request.response, fills, ctx.now())


route("POST", "/api/v3/order", security=TRADE, weight=1, entry=True, places=1)(place)


def order_fills(venue: Venue, uid: str, info: OrderInfo) -> list[FillInfo]:
    """Every fill of ``info``, oldest first."""
    if not info.deal_size:
        return []
    rows = list(
        _pages(lambda last: venue.fills(uid, info.symbol, order_id=info.id, last_id=last, limit=_PAGE))
    )
    rows.reverse()
    return rows


def _pages(read: Any) -> Iterator[Any]:
    last: int | None = None
    while True:
        page = read(last)
        yield from page.items
        if len(page.items) < _PAGE or page.last_id is None:
            return
        last = page.last_id


@route(
    "POST",
    "/api/v3/order/test",
    security=TRADE,
    weight=lambda p: 20 if p.flag("computeCommissionRates") else 1,
)
def place_test(ctx: Ctx) -> dict[str, Any]:
    p = ctx.params
    name = p.symbol()
    assert name is not None
    request = order_request(p, ctx.native(name))
    check_trigger(ctx.venue, request.params)
    ctx.venue.test_order(ctx.uid, request.params)
    if not p.flag("computeCommissionRates"):
        return {}
    rates = ctx.venue.fee_rates(ctx.uid, request.params.symbol)
    rate = rates.maker if request.params.post_only else rates.taker
    zero = {"maker": "0.00000000", "taker": "0.00000000"}
    return {
        "standardCommissionForOrder": {"maker": ser.dec(rates.maker), "taker": ser.dec(rate)},
        "specialCommissionForOrder": zero,
        "taxCommissionForOrder": zero,
        "discount": {
            "enabledForAccount": False,
            "enabledForSymbol": False,
            "discountAsset": "BNB",
            "discount": "0.00000000",
        },
    }


def find(
    ctx: Ctx,
    native: str,
    *,
    cancelling: bool,
    id_name: str = "orderId",
    client_name: str = "origClientOrderId",
) -> OrderInfo:
    """The caller's order named by ``orderId`` and/or ``origClientOrderId`` (cancelReplace
    names them otherwise): found by the id when both are given, and then the client id must
    match."""
    p = ctx.params
    order_id = p.integer(id_name, low=0)
    client_id = p.text(client_name)
    missing = errors.BinanceError(*(errors.UNKNOWN_ORDER if cancelling else errors.NO_SUCH_ORDER))
    if order_id is None and client_id is None:
        raise errors.BinanceError(
            -1102, f"Param '{client_name}' or '{id_name}' must be sent, but both were empty/null!"
        )
    try:
        if order_id is not None:
            info = ctx.venue.get_order(ctx.uid, native, order_id=str(order_id))
        else:
            info = ctx.venue.get_order(ctx.uid, native, client_oid=client_id)
    except OrderNotFound:
        raise missing from None
    if order_id is not None and client_id is not None and info.client_oid != client_id:
        raise errors.BinanceError(*errors.CLIENT_ID_MISMATCH) if not cancelling else missing
    return info


@route("GET", "/api/v3/order", security=USER_DATA, weight=4)
def query_order(ctx: Ctx) -> dict[str, Any]:
    name = ctx.params.symbol()
    assert name is not None
    return ser.order_object(find(ctx, ctx.native(name), cancelling=False), name)


def cancel_one(ctx: Ctx, name: str, info: OrderInfo, cancel_id: str | None) -> dict[str, Any]:
    cancel_id = cancel_id or new_client_id()
    ids = ctx.facade.cancel_ids
    ids[info.id] = cancel_id  # (the execution report names the cancel by it)
    try:
        done = ctx.venue.cancel_order(ctx.uid, info.symbol, order_id=info.id)
    finally:
        if not ctx.facade.user_feed_listening(ctx.uid):
            ids.pop(info.id, None)
    return ser.cancelled(done, name, cancel_id, ctx.now())


@route("DELETE", "/api/v3/order", security=TRADE, weight=1, entry=True)
def cancel_order(ctx: Ctx) -> dict[str, Any]:
    p = ctx.params
    name = p.symbol()
    assert name is not None
    info = find(ctx, ctx.native(name), cancelling=True)
    check_cancellable(info, p.text("cancelRestrictions"))
    return cancel_one(ctx, name, info, p.text("newClientOrderId"))


def check_cancellable(info: OrderInfo, restriction: str | None) -> None:
    """Refuse to cancel an order that ended, or one ``cancelRestrictions`` spares."""
    if restriction is not None:
        if restriction not in ("ONLY_NEW", "ONLY_PARTIALLY_FILLED"):
            raise errors.BinanceError(*errors.INVALID_CANCEL_RESTRICTIONS)
        status = ser.binance_status(info)
        if (restriction == "ONLY_NEW") != (status == "NEW") or not info.active:
            raise errors.BinanceError(*errors.CANCEL_RESTRICTED)
    if not info.active:
        raise errors.unknown_order()


def _open_weight(params: Params) -> int:
    return 6 if "symbol" in params else 80


@route("GET", "/api/v3/openOrders", security=USER_DATA, weight=_open_weight)
def open_orders(ctx: Ctx) -> list[dict[str, Any]]:
    name = ctx.params.symbol(required=False)
    native = None if name is None else ctx.native(name)
    rows = ctx.venue.active_orders(ctx.uid, native, stops=True)
    rows = sorted(rows, key=lambda o: int(o.id))
    return [ser.order_object(o, ctx.name(o.symbol)) for o in rows]


@route("DELETE", "/api/v3/openOrders", security=TRADE, weight=1, entry=True)
def cancel_open(ctx: Ctx) -> list[dict[str, Any]]:
    name = ctx.params.symbol()
    assert name is not None
    native = ctx.native(name)
    rows = sorted(ctx.venue.active_orders(ctx.uid, native, stops=True), key=lambda o: int(o.id))
    if not rows:
        raise errors.unknown_order()
    from .routes_lists import cancel_list  # (a list's orders are cancelled as their list)

    out: list[dict[str, Any]] = []
    lists: set[int] = set()
    for o in rows:
        if o.list_id is None:
            out.append(cancel_one(ctx, name, o, None))
        elif o.list_id not in lists:
            lists.add(o.list_id)
            out.append(cancel_list(ctx, name, o.list_id))
    return out


def all_orders(venue: Venue, uid: str, native: str) -> list[OrderInfo]:
    """Every order of ``uid`` on ``native`` the venue keeps, by order id."""
    done = list(_pages(lambda last: venue.done_orders(uid, native, last_id=last, limit=_PAGE)))
    rows = done + venue.active_orders(uid, native, stops=True)
    rows.sort(key=lambda o: int(o.id))
    return rows


def _window(p: Params) -> tuple[int | None, int | None]:
    start, end = p.integer("startTime", low=0), p.integer("endTime", low=0)
    if start is not None and end is not None and end - start > 86_400_000:
        raise errors.BinanceError(-1127, "More than 24 hours between startTime and endTime.")
    return start, end


@route("GET", "/api/v3/allOrders", security=USER_DATA, weight=20)
def all_orders_route(ctx: Ctx) -> list[dict[str, Any]]:
    p = ctx.params
    name = p.symbol()
    assert name is not None
    native = ctx.native(name)
    from_id = p.integer("orderId", low=0)
    start, end = _window(p)
    limit = p.limit(500, 1000)
    rows = all_orders(ctx.venue, ctx.uid, native)
    if from_id is not None:
        rows = [o for o in rows if int(o.id) >= from_id]
    if start is not None:
        rows = [o for o in rows if o.created_at >= start]
    if end is not None:
        rows = [o for o in rows if o.created_at <= end]
    rows = rows[:limit] if from_id is not None or start is not None else rows[-limit:]
    return [ser.order_object(o, name) for o in rows]


def all_fills(venue: Venue, uid: str, native: str, order_id: str | None = None) -> list[FillInfo]:
    """Every fill of ``uid`` on ``native`` the venue keeps, oldest first."""
    rows = list(_pages(lambda last: venue.fills(uid, native, order_id=order_id, last_id=last, limit=_PAGE)))
    rows.reverse()
    return rows


@route("GET", "/api/v3/myTrades", security=USER_DATA, weight=lambda p: 5 if "orderId" in p else 20)
def my_trades(ctx: Ctx) -> list[dict[str, Any]]:
    p = ctx.params
    name = p.symbol()
    assert name is not None
    native = ctx.native(name)
    order_id = p.integer("orderId", low=0)
    from_id = p.integer("fromId", low=0)
    start, end = _window(p)
    if from_id is not None and (start is not None or end is not None):
        raise errors.BinanceError(-1128, "Combination of optional parameters invalid.")
    limit = p.limit(500, 1000)
    rows = all_fills(ctx.venue, ctx.uid, native, None if order_id is None else str(order_id))
    if from_id is not None:
        rows = [f for f in rows if f.trade_id >= from_id]
    if start is not None:
        rows = [f for f in rows if f.created_at >= start]
    if end is not None:
        rows = [f for f in rows if f.created_at <= end]
    rows = rows[:limit] if from_id is not None or start is not None else rows[-limit:]
    return [ser.fill_row(f, name) for f in rows]


def _bps(rate: Decimal) -> int:
    return int(rate * 10_000)


def balances(venue: Venue, uid: str, omit_zero: bool = False) -> list[dict[str, str]]:
    rows = venue.accounts_of(uid, account_type="trade")
    return [
        {"asset": r.currency, "free": ser.dec(r.available), "locked": ser.dec(r.holds)}
        for r in sorted(rows, key=lambda r: r.currency)
        if not omit_zero or r.balance
    ]


@route("GET", "/api/v3/account", security=USER_DATA, weight=20)
def account(ctx: Ctx) -> dict[str, Any]:
    rates = ctx.venue.base_fee_rates(ctx.uid)
    return {
        "makerCommission": _bps(rates.maker),
        "takerCommission": _bps(rates.taker),
        "buyerCommission": 0,
        "sellerCommission": 0,
        "commissionRates": {
            "maker": ser.dec(rates.maker),
            "taker": ser.dec(rates.taker),
            "buyer": "0.00000000",
            "seller": "0.00000000",
        },
        "canTrade": ctx.principal is not None and ctx.principal.key.can_trade,
        "canWithdraw": False,
        "canDeposit": False,
        "brokered": False,
        "requireSelfTradePrevention": False,
        "preventSor": False,
        "updateTime": ctx.now(),
        "accountType": "SPOT",
        "balances": balances(ctx.venue, ctx.uid, bool(ctx.params.flag("omitZeroBalances"))),
        "permissions": ["SPOT"],
        "uid": int(ctx.uid),
    }


@route("GET", "/api/v3/account/commission", security=USER_DATA, weight=20)
def commission(ctx: Ctx) -> dict[str, Any]:
    name = ctx.params.symbol()
    assert name is not None
    rates = ctx.venue.fee_rates(ctx.uid, ctx.native(name))
    zero = {"maker": "0.00000000", "taker": "0.00000000", "buyer": "0.00000000", "seller": "0.00000000"}
    return {
        "symbol": name,
        "standardCommission": {**zero, "maker": ser.dec(rates.maker), "taker": ser.dec(rates.taker)},
        "specialCommission": zero,
        "taxCommission": zero,
        "discount": {
            "enabledForAccount": False,
            "enabledForSymbol": False,
            "discountAsset": "BNB",
            "discount": "0.00000000",
        },
    }


@route("GET", "/api/v3/rateLimit/order", security=USER_DATA, weight=40)
def unfilled_count(ctx: Ctx) -> list[dict[str, Any]]:
    assert ctx.principal is not None
    counts = ctx.facade.orders.counts(ctx.principal.uid)
    limits = ctx.facade.orders.limits
    return [
        {"rateLimitType": "ORDERS", "interval": name, "intervalNum": num, "limit": limit, "count": count}
        for (_, name, num, _), limit, count in zip(ORDER_WINDOWS, limits, counts, strict=True)
    ]


@route("GET", "/api/v3/myPreventedMatches", security=USER_DATA, weight=20)
def prevented(ctx: Ctx) -> list[Any]:
    name = ctx.params.symbol()
    assert name is not None
    ctx.native(name)
    return []
