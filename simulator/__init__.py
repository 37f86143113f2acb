"""The simulator: a KuCoin-like matching engine, accounts and market, the in-process
``PaperExchange``, and (in ``simulator.kucoin``) the KuCoin-compatible HTTP server."""

from simulator.market import (
    DEFAULT_CURRENCIES,
    DEFAULT_SYMBOLS,
    CurrencySpec,
    MarketDriver,
    SymbolSpec,
    currencies_from_config,
    symbols_from_config,
)
from simulator.market.synthetic import SyntheticConfig, SyntheticMarket
from simulator.paper import PAPER_CAPABILITIES, PaperExchange
from simulator.venue import OrderParams, Venue, VenueEvent

__all__ = [
    "DEFAULT_CURRENCIES",
    "DEFAULT_SYMBOLS",
    "PAPER_CAPABILITIES",
    "CurrencySpec",
    "MarketDriver",
    "OrderParams",
    "PaperExchange",
    "SymbolSpec",
    "SyntheticConfig",
    "SyntheticMarket",
    "Venue",
    "VenueEvent",
    "currencies_from_config",
    "symbols_from_config",
]
