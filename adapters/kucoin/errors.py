"""KuCoin's error codes and messages -> the ``exchanges`` error hierarchy (a pure function).

Sources: NOTES.md section 5 and CCXT's KuCoin map (``error-map-from-ccxt.json``), refined
where our hierarchy is finer (400003 is ``InvalidApiKey``, not just an authentication
error). Business errors arrive with HTTP 200, so the body's code decides first; the HTTP
status decides when the body has no known code (a Cloudflare page, a bare 502). A message
more specific than its code (400100 "order not exist.") refines a generic code's class.
Unknown codes become a plain ``ExchangeError`` carrying code and message: never a KeyError.
"""

from __future__ import annotations

from collections.abc import Mapping

from exchanges import (
    AccountSuspended,
    AuthenticationError,
    BadRequest,
    BadSymbol,
    BelowMinimumFunds,
    BelowMinimumSize,
    DuplicateClientOrderId,
    ExchangeError,
    ExchangeUnavailable,
    InsufficientFunds,
    InvalidApiKey,
    InvalidOrder,
    InvalidPassphrase,
    InvalidPrecision,
    InvalidSignature,
    InvalidTimestamp,
    IpNotAllowed,
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
    "BROAD_MESSAGES",
    "CODE_ERRORS",
    "EXACT_MESSAGES",
    "HTTP_STATUS_ERRORS",
    "VENUE",
    "class_for",
    "error_from_response",
]

VENUE = "kucoin"
#: KuCoin's code for bad parameters, also given to the same mistakes caught before sending
BAD_PARAMS = "400100"
ErrorClass = type[ExchangeError]

