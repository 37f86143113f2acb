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
    FILLED,
    FLAG_BY_FUNDS,
    FLAG_HIDDEN,
    FLAG_ICEBERG,
    FLAG_MARKET,
    FLAG_POST_ONLY,
)
from simulator.venue.builders import compile_function, template_builder
from simulator.venue.orders import STATUS, VenueOrder, tidy
from simulator.venue.snapshots import STOP_KINDS

__all__ = ["VARYING", "build_order", "plain_limit", "to_order"]

ZERO = Decimal(0)
#: What changes while an order lives; every other field is fixed until it is amended.
VARYING = ("status", "filled_size", "filled_funds", "fee", "updated_at")
#: ``build_order(fixed, status, filled_size, filled_funds, fee, updated_at)``: an ``Order``
#: from its fixed fields and the varying ones.
build_order: Callable[..., Order] = template_builder(Order, VARYING)

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
    "fee_currency": "mkt.buy_fee_currency if o.is_buy else mkt.sell_fee_currency",
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


def _generate_from(source: str, name: str) -> Callable[..., Any]:
    namespace = {
        "_BUY": Side.BUY,
        "_SELL": Side.SELL,
        "_LIMIT": OrderType.LIMIT,
        "_MARKET": OrderType.MARKET,
        "_GTC": TimeInForce.GTC,
        "_STOP_KINDS": STOP_KINDS,
        "_STATUS": STATUS,
        "_ZERO": ZERO,
        "build_order": build_order,
        "FLAG_MARKET": FLAG_MARKET,
        "FLAG_POST_ONLY": FLAG_POST_ONLY,
        "FLAG_HIDDEN": FLAG_HIDDEN,
    }
    return compile_function(source, name, namespace)


def _generate(name: str, parameters: str, mapping: dict[str, str]) -> Callable[..., Any]:
    items = "".join(f"        {mapping[field]},\n" for field in _FIXED)
    return _generate_from(f"def {name}({parameters}):\n    return (\n{items}    )\n", name)


_general_fixed: Callable[..., tuple[object, ...]] = _generate(
    "general_fixed", "o, symbol, mkt, flags, price, size, funds, iceberg", _GENERAL
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
        return build_order(fixed, STATUS[o.status], ZERO, ZERO, ZERO, o.updated_at)
    mkt = o.mkt
    return build_order(
        fixed,
        STATUS[o.status],
        mkt.size(filled),
        tidy(mkt.scale.funds(o.filled_funds)),
        tidy(o.fee),
        o.updated_at,
    )


def _plain_source() -> str:
    """:func:`plain_limit`, written out from :data:`_PLAIN` (one call on the hot path)."""
    items = "".join(f"        {_PLAIN[field]},\n" for field in _FIXED)
    return (
        "def plain_limit(o, symbol, side, ticks, lots, now):\n"
        "    mkt = o.mkt\n"
        "    units = ticks * lots\n"
        "    price = mkt.prices.get(ticks) or mkt.price(ticks)\n"
        "    size = mkt.sizes.get(lots) or mkt.size(lots)\n"
        "    funds = mkt.values.get(units) or mkt.value(units)\n"
        "    client_oid = o.client_oid\n"
        "    fee_currency = mkt.buy_fee_currency if side is _BUY else mkt.sell_fee_currency\n"
        f"    fixed = o.view = (\n{items}    )\n"
        "    return build_order(fixed, _STATUS[o.status], _ZERO, _ZERO, _ZERO, o.updated_at)\n"
    )


#: :func:`to_order` of a plain GTC limit order just placed that rests untouched (the paper
#: exchange's hot path), from what its placing had at hand: ``plain_limit(o, symbol, side,
#: ticks, lots, now)``.
plain_limit: Callable[[VenueOrder, str, Side, int, int, int], Order] = _generate_from(
    _plain_source(), "plain_limit"
)
