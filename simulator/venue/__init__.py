"""The simulated exchange as one object: what the paper exchange and the KuCoin facade share."""

from simulator.venue.orders import VenueOrder
from simulator.venue.params import Amount, OrderParams
from simulator.venue.records import (
    AccountBalance,
    BookSnapshot,
    CancelAllResult,
    CandleBar,
    DcpInfo,
    FeeRates,
    FillInfo,
    LedgerEntry,
    Level1,
    OrderInfo,
    Page,
    PublicTrade,
    Stats24h,
)
from simulator.venue.venue import Venue, VenueEvent

__all__ = [
    "AccountBalance",
    "Amount",
    "BookSnapshot",
    "CancelAllResult",
    "CandleBar",
    "DcpInfo",
    "FeeRates",
    "FillInfo",
    "LedgerEntry",
    "Level1",
    "OrderInfo",
    "OrderParams",
    "Page",
    "PublicTrade",
    "Stats24h",
    "Venue",
    "VenueEvent",
    "VenueOrder",
]
