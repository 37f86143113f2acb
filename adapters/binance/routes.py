"""Every endpoint the adapter calls, as rows of the spec-derived table (looked up once)."""

from __future__ import annotations

from .endpoints import Endpoint, endpoint


def _e(method: str, path: str) -> Endpoint:
    return endpoint(method, path)


# general and market data
PING = _e("GET", "/api/v3/ping")
TIME = _e("GET", "/api/v3/time")
EXCHANGE_INFO = _e("GET", "/api/v3/exchangeInfo")
DEPTH = _e("GET", "/api/v3/depth")
TRADES = _e("GET", "/api/v3/trades")
HISTORICAL_TRADES = _e("GET", "/api/v3/historicalTrades")
AGG_TRADES = _e("GET", "/api/v3/aggTrades")
KLINES = _e("GET", "/api/v3/klines")
AVG_PRICE = _e("GET", "/api/v3/avgPrice")
TICKER_24HR = _e("GET", "/api/v3/ticker/24hr")
TICKER_PRICE = _e("GET", "/api/v3/ticker/price")
BOOK_TICKER = _e("GET", "/api/v3/ticker/bookTicker")
# orders
PLACE = _e("POST", "/api/v3/order")
PLACE_TEST = _e("POST", "/api/v3/order/test")
CANCEL = _e("DELETE", "/api/v3/order")
CANCEL_ALL = _e("DELETE", "/api/v3/openOrders")
CANCEL_REPLACE = _e("POST", "/api/v3/order/cancelReplace")
AMEND = _e("PUT", "/api/v3/order/amend/keepPriority")
ORDER = _e("GET", "/api/v3/order")
OPEN_ORDERS = _e("GET", "/api/v3/openOrders")
ALL_ORDERS = _e("GET", "/api/v3/allOrders")
# order lists
LIST_OCO = _e("POST", "/api/v3/orderList/oco")
LIST_OTO = _e("POST", "/api/v3/orderList/oto")
LIST_OTOCO = _e("POST", "/api/v3/orderList/otoco")
LIST_CANCEL = _e("DELETE", "/api/v3/orderList")
LIST = _e("GET", "/api/v3/orderList")
OPEN_LISTS = _e("GET", "/api/v3/openOrderList")
# account
ACCOUNT = _e("GET", "/api/v3/account")
MY_TRADES = _e("GET", "/api/v3/myTrades")
ORDER_COUNT = _e("GET", "/api/v3/rateLimit/order")
COMMISSION = _e("GET", "/api/v3/account/commission")
API_RESTRICTIONS = _e("GET", "/sapi/v1/account/apiRestrictions")
