"""The pairs the Binance dialect lists by default, with Binance's filters' values (ticks,
steps, a minimum notional of 5 USDT or 0.0001 BTC), and their Binance names.

The venue names a pair ``BASE-QUOTE``; Binance runs the two together (``BTCUSDT``).
:class:`Names` maps one to the other for the listed pairs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from simulator.venue import SymbolSpec

__all__ = ["BINANCE_SYMBOLS", "Names"]

_COMMON: dict[str, Any] = {"price_limit_rate": "0", "quote_increment": "0.00000001"}

BINANCE_SYMBOLS: tuple[SymbolSpec, ...] = (
    SymbolSpec(
        symbol="BTC-USDT",
        base_currency="BTC",
        quote_currency="USDT",
        base_increment="0.00001",
        price_increment="0.01",
        base_min_size="0.00001",
        base_max_size="9000",
        quote_min_size="5",
        quote_max_size="9000000",
        min_funds="5",
        initial_price="65000",
        **_COMMON,
    ),
    SymbolSpec(
        symbol="ETH-USDT",
        base_currency="ETH",
        quote_currency="USDT",
        base_increment="0.0001",
        price_increment="0.01",
        base_min_size="0.0001",
        base_max_size="9000",
        quote_min_size="5",
        quote_max_size="9000000",
        min_funds="5",
        initial_price="3200",
        **_COMMON,
    ),
    SymbolSpec(
        symbol="SOL-USDT",
        base_currency="SOL",
        quote_currency="USDT",
        base_increment="0.001",
        price_increment="0.01",
        base_min_size="0.001",
        base_max_size="90000",
        quote_min_size="5",
        quote_max_size="9000000",
        min_funds="5",
        initial_price="150",
        **_COMMON,
    ),
    SymbolSpec(
        symbol="BNB-USDT",
        base_currency="BNB",
        quote_currency="USDT",
        base_increment="0.001",
        price_increment="0.01",
        base_min_size="0.001",
        base_max_size="90000",
        quote_min_size="5",
        quote_max_size="9000000",
        min_funds="5",
        initial_price="600",
        **_COMMON,
    ),
    SymbolSpec(
        symbol="ETH-BTC",
        base_currency="ETH",
        quote_currency="BTC",
        base_increment="0.0001",
        price_increment="0.00001",
        base_min_size="0.0001",
        base_max_size="100000",
        quote_min_size="0.0001",
        quote_max_size="9000",
        min_funds="0.0001",
        market="BTC",
        initial_price="0.04923",
        **_COMMON,
    ),
)


class Names:
    """Binance's names of the listed pairs (``BTCUSDT``) and back."""

    def __init__(self, specs: Iterable[SymbolSpec]) -> None:
        self.native: dict[str, str] = {}
        self.binance: dict[str, str] = {}
        for spec in specs:
            self.add(spec)

    def add(self, spec: SymbolSpec) -> None:
        name = spec.base_currency + spec.quote_currency
        self.native[name] = spec.symbol
        self.binance[spec.symbol] = name
