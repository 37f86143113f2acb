"""Order parameters for Binance, built from ``exchanges`` values. Pure functions.

The protocol's request maps onto Binance's order types (NOTES 7.1, 8.1): a limit order is
``LIMIT`` (``LIMIT_MAKER`` when post-only); a market order ``MARKET`` by ``quantity`` or by
``quoteOrderQty``; a stop order ``STOP_LOSS``/``TAKE_PROFIT`` (``_LIMIT`` with a price),
chosen by side and by the direction the price must move to trigger it. STP modes take
Binance's names; ``newOrderRespType`` is FULL, so a placement's answer says what it dealt.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from exchanges import STP, NotSupported, OrderRequest, OrderType, Side, StopKind, TimeInForce

from .errors import VENUE
from .signing import value_text

__all__ = ["STP_TO_BINANCE", "binance_type", "order_params"]

STP_TO_BINANCE: Mapping[STP, str] = {
    STP.CN: "EXPIRE_TAKER",
    STP.CO: "EXPIRE_MAKER",
    STP.CB: "EXPIRE_BOTH",
    STP.DC: "DECREMENT",
}


def binance_type(request: OrderRequest, stop: StopKind | None = None) -> str:
    """The Binance order type of ``request`` (``stop``: its trigger direction, if a stop)."""
    limit = request.type is OrderType.LIMIT
    if request.stop_price is None:
        if limit:
            return "LIMIT_MAKER" if request.post_only else "LIMIT"
        return "MARKET"
    direction = stop or request.stop
    if direction is None:
        raise ValueError("a stop order's direction must be known to choose its Binance type")
    # a sell stopping a loss and a buy chasing a rise are stop-losses; the others take profit
    losing = (request.side is Side.SELL) == (direction is StopKind.LOSS)
    base = "STOP_LOSS" if losing else "TAKE_PROFIT"
    return f"{base}_LIMIT" if limit else base


def _text(value: Decimal) -> str:
    return value_text(value)


def order_params(
    request: OrderRequest, native_symbol: str, client_oid: str, *, stop: StopKind | None = None
) -> dict[str, Any]:
    """The parameters of ``POST /api/v3/order`` (and of ``order/test``), in the spec's order."""
    if request.time_in_force is TimeInForce.GTT:
        raise NotSupported("Binance has no good-till-time orders", venue=VENUE)
    if request.hidden:
        raise NotSupported("Binance has no hidden orders (use an iceberg)", venue=VENUE)
    if request.remark:
        raise NotSupported("Binance orders carry no remark", venue=VENUE)
    kind = binance_type(request, stop)
    params: dict[str, Any] = {"symbol": native_symbol, "side": request.side.value.upper(), "type": kind}
    if request.type is OrderType.LIMIT:
        if kind != "LIMIT_MAKER":
            params["timeInForce"] = request.time_in_force.value
        assert request.size is not None and request.price is not None
        params["quantity"] = _text(request.size)
        params["price"] = _text(request.price)
    elif request.size is not None:
        params["quantity"] = _text(request.size)
    else:
        assert request.funds is not None
        params["quoteOrderQty"] = _text(request.funds)
    params["newClientOrderId"] = client_oid
    if request.stop_price is not None:
        params["stopPrice"] = _text(request.stop_price)
    if request.iceberg:
        assert request.visible_size is not None
        params["icebergQty"] = _text(request.visible_size)
    params["newOrderRespType"] = "FULL"
    if request.stp is not None:
        params["selfTradePreventionMode"] = STP_TO_BINANCE[request.stp]
    return params
