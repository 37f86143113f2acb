"""The boundary between ``Decimal`` amounts and the engine's integer ticks, lots and units."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

__all__ = ["Scale"]


class Scale:
    """Converts one pair's amounts: prices to ticks of ``price_increment``, sizes to lots of
    ``size_increment``, funds to units of ``price_increment x size_increment`` (so that
    ``ticks x lots`` is exactly the funds of a trade)."""

    __slots__ = ("lot", "tick", "unit")

    def __init__(self, price_increment: Decimal, size_increment: Decimal) -> None:
        if price_increment <= 0 or size_increment <= 0:
            raise ValueError("increments must be positive")
        self.tick = price_increment
        self.lot = size_increment
        self.unit = price_increment * size_increment

    def ticks(self, price: Decimal) -> int:
        """Exact ticks of ``price``; ``ValueError`` if it is not a multiple of the tick."""
        q, r = divmod(price, self.tick)
        if r:
            raise ValueError(f"price {price} is not a multiple of {self.tick}")
        return int(q)

    def lots(self, size: Decimal) -> int:
        q, r = divmod(size, self.lot)
        if r:
            raise ValueError(f"size {size} is not a multiple of {self.lot}")
        return int(q)

    def units(self, funds: Decimal) -> int:
        """Funds in whole units, rounded down (no trade can use a fraction of a unit)."""
        return int((funds / self.unit).to_integral_value(rounding=ROUND_FLOOR))

    def price(self, ticks: int) -> Decimal:
        return ticks * self.tick

    def size(self, lots: int) -> Decimal:
        return lots * self.lot

    def funds(self, units: int) -> Decimal:
        return units * self.unit
