"""Changing an open order (NOTES sections 5.5, 7.5, 7.7): cancel-replace, amend keep-priority
and the amendments it recorded.

cancelReplace checks the request's shape and the new order's filters first (a failure there
is a plain error: nothing was done), counts one order, then cancels and places as its mode
says; any other failure of either half is answered ``-2022`` (nothing changed) or ``-2021``
(one half done), HTTP 400, 409 or 429, with both halves' answers in ``data``."""

from __future__ import annotations

import contextlib
from decimal import Decimal
from typing import Any

from exchanges import ExchangeError, OrderType
from simulator.venue import OrderInfo

from . import errors
from . import serialize as ser
from .amendments import MAX_AMENDS, Amendment
from .app import Ctx
from .endpoints import Registry, Security
from .orders import OrderRequest, check_trigger, new_client_id, order_request
from .routes_trade import cancel_one, check_cancellable, find, order_fills
from .rulebook import STP_NAMES

__all__ = ["registry"]

registry = Registry()
route = registry.route
TRADE, USER_DATA = Security.TRADE, Security.USER_DATA

_MODES = ("STOP_ON_FAILURE", "ALLOW_FAILURE")
_LIMIT_MODES = ("DO_NOTHING", "CANCEL_ONLY")
_AMEND_WEIGHT = 4
AMEND_REJECTED = -2038
_BAD_CLIENT_ID = (
    "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[a-zA-Z0-9-_]{1,36}$'."
)


def _enum(ctx: Ctx, name: str, legal: tuple[str, ...], default: str | None = None) -> str:
    value = ctx.params.text(name) if default is not None else ctx.params.req(name)
    if value is None:
        assert default is not None
        return default
    if value not in legal:
        raise errors.BinanceError(
            -1100, f"Illegal characters found in parameter '{name}'; legal range is '{', '.join(legal)}'."
        )
    return value


def _precheck(ctx: Ctx, request: OrderRequest) -> None:
    """The new order's filters, before either half: a failure there changes nothing. What
    the cancel would change (funds, the open-order cap, a client id it frees) is left to
    the placement."""
    try:
        ctx.venue.test_order(ctx.uid, request.params)
    except ExchangeError as exc:
        refused = errors.from_exchange_error(exc)
        if refused.code == -1013 and "MAX_NUM" not in refused.msg:
            raise refused from None


def _failure(err: errors.BinanceError) -> dict[str, Any]:
    return {"code": err.code, "msg": err.msg}


@route("POST", "/api/v3/order/cancelReplace", security=TRADE, weight=1, entry=True, counted=True)
def cancel_replace(ctx: Ctx) -> dict[str, Any]:
    p = ctx.params
    name = p.symbol()
    assert name is not None and ctx.principal is not None
    native = ctx.native(name)
    mode = _enum(ctx, "cancelReplaceMode", _MODES)
    when_limited = _enum(ctx, "orderRateLimitExceededMode", _LIMIT_MODES, "DO_NOTHING")
    restriction = p.text("cancelRestrictions")
    if restriction is not None and restriction not in ("ONLY_NEW", "ONLY_PARTIALLY_FILLED"):
        raise errors.BinanceError(*errors.INVALID_CANCEL_RESTRICTIONS)
    if "cancelOrderId" not in p and "cancelOrigClientOrderId" not in p:
        raise errors.BinanceError(
            -1102,
            "Param 'cancelOrigClientOrderId' or 'cancelOrderId' must be sent, but both were empty/null!",
        )
    request = order_request(p, native)
    _precheck(ctx, request)
    orders = ctx.facade.orders
    limited: errors.BinanceError | None = None
    try:
        orders.check(ctx.principal.uid)
    except errors.BinanceError as refused:
        limited = refused
    if limited is not None and when_limited == "DO_NOTHING":
        raise limited
    if limited is None:
        orders.count(ctx.principal.uid)  # (whatever happens next)

    cancelled, cancel_error = _cancel_half(ctx, name, native, restriction)
    placed: dict[str, Any] | None = None
    place_error: errors.BinanceError | None = limited
    attempted = cancel_error is None or mode == "ALLOW_FAILURE"
    if attempted and limited is None:
        placed, place_error = _place_half(ctx, name, request)
    refused_new = None if place_error is None or not attempted else _failure(place_error)
    data: dict[str, Any] = {
        "cancelResult": "SUCCESS" if cancel_error is None else "FAILURE",
        "newOrderResult": "SUCCESS" if placed is not None else "FAILURE" if attempted else "NOT_ATTEMPTED",
        "cancelResponse": cancelled if cancel_error is None else _failure(cancel_error),
        "newOrderResponse": placed if placed is not None else refused_new,
    }
    if cancel_error is None and placed is not None:
        return data
    partly = cancel_error is None or placed is not None
    status = 429 if limited is not None and mode == "STOP_ON_FAILURE" else 409 if partly else 400
    if partly:
        raise errors.BinanceError(-2021, "Order cancel-replace partially failed.", status, data=data)
    raise errors.BinanceError(-2022, "Order cancel-replace failed.", status, data=data)


Half = tuple[dict[str, Any] | None, errors.BinanceError | None]


def _cancel_half(ctx: Ctx, name: str, native: str, restriction: str | None) -> Half:
    try:
        info = find(
            ctx, native, cancelling=True, id_name="cancelOrderId", client_name="cancelOrigClientOrderId"
        )
        check_cancellable(info, restriction)
        return cancel_one(ctx, name, info, ctx.params.text("cancelNewClientOrderId")), None
    except errors.BinanceError as refused:
        return None, refused
    except ExchangeError as exc:
        return None, errors.from_exchange_error(exc)


