"""A venue order as the venue-neutral ``exchanges.Order``: the one place that maps the record
to the model.

The mapping is written by field name (:data:`_GENERAL`, :data:`_PLAIN`); the functions
that fill the model are generated from it in ``Order``'s own field order when this module
is imported, so the model's field order is never restated (an ``Order`` field the mapping
lacks fails the import). What cannot change until an order is amended is computed once
and cached on the order (:attr:`VenueOrder.view`); only the varying fields are filled per
call, by :func:`~simulator.venue.builders.template_builder`.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs

from exchanges import Order, OrderType, Side, TimeInForce
from simulator.engine import (
    CANCELED,
    FILLED,
    FLAG_BY_FUNDS,
    FLAG_HIDDEN,
    FLAG_ICEBERG,
    FLAG_MARKET,
    FLAG_POST_ONLY,
)
from simulator.venue.builders import template_builder
from simulator.venue.orders import STATUS, VenueOrder, tidy
from simulator.venue.snapshots import STOP_KINDS
from simulator.venue.state import MarketState

__all__ = ["cancelled_untouched", "plain_limit", "to_order"]

ZERO = Decimal(0)
#: What changes while an order lives; every other field is fixed until it is amended.
VARYING = ("status", "filled_size", "filled_funds", "fee", "updated_at")
_build_order: Callable[..., Order] = template_builder(Order, VARYING)

#: Each fixed ``Order`` field of any order, as an expression over its record ``o`` (with
#: ``mkt``, ``flags``, ``price``, ``size``, ``funds`` and ``iceberg`` worked out first).
_GENERAL = {
    "id": "o.id",
    "symbol": "symbol",
    "side": "_BUY if o.is_buy else _SELL",
    "type": "_MARKET if flags & FLAG_MARKET else _LIMIT",
    "client_order_id": "o.client_oid",
    "price": "price",
    "size": "size",
    "funds": "funds",
    "fee_currency": "mkt.spec.fee_currency",
    "time_in_force": "o.tif",
    "post_only": "bool(flags & FLAG_POST_ONLY)",
    "hidden": "bool(flags & FLAG_HIDDEN)",
    "iceberg": "iceberg",
    "visible_size": "mkt.size(o.visible) if iceberg else None",
    "stp": "o.stp_req",
    "cancel_after": "o.cancel_after",
    "stop": "_STOP_KINDS[o.stop]",
    "stop_price": "mkt.price(o.stop_price) if o.stop else None",
    "remark": "o.remark",
    "created_at": "o.created_at",
    "raw": "None",
}
#: The same for a plain GTC limit order (no option set), from the values its placing had
#: at hand; what it does not name is as in :data:`_GENERAL`.
_PLAIN = {
    **_GENERAL,
    "side": "side",
    "type": "_LIMIT",
    "client_order_id": "client_oid",
    "fee_currency": "fee_currency",
    "time_in_force": "_GTC",
    "post_only": "False",
    "hidden": "False",
    "iceberg": "False",
    "visible_size": "None",
    "stp": "None",
    "cancel_after": "None",
    "stop": "None",
    "stop_price": "None",
    "remark": "None",
    "created_at": "now",
}
_FIXED = [field.name for field in attrs.fields(Order) if field.name not in VARYING]


def _generate(name: str, parameters: str, preamble: str, mapping: dict[str, str]) -> Callable[..., Any]:
    items = "".join(f"        {mapping[field]},\n" for field in _FIXED)
    source = f"def {name}({parameters}):\n{preamble}    return (\n{items}    )\n"
    namespace: dict[str, Any] = {
        "_BUY": Side.BUY,
        "_SELL": Side.SELL,
        "_LIMIT": OrderType.LIMIT,
        "_MARKET": OrderType.MARKET,
        "_GTC": TimeInForce.GTC,
        "_STOP_KINDS": STOP_KINDS,
        "FLAG_MARKET": FLAG_MARKET,
        "FLAG_POST_ONLY": FLAG_POST_ONLY,
        "FLAG_HIDDEN": FLAG_HIDDEN,
    }
    exec(source, namespace)  # (as attrs writes __init__: generated once, at import)
    function: Callable[..., Any] = namespace[name]
    return function


_general_fixed: Callable[..., tuple[object, ...]] = _generate(
    "general_fixed",
    "o, symbol, mkt, flags, price, size, funds, iceberg",
    "",
    _GENERAL,
)
_plain_fixed: Callable[..., tuple[object, ...]] = _generate(
    "plain_fixed",
    "o, symbol, side, client_oid, price, size, funds, fee_currency, now",
    "",
    _PLAIN,
)


def _order_fixed(o: VenueOrder, symbol: str) -> tuple[object, ...]:
    """The fixed fields of ``o``'s ``Order``."""
    mkt = o.mkt
    flags = o.flags
    if flags & FLAG_MARKET:
        price = None
        size = None if flags & FLAG_BY_FUNDS else mkt.size(o.size)
        funds = o.funds_req
    else:
        price = mkt.price(o.price)
        size = mkt.size(o.size)
        funds = tidy(price * size)
    return _general_fixed(o, symbol, mkt, flags, price, size, funds, bool(flags & FLAG_ICEBERG))


def to_order(o: VenueOrder, symbol: str) -> Order:
    """The ``exchanges.Order`` of ``o`` (``symbol`` unified). A done order lets go of its
    cached fixed fields: the done-order history would otherwise keep one more object per
    order for the garbage collector to walk."""
    fixed = o.view
    if fixed is None or fixed[1] != symbol:
        fixed = o.view = _order_fixed(o, symbol)
    if o.status >= FILLED:
        o.view = None
    filled = o.filled
    if not filled:
        return _build_order(fixed, STATUS[o.status], ZERO, ZERO, ZERO, o.updated_at)
    mkt = o.mkt
    return _build_order(
        fixed,
        STATUS[o.status],
        mkt.size(filled),
        tidy(mkt.scale.funds(o.filled_funds)),
        tidy(o.fee),
        o.updated_at,
    )


def plain_limit(o: VenueOrder, symbol: str, side: Side, ticks: int, lots: int, now: int) -> Order:
    """:func:`to_order` of a plain GTC limit order just placed that rests untouched (the
    paper exchange's hot path), from what its placing had at hand."""
    mkt: MarketState = o.mkt
    units = ticks * lots
    price = mkt.prices.get(ticks) or mkt.price(ticks)
    size = mkt.sizes.get(lots) or mkt.size(lots)
    funds = mkt.values.get(units) or mkt.value(units)
    fixed = o.view = _plain_fixed(
        o, symbol, side, o.client_oid, price, size, funds, mkt.spec.fee_currency, now
    )
    return _build_order(fixed, STATUS[o.status], ZERO, ZERO, ZERO, o.updated_at)


def cancelled_untouched(o: VenueOrder, fixed: tuple[object, ...] | None) -> Order | None:
    """:func:`to_order` of ``o``, just cancelled with nothing filled, from the fixed fields
    it had cached while it rested (``fixed``, read before the cancel let go of them);
    ``None`` if it does not qualify."""
    if fixed is None or o.status != CANCELED or o.filled:
        return None
    return _build_order(fixed, STATUS[o.status], ZERO, ZERO, ZERO, o.updated_at)
