"""Amounts and fee rates as they arrive from callers (``Decimal``, ``str`` or ``int``; never a
float, whose binary noise would reach every hold), checked before the venue uses them."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from exchanges import MAX_AMOUNT_DIGITS
from simulator.venue.refusals import Refusals

__all__ = ["Amounts"]

_RATE_PLACES = 18


class Amounts:
    __slots__ = ("refuse",)

    def __init__(self, refuse: Refusals) -> None:
        self.refuse = refuse

    def amount(self, name: str, value: object) -> Decimal:
        """A positive, finite ``Decimal`` from what arrived."""
        result = _decimal(value)
        if result is None:
            raise self.refuse.bad(f"{name} invalid: {value!r}")
        if not result.is_finite() or result <= 0:
            raise self.refuse.bad(f"{name} must be positive: {value}")
        if result.adjusted() >= MAX_AMOUNT_DIGITS:
            raise self.refuse.bad(f"{name} too large: {value} (at most {MAX_AMOUNT_DIGITS} integer digits)")
        return result

    def fee_rate(self, name: str, value: object) -> Decimal:
        """A fee rate: a fraction in (-1, 1) (0.001 is 0.1 %; a negative maker rate is a
        rebate, paid from the fee collector) of at most 18 decimal places (the bound keeps
        every fee exact in :mod:`simulator.ledger.money`)."""
        result = _decimal(value)
        if result is None or not result.is_finite() or not -1 < result < 1 or _places(result) > _RATE_PLACES:
            raise self.refuse.bad(
                f"{name} must be a fraction in (-1, 1) of at most {_RATE_PLACES} decimal places"
                f" such as '0.001': {value!r}"
            )
        return result


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _decimal(value: object) -> Decimal | None:
    """``value`` as a ``Decimal`` if it is one, or a ``str`` or ``int`` spelling one (not a
    float or a bool); ``None`` otherwise."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, str | int) and not isinstance(value, bool):
        try:
            return Decimal(value)
        except InvalidOperation:
            return None
    return None
