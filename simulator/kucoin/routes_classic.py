"""The classic spot order family (``/api/v1/orders``, ``/api/v1/fills``, the ``limit`` lists) and
stop orders (``/api/v1/stop-order``). Deprecated by KuCoin, still used by many bots.

The classic family shares the venue's orders with the HF one: an order placed on either is seen
on both. Classic lists are pages (``currentPage``, ``pageSize``), newest first.
"""

from __future__ import annotations

from typing import Any

from exchanges import ExchangeError
from simulator.venue import OrderInfo

from . import serialize as ser
from .app import Ctx
from .endpoints import Registry
from .errors import ORDER_NOT_EXIST, ApiError, bad_param, from_exchange_error
from .params import opt_enum, opt_int, opt_str, order_params, page, req_str

__all__ = ["registry"]

registry = Registry()
route = registry.route

CANCEL_MSG = "order_not_exist_or_not_allow_to_cancel"
MAX_BATCH = 5
DAY_MS = 86_400_000
RECENT_LIMIT = 1000


@route("POST", "/api/v1/orders")
def place(ctx: Ctx) -> dict[str, str]:
    params = order_params(ctx.json(), require_client_oid=True, default_type="limit")
    o: OrderInfo = ctx.venue.place_order(str(ctx.uid), params)
    return {"orderId": o.id}


@route("POST", "/api/v1/orders/test")
def place_test(ctx: Ctx) -> dict[str, str]:
    params = order_params(ctx.json(), require_client_oid=True, default_type="limit")
    return {"orderId": ctx.venue.test_order(str(ctx.uid), params)}


#: Field -> (its type, what the batch reply says when the order did not give it: KuCoin's
#: example has null for an absent funds, stopPrice or visibleSize, "" for an absent stp).
_ECHO: dict[str, tuple[type, Any]] = {
    "symbol": (str, ""),
    "type": (str, "limit"),
    "side": (str, ""),
    "price": (str, ""),
    "size": (str, ""),
    "funds": (str, None),
    "stp": (str, ""),
    "stop": (str, ""),
    "stopPrice": (str, None),
    "timeInForce": (str, "GTC"),
    "cancelAfter": (int, 0),
    "postOnly": (bool, False),
    "hidden": (bool, False),
    "iceberge": (bool, False),  # sic: the spec's schema requires this misspelling too
    "iceberg": (bool, False),
    "visibleSize": (str, None),
    "channel": (str, "API"),
    "clientOid": (str, ""),
}


def _echo(item: dict[str, Any]) -> dict[str, Any]:
    """The batch reply repeats each order's fields, with KuCoin's types."""
    out = {}
    for key, (kind, default) in _ECHO.items():
        value = item.get(key)
        fits = isinstance(value, kind) and (kind is bool or not isinstance(value, bool))
        out[key] = value if fits else default
    out["iceberge"] = out["iceberg"]
    return out


@route("POST", "/api/v1/orders/multi", bulk=True)
def place_batch(ctx: Ctx) -> dict[str, list[dict[str, Any]]]:
    body = ctx.json()
    symbol = req_str(body, "symbol", max_len=40)
    orders = body.get("orderList")
    if not isinstance(orders, list) or not orders:
        raise bad_param("orderList is required")
    if len(orders) > MAX_BATCH:
        raise bad_param(f"orderList holds at most {MAX_BATCH} orders")
    rows = []
    for raw in orders:
        item = {**raw, "symbol": symbol} if isinstance(raw, dict) else {"symbol": symbol}
        row = _echo(item)
        try:
            if not isinstance(raw, dict):
                raise bad_param("each order must be a JSON object")
            params = order_params(item, require_client_oid=True, default_type="limit")
            if params.type != "limit":  # "The order type must be a limit order of the same symbol"
                raise bad_param("the batch takes limit orders only")
            o: OrderInfo = ctx.venue.place_order(str(ctx.uid), params)
            row.update(id=o.id, status="success", failMsg=None)
        except ApiError as err:
            row.update(id="", status="fail", failMsg=err.msg)
        except ExchangeError as err:
            row.update(id="", status="fail", failMsg=from_exchange_error(err).msg)
        rows.append(row)
    return {"data": rows}


@route("DELETE", "/api/v1/orders/{orderId}", not_found_msg=CANCEL_MSG)
def cancel(ctx: Ctx) -> dict[str, list[str]]:
    o: OrderInfo = ctx.venue.cancel_order(str(ctx.uid), None, order_id=ctx.path["orderId"])
    return {"cancelledOrderIds": [o.id]}


@route("DELETE", "/api/v1/order/client-order/{clientOid}", not_found_msg=CANCEL_MSG)
def cancel_by_client_oid(ctx: Ctx) -> dict[str, Any]:
    o: OrderInfo = ctx.venue.cancel_order(str(ctx.uid), None, client_oid=ctx.path["clientOid"])
    return {"cancelledOrderId": o.id, "clientOid": ctx.path["clientOid"], "cancelledOcoOrderIds": None}