def _place_half(ctx: Ctx, name: str, request: OrderRequest) -> Half:
    try:
        check_trigger(ctx.venue, request.params)
        new = ctx.venue.place_order(ctx.uid, request.params)
    except errors.BinanceError as refused:
        return None, refused
    except ExchangeError as exc:
        return None, errors.from_exchange_error(exc)
    fills = order_fills(ctx.venue, ctx.uid, new) if request.response == "FULL" else []
    return ser.placed(new, name, request.response, fills, ctx.now()), None


def _new_client_id(ctx: Ctx) -> str:
    p = ctx.params
    wanted = p.text("newClientOrderId")
    if "newClientOrderId" in p.values and wanted is None:
        raise errors.BinanceError(-1118, "New client order ID was empty.")
    if wanted is None:
        return new_client_id()
    if not ctx.venue.rulebook.client_id.fullmatch(wanted):
        raise errors.BinanceError(-1100, _BAD_CLIENT_ID)
    return wanted


def _check_amend(info: OrderInfo, new_qty: Decimal, amends: int) -> None:
    if not info.active:
        raise errors.unknown_order()
    waiting = info.stop is not None and not info.stop_triggered
    if info.type is not OrderType.LIMIT or info.size is None or waiting:
        raise errors.BinanceError(AMEND_REJECTED, "Order amend is not supported for this order type.")
    if new_qty <= 0:
        raise errors.BinanceError(-1013, "Filter failure: LOT_SIZE")
    if new_qty > info.size:
        raise errors.BinanceError(AMEND_REJECTED, "Order amend (quantity increase) is not supported.")
    if new_qty == info.size:
        raise errors.BinanceError(AMEND_REJECTED, "The requested action would change no state; rejecting")
    if amends >= MAX_AMENDS:
        raise errors.BinanceError(AMEND_REJECTED, "Filter failure: MAX_NUM_ORDER_AMENDS")


@route("PUT", "/api/v3/order/amend/keepPriority", security=TRADE, weight=_AMEND_WEIGHT, entry=True)
def amend_keep_priority(ctx: Ctx) -> dict[str, Any]:
    """A smaller quantity, same order id, same place in the queue; down to what filled, the
    order expires (and the amend weighs nothing)."""
    p = ctx.params
    name = p.symbol()
    assert name is not None
    native = ctx.native(name)
    new_qty = p.decimal("newQty", required=True)
    assert new_qty is not None
    client_id = _new_client_id(ctx)
    info = find(ctx, native, cancelling=True)
    store = ctx.facade.amendments
    _check_amend(info, new_qty, store.count(ctx.uid, int(info.id)))
    now = ctx.now()
    amendment = Amendment(
        symbol=name,
        order_id=int(info.id),
        execution_id=next(store.execution_ids),
        orig_client_id=info.client_oid or "",
        new_client_id=client_id,
        orig_qty=ser.dec(info.size),
        new_qty=ser.dec(new_qty),
        time=now,
    )
    expires = new_qty <= info.deal_size
    if not expires:
        store.replaced[info.id] = amendment  # (its execution report says REPLACED)
    try:
        done = ctx.venue.amend_order(ctx.uid, native, info.id, new_size=new_qty, client_oid=client_id)
    except Exception:
        store.replaced.pop(info.id, None)
        raise
    if not ctx.facade.user_feed_listening(ctx.uid):
        store.replaced.pop(info.id, None)
    store.add(ctx.uid, amendment)
    if not expires:
        with contextlib.suppress(errors.BinanceError):  # (done: the weight is counted, not refused)
            ctx.facade.weights.charge(ctx.ip, _AMEND_WEIGHT)
    return {
        "transactTime": now,
        "executionId": amendment.execution_id,
        "amendedOrder": _amended(done, name, amendment),
    }


def _amended(o: OrderInfo, name: str, amendment: Amendment) -> dict[str, Any]:
    out = {
        "symbol": name,
        "orderId": int(o.id),
        "orderListId": -1,
        "origClientOrderId": amendment.orig_client_id,
        "clientOrderId": o.client_oid or "",
        "price": ser.dec(o.price),
        "qty": ser.dec(o.size),
        "executedQty": ser.dec(o.deal_size),
        "preventedQty": "0.00000000",
        "quoteOrderQty": "0.00000000",
        "cumulativeQuoteQty": ser.dec(o.deal_funds),
        "status": ser.binance_status(o),
        "timeInForce": o.time_in_force.value,
        "type": ser.binance_type(o),
        "side": o.side.value.upper(),
        "selfTradePreventionMode": STP_NAMES[o.stp],
    }
    if o.active:
        out["workingTime"] = ser.working_time(o)
    return out


@route("GET", "/api/v3/order/amendments", security=USER_DATA, weight=4)
def amendments(ctx: Ctx) -> list[dict[str, Any]]:
    p = ctx.params
    name = p.symbol()
    assert name is not None
    order_id = p.integer("orderId", low=0, required=True)
    assert order_id is not None
    find(ctx, ctx.native(name), cancelling=False)
    since = p.integer("fromExecutionId", low=0)
    limit = p.limit(500, 1000)
    rows = ctx.facade.amendments.of(ctx.uid, order_id)
    rows = [a for a in rows if since is None or a.execution_id >= since]
    return [a.row() for a in rows[:limit]]
