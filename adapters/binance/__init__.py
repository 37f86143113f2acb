"""Binance spot adapter: ``BinanceExchange`` implements ``exchanges.Exchange`` (and
``Streaming``) over Binance's REST API, market streams and WebSocket API (or anything that
speaks them, such as a local simulator)."""

from .client import BinanceClient
from .credentials import BinanceCredentials, KeyType
from .endpoints import ENDPOINTS, Endpoint, endpoint, weight_for
from .errors import class_for, error_from_response
from .exchange import CAPABILITIES, BinanceExchange
from .models import (
    AmendResult,
    CancelReplaceResult,
    CommissionRates,
    OrderCount,
    OrderList,
    SymbolFilter,
    SymbolInfo,
)
from .options import DEFAULT_BASE_URL, BinanceOptions
from .order_lists import ListLeg

__all__ = [
    "CAPABILITIES",
    "DEFAULT_BASE_URL",
    "ENDPOINTS",
    "AmendResult",
    "BinanceClient",
    "BinanceCredentials",
    "BinanceExchange",
    "BinanceOptions",
    "CancelReplaceResult",
    "CommissionRates",
    "Endpoint",
    "KeyType",
    "ListLeg",
    "OrderCount",
    "OrderList",
    "SymbolFilter",
    "SymbolInfo",
    "class_for",
    "endpoint",
    "error_from_response",
    "weight_for",
]
