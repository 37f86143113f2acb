"""Increments and limits: rounding to a step, and checking an order against a market.

Rounding is done on the increment itself (``0.5`` steps, ``0.00025`` steps), never on a
count of decimal places, so venues whose ticks are not powers of ten work too.
"""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Context, Decimal
from fractions import Fraction
from typing import Any

import attrs

from .enums import OrderType, Side
from .errors import AboveMaximumSize, BadRequest, BelowMinimumFunds, BelowMinimumSize, InvalidPrecision
from .models import Market, OrderRequest

__all__ = [
    "OrderChecker",
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


class OrderChecker:
    """:func:`validate_order` for one market, compiled: the increments and limits turned
    into exact integer ratios once, so that every check after is integer arithmetic on
    the amounts' own ``as_integer_ratio`` (a ``Decimal`` operation costs about 2,000
    instructions, and every order paid for several). The adapters, the paper exchange and
    the simulated venue all check orders through one of these.

    :meth:`check` raises exactly what :func:`validate_order` raises, in the same order, and
    returns the price in ticks of ``price_increment`` and the size in lots of
    ``size_increment`` (0 where the request has none). :meth:`check_limit` is the common
    case's verdict without an error: a limit order with no stop price or visible size.
    """

    __slots__ = (
        "_funds_step",
        "_last_size",
        "_lot",
        "_max_funds",
        "_max_lots",
        "_min_funds",
        "_min_lots",
        "_min_units",
        "_tick",
        "market",
        "venue",
    )

    def __init__(self, market: Market, *, venue: str = "") -> None:
        self.market = market
        self.venue = venue
        tick, lot = Fraction(market.price_increment), Fraction(market.size_increment)
        self._tick = tick.as_integer_ratio()
        self._lot = lot.as_integer_ratio()
        self._funds_step = Fraction(market.funds_increment).as_integer_ratio()
        self._min_lots = math.ceil(Fraction(market.min_size) / lot)  # lots >= this: size >= min
        self._max_lots = None if market.max_size is None else math.floor(Fraction(market.max_size) / lot)
        self._min_units = (
            0 if market.min_funds is None else math.ceil(Fraction(market.min_funds) / (tick * lot))
        )
        self._min_funds = None if market.min_funds is None else Fraction(market.min_funds)
        self._max_funds = None if market.max_funds is None else Fraction(market.max_funds)
        self._last_size: tuple[Decimal | None, int] = (None, 0)  # the last valid size, in lots

    def __repr__(self) -> str:
        return f"OrderChecker({self.market.symbol!r})"

    @staticmethod
    def _steps(value: Decimal, step: tuple[int, int]) -> int | None:
        """``value`` in whole ``step``s (``n/d`` is a whole number of steps when ``n x the
        step's denominator`` divides by ``d x its numerator``); ``None`` off the grid."""
        n, d = value.as_integer_ratio()
        num, den = step
        q, r = divmod(n * den, d * num)
        return None if r else q

    def ticks(self, price: Decimal) -> int | None:
        """``price`` in whole ticks, or ``None`` when it is off the grid."""
        return self._steps(price, self._tick)

    def lots(self, size: Decimal) -> int | None:
        """``size`` in whole lots, or ``None`` when it is off the grid."""
        return self._steps(size, self._lot)

    def funds_units(self, funds: Decimal) -> int | None:
        """``funds`` in whole funds increments, or ``None`` when off the grid."""
        return self._steps(funds, self._funds_step)

    def check_limit(self, price: Decimal, size: Decimal) -> tuple[int, int] | None:
        """:meth:`check`'s verdict on a limit request with no stop price and no visible size:
        the price in ticks and the size in lots, or ``None`` when something is wrong
        (:meth:`check` then names it)."""
        ticks = self._steps(price, self._tick)
        if ticks is None:
            return None
        last_size, lots = self._last_size
        if size != last_size:  # (a bot's orders mostly repeat one size: that costs a compare)
            found = self._steps(size, self._lot)
            if (
                found is None
                or found < self._min_lots
                or (self._max_lots is not None and found > self._max_lots)
            ):
                return None
            lots = found
            self._last_size = (size, lots)
        return (ticks, lots) if ticks * lots >= self._min_units else None

    def check(self, request: OrderRequest) -> tuple[int, int]:
        """Raise the ``InvalidOrder`` subtype naming the first rule ``request`` breaks (as
        :func:`validate_order`); else its price in ticks and size in lots."""
        market = self.market
        if request.symbol != market.symbol:
            raise BadRequest(f"order is for {request.symbol}, market is {market.symbol}", venue=self.venue)
        price, size = request.price, request.size
        ticks = 0 if price is None else self._on_grid("price", price, self._tick, market.price_increment)
        if request.stop_price is not None:
            self._on_grid("stop_price", request.stop_price, self._tick, market.price_increment)
        lots = 0 if size is None else self._size_lots(size)
        if request.visible_size is not None:
            self._on_grid("visible_size", request.visible_size, self._lot, market.size_increment)
        if request.funds is not None:
            self._check_funds(request.funds)
        elif price is not None and size is not None and ticks * lots < self._min_units:
            raise BelowMinimumFunds(
                field="funds", value=EXACT.multiply(price, size), limit=market.min_funds, venue=self.venue
            )
        return ticks, lots

    def _on_grid(self, field: str, value: Decimal, step: tuple[int, int], increment: Decimal) -> int:
        found = self._steps(value, step)
        if found is None:
            raise InvalidPrecision(field=field, value=value, increment=increment, venue=self.venue)
        return found

    def _size_lots(self, size: Decimal) -> int:
        market = self.market
        lots = self._on_grid("size", size, self._lot, market.size_increment)
        if lots < self._min_lots:
            raise BelowMinimumSize(field="size", value=size, limit=market.min_size, venue=self.venue)
        if self._max_lots is not None and lots > self._max_lots:
            raise AboveMaximumSize(field="size", value=size, limit=market.max_size, venue=self.venue)
        return lots

    def _check_funds(self, funds: Decimal) -> None:
        market = self.market
        self._on_grid("funds", funds, self._funds_step, market.funds_increment)
        if self._max_funds is not None and Fraction(funds) > self._max_funds:
            raise AboveMaximumSize(field="funds", value=funds, limit=market.max_funds, venue=self.venue)
        if self._min_funds is not None and Fraction(funds) < self._min_funds:
            raise BelowMinimumFunds(field="funds", value=funds, limit=market.min_funds, venue=self.venue)


def validate_order(request: OrderRequest, market: Market, *, venue: str = "") -> None:
    """Raise the ``InvalidOrder`` subtype naming the first market rule ``request`` breaks
    (:meth:`OrderChecker.check`; keep an :class:`OrderChecker` to check many orders)."""
    OrderChecker(market, venue=venue).check(request)


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
