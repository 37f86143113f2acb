"""Small builders shared by the simulator's tests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from simulator.venue import OrderParams

START_MS = 1_700_000_000_000


def limit(symbol: str, side: str, price: str, size: str, **kwargs: Any) -> OrderParams:
    return OrderParams(symbol=symbol, side=side, type="limit", price=price, size=size, **kwargs)


def market(symbol: str, side: str, **kwargs: Any) -> OrderParams:
    return OrderParams(symbol=symbol, side=side, type="market", **kwargs)


def D(value: str) -> Decimal:
    return Decimal(value)