@route("DELETE", "/api/v1/orders", bulk=True)
def cancel_all(ctx: Ctx) -> dict[str, list[str]]:
    _trade_type(ctx)
    symbol = opt_str(ctx.query, "symbol", max_len=40)
    result = ctx.venue.cancel_all(str(ctx.uid), symbol, include_stops=False)
    return {"cancelledOrderIds": list(result.cancelled_ids)}


def _trade_type(ctx: Ctx) -> None:
    if opt_str(ctx.query, "tradeType") not in (None, "TRADE"):
        raise bad_param("tradeType must be TRADE (margin trading is not supported by the simulator)")


def _orders(ctx: Ctx, *, status: str, since: int | None = None, limit: int = 10**9) -> list[OrderInfo]:
    """The user's orders (``active`` or ``done``), newest first, filtered by the query; done
    ones at most ``limit`` a symbol (the newest)."""
    _trade_type(ctx)
    uid = str(ctx.uid)
    symbol = opt_str(ctx.query, "symbol", max_len=40)
    side = opt_enum(ctx.query, "side", ("buy", "sell"))
    kind = opt_enum(
        ctx.query, "type", ("limit", "market", "limit_stop", "market_stop", "oco_limit", "oco_stop")
    )
    start = opt_int(ctx.query, "startAt", low=0, high=10**14)
    end = opt_int(ctx.query, "endAt", low=0, high=10**14)
    if since is not None:
        start = max(start or 0, since)
    if kind is not None and kind not in ("limit", "market"):
        return []  # stop and OCO orders are listed by their own endpoints
    symbols = [symbol] if symbol is not None else [s.symbol for s in ctx.venue.symbols()]
    found: list[OrderInfo] = []
    if status == "active":
        for o in ctx.venue.active_orders(uid, symbol):
            if (side is None or str(o.side) == side) and (kind is None or str(o.type) == kind):
                if (start is None or o.created_at >= start) and (end is None or o.created_at <= end):
                    found.append(o)
    else:
        for sym in symbols:
            done = ctx.venue.done_orders(uid, sym, side=side, type=kind, start=start, end=end, limit=limit)
            found.extend(done.items)
    found.sort(key=lambda o: (o.last_updated_at, o.created_at), reverse=True)
    return found


@route("GET", "/api/v1/orders")
def list_orders(ctx: Ctx) -> dict[str, Any]:
    status = opt_enum(ctx.query, "status", ("active", "done")) or "done"
    return page(ctx.query, [ser.order_classic(o) for o in _orders(ctx, status=status)])


@route("GET", "/api/v1/orders/{orderId}")
def get_order(ctx: Ctx) -> dict[str, Any]:
    return ser.order_classic(ctx.venue.get_order(str(ctx.uid), None, order_id=ctx.path["orderId"]))


@route("GET", "/api/v1/order/client-order/{clientOid}")
def get_by_client_oid(ctx: Ctx) -> dict[str, Any]:
    o = ctx.venue.get_order(str(ctx.uid), None, client_oid=ctx.path["clientOid"])
    if not o.active:  # "... does not exist if the order does not exist or has been settled"
        raise ApiError("400100", ORDER_NOT_EXIST)
    return ser.order_classic(o)


@route("GET", "/api/v1/limit/orders")
def recent_orders(ctx: Ctx) -> list[dict[str, Any]]:
    since = ctx.now_ms() - DAY_MS
    done = _orders(ctx, status="done", since=since, limit=RECENT_LIMIT)
    recent = _orders(ctx, status="active", since=since) + done
    recent.sort(key=lambda o: (o.last_updated_at, o.created_at), reverse=True)
    return [ser.order_classic(o) for o in recent[:RECENT_LIMIT]]


def _fills(
    ctx: Ctx, symbol: str | None, *, since: int | None = None, limit: int = 10**9
) -> list[dict[str, Any]]:
    _trade_type(ctx)
    start = opt_int(ctx.query, "startAt", low=0, high=10**14)
    if since is not None:
        start = max(start or 0, since)
    # (a stop order's fills are those of the order it became: limit_stop and market_stop
    # find them by the order's type and its stop)
    kind = opt_enum(ctx.query, "type", ("limit", "market", "limit_stop", "market_stop"))
    order_id = opt_str(ctx.query, "orderId", max_len=64)
    side = opt_enum(ctx.query, "side", ("buy", "sell"))
    end = opt_int(ctx.query, "endAt", low=0, high=10**14)
    if order_id is not None:  # "if orderId is specified, please ignore the other query parameters"
        side = kind = end = None
        start = since
    result = ctx.venue.fills(
        str(ctx.uid),
        symbol,
        order_id=order_id,
        side=side,
        type=None if kind is None else kind.removesuffix("_stop"),
        start=start,
        end=end,
        limit=limit,
    )
    rows = result.items
    if kind is not None:
        rows = tuple(f for f in rows if (f.stop is not None) == kind.endswith("_stop"))
    return [ser.fill_classic(f) for f in rows]


