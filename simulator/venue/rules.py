"""One pair's trading rules, compiled once: amounts checked and turned into ticks and lots.

Validation is written once, in :class:`exchanges.OrderChecker` (integer-exact): the paper
exchange checks typed requests with it as any adapter does, and the venue's own checks of
wire values (which raise the ``exchanges`` error of the rule broken with a neutral reason,
worded by a dialect: KuCoin's ``Price increment invalid.``) count ticks and lots with it.
"""

from __future__ import annotations

from decimal import Decimal
from types import MappingProxyType

from exchanges import (
    EXACT,
    AboveMaximumSize,
    BelowMinimumFunds,
    BelowMinimumSize,
    InvalidOrder,
    InvalidPrecision,
    OrderChecker,
)
from simulator.venue.listing import SymbolSpec
from simulator.venue.refusals import Reason

__all__ = ["PairRules"]


class PairRules:
    """The rules of ``spec``: its :class:`~exchanges.OrderChecker` (``checker``, which the
    paper exchange checks typed requests with), and the venue's own checks of wire values,
    on the same integer arithmetic; errors name ``venue``."""

    __slots__ = ("base_increment", "base_max", "base_min", "checker", "least_funds", "min_funds",
                 "price_increment", "quote_increment", "quote_max", "spec", "venue")  # fmt: skip

    def __init__(self, spec: SymbolSpec, venue: str) -> None:
        self.spec = spec
        self.venue = venue
        self.checker = OrderChecker(spec.to_market(), venue=venue)
        self.price_increment = spec.price_increment
        self.base_increment = spec.base_increment
        self.quote_increment = spec.quote_increment
        self.base_min = spec.base_min_size
        self.base_max = spec.base_max_size
        self.quote_max = spec.quote_max_size
        self.min_funds = spec.min_funds
        self.least_funds = max(spec.quote_min_size, spec.min_funds)  # a market order by funds

    def ticks(self, price: Decimal, name: str = "price") -> int:
        """``price`` in whole ticks (a precision error otherwise)."""
        q = self.checker.ticks(price)
        if not q:
            err = InvalidPrecision(field=name, value=price, increment=self.price_increment, venue=self.venue)
            err.reason = Reason.PRICE_INCREMENT
            raise err
        return q

    def lots(self, size: Decimal, name: str = "size", check_limits: bool = True) -> int:
        """``size`` in whole lots, within the pair's size limits unless told otherwise."""
        q = self.checker.lots(size)
        if not q:
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
        return q

    def check_value(self, price: Decimal, size: Decimal) -> None:
        """A limit order's ``price x size`` must reach the pair's minimum funds."""
        value = EXACT.multiply(price, size)
        if value < self.min_funds:
            raise self._funds_error(BelowMinimumFunds, Reason.FUNDS_BELOW_MIN, value, self.min_funds)

    def funds(self, funds: Decimal) -> Decimal:
        """A market order's ``funds``: on the quote increment, within the quote limits."""
        if self.checker.funds_units(funds) is None:
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
