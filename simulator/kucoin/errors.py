"""KuCoin's error vocabulary: six-digit codes, their messages and HTTP statuses.

Codes, messages and statuses follow ``shared/kucoin-spec/NOTES.md`` section 5: gateway and
authentication failures carry a 4xx status, business failures come back with HTTP 200 and the
code in the body. ``from_exchange_error`` turns the simulator's ``exchanges.errors`` into the
body KuCoin would send for the same mistake.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from exchanges import errors as ex

from .words import kucoin_words

__all__ = [
    "ApiError",
    "access_denied",
    "bad_param",
    "from_exchange_error",
    "not_found",
    "not_supported",
]

_SIX_DIGITS = re.compile(r"^\d{6}$")


class ApiError(Exception):
    """A refusal in KuCoin's words: ``{"code": code, "msg": msg}`` with ``status``."""

    def __init__(self, code: str, msg: str, status: int = 200) -> None:
        super().__init__(f"{code} {msg}")
        self.code = code
        self.msg = msg
        self.status = status


# --- gateway and authentication (NOTES section 3 and 5) -------------------------------------------

MISSING_HEADERS = (
    "400001",
    "Please check the header of your request for KC-API-KEY, KC-API-SIGN, KC-API-TIMESTAMP, "
    "KC-API-PASSPHRASE",
    400,
)
BAD_TIMESTAMP = ("400002", "Invalid KC-API-TIMESTAMP", 401)
UNKNOWN_KEY = ("400003", "KC-API-KEY not exists", 401)
BAD_PASSPHRASE = ("400004", "Invalid KC-API-PASSPHRASE", 401)
BAD_SIGNATURE = ("400005", "Invalid KC-API-SIGN", 401)
BAD_KEY_VERSION = ("400009", "Invalid KC-API-KEY-VERSION", 401)
NOT_FOUND = ("404000", "Not Found", 404)
UNSUPPORTED_MEDIA = ("415000", "Unsupported Media Type: Content-Type must be application/json", 415)
TOO_MANY = ("429000", "Too Many Requests", 429)
INTERNAL = ("500000", "Internal Server Error", 500)
UNAVAILABLE = ("503000", "Service Unavailable", 503)

# --- business (HTTP 200) ------------------------------------------------------------------------

BALANCE_INSUFFICIENT = "Balance insufficient!"
ORDER_NOT_EXIST = "order not exist."
ORDER_NOT_CANCELLABLE = "order_not_exist_or_not_allow_to_cancel"
CLIENT_OID_DUPLICATED = "validation.createOrder.clientOidDuplicated"
SYMBOL_NOT_EXIST = "symbol not exists"


def ip_not_allowed(ip: str) -> ApiError:
    return ApiError("400006", f"Invalid request ip, the current clientIp is:{ip}", 403)


def access_denied() -> ApiError:
    return ApiError("400007", "Access denied, require more permission.", 403)


def bad_param(msg: str) -> ApiError:
    return ApiError("400100", msg)


def not_found() -> ApiError:
    return ApiError(*NOT_FOUND)


def not_supported(what: str) -> ApiError:
    """A real KuCoin path the simulator does not offer (margin, futures, earn, ...)."""
    return ApiError("404000", f"Not supported by the simulator: {what}", 404)


def from_exchange_error(err: ex.ExchangeError, *, not_found_msg: str = ORDER_NOT_EXIST) -> ApiError:
    """KuCoin's answer to what the venue refused: its words for the venue's neutral reason
    (:mod:`.words`); an error that already carries a KuCoin code keeps it; otherwise the
    class picks the code and message (:data:`_BY_CLASS`, first match), and anything else
    is a parameter error."""
    words = kucoin_words(err)
    if words is not None:
        return ApiError(*words)
    if err.code and _SIX_DIGITS.match(err.code):
        return ApiError(err.code, err.message, err.http_status or 200)
    if isinstance(err, ex.OrderNotFound):
        return ApiError("400100", not_found_msg)
    for cls, answer in _BY_CLASS:
        if isinstance(err, cls):
            return answer(err)
    return ApiError("400100", err.message)


def _above_maximum(err: ex.ExchangeError) -> ApiError:
    what = "funds" if getattr(err, "field", "") == "funds" else "size"
    return ApiError("400100", f"Order {what} above the maximum requirement.")


_INCREMENT_MESSAGES = {
    "price": "Price increment invalid.",
    "size": "Order size increment invalid.",
    "funds": "The amount increment is invalid.",
    "visible_size": "Order size increment invalid.",
}


_BY_CLASS: tuple[tuple[type[ex.ExchangeError], Callable[[ex.ExchangeError], ApiError]], ...] = (
    (ex.InsufficientFunds, lambda _e: ApiError("200004", BALANCE_INSUFFICIENT)),
    (ex.BadSymbol, lambda _e: ApiError("900001", SYMBOL_NOT_EXIST)),
    (ex.DuplicateClientOrderId, lambda _e: ApiError("400100", CLIENT_OID_DUPLICATED)),
    (ex.TooManyOpenOrders, lambda e: ApiError("200003", e.message)),
    (ex.PriceOutOfBand, lambda e: ApiError("400760", e.message)),
    (
        ex.InvalidPrecision,
        lambda e: ApiError("400100", _INCREMENT_MESSAGES.get(getattr(e, "field", ""), e.message)),
    ),
    (ex.BelowMinimumSize, lambda _e: ApiError("400100", "Order size below the minimum requirement.")),
    (ex.AboveMaximumSize, _above_maximum),
    (
        ex.BelowMinimumFunds,
        lambda e: ApiError("400100", f"The order funds should more then {getattr(e, 'limit', '')}."),
    ),
    (ex.RateLimitExceeded, lambda _e: ApiError(*TOO_MANY)),
    (ex.ExchangeUnavailable, lambda _e: ApiError(*UNAVAILABLE)),
    (ex.AccountSuspended, lambda _e: ApiError("411100", "User is frozen")),
    (ex.PermissionDenied, lambda _e: access_denied()),
    (ex.AuthenticationError, lambda _e: ApiError(*BAD_SIGNATURE)),
)
