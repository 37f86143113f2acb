"""One pair's trading rules, compiled once: amounts checked and turned into ticks and lots.

The venue's checks raise the ``exchanges`` error of the rule broken, with a neutral reason
(a dialect words it: KuCoin's ``Price increment invalid.``). :meth:`PairRules.check_request`
is :func:`exchanges.precision.validate_order`'s, raising exactly what it raises for the
pair's ``Market``, for callers that hand in a venue-neutral ``OrderRequest`` (the paper
exchange). Both are on the hot path of every order, hence the precomputed values.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType

from exchanges import (
    EXACT,
    AboveMaximumSize,
    BelowMinimumFunds,
    BelowMinimumSize,
    InvalidOrder,
    InvalidPrecision,
    OrderRequest,
)
from simulator.venue.listing import SymbolSpec
from simulator.venue.refusals import Reason

__all__ = ["PairRules"]

_divmod = EXACT.divmod  # exact step counts for any amount the venue admits
_rem = EXACT.remainder


class PairRules:
    """The rules of ``spec``; errors name ``venue``."""

    __slots__ = (
        "base_increment",
        "base_max",
        "base_min",
        "last_size",
        "least_funds",
        "lot_ratio",
        "max_lots",
        "min_funds",
        "min_lots",
        "min_units",
        "price_increment",
        "quote_increment",
        "quote_max",
        "spec",
        "tick_ratio",
        "venue",
    )

    def __init__(self, spec: SymbolSpec, venue: str) -> None:
        self.spec = spec
        self.venue = venue
        self.price_increment = spec.price_increment
        self.base_increment = spec.base_increment
        self.quote_increment = spec.quote_increment
        self.base_min = spec.base_min_size
        self.base_max = spec.base_max_size
        self.quote_max = spec.quote_max_size
        self.min_funds = spec.min_funds
        self.least_funds = max(spec.quote_min_size, spec.min_funds)  # a market order by funds
        # check_limit's limits in whole ticks and lots, exact (a Decimal operation costs
        # about 2,000 instructions, and every order paid for several)
        tick, lot = Fraction(self.price_increment), Fraction(self.base_increment)
        self.tick_ratio = tick.as_integer_ratio()
        self.lot_ratio = lot.as_integer_ratio()
        self.min_lots = math.ceil(Fraction(self.base_min) / lot)  # lots >= this: size >= base_min
        self.max_lots = math.floor(Fraction(self.base_max) / lot)  # lots <= this: size <= base_max
        self.min_units = math.ceil(Fraction(self.min_funds) / (tick * lot))  # ticks x lots >= this
        self.last_size: tuple[Decimal | None, int] = (None, 0)  # the last valid size, in lots

    # ---------------------------------------------------------------- KuCoin's checks

    def ticks(self, price: Decimal, name: str = "price") -> int:
        """``price`` in whole ticks (KuCoin's precision error otherwise)."""
        q, r = _divmod(price, self.price_increment)
        if r or not q:
            err = InvalidPrecision(field=name, value=price, increment=self.price_increment, venue=self.venue)
            err.reason = Reason.PRICE_INCREMENT
            raise err
        return int(q)

    def lots(self, size: Decimal, name: str = "size", check_limits: bool = True) -> int:
        """``size`` in whole lots, within the pair's size limits unless told otherwise."""
        q, r = _divmod(size, self.base_increment)
        if r or not q:
            err: InvalidOrder = InvalidPrecision(
                field=name, value=size, increment=self.base_increment, venue=self.venue
            )
            err.reason = Reason.SIZE_INCREMENT
            raise err
        if check_limits:
            if size < self.base_min:
                err = BelowMinimumSize(field=name, value=size, limit=self.base_min, venue=self.venue)
                err.reason = Reason.SIZE_BELOW_MIN
                raise err
            if size > self.base_max:
                err = AboveMaximumSize(field=name, value=size, limit=self.base_max, venue=self.venue)
                err.reason = Reason.SIZE_ABOVE_MAX
                raise err
        return int(q)

    def check_value(self, value: Decimal) -> None:
        """A limit order's ``price x size`` must reach the pair's minimum funds."""
        if value < self.min_funds:
            raise self._funds_error(BelowMinimumFunds, Reason.FUNDS_BELOW_MIN, value, self.min_funds)

    def funds(self, funds: Decimal) -> Decimal:
        """A market order's ``funds``: on the quote increment, within the quote limits."""
        if _rem(funds, self.quote_increment):
            err = InvalidPrecision(
                field="funds", value=funds, increment=self.quote_increment, venue=self.venue
            )
            err.reason = Reason.FUNDS_INCREMENT
            raise err
        if funds < self.least_funds:
            raise self._funds_error(BelowMinimumFunds, Reason.FUNDS_BELOW_MIN, funds, self.least_funds)
        if funds > self.quote_max:
            raise self._funds_error(AboveMaximumSize, Reason.FUNDS_ABOVE_MAX, funds, self.quote_max)
        return funds

    def _funds_error(
        self, cls: type[BelowMinimumFunds | AboveMaximumSize], reason: Reason, value: Decimal, limit: Decimal
    ) -> InvalidOrder:
        err = cls(field="funds", value=value, limit=limit, venue=self.venue)
        err.reason = reason
        err.details = MappingProxyType({"limit": limit, "currency": self.spec.quote_currency})
        return err

    # ---------------------------------------------------------------- validate_order's checks

    def check_limit(self, price: Decimal, size: Decimal) -> tuple[int, int] | None:
        """:meth:`check_request`'s verdict on a limit request with no stop price and no
        visible size (the common case), in exact integers: the price in ticks and the size
        in lots, or ``None`` when something is wrong (``check_request`` then names it).
        ``price`` is ``n/d``, a whole number of ticks when ``n x tick's denominator``
        divides by ``d x tick's numerator``."""
        n, d = price.as_integer_ratio()
        num, den = self.tick_ratio
        ticks, r = divmod(n * den, d * num)
        if not r:
            last_size, lots = self.last_size
            if size != last_size:  # (a bot's orders mostly repeat one size: that costs a compare)
                n, d = size.as_integer_ratio()
                num, den = self.lot_ratio
                lots, r = divmod(n * den, d * num)
                if r or not self.min_lots <= lots <= self.max_lots:
                    return None
                self.last_size = (size, lots)
            if ticks * lots >= self.min_units:
                return ticks, lots
        return None

    def check_request(self, request: OrderRequest) -> tuple[int, int]:
        """``validate_order(request, market)`` for this pair's ``Market`` (same checks, in
        the same order, same errors), returning the price in ticks and the size in lots
        (0 where the request has none) so they need not be computed again."""
        venue = self.venue
        ticks = lots = 0
        price = request.price
        if price is not None:
            q, r = _divmod(price, self.price_increment)
            if r:
                raise InvalidPrecision(
                    field="price", value=price, increment=self.price_increment, venue=venue
                )
            ticks = int(q)
        stop_price = request.stop_price
        if stop_price is not None and _rem(stop_price, self.price_increment):
            raise InvalidPrecision(
                field="stop_price", value=stop_price, increment=self.price_increment, venue=venue
            )
        size = request.size
        if size is not None:
            q, r = _divmod(size, self.base_increment)
            if r:
                raise InvalidPrecision(field="size", value=size, increment=self.base_increment, venue=venue)
            if size < self.base_min:
                raise BelowMinimumSize(field="size", value=size, limit=self.base_min, venue=venue)
            if size > self.base_max:
                raise AboveMaximumSize(field="size", value=size, limit=self.base_max, venue=venue)
            lots = int(q)
        visible = request.visible_size
        if visible is not None and _rem(visible, self.base_increment):
            raise InvalidPrecision(
                field="visible_size", value=visible, increment=self.base_increment, venue=venue
            )
        funds = request.funds
        if funds is not None:
            if _rem(funds, self.quote_increment):
                raise InvalidPrecision(
                    field="funds", value=funds, increment=self.quote_increment, venue=venue
                )
            if funds > self.quote_max:
                raise AboveMaximumSize(field="funds", value=funds, limit=self.quote_max, venue=venue)
            value: Decimal | None = funds
        elif price is not None and size is not None:
            value = price * size
        else:
            value = None
        if value is not None and value < self.min_funds:
            raise BelowMinimumFunds(field="funds", value=value, limit=self.min_funds, venue=venue)
        return ticks, lots
