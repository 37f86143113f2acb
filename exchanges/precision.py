"""Increments and limits: rounding to a step, and checking an order against a market.

Rounding is done on the increment itself (``0.5`` steps, ``0.00025`` steps), never on a
count of decimal places, so venues whose ticks are not powers of ten work too.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Context, Decimal
from typing import Any

import attrs

from .enums import OrderType, Side
from .errors import AboveMaximumSize, BadRequest, BelowMinimumFunds, BelowMinimumSize, InvalidPrecision
from .models import Market, OrderRequest

__all__ = [
    "ceil_to_increment",
    "conform_order",
    "floor_to_increment",
    "is_multiple",
    "round_to_increment",
    "validate_order",
]


#: Wide enough that a step count is exact for any amount ``to_decimal`` admits on any
#: increment (the default context's 28 digits are not: 1e20 in 1e-9 steps overflows it).
EXACT = Context(prec=80)


def _check(value: Decimal, increment: Decimal) -> None:
    if not increment.is_finite() or increment <= 0:
        raise ValueError(f"increment must be positive and finite, got {increment}")
    if not value.is_finite() or value < 0:
        raise ValueError(f"value must be finite and not negative, got {value}")


def round_to_increment(value: Decimal, increment: Decimal, rounding: str = ROUND_HALF_EVEN) -> Decimal:
    """The multiple of ``increment`` nearest ``value`` in the given ``decimal`` rounding mode,
    written with the increment's exponent (``0.10`` steps give ``12.30``)."""
    _check(value, increment)
    steps = EXACT.divide(value, increment).to_integral_value(rounding=rounding)
    result = EXACT.multiply(steps, increment)
    exponent = increment.as_tuple().exponent
    assert isinstance(exponent, int)  # (finite, checked)
    # never exponent form: 1E+1 steps, or a normalised 1.2E+3, still read 1200
    return result.quantize(Decimal(1).scaleb(min(exponent, 0)), context=EXACT)


def floor_to_increment(value: Decimal, increment: Decimal) -> Decimal:
    return round_to_increment(value, increment, ROUND_FLOOR)


def ceil_to_increment(value: Decimal, increment: Decimal) -> Decimal:
    return round_to_increment(value, increment, ROUND_CEILING)


def is_multiple(value: Decimal, increment: Decimal) -> bool:
    if not increment.is_finite() or increment <= 0:
        raise ValueError(f"increment must be positive and finite, got {increment}")
    if not value.is_finite():
        raise ValueError(f"value must be finite, got {value}")
    return not EXACT.remainder(value, increment)


def validate_order(request: OrderRequest, market: Market, *, venue: str = "") -> None:
    """Raise the ``InvalidOrder`` subtype naming the first market rule ``request`` breaks."""
    if request.symbol != market.symbol:
        raise BadRequest(f"order is for {request.symbol}, market is {market.symbol}", venue=venue)
    if request.price is not None and not is_multiple(request.price, market.price_increment):
        raise InvalidPrecision(
            field="price", value=request.price, increment=market.price_increment, venue=venue
        )
    if request.stop_price is not None and not is_multiple(request.stop_price, market.price_increment):
        raise InvalidPrecision(
            field="stop_price", value=request.stop_price, increment=market.price_increment, venue=venue
        )
    if request.size is not None:
        if not is_multiple(request.size, market.size_increment):
            raise InvalidPrecision(
                field="size", value=request.size, increment=market.size_increment, venue=venue
            )
        if request.size < market.min_size:
            raise BelowMinimumSize(field="size", value=request.size, limit=market.min_size, venue=venue)
        if market.max_size is not None and request.size > market.max_size:
            raise AboveMaximumSize(field="size", value=request.size, limit=market.max_size, venue=venue)
    if request.visible_size is not None:
        if not is_multiple(request.visible_size, market.size_increment):
            raise InvalidPrecision(
                field="visible_size", value=request.visible_size, increment=market.size_increment, venue=venue
            )
    if request.funds is not None:
        if not is_multiple(request.funds, market.funds_increment):
            raise InvalidPrecision(
                field="funds", value=request.funds, increment=market.funds_increment, venue=venue
            )
        if market.max_funds is not None and request.funds > market.max_funds:
            raise AboveMaximumSize(field="funds", value=request.funds, limit=market.max_funds, venue=venue)
    value = _order_value(request)
    if value is not None and market.min_funds is not None and value < market.min_funds:
        raise BelowMinimumFunds(field="funds", value=value, limit=market.min_funds, venue=venue)


def _order_value(request: OrderRequest) -> Decimal | None:
    if request.funds is not None:
        return request.funds
    if request.price is not None and request.size is not None:
        return request.price * request.size
    return None


def conform_order(request: OrderRequest, market: Market) -> OrderRequest:
    """Round ``request`` onto the market's grid on the safe side, then validate it.

    Prices move away from the market (buys down, sells up) so rounding never makes an order
    more aggressive; sizes and funds round down so it never spends more than asked.
    """
    price_rounding = ROUND_FLOOR if request.side is Side.BUY else ROUND_CEILING
    changes: dict[str, Any] = {}
    if request.price is not None:
        changes["price"] = round_to_increment(request.price, market.price_increment, price_rounding)
    if request.stop_price is not None:
        changes["stop_price"] = round_to_increment(request.stop_price, market.price_increment, price_rounding)
    if request.size is not None:
        changes["size"] = floor_to_increment(request.size, market.size_increment)
    if request.visible_size is not None:
        changes["visible_size"] = floor_to_increment(request.visible_size, market.size_increment)
    if request.funds is not None and request.type is OrderType.MARKET:
        changes["funds"] = floor_to_increment(request.funds, market.funds_increment)
    for name, value in changes.items():
        if value is not None and value <= 0:
            original = getattr(request, name)
            raise BelowMinimumSize(
                f"{name} {original} rounds to zero on the increment", field=name, value=original
            )
    rounded = attrs.evolve(request, **changes)
    validate_order(rounded, market)
    return rounded
