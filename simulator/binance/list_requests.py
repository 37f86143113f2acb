"""Binance's order-list requests (NOTES 7.6; parameter names from ENDPOINTS.md) as the
venue's order parameters: each leg's prefixed parameters (``aboveType``, ``workingPrice``,
``pendingBelowStopPrice``...) read as one order's, with the order's own rules, then the
OCO rules: which leg type goes above and which below (``-1165``, ``-1166``, ``-1168``,
``-1196``..``-1199``) and the prices on either side of the last trade (``-2010``)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import attrs

from simulator.venue import OrderParams, Venue

from . import errors
from .orders import TYPES, OrderRequest, new_client_id, order_request
from .params import Params

__all__ = ["ListRequest", "legacy_oco", "oco", "oto", "otoco"]

#: A leg's parameter suffixes and the plain order parameter each one is.
_SUFFIXES = {
    "Type": "type",
    "Side": "side",
    "ClientOrderId": "newClientOrderId",
    "Price": "price",
    "StopPrice": "stopPrice",
    "Quantity": "quantity",
    "IcebergQty": "icebergQty",
    "TimeInForce": "timeInForce",
    "StrategyId": "strategyId",
    "StrategyType": "strategyType",
    "TrailingDelta": "trailingDelta",
    "PegPriceType": "pegPriceType",
    "PegOffsetType": "pegOffsetType",
    "PegOffsetValue": "pegOffsetValue",
}
_OCO_TYPES = frozenset({"LIMIT_MAKER", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"})
_WORKING_TYPES = frozenset({"LIMIT", "LIMIT_MAKER"})
_RELATION = "The relationship of the prices for the orders is not correct."
_RESPONSES = ("ACK", "RESULT", "FULL")


@attrs.frozen
class ListRequest:
    """A list to place: its orders (working first, or the OCO pair), how many of them are
    pending, its client id and the answer's shape."""

    orders: tuple[OrderRequest, ...]
    pending: int
    client_id: str
    response: str

    @property
    def params(self) -> list[OrderParams]:
        return [o.params for o in self.orders]


def _leg(
    p: Params,
    prefix: str,
    native: str,
    shared: Mapping[str, str | None],
    types: frozenset[str] = frozenset(TYPES),
) -> OrderRequest:
    """The order ``prefix`` names, with ``shared`` (side, quantity) where the list sets them;
    its type one of ``types`` (``-1014`` for another type)."""
    kind = p.text(prefix + "Type")
    if kind is None:
        raise errors.mandatory(prefix + "Type")
    if kind not in TYPES:
        raise errors.BinanceError(*errors.INVALID_TYPE)
    if kind not in types:
        raise errors.BinanceError(*errors.UNSUPPORTED_COMBINATION)
    values: dict[str, object] = {"symbol": p.text("symbol")}
    stp = p.text("selfTradePreventionMode")
    if stp is not None:
        values["selfTradePreventionMode"] = stp
    for suffix, name in _SUFFIXES.items():
        value = p.values.get(prefix + suffix)
        if value is not None:
            values[name] = value
    values.update(shared)
    return order_request(Params(values), native)


def _head(p: Params) -> tuple[str, str]:
    client_id = p.text("listClientOrderId")
    if "listClientOrderId" in p.values and client_id is None:
        raise errors.BinanceError(-1118, "New client order ID was empty.")
    response = p.text("newOrderRespType") or "RESULT"
    if response not in _RESPONSES:
        raise errors.BinanceError(-1100, "Illegal characters found in parameter 'newOrderRespType'.")
    return client_id or new_client_id(), response


def _oco_pair(
    p: Params, native: str, above_prefix: str, below_prefix: str, side: str, quantity: str
) -> tuple[OrderRequest, OrderRequest]:
    shared = {"side": side, "quantity": quantity}
    above = _leg(p, above_prefix, native, shared, _OCO_TYPES)
    below = _leg(p, below_prefix, native, shared, _OCO_TYPES)
    _check_sides(side, above.kind, below.kind)
    return above, below


def _check_sides(side: str, above: str, below: str) -> None:
    """Which leg type may sit above the market and which below, for the list's side."""
    if above == "LIMIT_MAKER" and below == "LIMIT_MAKER":
        raise errors.BinanceError(-1168, "At least one OCO order must be contingent.")
    buy = side == "BUY"
    for kind, is_above in ((above, True), (below, False)):
        if kind == "LIMIT_MAKER" and is_above == buy:
            if buy:
                raise errors.BinanceError(-1165, "A limit order in a buy OCO must be below.")
            raise errors.BinanceError(-1166, "A limit order in a sell OCO must be above.")
        if kind.startswith("STOP_LOSS") and is_above != buy:
            if buy:
                raise errors.BinanceError(-1196, "A stop loss order in a buy OCO must be above.")
            raise errors.BinanceError(-1197, "A stop loss order in a sell OCO must be below.")
        if kind.startswith("TAKE_PROFIT") and is_above == buy:
            if buy:
                raise errors.BinanceError(-1198, "A take profit order in a buy OCO must be below.")
            raise errors.BinanceError(-1199, "A take profit order in a sell OCO must be above.")