@route("GET", "/api/v1/fills")
def list_fills(ctx: Ctx) -> dict[str, Any]:
    return page(ctx.query, _fills(ctx, req_str(ctx.query, "symbol", max_len=40)))  # (required by KuCoin)


@route("GET", "/api/v1/limit/fills")
def recent_fills(ctx: Ctx) -> list[dict[str, Any]]:
    symbol = opt_str(ctx.query, "symbol", max_len=40)
    return _fills(ctx, symbol, since=ctx.now_ms() - DAY_MS, limit=RECENT_LIMIT)


# --- stop orders ------------------------------------------------------------------------------


@route("POST", "/api/v1/stop-order")
def place_stop(ctx: Ctx) -> dict[str, str]:
    body = ctx.json()
    if body.get("stopPrice") in (None, ""):
        raise bad_param("stopPrice is required")
    o: OrderInfo = ctx.venue.place_stop_order(str(ctx.uid), order_params(body, default_type="limit"))
    return {"orderId": o.id}


def _stop(ctx: Ctx, o: OrderInfo) -> dict[str, Any]:
    return ser.stop_order(o, str(ctx.uid))


def _stop_service_has(o: OrderInfo) -> bool:
    """The stop-order endpoints show waiting (NEW) and triggered (TRIGGERED) stop orders,
    the only statuses KuCoin documents there; one cancelled before it triggered is gone."""
    return o.active or o.stop_triggered


@route("GET", "/api/v1/stop-order")
def list_stops(ctx: Ctx) -> dict[str, Any]:
    _trade_type(ctx)
    ids = opt_str(ctx.query, "orderIds", max_len=2000)
    # "stop: stop loss order, oco: oco order" (none here); loss and entry as legacy bots send
    stop = opt_enum(ctx.query, "stop", ("stop", "oco", "loss", "entry"))
    if stop == "oco":
        return page(ctx.query, [])
    orders = ctx.venue.stop_orders(
        str(ctx.uid),
        symbol=opt_str(ctx.query, "symbol", max_len=40),
        side=opt_enum(ctx.query, "side", ("buy", "sell")),
        type=opt_enum(ctx.query, "type", ("limit", "market")),
        start=opt_int(ctx.query, "startAt", low=0, high=10**14),
        end=opt_int(ctx.query, "endAt", low=0, high=10**14),
        order_ids=[i.strip() for i in ids.split(",")] if ids else None,
    )
    rows = [_stop(ctx, o) for o in orders if stop in (None, "stop") or str(o.stop) == stop]
    return page(ctx.query, rows)


@route("GET", "/api/v1/stop-order/queryOrderByClientOid")
def stop_by_client_oid(ctx: Ctx) -> list[dict[str, Any]]:
    client_oid = req_str(ctx.query, "clientOid", max_len=40)
    symbol = opt_str(ctx.query, "symbol", max_len=40)
    o: OrderInfo = ctx.venue.get_stop_order(str(ctx.uid), client_oid=client_oid)
    if (symbol is not None and o.symbol != symbol) or not _stop_service_has(o):
        return []
    return [_stop(ctx, o)]


@route("GET", "/api/v1/stop-order/{orderId}")
def get_stop(ctx: Ctx) -> dict[str, Any]:
    o = ctx.venue.get_stop_order(str(ctx.uid), order_id=ctx.path["orderId"])
    if not _stop_service_has(o):
        raise ApiError("400100", "stop order not exist.")
    return _stop(ctx, o)


@route("DELETE", "/api/v1/stop-order/cancelOrderByClientOid", not_found_msg=CANCEL_MSG)
def cancel_stop_by_client_oid(ctx: Ctx) -> dict[str, str]:
    client_oid = req_str(ctx.query, "clientOid", max_len=40)
    o: OrderInfo = ctx.venue.cancel_stop_order(
        str(ctx.uid), client_oid=client_oid, symbol=opt_str(ctx.query, "symbol", max_len=40)
    )
    return {"clientOid": client_oid, "cancelledOrderId": o.id}


@route("DELETE", "/api/v1/stop-order/cancel", bulk=True)
def cancel_stops(ctx: Ctx) -> dict[str, list[str]]:
    _trade_type(ctx)
    ids = opt_str(ctx.query, "orderIds", max_len=2000)
    cancelled = ctx.venue.cancel_stop_orders(
        str(ctx.uid),
        symbol=opt_str(ctx.query, "symbol", max_len=40),
        order_ids=[i.strip() for i in ids.split(",")] if ids else None,
    )
    return {"cancelledOrderIds": list(cancelled)}


@route("DELETE", "/api/v1/stop-order/{orderId}", not_found_msg=CANCEL_MSG)
def cancel_stop(ctx: Ctx) -> dict[str, list[str]]:
    o: OrderInfo = ctx.venue.cancel_stop_order(str(ctx.uid), order_id=ctx.path["orderId"])
    return {"cancelledOrderIds": [o.id]}
