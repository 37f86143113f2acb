"""KuCoin spot adapter: ``KucoinExchange`` implements ``exchanges.Exchange`` over KuCoin's
REST API (or anything that speaks it, such as the local simulator)."""

from exchanges import OrderAck  # (re-exported: its home was here before the paper exchange needed it)

from .client import KucoinClient
from .credentials import KucoinCredentials
from .endpoints import ENDPOINTS, POOL_QUOTAS, Endpoint, endpoint
from .errors import class_for, error_from_response
from .exchange import CAPABILITIES, KucoinExchange
from .models import (
    Account,
    CancelAllResult,
    Currency,
    DeadCancelStatus,
    LedgerEntry,
    PartialCancel,
    ServiceStatus,
    TradeFee,
)
from .options import DEFAULT_BASE_URL, KucoinOptions

__all__ = [
    "CAPABILITIES",
    "DEFAULT_BASE_URL",
    "ENDPOINTS",
    "POOL_QUOTAS",
    "Account",
    "CancelAllResult",
    "Currency",
    "DeadCancelStatus",
    "Endpoint",
    "KucoinClient",
    "KucoinCredentials",
    "KucoinExchange",
    "KucoinOptions",
    "LedgerEntry",
    "OrderAck",
    "PartialCancel",
    "ServiceStatus",
    "TradeFee",
    "class_for",
    "endpoint",
    "error_from_response",
]