def _level(leg: OrderRequest) -> Decimal:
    """Where a leg waits: its trigger, or a limit order's price."""
    value = leg.params.stop_price if leg.params.stop_price is not None else leg.params.price
    assert value is not None
    return Decimal(value)


def _check_prices(venue: Venue | None, native: str, above: OrderRequest, below: OrderRequest) -> None:
    """The above leg above the last trade, the below leg under it (``venue`` ``None``: the
    pair's prices only, for a pending pair placed later)."""
    high, low = _level(above), _level(below)
    if high <= low:
        raise errors.BinanceError(-2010, _RELATION)
    last = venue.last_price(native) if venue is not None else None
    if last is not None and not low < last < high:
        raise errors.BinanceError(-2010, _RELATION)


def _side(p: Params, name: str) -> str:
    side = p.req(name)
    if side not in ("BUY", "SELL"):
        raise errors.BinanceError(*errors.INVALID_SIDE)
    return side


def oco(p: Params, native: str, venue: Venue) -> ListRequest:
    """``POST /api/v3/orderList/oco``: the legs listed below, then above."""
    client_id, response = _head(p)
    side = _side(p, "side")
    quantity = p.req("quantity")
    above, below = _oco_pair(p, native, "above", "below", side, quantity)
    _check_prices(venue, native, above, below)
    return ListRequest((below, above), 0, client_id, response)


def legacy_oco(p: Params, native: str, venue: Venue) -> ListRequest:
    """The deprecated ``POST /api/v3/order/oco``: a ``LIMIT_MAKER`` at ``price`` and a stop
    at ``stopPrice`` (``STOP_LOSS_LIMIT`` with ``stopLimitPrice``), listed stop first."""
    client_id, response = _head(p)
    side = _side(p, "side")
    quantity = p.req("quantity")
    p.req("price")
    p.req("stopPrice")
    limit: dict[str, object] = {
        "symbol": p.text("symbol"), "side": side, "quantity": quantity, "type": "LIMIT_MAKER",
        "price": p.text("price"), "newClientOrderId": p.text("limitClientOrderId"),
        "icebergQty": p.text("limitIcebergQty"), "strategyId": p.text("limitStrategyId"),
        "strategyType": p.text("limitStrategyType"),
        "selfTradePreventionMode": p.text("selfTradePreventionMode"),
    }  # fmt: skip
    stop_limit = p.text("stopLimitPrice")
    tif = p.text("stopLimitTimeInForce")
    if tif is not None and stop_limit is None:
        raise errors.BinanceError(-1106, "Parameter 'stopLimitTimeInForce' sent when not required.")
    if stop_limit is not None and tif is None:
        raise errors.mandatory("stopLimitTimeInForce")
    stop: dict[str, object] = {
        "symbol": p.text("symbol"), "side": side, "quantity": quantity,
        "type": "STOP_LOSS_LIMIT" if stop_limit is not None else "STOP_LOSS",
        "stopPrice": p.text("stopPrice"), "price": stop_limit, "timeInForce": tif,
        "newClientOrderId": p.text("stopClientOrderId"), "icebergQty": p.text("stopIcebergQty"),
        "trailingDelta": p.text("trailingDelta"), "strategyId": p.text("stopStrategyId"),
        "strategyType": p.text("stopStrategyType"),
        "selfTradePreventionMode": p.text("selfTradePreventionMode"),
    }  # fmt: skip
    limit_leg = order_request(Params(limit), native)
    stop_leg = order_request(Params(stop), native)
    above, below = (stop_leg, limit_leg) if side == "BUY" else (limit_leg, stop_leg)
    _check_prices(venue, native, above, below)
    return ListRequest((stop_leg, limit_leg), 0, client_id, response)


def _working(p: Params, native: str) -> OrderRequest:
    return _leg(p, "working", native, {}, _WORKING_TYPES)


def oto(p: Params, native: str) -> ListRequest:
    """``POST /api/v3/orderList/oto``: a ``LIMIT``/``LIMIT_MAKER`` working order and one
    pending order of any type."""
    client_id, response = _head(p)
    working = _working(p, native)
    pending = _leg(p, "pending", native, {})
    return ListRequest((working, pending), 1, client_id, response)


def otoco(p: Params, native: str) -> ListRequest:
    """``POST /api/v3/orderList/otoco``: a working order and a pending OCO pair (whose
    prices are checked against each other now, and against the market once placed)."""
    client_id, response = _head(p)
    working = _working(p, native)
    side = _side(p, "pendingSide")
    quantity = p.req("pendingQuantity")
    above, below = _oco_pair(p, native, "pendingAbove", "pendingBelow", side, quantity)
    _check_prices(None, native, above, below)
    return ListRequest((working, below, above), 2, client_id, response)
