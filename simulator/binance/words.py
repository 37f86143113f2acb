"""Binance's words for what the venue refuses: each neutral reason's code, message and HTTP
status (``shared/binance-spec/NOTES.md`` sections 5.2-5.4), used by the HTTP and WebSocket
facades and by the paper exchange's Binance flavour, so a bot meets Binance's codes in all.

Filter failures are ``-1013 Filter failure: <FILTER>``; the engine's refusals are ``-2010``
with Binance's exact engine messages (``Duplicate order sent.``, ``Account has insufficient
balance for requested action.``, ``Order would immediately match and take.``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping

from exchanges import ExchangeError
from simulator.venue import Reason

__all__ = ["binance_error", "binance_words"]

Words = tuple[int, str, int]  # code, message, HTTP status


def _fixed(
    code: int, message: str, status: int = 400
) -> Callable[[ExchangeError, Mapping[str, object]], Words]:
    return lambda _err, _details: (code, message, status)


def _filter(name: str) -> Callable[[ExchangeError, Mapping[str, object]], Words]:
    return _fixed(-1013, f"Filter failure: {name}")


def _own(code: int) -> Callable[[ExchangeError, Mapping[str, object]], Words]:
    """The venue's own message under ``code`` (a parameter error says what is wrong)."""
    return lambda err, _details: (code, err.message, 400)


def _increment(err: ExchangeError, _details: Mapping[str, object]) -> Words:
    field = getattr(err, "field", "")
    if field in ("price", "stopPrice", "stop_price"):
        return -1013, "Filter failure: PRICE_FILTER", 400
    return -1013, "Filter failure: LOT_SIZE", 400


_WORDS: dict[str, Callable[[ExchangeError, Mapping[str, object]], Words]] = {
    Reason.BAD_PARAM: _own(-1013),
    Reason.UNKNOWN_SYMBOL: _fixed(-1121, "Invalid symbol."),
    Reason.UNKNOWN_CURRENCY: _fixed(-1100, "Illegal characters found in parameter 'asset'."),
    Reason.UNKNOWN_USER: _fixed(-2015, "Invalid API-key, IP, or permissions for action.", 401),
    Reason.UNKNOWN_ACCOUNT: _fixed(-2015, "Invalid API-key, IP, or permissions for action.", 401),
    Reason.SYMBOL_NOT_TRADING: _fixed(-2010, "Market is closed."),
    Reason.PRICE_INCREMENT: _increment,
    Reason.SIZE_INCREMENT: _increment,
    Reason.FUNDS_INCREMENT: lambda _e, _d: (-1111, "Parameter 'quoteOrderQty' has too much precision.", 400),
    Reason.SIZE_BELOW_MIN: _filter("LOT_SIZE"),
    Reason.SIZE_ABOVE_MAX: _filter("LOT_SIZE"),
    Reason.FUNDS_BELOW_MIN: _filter("NOTIONAL"),
    Reason.FUNDS_ABOVE_MAX: _filter("NOTIONAL"),
    Reason.BALANCE_INSUFFICIENT: _fixed(-2010, "Account has insufficient balance for requested action."),
    Reason.INVALID_CLIENT_ID: _fixed(
        -1100,
        "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[a-zA-Z0-9-_]{1,36}$'.",
    ),
    Reason.DUPLICATE_CLIENT_ID: _fixed(-2010, "Duplicate order sent."),
    Reason.TOO_MANY_ORDERS_SYMBOL: _filter("MAX_NUM_ORDERS"),
    Reason.TOO_MANY_ORDERS_ACCOUNT: _filter("EXCHANGE_MAX_NUM_ORDERS"),
    Reason.TOO_MANY_STOP_ORDERS: _filter("MAX_NUM_ALGO_ORDERS"),
    Reason.POST_ONLY_WOULD_TAKE: _fixed(-2010, "Order would immediately match and take."),
    Reason.PRICE_OUT_OF_BAND: _filter("PERCENT_PRICE_BY_SIDE"),
    Reason.PRICE_ABOVE_MAX: _filter("PRICE_FILTER"),
    Reason.ICEBERG_PARTS: _filter("ICEBERG_PARTS"),
    Reason.ORDER_REJECTED: _fixed(-2010, "Unsupported order combination"),
    Reason.ORDER_NOT_FOUND: _fixed(-2013, "Order does not exist."),
    Reason.ORDER_NOT_CANCELLABLE: _fixed(-2011, "Unknown order sent."),
    Reason.STOP_ORDER_NOT_FOUND: _fixed(-2013, "Order does not exist."),
    Reason.STOP_ORDER_NOT_CANCELLABLE: _fixed(-2011, "Unknown order sent."),
    Reason.TOO_MANY_ORDER_LISTS: _filter("MAX_NUM_ORDER_LISTS"),
    Reason.ORDER_LIST_NOT_FOUND: _fixed(-2011, "Unknown order list sent."),
}


def binance_words(err: ExchangeError) -> Words | None:
    """Binance's code, message and HTTP status for a refusal the venue gave a reason to."""
    reason = err.reason
    words = _WORDS.get(reason) if reason is not None else None
    return None if words is None else words(err, err.details)


def binance_error(err: ExchangeError) -> ExchangeError:
    """``err`` worded as Binance words it: the same type and fields, Binance's code (as a
    string, as ``exchanges`` errors carry codes) and message (``err`` itself when the venue
    gave no reason)."""
    words = binance_words(err)
    if words is None:
        return err
    code, message, _status = words
    worded = copy.copy(err)
    worded.code = str(code)
    worded.message = message
    worded.args = (message,)
    return worded
