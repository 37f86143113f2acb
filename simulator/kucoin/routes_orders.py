"""HF spot orders (``/api/v1/hf/...``): place, test, sync, batch, alter, cancels, queries, fills, DCP.

Every HF call that addresses one order needs ``symbol`` (NOTES section 7), as on KuCoin. The
venue matches synchronously, so the plain and ``sync`` variants differ only in what they answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from exchanges import ExchangeError
from simulator.venue import OrderInfo

from . import serialize as ser
from .app import Ctx
from .endpoints import Registry
from .errors import ApiError, bad_param, from_exchange_error
from .params import opt_decimal, opt_enum, opt_int, opt_str, order_params, page, req_decimal, req_str

__all__ = ["registry"]

registry = Registry()
route = registry.route

CANCEL_MSG = "order_not_exist_or_not_allow_to_cancel"
MAX_BATCH = 5


def _symbol(ctx: Ctx) -> str:
    return req_str(ctx.query, "symbol", max_len=40)


def _check_window(ctx: Ctx, body: Mapping[str, Any]) -> None:
    """HF ``clientTimestamp`` + ``allowMaxTimeWindow``: refuse an order that arrives too late."""
    window = opt_int(body, "allowMaxTimeWindow", low=0, high=10**9)
    sent = opt_int(body, "clientTimestamp", low=0, high=10**14)
    if window is not None and sent is not None and ctx.now_ms() > sent + window:
        raise bad_param("The order arrived after clientTimestamp + allowMaxTimeWindow.")


def _place(ctx: Ctx, body: Mapping[str, Any]) -> OrderInfo:
    _check_window(ctx, body)
    info: OrderInfo = ctx.venue.place_order(str(ctx.uid), order_params(body, stops=False))
    return info


def _sync_fields(o: OrderInfo) -> dict[str, Any]:
    return {
        "orderId": o.id,
        "clientOid": o.client_oid or "",
        "orderTime": o.created_at,
        "originSize": ser.dec(o.size),
        "dealSize": ser.dec(o.deal_size),
        "remainSize": ser.dec(o.remain_size),
        "canceledSize": ser.dec(o.cancelled_size),
        "status": "open" if o.active else "done",
        "matchTime": o.last_updated_at,
    }


@route("POST", "/api/v1/hf/orders")
def place(ctx: Ctx) -> dict[str, str]:
    o = _place(ctx, ctx.json())
    return {"orderId": o.id, "clientOid": o.client_oid or ""}


@route("POST", "/api/v1/hf/orders/sync")
def place_sync(ctx: Ctx) -> dict[str, Any]:
    return _sync_fields(_place(ctx, ctx.json()))


@route("POST", "/api/v1/hf/orders/test")
def place_test(ctx: Ctx) -> dict[str, str]:
    body = ctx.json()
    _check_window(ctx, body)
    params = order_params(body, stops=False)
    order_id: str = ctx.venue.test_order(str(ctx.uid), params)
    return {"orderId": order_id, "clientOid": params.client_oid or ""}


def _batch(ctx: Ctx, *, sync: bool) -> list[dict[str, Any]]:
    orders = ctx.json().get("orderList")
    if not isinstance(orders, list) or not orders:
        raise bad_param("orderList is required")
    if len(orders) > MAX_BATCH:
        raise bad_param(f"orderList holds at most {MAX_BATCH} orders")
    out: list[dict[str, Any]] = []
    pair = next((item.get("symbol") for item in orders if isinstance(item, dict)), None)
    for item in orders:
        client_oid = item.get("clientOid") if isinstance(item, dict) else None
        try:
            if not isinstance(item, dict):
                raise bad_param("each order must be a JSON object")
            if item.get("type", "limit") != "limit":
                raise bad_param("batch orders must be limit orders")
            if item.get("symbol") != pair:  # KuCoin: "limit orders of the same trading pair"
                raise bad_param(f"batch orders must be of one trading pair ({pair})")
            o = _place(ctx, {"type": "limit", **item})
        except ApiError as err:
            out.append(_failure(client_oid, err.msg))
            continue
        except ExchangeError as err:  # the venue refused it: KuCoin's words in failMsg
            out.append(_failure(client_oid, from_exchange_error(err).msg))
            continue
        row: dict[str, Any] = _sync_fields(o) if sync else {"orderId": o.id, "clientOid": o.client_oid or ""}
        row["success"] = True
        out.append(row)
    return out


def _failure(client_oid: Any, msg: str) -> dict[str, Any]:
    row: dict[str, Any] = {"success": False, "failMsg": msg}
    if isinstance(client_oid, str):
        row["clientOid"] = client_oid
    return row


@route("POST", "/api/v1/hf/orders/multi", bulk=True)
def place_batch(ctx: Ctx) -> list[dict[str, Any]]:
    return _batch(ctx, sync=False)


@route("POST", "/api/v1/hf/orders/multi/sync", bulk=True)
def place_batch_sync(ctx: Ctx) -> list[dict[str, Any]]:
    return _batch(ctx, sync=True)


@route("POST", "/api/v1/hf/orders/alter", not_found_msg=CANCEL_MSG)
def alter(ctx: Ctx) -> dict[str, str]:
    body = ctx.json()
    order_id = opt_str(body, "orderId", max_len=64)
    client_oid = opt_str(body, "clientOid", max_len=40)
    if (order_id is None) == (client_oid is None):
        raise bad_param("one of orderId or clientOid is required")
    o: OrderInfo = ctx.venue.alter_order(
        str(ctx.uid),
        req_str(body, "symbol", max_len=40),
        order_id=order_id,
        client_oid=client_oid,
        new_price=opt_decimal(body, "newPrice"),
        new_size=opt_decimal(body, "newSize"),
    )
    return {"newOrderId": o.id, "clientOid": o.client_oid or ""}


def _cancel(ctx: Ctx, **ref: str) -> OrderInfo:
    info: OrderInfo = ctx.venue.cancel_order(str(ctx.uid), _symbol(ctx), **ref)
    return info


def _cancel_sync_fields(o: OrderInfo) -> dict[str, Any]:
    fields = _sync_fields(o)
    return {k: fields[k] for k in ("originSize", "dealSize", "remainSize", "canceledSize", "status")}


@route("DELETE", "/api/v1/hf/orders/{orderId}", not_found_msg=CANCEL_MSG)
def cancel(ctx: Ctx) -> dict[str, str]:
    return {"orderId": _cancel(ctx, order_id=ctx.path["orderId"]).id}


@route("DELETE", "/api/v1/hf/orders/sync/{orderId}", not_found_msg=CANCEL_MSG)
def cancel_sync(ctx: Ctx) -> dict[str, Any]:
    o = _cancel(ctx, order_id=ctx.path["orderId"])
    return {"orderId": o.id, **_cancel_sync_fields(o)}


@route("DELETE", "/api/v1/hf/orders/client-order/{clientOid}", not_found_msg=CANCEL_MSG)
def cancel_by_client_oid(ctx: Ctx) -> dict[str, str]:
    _cancel(ctx, client_oid=ctx.path["clientOid"])
    return {"clientOid": ctx.path["clientOid"]}


@route("DELETE", "/api/v1/hf/orders/sync/client-order/{clientOid}", not_found_msg=CANCEL_MSG)
def cancel_by_client_oid_sync(ctx: Ctx) -> dict[str, Any]:
    o = _cancel(ctx, client_oid=ctx.path["clientOid"])
    return {"clientOid": ctx.path["clientOid"], **_cancel_sync_fields(o)}


@route("DELETE", "/api/v1/hf/orders/cancel/{orderId}", not_found_msg=CANCEL_MSG)
def cancel_partial(ctx: Ctx) -> dict[str, str]:
    size = req_decimal(ctx.query, "cancelSize")
    uid, symbol, order_id = str(ctx.uid), _symbol(ctx), ctx.path["orderId"]
    before = ctx.venue.get_order(uid, symbol, order_id=order_id).remain_size
    o: OrderInfo = ctx.venue.cancel_partial(uid, symbol, order_id, size)
    return {"orderId": o.id, "cancelSize": ser.dec(before - o.remain_size)}  # "The size you canceled"


@route("DELETE", "/api/v1/hf/orders", bulk=True)
def cancel_all_symbol(ctx: Ctx) -> str:
    ctx.venue.cancel_all(str(ctx.uid), _symbol(ctx), include_stops=False)
    return "success"


@route("DELETE", "/api/v1/hf/orders/cancelAll", bulk=True)
def cancel_all(ctx: Ctx) -> dict[str, Any]:
    result = ctx.venue.cancel_all(str(ctx.uid), None, include_stops=False)
    return {
        "succeedSymbols": list(result.succeeded),
        "failedSymbols": [{"symbol": s, "error": e} for s, e in result.failed],
    }


@route("GET", "/api/v1/hf/orders/{orderId}")
def get_order(ctx: Ctx) -> dict[str, Any]:
    return ser.order_hf(ctx.venue.get_order(str(ctx.uid), _symbol(ctx), order_id=ctx.path["orderId"]))


@route("GET", "/api/v1/hf/orders/client-order/{clientOid}")
def get_by_client_oid(ctx: Ctx) -> dict[str, Any]:
    return ser.order_hf(ctx.venue.get_order(str(ctx.uid), _symbol(ctx), client_oid=ctx.path["clientOid"]))


def _active(ctx: Ctx) -> list[dict[str, Any]]:
    symbol = req_str(ctx.query, "symbol", max_len=40)  # (required by KuCoin)
    ctx.venue.symbol(symbol)  # 900001 for an unknown symbol
    return [ser.order_hf(o) for o in ctx.venue.active_orders(str(ctx.uid), symbol)]


@route("GET", "/api/v1/hf/orders/active")
def active(ctx: Ctx) -> list[dict[str, Any]]:
    # newest update first (the /page variant keeps newest created first); the sort is
    # stable, so orders updated in the same millisecond stay newest created first
    return sorted(_active(ctx), key=lambda o: o["lastUpdatedAt"], reverse=True)


@route("GET", "/api/v1/hf/orders/active/page")
def active_page(ctx: Ctx) -> dict[str, Any]:
    return page(ctx.query, _active(ctx), default_size=20, page_key="pageNum", sizes=(1, 50))


@route("GET", "/api/v1/hf/orders/active/symbols")
def active_symbols(ctx: Ctx) -> dict[str, list[str]]:
    return {"symbols": list(ctx.venue.active_symbols(str(ctx.uid)))}


def _cursor_args(ctx: Ctx) -> dict[str, Any]:
    return {
        "side": opt_enum(ctx.query, "side", ("buy", "sell")),
        "type": opt_enum(ctx.query, "type", ("limit", "market")),
        "start": opt_int(ctx.query, "startAt", low=0, high=10**14),
        "end": opt_int(ctx.query, "endAt", low=0, high=10**14),
        "last_id": opt_int(ctx.query, "lastId", low=0, high=10**19),
        "limit": opt_int(ctx.query, "limit", low=1, high=100) or 20,
    }


@route("GET", "/api/v1/hf/orders/done")
def done(ctx: Ctx) -> dict[str, Any]:
    result = ctx.venue.done_orders(str(ctx.uid), _symbol(ctx), **_cursor_args(ctx))
    return {"lastId": result.last_id or 0, "items": [ser.order_hf(o) for o in result.items]}


@route("GET", "/api/v1/hf/fills")
def fills(ctx: Ctx) -> dict[str, Any]:
    symbol = req_str(ctx.query, "symbol", max_len=40)  # (required by KuCoin)
    order_id = opt_str(ctx.query, "orderId", max_len=64)
    args = _cursor_args(ctx)
    if order_id is not None:  # "if orderId is specified, please ignore the other query
        args = {k: args[k] for k in ("last_id", "limit")}  # parameters" (but page through them)
    result = ctx.venue.fills(str(ctx.uid), symbol, order_id=order_id, **args)
    return {"items": [ser.fill_hf(f) for f in result.items], "lastId": result.last_id or 0}


@route("POST", "/api/v1/hf/orders/dead-cancel-all")
def set_dcp(ctx: Ctx) -> dict[str, int]:
    body = ctx.json()
    timeout = opt_int(body, "timeout", low=-1, high=86400)
    if timeout is None:
        raise bad_param("timeout is required")
    text = opt_str(body, "symbols", max_len=2000)
    symbols = [s.strip() for s in text.split(",") if s.strip()] if text else None
    info = ctx.venue.set_dcp(str(ctx.uid), timeout, symbols)
    if info is None:
        return {"currentTime": ctx.now_ms() // 1000, "triggerTime": 0}
    return {"currentTime": info.current_time, "triggerTime": info.trigger_time}


@route("GET", "/api/v1/hf/orders/dead-cancel-all/query")
def get_dcp(ctx: Ctx) -> dict[str, Any]:
    info = ctx.venue.get_dcp(str(ctx.uid))
    if info is None:
        return {}
    return {
        "timeout": info.timeout,
        "symbols": ",".join(info.symbols),
        "currentTime": info.current_time,
        "triggerTime": info.trigger_time,
    }
