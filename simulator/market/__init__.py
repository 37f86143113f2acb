"""Market definitions and models: KuCoin-style symbols and currencies, the synthetic
market that keeps a live book without data, and the hook for replayed market data."""

from simulator.market.driver import MarketDriver
from simulator.market.symbols import (
    DEFAULT_CURRENCIES,
    DEFAULT_SYMBOLS,
    CurrencySpec,
    SymbolSpec,
    currencies_from_config,
    symbols_from_config,
)

__all__ = [
    "DEFAULT_CURRENCIES",
    "DEFAULT_SYMBOLS",
    "CurrencySpec",
    "MarketDriver",
    "SymbolSpec",
    "currencies_from_config",
    "symbols_from_config",
]
