"""Market models on a venue: the synthetic market that keeps a live book without data, and
venues built with one (the pairs and currencies they list are :mod:`simulator.venue`'s)."""

from simulator.market.setup import attach_synthetic, venue_from_config
from simulator.market.synthetic import SyntheticConfig, SyntheticMarket
from simulator.venue import (
    DEFAULT_CURRENCIES,
    DEFAULT_SYMBOLS,
    CurrencySpec,
    MarketDriver,
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
    "SyntheticConfig",
    "SyntheticMarket",
    "attach_synthetic",
    "currencies_from_config",
    "symbols_from_config",
    "venue_from_config",
]
