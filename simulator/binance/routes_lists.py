"""Order lists (NOTES 7.6 and 7.9): OCO (and the deprecated ``/api/v3/order/oco``), OTO and
OTOCO placed, cancelled whole, and read one, open or all. Each placement counts its orders
against the ``ORDERS`` limits (2, or 3 for an OTOCO) and weighs nothing when it succeeds.
OPO and OPOCO are refused as Binance refuses a symbol without ``opoAllowed``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from exchanges import OrderNotFound
from simulator.venue import ListInfo, OrderInfo

from . import errors
from . import serialize as ser
from .app import Ctx
from .endpoints import Registry, Security
from .list_requests import ListRequest, legacy_oco, oco, oto, otoco
from .list_shapes import list_object, with_reports
from .orders import new_client_id
from .params import Params
from .routes_trade import order_fills

__all__ = ["cancel_list", "registry"]

registry = Registry()
route = registry.route
TRADE, USER_DATA = Security.TRADE, Security.USER_DATA

UNKNOWN_LIST_CANCEL = (-2011, "Unknown order list sent.")
UNKNOWN_LIST = (-2013, "Order list does not exist.")


def _symbol(ctx: Ctx) -> tuple[str, str]:
    name = ctx.params.symbol()
    assert name is not None
    return name, ctx.native(name)


def _place(ctx: Ctx, request: ListRequest) -> dict[str, Any]:
    name, _native = _symbol(ctx)
    venue = ctx.venue
    params = request.params
    if request.pending:
        info = venue.place_oto(ctx.uid, params[0], params[1:], request.client_id)
    else:
        info = venue.place_oco(ctx.uid, params, request.client_id)
    response = request.response

    def report(o: OrderInfo) -> dict[str, Any]:
        fills = order_fills(venue, ctx.uid, o) if response == "FULL" else []
        return ser.placed(o, name, response, fills, now)

    now = ctx.now()
    return with_reports(info, name, now, report)


def _placing(parse: Callable[[Ctx], ListRequest]) -> Callable[[Ctx], dict[str, Any]]:
    return lambda ctx: _place(ctx, parse(ctx))


route("POST", "/api/v3/orderList/oco", security=TRADE, weight=1, entry=True, places=2)(
    _placing(lambda ctx: oco(ctx.params, _symbol(ctx)[1], ctx.venue))
)
route("POST", "/api/v3/order/oco", security=TRADE, weight=1, entry=True, places=2)(
    _placing(lambda ctx: legacy_oco(ctx.params, _symbol(ctx)[1], ctx.venue))
)
route("POST", "/api/v3/orderList/oto", security=TRADE, weight=1, entry=True, places=2)(
    _placing(lambda ctx: oto(ctx.params, _symbol(ctx)[1]))
)
route("POST", "/api/v3/orderList/otoco", security=TRADE, weight=1, entry=True, places=3)(
    _placing(lambda ctx: otoco(ctx.params, _symbol(ctx)[1]))
)


def _no_opo(ctx: Ctx) -> dict[str, Any]:
    _symbol(ctx)
    raise errors.BinanceError(-2010, "OPO orders are not supported for this symbol.")


route("POST", "/api/v3/orderList/opo", security=TRADE, weight=1, entry=True)(_no_opo)
route("POST", "/api/v3/orderList/opoco", security=TRADE, weight=1, entry=True)(_no_opo)


def cancel_list(ctx: Ctx, name: str, list_id: int, cancel_id: str | None = None) -> dict[str, Any]:
    """Cancel the caller's open list ``list_id``: the list with each order's cancel report
    (``cancel_id`` names the cancel of the list; each order's cancel gets its own id)."""
    venue = ctx.venue
    try:
        before = venue.order_list(ctx.uid, list_id=list_id)
    except OrderNotFound:
        raise errors.BinanceError(*UNKNOWN_LIST_CANCEL) from None
    if before.status == "all_done":
        raise errors.BinanceError(*UNKNOWN_LIST_CANCEL)
    ids = {o.id: new_client_id() for o in before.orders if o.active}
    cancel_ids = ctx.facade.cancel_ids
    cancel_ids.update(ids)  # (each execution report names its order's cancel)
    try:
        info = venue.cancel_order_list(ctx.uid, list_id=list_id)
    finally:
        if not ctx.facade.user_feed_listening(ctx.uid):
            for oid in ids:
                cancel_ids.pop(oid, None)
    now = ctx.now()
    out = with_reports(
        info, name, now, lambda o: ser.cancelled(o, name, ids.get(o.id) or o.client_oid or "", now)
    )
    if cancel_id is not None:
        out["listClientOrderId"] = cancel_id
    return out


def _find(ctx: Ctx, id_name: str, client_name: str, missing: tuple[int, str]) -> ListInfo:
    """The caller's list by id, or by its client id (by id when both are sent, and then
    the client id must match)."""
    p = ctx.params
    list_id = p.integer(id_name, low=0)
    client_id = p.text(client_name)
    if list_id is None and client_id is None:
        raise errors.BinanceError(
            -1102, f"Param '{id_name}' or '{client_name}' must be sent, but both were empty/null!"
        )
    try:
        if list_id is not None:
            info = ctx.venue.order_list(ctx.uid, list_id=list_id)
        else:
            info = ctx.venue.order_list(ctx.uid, client_id=client_id)
    except OrderNotFound:
        raise errors.BinanceError(*missing) from None
    if list_id is not None and client_id is not None and info.client_id != client_id:
        raise errors.BinanceError(*missing)
    return info


@route("DELETE", "/api/v3/orderList", security=TRADE, weight=1, entry=True)
def cancel_order_list(ctx: Ctx) -> dict[str, Any]:
    name, native = _symbol(ctx)
    info = _find(ctx, "orderListId", "listClientOrderId", UNKNOWN_LIST_CANCEL)
    if info.symbol != native:
        raise errors.BinanceError(*UNKNOWN_LIST_CANCEL)
    new_id = ctx.params.text("newClientOrderId")
    return cancel_list(ctx, name, info.id, new_id)


@route("GET", "/api/v3/orderList", security=USER_DATA, weight=4)
def query_order_list(ctx: Ctx) -> dict[str, Any]:
    info = _find(ctx, "orderListId", "origClientOrderId", UNKNOWN_LIST)
    return list_object(info, ctx.name(info.symbol))


@route("GET", "/api/v3/openOrderList", security=USER_DATA, weight=6)
def open_order_lists(ctx: Ctx) -> list[dict[str, Any]]:
    return [list_object(i, ctx.name(i.symbol)) for i in ctx.venue.order_lists(ctx.uid, open_only=True)]


def _window(p: Params) -> tuple[int | None, int | None, int | None]:
    from_id = p.integer("fromId", low=0)
    start, end = p.integer("startTime", low=0), p.integer("endTime", low=0)
    if from_id is not None and (start is not None or end is not None):
        raise errors.BinanceError(-1128, "Combination of optional parameters invalid.")
    if start is not None and end is not None and end - start > 86_400_000:
        raise errors.BinanceError(-1127, "More than 24 hours between startTime and endTime.")
    return from_id, start, end


@route("GET", "/api/v3/allOrderList", security=USER_DATA, weight=20)
def all_order_lists(ctx: Ctx) -> list[dict[str, Any]]:
    p = ctx.params
    from_id, start, end = _window(p)
    limit = p.limit(500, 1000)
    rows = ctx.venue.order_lists(ctx.uid)
    if from_id is not None:
        rows = [i for i in rows if i.id >= from_id]
    if start is not None:
        rows = [i for i in rows if i.created_at >= start]
    if end is not None:
        rows = [i for i in rows if i.created_at <= end]
    rows = rows[:limit] if from_id is not None or start is not None else rows[-limit:]
    return [list_object(i, ctx.name(i.symbol)) for i in rows]
