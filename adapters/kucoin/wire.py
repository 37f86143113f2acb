"""Request bodies and queries for KuCoin, built from ``exchanges`` values. Pure functions.

Decimals go out as plain strings (``format(d, "f")``: never ``1E-8``), booleans as JSON
booleans, and only fields that differ from KuCoin's defaults are sent, which keeps the
signed body short.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from exchanges import OrderRequest, OrderType, TimeInForce

__all__ = ["decimal_text", "order_body", "stop_order_body"]


def decimal_text(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def order_body(request: OrderRequest, native_symbol: str, client_oid: str) -> dict[str, Any]:
    """The body of ``POST /api/v1/hf/orders`` (and its classic, sync and test siblings)."""
    body: dict[str, Any] = {
        "clientOid": client_oid,
        "symbol": native_symbol,
        "side": request.side.value,
        "type": request.type.value,
    }
    if request.type is OrderType.LIMIT:
        assert request.price is not None and request.size is not None
        body["price"] = decimal_text(request.price)
        body["size"] = decimal_text(request.size)
        if request.time_in_force is not TimeInForce.GTC:
            body["timeInForce"] = request.time_in_force.value
        if request.cancel_after is not None:
            body["cancelAfter"] = request.cancel_after
        if request.post_only:
            body["postOnly"] = True
        if request.hidden:
            body["hidden"] = True
        if request.iceberg:
            body["iceberg"] = True
            assert request.visible_size is not None
            body["visibleSize"] = decimal_text(request.visible_size)
    elif request.size is not None:
        body["size"] = decimal_text(request.size)
    else:
        assert request.funds is not None
        body["funds"] = decimal_text(request.funds)
    if request.stp is not None:
        body["stp"] = request.stp.value
    if request.remark:
        body["remark"] = request.remark
    return body


def stop_order_body(request: OrderRequest, native_symbol: str, client_oid: str) -> dict[str, Any]:
    """``POST /api/v1/stop-order``: an order body plus the trigger. The spec's request has
    no direction (``stop``): KuCoin derives it (see :mod:`.stops`)."""
    assert request.stop_price is not None
    body = order_body(request, native_symbol, client_oid)
    body["stopPrice"] = decimal_text(request.stop_price)
    return body
