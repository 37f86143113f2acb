"""The simulated exchange: a venue-neutral core composed of parts, which the paper exchange,
market models and every dialect's facade share through :class:`Venue`'s API."""

from simulator.venue.drivers import MarketDriver
from simulator.venue.listing import (
    DEFAULT_CURRENCIES,
    DEFAULT_SYMBOLS,
    CurrencySpec,
    SymbolSpec,
    currencies_from_config,
    symbols_from_config,
)
from simulator.venue.order_lists import PENDING_REASON
from simulator.venue.orders import VenueOrder
from simulator.venue.params import NO_STP, Amount, OrderParams
from simulator.venue.records import (
    AccountBalance,
    BookChange,
    BookSnapshot,
    CancelAllResult,
    CandleBar,
    DcpInfo,
    FeeRates,
    FillInfo,
    LedgerEntry,
    Level1,
    ListInfo,
    OrderInfo,
    Page,
    PublicTrade,
    Stats24h,
)
from simulator.venue.refusals import Reason, Refusals
from simulator.venue.rulebook import Rulebook
from simulator.venue.state import MarketState, UserState
from simulator.venue.venue import Venue, VenueEvent

__all__ = [
    "DEFAULT_CURRENCIES",
    "DEFAULT_SYMBOLS",
    "NO_STP",
    "PENDING_REASON",
    "AccountBalance",
    "Amount",
    "BookChange",
    "BookSnapshot",
    "CancelAllResult",
    "CandleBar",
    "CurrencySpec",
    "DcpInfo",
    "FeeRates",
    "FillInfo",
    "LedgerEntry",
    "Level1",
    "ListInfo",
    "MarketDriver",
    "MarketState",
    "OrderInfo",
    "OrderParams",
    "Page",
    "PublicTrade",
    "Reason",
    "Refusals",
    "Rulebook",
    "Stats24h",
    "SymbolSpec",
    "UserState",
    "Venue",
    "VenueEvent",
    "VenueOrder",
    "currencies_from_config",
    "symbols_from_config",
]
