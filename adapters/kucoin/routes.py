"""Every endpoint the adapter calls, as rows of the spec-derived table (looked up once)."""

from __future__ import annotations

from .endpoints import Endpoint, endpoint


def _e(method: str, path: str) -> Endpoint:
    return endpoint(method, path)


# market data
TIMESTAMP = _e("GET", "/api/v1/timestamp")
STATUS = _e("GET", "/api/v1/status")
SYMBOLS = _e("GET", "/api/v2/symbols")
SYMBOL = _e("GET", "/api/v2/symbols/{symbol}")
LEVEL1 = _e("GET", "/api/v1/market/orderbook/level1")
ALL_TICKERS = _e("GET", "/api/v1/market/allTickers")
STATS = _e("GET", "/api/v1/market/stats")
PART_BOOK = _e("GET", "/api/v1/market/orderbook/level2_{size}")
FULL_BOOK = _e("GET", "/api/v3/market/orderbook/level2")
HISTORIES = _e("GET", "/api/v1/market/histories")
CANDLES = _e("GET", "/api/v1/market/candles")
CURRENCIES = _e("GET", "/api/v3/currencies")
CURRENCY = _e("GET", "/api/v3/currencies/{currency}")
# WebSocket tokens
BULLET_PUBLIC = _e("POST", "/api/v1/bullet-public")
BULLET_PRIVATE = _e("POST", "/api/v1/bullet-private")
# account
ACCOUNTS = _e("GET", "/api/v1/accounts")
ACCOUNT = _e("GET", "/api/v1/accounts/{accountId}")
LEDGERS = _e("GET", "/api/v1/accounts/ledgers")
HF_LEDGERS = _e("GET", "/api/v1/hf/accounts/ledgers")
TRADE_FEES = _e("GET", "/api/v1/trade-fees")
BASE_FEE = _e("GET", "/api/v1/base-fee")
API_KEY = _e("GET", "/api/v1/user/api-key")
HF_OPENED = _e("GET", "/api/v1/hf/accounts/opened")
# HF orders
HF_PLACE = _e("POST", "/api/v1/hf/orders")
HF_PLACE_SYNC = _e("POST", "/api/v1/hf/orders/sync")
HF_PLACE_TEST = _e("POST", "/api/v1/hf/orders/test")
HF_BATCH = _e("POST", "/api/v1/hf/orders/multi")
HF_BATCH_SYNC = _e("POST", "/api/v1/hf/orders/multi/sync")
HF_ALTER = _e("POST", "/api/v1/hf/orders/alter")
HF_CANCEL = _e("DELETE", "/api/v1/hf/orders/{orderId}")
HF_CANCEL_SYNC = _e("DELETE", "/api/v1/hf/orders/sync/{orderId}")
HF_CANCEL_COID = _e("DELETE", "/api/v1/hf/orders/client-order/{clientOid}")
HF_CANCEL_COID_SYNC = _e("DELETE", "/api/v1/hf/orders/sync/client-order/{clientOid}")
HF_CANCEL_PARTIAL = _e("DELETE", "/api/v1/hf/orders/cancel/{orderId}")
HF_CANCEL_SYMBOL = _e("DELETE", "/api/v1/hf/orders")
HF_CANCEL_ALL = _e("DELETE", "/api/v1/hf/orders/cancelAll")
HF_ORDER = _e("GET", "/api/v1/hf/orders/{orderId}")
HF_ORDER_COID = _e("GET", "/api/v1/hf/orders/client-order/{clientOid}")
HF_ACTIVE = _e("GET", "/api/v1/hf/orders/active")
HF_ACTIVE_SYMBOLS = _e("GET", "/api/v1/hf/orders/active/symbols")
HF_DONE = _e("GET", "/api/v1/hf/orders/done")
HF_FILLS = _e("GET", "/api/v1/hf/fills")
DCP_SET = _e("POST", "/api/v1/hf/orders/dead-cancel-all")
DCP_QUERY = _e("GET", "/api/v1/hf/orders/dead-cancel-all/query")
# classic orders
CL_PLACE = _e("POST", "/api/v1/orders")
CL_PLACE_TEST = _e("POST", "/api/v1/orders/test")
CL_BATCH = _e("POST", "/api/v1/orders/multi")
CL_CANCEL = _e("DELETE", "/api/v1/orders/{orderId}")
CL_CANCEL_COID = _e("DELETE", "/api/v1/order/client-order/{clientOid}")
CL_CANCEL_ALL = _e("DELETE", "/api/v1/orders")
CL_ORDERS = _e("GET", "/api/v1/orders")
CL_ORDER = _e("GET", "/api/v1/orders/{orderId}")
CL_ORDER_COID = _e("GET", "/api/v1/order/client-order/{clientOid}")
CL_RECENT = _e("GET", "/api/v1/limit/orders")
CL_FILLS = _e("GET", "/api/v1/fills")
# stop orders
STOP_PLACE = _e("POST", "/api/v1/stop-order")
STOP_LIST = _e("GET", "/api/v1/stop-order")
STOP_ORDER = _e("GET", "/api/v1/stop-order/{orderId}")
STOP_ORDER_COID = _e("GET", "/api/v1/stop-order/queryOrderByClientOid")
STOP_CANCEL = _e("DELETE", "/api/v1/stop-order/{orderId}")
STOP_CANCEL_COID = _e("DELETE", "/api/v1/stop-order/cancelOrderByClientOid")
STOP_CANCEL_MANY = _e("DELETE", "/api/v1/stop-order/cancel")
