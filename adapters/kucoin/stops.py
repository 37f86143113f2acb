"""The direction KuCoin gives a stop order.

KuCoin's stop-order request carries the trigger (``stopPrice``) but no direction: KuCoin
compares the trigger with its last price when the order arrives. A trigger at or above it
is an ``entry`` (fires once the last price rises to it), one below it a ``loss`` (fires
once the price falls to it); the side plays no part. The order read back names the one
chosen (``stop``).
"""

from __future__ import annotations

from decimal import Decimal

from exchanges import StopKind, Ticker

__all__ = ["derived_stop", "reference_price"]


def reference_price(level1: Ticker) -> Decimal | None:
    """The price KuCoin measures a new stop order against: the last trade's, else the mid
    of the best bid and ask; ``None`` when the book says neither."""
    if level1.last:
        return level1.last
    return level1.mid


def derived_stop(stop_price: Decimal, reference: Decimal) -> StopKind:
    return StopKind.ENTRY if stop_price >= reference else StopKind.LOSS