#: Body ``code`` -> error class.
CODE_ERRORS: Mapping[str, ErrorClass] = {
    # gateway and authentication (NOTES 5; CCXT maps them all to AuthenticationError)
    "400001": AuthenticationError,
    "400002": InvalidTimestamp,
    "400003": InvalidApiKey,
    "400004": InvalidPassphrase,
    "400005": InvalidSignature,
    "400006": IpNotAllowed,
    "400007": PermissionDenied,
    "400008": AuthenticationError,  # CCXT: NotSupported. The key's version is refused: make a new key.
    "400009": AuthenticationError,
    "400010": PermissionDenied,
    "400201": AuthenticationError,
    "400202": IpNotAllowed,
    "400401": AuthenticationError,
    "411100": AccountSuspended,
    "101030": PermissionDenied,
    "112010": PermissionDenied,
    "400303": PermissionDenied,
    "400500": PermissionDenied,  # CCXT: RestrictedLocation
    "400700": PermissionDenied,
    # request shape
    "400": BadRequest,
    "401": AuthenticationError,
    "403": NotSupported,
    "404": NotSupported,
    "405": NotSupported,
    "415": NotSupported,
    "400000": BadSymbol,
    "400100": BadRequest,
    "400400": BadRequest,
    "401000": NotSupported,  # CCXT: BadRequest. "interface deprecated": the call itself is refused.
    "404000": NotSupported,
    "408000": BadRequest,
    "415000": BadRequest,
    "900014": BadRequest,
    "130101": BadRequest,
    "130204": BadRequest,
    "100004": BadRequest,
    "260000": BadRequest,  # CCXT: InvalidAddress
    "260220": BadRequest,  # CCXT: InvalidAddress
    # symbols
    "400600": BadSymbol,
    "900001": BadSymbol,
    # orders
    "200001": InvalidOrder,
    "200003": TooManyOpenOrders,
    "200009": PermissionDenied,
    "300000": InvalidOrder,
    "300009": InvalidOrder,
    "300011": InvalidOrder,
    "300012": InvalidOrder,
    "330005": InvalidOrder,
    "330012": InvalidOrder,
    "103000": InvalidOrder,
    "210014": InvalidOrder,
    "400200": InvalidOrder,
    "400330": InvalidOrder,
    "400350": InvalidOrder,
    "400370": PriceOutOfBand,
    "400760": PriceOutOfBand,
    "400800": InvalidOrder,
    "600101": InvalidOrder,
    "600203": InvalidOrder,
    "100001": OrderNotFound,
    # funds
    "200004": InsufficientFunds,
    "210021": InsufficientFunds,
    "230003": InsufficientFunds,
    "260100": InsufficientFunds,
    "300003": InsufficientFunds,
    "330008": InsufficientFunds,
    "600100": InsufficientFunds,
    # rate and availability
    "429": RateLimitExceeded,
    "429000": RateLimitExceeded,
    "200002": RateLimitExceeded,  # rate limit 1.0 and futures: per-endpoint throttling, 10 s block
    "1015": RateLimitExceeded,
    "500": ExchangeUnavailable,
    "503": ExchangeUnavailable,
    "500000": ExchangeUnavailable,
    "503000": ExchangeUnavailable,
    # margin and lending families (CCXT map), kept so they never fall through to a bare error
    "130102": ExchangeError,
    "130103": OrderNotFound,
    "130104": ExchangeError,
    "130105": InsufficientFunds,
    "130106": NotSupported,
    "130107": ExchangeError,
    "130108": OrderNotFound,
    "130201": PermissionDenied,
    "130202": ExchangeError,
    "130203": InsufficientFunds,
    "130301": InsufficientFunds,
    "130302": PermissionDenied,
    "130303": NotSupported,
    "130304": NotSupported,
    "130305": NotSupported,
    "130306": NotSupported,
    "130307": NotSupported,
    "130308": InvalidOrder,
    "130309": InvalidOrder,
    "130310": ExchangeError,
    "130311": InvalidOrder,
    "130312": InvalidOrder,
    "130313": InvalidOrder,
    "130314": InvalidOrder,
    "130315": NotSupported,
    "126000": ExchangeError,
    "126001": NotSupported,
    "126002": ExchangeError,
    "126003": InvalidOrder,
    "126004": ExchangeError,
    "126005": PermissionDenied,
    "126006": ExchangeError,
    "126007": ExchangeError,
    "126009": ExchangeError,
    "126010": ExchangeError,
    "126011": ExchangeError,
    "126013": InsufficientFunds,
    "126015": ExchangeError,
    "126021": NotSupported,
    "126022": InvalidOrder,
    "126027": InvalidOrder,
    "126028": InvalidOrder,
    "126029": InvalidOrder,
    "126030": InvalidOrder,
    "126033": InvalidOrder,
    "126034": InvalidOrder,
    "126036": InvalidOrder,
    "126037": ExchangeError,
    "126038": ExchangeError,
    "126039": ExchangeError,
    "126041": ExchangeError,
    "126042": ExchangeError,
    "126043": OrderNotFound,
    "126044": InvalidOrder,
    "126045": NotSupported,
    "126046": NotSupported,
    "126047": PermissionDenied,
    "126048": PermissionDenied,
    "135005": ExchangeError,
    "135018": ExchangeError,
    "260210": NotSupported,
}

#: Whole messages (compared after trimming) -> class. They refine generic codes.
EXACT_MESSAGES: Mapping[str, ErrorClass] = {
    "Order not exist or not allow to be cancelled": OrderNotFound,
    "The order does not exist.": OrderNotFound,
    "order not exist": OrderNotFound,
    "order not exist.": OrderNotFound,
    "order_not_exist": OrderNotFound,
    "order_not_exist_or_not_allow_to_cancel": OrderNotFound,
    "Order size below the minimum requirement.": BelowMinimumSize,
    "The quantity is below the minimum requirement.": BelowMinimumSize,
    "Order size increment invalid.": InvalidPrecision,
    "Price increment invalid.": InvalidPrecision,
    "The amount increment is invalid.": InvalidPrecision,
    "Balance insufficient!": InsufficientFunds,
    "account.available.amount": InsufficientFunds,
    "account.noBalance": InsufficientFunds,
    "validation.createOrder.clientOidDuplicated": DuplicateClientOrderId,
    "validation.createOrder.symbolNotAvailable": BadSymbol,
    "Unsupported trading pair.": BadSymbol,
    "Unsuccessful! Exceeded the max. funds out-transfer limit": InsufficientFunds,
    "The withdrawal amount is below the minimum requirement.": ExchangeError,
    "not in the given range!": BadRequest,
    "recAccountType not in the given range": BadRequest,
    "Too Many Requests": RateLimitExceeded,
    "Service Unavailable": ExchangeUnavailable,
}

