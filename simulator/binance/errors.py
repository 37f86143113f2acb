"""Binance's error vocabulary: negative integer codes, their messages and HTTP statuses
(``shared/binance-spec/NOTES.md`` sections 3.5-3.6, 4.2-4.3 and 5), and the answer to what
the venue refused (:func:`from_exchange_error`, by the neutral reason's words in
:mod:`.words`)."""

from __future__ import annotations

from exchanges import errors as ex

from .words import binance_words

__all__ = [
    "BinanceError",
    "bad_param",
    "from_exchange_error",
    "mandatory",
    "unknown_order",
]


class BinanceError(Exception):
    """A refusal in Binance's words: ``{"code": code, "msg": msg}`` with HTTP ``status``.
    ``retry_after`` (seconds) goes into a ``Retry-After`` header; ``data`` (cancelReplace's
    two outcomes) into the body."""

    def __init__(
        self,
        code: int,
        msg: str,
        status: int = 400,
        retry_after: int | None = None,
        data: dict[str, object] | None = None,
    ) -> None:
        super().__init__(f"{code} {msg}")
        self.code = code
        self.msg = msg
        self.status = status
        self.retry_after = retry_after
        self.data = data

    def body(self) -> dict[str, object]:
        """The error's JSON body."""
        out: dict[str, object] = {"code": self.code, "msg": self.msg}
        if self.data is not None:
            out["data"] = self.data
        return out


UNKNOWN = (-1000, "An unknown error occurred while processing the request.", 500)
BAD_API_KEY_FMT = (-2014, "API-key format invalid.", 401)
REJECTED_MBX_KEY = (-2015, "Invalid API-key, IP, or permissions for action.", 401)
INVALID_SIGNATURE = (-1022, "Signature for this request is not valid.", 400)
TIMESTAMP_OUTSIDE = (-1021, "Timestamp for this request is outside of the recvWindow.", 400)
TIMESTAMP_AHEAD = (-1021, "Timestamp for this request was 1000ms ahead of the server's time.", 400)
BAD_SYMBOL = (-1121, "Invalid symbol.", 400)
BAD_INTERVAL = (-1120, "Invalid interval.", 400)
INVALID_SIDE = (-1117, "Invalid side.", 400)
INVALID_TYPE = (-1116, "Invalid orderType.", 400)
INVALID_TIF = (-1115, "Invalid timeInForce.", 400)
TIF_NOT_REQUIRED = (-1114, "TimeInForce parameter sent when not required.", 400)
UNKNOWN_ORDER = (-2011, "Unknown order sent.", 400)
NO_SUCH_ORDER = (-2013, "Order does not exist.", 400)
CLIENT_ID_MISMATCH = (-2039, "Client order ID is not correct for this order ID.", 400)
CANCEL_RESTRICTED = (-2011, "Order was not canceled due to cancel restrictions.", 400)
INVALID_CANCEL_RESTRICTIONS = (-1145, "Invalid cancelRestrictions", 400)
DUPLICATE_PARAM = (-1101, "Duplicate values for a parameter detected.", 400)
UNSUPPORTED_COMBINATION = (-1014, "Unsupported order combination.", 400)
TOO_MANY_ORDERS = (-1015, "Too many new orders; current limit is {limit} orders per {interval}.", 429)
NOT_FOUND = (-1003, "", 404)  # (the code is never read: the body of a 404 is empty, as Binance's)
SUBSCRIPTION_ACTIVE = (-2035, "User Data Stream subscription already active.", 400)
SUBSCRIPTION_INACTIVE = (-2036, "User Data Stream subscription not active.", 400)
INVALID_JSON = (-1135, "Invalid JSON request", 400)
UNAUTHORIZED = (-1002, "You are not authorized to execute this request.", 401)
NO_REFERENCE_PRICE = (-2043, "This symbol doesn't have a reference price.", 400)


def mandatory(name: str) -> BinanceError:
    return BinanceError(-1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed.")


def bad_param(name: str) -> BinanceError:
    return BinanceError(-1100, f"Illegal characters found in parameter '{name}'; legal range is '{_LEGAL}'.")


_LEGAL = "^[0-9]{1,20}(\\.[0-9]{1,20})?$"


def unknown_order() -> BinanceError:
    return BinanceError(*UNKNOWN_ORDER)


def from_exchange_error(err: ex.ExchangeError) -> BinanceError:
    """Binance's answer to what the venue refused: its words for the venue's neutral reason;
    otherwise the class picks the code."""
    words = binance_words(err)
    if words is not None:
        return BinanceError(*words)
    if isinstance(err, ex.InsufficientFunds):
        return BinanceError(-2010, "Account has insufficient balance for requested action.")
    if isinstance(err, ex.BadSymbol):
        return BinanceError(*BAD_SYMBOL)
    if isinstance(err, ex.OrderNotFound):
        return BinanceError(*UNKNOWN_ORDER)
    if isinstance(err, ex.DuplicateClientOrderId):
        return BinanceError(-2010, "Duplicate order sent.")
    if isinstance(err, ex.InvalidPrecision):
        return BinanceError(
            -1013, "Filter failure: PRICE_FILTER" if err.field == "price" else "Filter failure: LOT_SIZE"
        )
    if isinstance(err, ex.BelowMinimumSize | ex.AboveMaximumSize):
        return BinanceError(-1013, "Filter failure: LOT_SIZE")
    if isinstance(err, ex.BelowMinimumFunds):
        return BinanceError(-1013, "Filter failure: NOTIONAL")
    if isinstance(err, ex.PostOnlyWouldTake):
        return BinanceError(-2010, "Order would immediately match and take.")
    if isinstance(err, ex.NotSupported):
        return BinanceError(-1013, err.message)
    return BinanceError(-1013, err.message)
