"""Binance's error codes and messages -> the ``exchanges`` error hierarchy (a pure function).

Source: NOTES 3.6, 4 and 5 (every code it lists, the engine messages under -2010/-2011/-2038
and the ``Filter failure: <TYPE>`` texts under -1013). The body's ``code`` decides; a message
more specific than its code (-2010 "Duplicate order sent.") refines a generic code's class;
the HTTP status decides when the body has no known code (a WAF page, a bare 502). HTTP 5xx
and -1006/-1007 mean "execution status unknown": a ``NetworkError``, so a placement that
meets one is reconciled, never resent blind. Unknown codes become a plain ``ExchangeError``
carrying code and message.
"""

from __future__ import annotations

from collections.abc import Mapping

from exchanges import (
    AccountSuspended,
    AuthenticationError,
    BadRequest,
    BadSymbol,
    BelowMinimumFunds,
    DuplicateClientOrderId,
    ExchangeError,
    ExchangeUnavailable,
    InsufficientFunds,
    InvalidApiKey,
    InvalidClientOrderId,
    InvalidOrder,
    InvalidPrecision,
    InvalidSignature,
    InvalidTimestamp,
    NetworkError,
    NotSupported,
    OrderNotFound,
    PermissionDenied,
    PostOnlyWouldTake,
    PriceOutOfBand,
    RateLimitExceeded,
    RequestTimeout,
    TooManyOpenOrders,
)

__all__ = [
    "BAD_PARAMS",
    "CODE_ERRORS",
    "FILTER_ERRORS",
    "HTTP_STATUS_ERRORS",
    "MESSAGE_ERRORS",
    "VENUE",
    "class_for",
    "error_from_response",
]

VENUE = "binance"
#: Binance's code for a malformed or missing parameter, also given to the same mistakes
#: caught before sending.
BAD_PARAMS = "-1102"
ErrorClass = type[ExchangeError]

_BAD_REQUEST_CODES = (
    "-1100 -1101 -1102 -1103 -1104 -1105 -1106 -1108 -1114 -1120 -1122 -1125 -1127 -1128 -1130 -1131 "
    "-1134 -1135 -1139 -1145 -1152 -1153 -1155 -1161 -1194 -1033 -1035 -2016 -2035 -2036 -2043"
)
_INVALID_ORDER_CODES = (
    "-1010 -1013 -1014 -1112 -1115 -1116 -1117 -1158 -1160 -1165 -1166 -1168 -1196 -1197 -1198 -1199 "
    "-1210 -1211 -1222 -1223 -1224 -1225 -2010 -2038"
)
_FIX_ONLY = tuple(str(code) for code in range(-1191, -1168))  # -1169..-1191: FIX session errors

#: Body ``code`` -> error class (NOTES 5.2).
CODE_ERRORS: Mapping[str, ErrorClass] = {
    **dict.fromkeys(_BAD_REQUEST_CODES.split(), BadRequest),
    **dict.fromkeys(_INVALID_ORDER_CODES.split(), InvalidOrder),
    **dict.fromkeys(_FIX_ONLY, BadRequest),
    # server and network: the outcome of a write is unknown
    "-1000": ExchangeUnavailable,
    "-1001": ExchangeUnavailable,
    "-1004": ExchangeUnavailable,
    "-1006": ExchangeUnavailable,
    "-1007": RequestTimeout,
    "-1008": ExchangeUnavailable,
    "-1016": ExchangeUnavailable,
    # authentication
    "-1002": AuthenticationError,
    "-1021": InvalidTimestamp,
    "-1022": InvalidSignature,
    "-1099": AuthenticationError,
    "-2014": InvalidApiKey,
    "-2015": AuthenticationError,  # unknown key, IP not whitelisted or a permission missing: one code
    # rate
    "-1003": RateLimitExceeded,
    "-1015": RateLimitExceeded,
    "-1034": RateLimitExceeded,
    "-2042": RateLimitExceeded,
    # request shape with a finer meaning
    "-1020": NotSupported,
    "-1111": InvalidPrecision,
    "-1118": InvalidClientOrderId,
    "-1119": InvalidClientOrderId,
    "-1121": BadSymbol,
    "-1151": BadSymbol,
    "-1220": BadSymbol,
    # orders
    "-2011": OrderNotFound,
    "-2013": OrderNotFound,
    "-2026": OrderNotFound,
    "-2039": OrderNotFound,
    "-2021": ExchangeError,  # cancel-replace partly done: the adapter reads its ``data``
    "-2022": InvalidOrder,
}