#: Lower-case substrings -> class, tried in order when no whole message matched.
BROAD_MESSAGES: tuple[tuple[str, ErrorClass], ...] = (
    ("clientoidduplicated", DuplicateClientOrderId),
    ("clientoid duplicated", DuplicateClientOrderId),
    ("duplicate clientoid", DuplicateClientOrderId),
    ("order_not_exist", OrderNotFound),
    ("order not exist", OrderNotFound),
    ("order does not exist", OrderNotFound),
    ("not allow to be cancel", OrderNotFound),
    ("position does not exist", OrderNotFound),
    ("increment invalid", InvalidPrecision),
    ("increment is invalid", InvalidPrecision),
    ("below the minimum", BelowMinimumSize),
    ("funds should more then", BelowMinimumFunds),
    ("funds should more than", BelowMinimumFunds),
    ("balance insufficient", InsufficientFunds),
    ("insufficient balance", InsufficientFunds),
    ("post only", PostOnlyWouldTake),
    ("postonly", PostOnlyWouldTake),
    ("max. price", PriceOutOfBand),
    ("price should be", PriceOutOfBand),
    ("symbolnotavailable", BadSymbol),
    ("exceeded the access frequency", RateLimitExceeded),
    ("too many requests", RateLimitExceeded),
    ("require more permission", PermissionDenied),
    ("requires more permission", PermissionDenied),
    ("pagesize should not greater than 500", BadRequest),
)

#: HTTP status -> class, used when the body carries no known code.
HTTP_STATUS_ERRORS: Mapping[int, ErrorClass] = {
    400: BadRequest,
    401: AuthenticationError,
    403: PermissionDenied,
    404: NotSupported,
    405: NotSupported,
    407: AuthenticationError,
    408: RequestTimeout,
    409: ExchangeUnavailable,
    410: ExchangeUnavailable,
    415: BadRequest,
    418: RateLimitExceeded,
    422: ExchangeError,
    429: RateLimitExceeded,
    451: PermissionDenied,
    504: RequestTimeout,
    511: AuthenticationError,
}

# Classes a more specific message may override (a message never overrides e.g. InvalidApiKey).
_GENERIC: frozenset[ErrorClass] = frozenset({ExchangeError, BadRequest, InvalidOrder})


def _message_class(message: str) -> ErrorClass | None:
    exact = EXACT_MESSAGES.get(message.strip())
    if exact is not None:
        return exact
    lowered = message.lower()
    for needle, cls in BROAD_MESSAGES:
        if needle in lowered:
            return cls
    return None


def _status_class(http_status: int | None) -> ErrorClass | None:
    if http_status is None or http_status < 400:
        return None
    found = HTTP_STATUS_ERRORS.get(http_status)
    if found is None and http_status >= 500:
        return ExchangeUnavailable
    return found


def class_for(code: str | None, message: str = "", http_status: int | None = None) -> ErrorClass:
    """The error class for a KuCoin failure: body code, refined by message, else HTTP status."""
    base = CODE_ERRORS.get(code) if code else None
    if base is None:
        base = _status_class(http_status)
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
        if retry_after is None and code == "200002":
            retry_after = 10.0
        return cls(text, retry_after=retry_after, venue=VENUE, code=code, http_status=http_status)
    return cls(text, venue=VENUE, code=code, http_status=http_status)