#: Whole engine messages (NOTES 5.3) -> class; they refine -2010, -2011, -2038 and -1013.
MESSAGE_ERRORS: Mapping[str, ErrorClass] = {
    "Unknown order sent.": OrderNotFound,
    "Duplicate order sent.": DuplicateClientOrderId,
    "Account has insufficient balance for requested action.": InsufficientFunds,
    "Order would immediately match and take.": PostOnlyWouldTake,
    "This action is disabled on this account.": AccountSuspended,
    "This account may not place or cancel orders.": AccountSuspended,
    "This symbol is not permitted for this account.": PermissionDenied,
    "This symbol is restricted for this account.": PermissionDenied,
    "Rest API trading is not enabled.": PermissionDenied,
    "WebSocket API trading is not enabled.": PermissionDenied,
    "Order was not canceled due to cancel restrictions.": OrderNotFound,
    "Cancel order is invalid. Check origClOrdId and orderId.": BadRequest,
    "Price * QTY is zero or less.": InvalidOrder,
}

#: ``Filter failure: <TYPE>`` (-1013, sometimes -2010) -> class (NOTES 5.4).
FILTER_ERRORS: Mapping[str, ErrorClass] = {
    "PRICE_FILTER": InvalidPrecision,
    "LOT_SIZE": InvalidPrecision,
    "MARKET_LOT_SIZE": InvalidPrecision,
    "PERCENT_PRICE": PriceOutOfBand,
    "PERCENT_PRICE_BY_SIDE": PriceOutOfBand,
    "MIN_NOTIONAL": BelowMinimumFunds,
    "NOTIONAL": BelowMinimumFunds,
    "MAX_NUM_ORDERS": TooManyOpenOrders,
    "MAX_NUM_ALGO_ORDERS": TooManyOpenOrders,
    "MAX_NUM_ICEBERG_ORDERS": TooManyOpenOrders,
    "MAX_NUM_ORDER_LISTS": TooManyOpenOrders,
    "EXCHANGE_MAX_NUM_ORDERS": TooManyOpenOrders,
    "EXCHANGE_MAX_NUM_ALGO_ORDERS": TooManyOpenOrders,
    "EXCHANGE_MAX_NUM_ICEBERG_ORDERS": TooManyOpenOrders,
    "EXCHANGE_MAX_NUM_ORDER_LISTS": TooManyOpenOrders,
    "MAX_NUM_ORDER_AMENDS": InvalidOrder,
    "ICEBERG_PARTS": InvalidOrder,
    "MAX_POSITION": InvalidOrder,
    "TRAILING_DELTA": InvalidOrder,
}

#: HTTP status -> class, used when the body carries no known code (NOTES 5.1).
HTTP_STATUS_ERRORS: Mapping[int, ErrorClass] = {
    400: BadRequest,
    401: AuthenticationError,
    403: PermissionDenied,  # the WAF blocked the request (rate abuse or a security rule)
    404: NotSupported,
    405: NotSupported,
    408: RequestTimeout,
    409: ExchangeError,
    415: BadRequest,
    418: RateLimitExceeded,
    429: RateLimitExceeded,
    504: RequestTimeout,
}

# Classes a more specific message may override (a message never overrides e.g. InvalidApiKey).
_GENERIC: frozenset[ErrorClass] = frozenset({ExchangeError, BadRequest, InvalidOrder, OrderNotFound})
_FILTER = "Filter failure: "


def _message_class(message: str) -> ErrorClass | None:
    text = message.strip()
    found = MESSAGE_ERRORS.get(text)
    if found is not None:
        return found
    if text.startswith(_FILTER):
        return FILTER_ERRORS.get(text[len(_FILTER) :].strip(), InvalidOrder)
    if text.startswith("Order book liquidity is"):
        return InvalidOrder
    return None


def _status_class(http_status: int | None) -> ErrorClass | None:
    if http_status is None or http_status < 400:
        return None
    found = HTTP_STATUS_ERRORS.get(http_status)
    if found is None and http_status >= 500:
        return ExchangeUnavailable  # execution status unknown
    return found


def class_for(code: str | None, message: str = "", http_status: int | None = None) -> ErrorClass:
    """The error class for a Binance failure: body code, refined by message, else HTTP status.

    A 5xx is "execution status unknown" whatever its body says, and a 418/429 a refusal for
    rate: both decide before the code."""
    status_class = _status_class(http_status)
    coded = CODE_ERRORS.get(code) if code else None
    if http_status is not None and (http_status >= 500 or http_status in (418, 429)):
        assert status_class is not None
        # (a code of that family, -1007 a timeout, -1015 too many orders, is kept)
        kept = coded is not None and issubclass(coded, NetworkError)
        base: ErrorClass | None = coded if kept else status_class
    else:
        base = coded
        if base is None:
            base = status_class
    refined = _message_class(message) if message else None
    if refined is not None and (base is None or base in _GENERIC or issubclass(refined, base)):
        return refined
    return base or ExchangeError


def error_from_response(
    code: str | None,
    message: str,
    http_status: int | None = None,
    *,
    retry_after: float | None = None,
) -> ExchangeError:
    """Build the error to raise; ``message`` falls back to a readable text, never empty."""
    cls = class_for(code, message, http_status)
    text = message or (f"HTTP {http_status}" if http_status else "request failed")
    if issubclass(cls, RateLimitExceeded):
        return cls(text, retry_after=retry_after, venue=VENUE, code=code, http_status=http_status)
    return cls(text, venue=VENUE, code=code, http_status=http_status)
