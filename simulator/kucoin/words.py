"""KuCoin's words for what the venue refuses: each neutral reason's code, message and HTTP
status (``shared/kucoin-spec/NOTES.md`` section 5), used by the HTTP facade and by the
paper exchange's KuCoin flavour, so a bot meets KuCoin's codes in both."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from decimal import Decimal

from exchanges import ExchangeError
from simulator.venue import Reason

__all__ = ["kucoin_error", "kucoin_words"]

Words = tuple[str, str, int]  # code, message, HTTP status


def _fixed(
    code: str, message: str, status: int = 200
) -> Callable[[ExchangeError, Mapping[str, object]], Words]:
    return lambda _err, _details: (code, message, status)


def _own(code: str) -> Callable[[ExchangeError, Mapping[str, object]], Words]:
    """The venue's own message under ``code`` (a parameter error says what is wrong)."""
    return lambda err, _details: (code, err.message, 200)


def _band(_err: ExchangeError, details: Mapping[str, object]) -> Words:
    relation = "less" if details.get("side") == "buy" else "more"
    limit = details.get("limit")
    text = format(limit, "f") if isinstance(limit, Decimal) else str(limit)
    return "400760", f"order price should be {relation} than {text}", 200


_WORDS: dict[str, Callable[[ExchangeError, Mapping[str, object]], Words]] = {
    Reason.BAD_PARAM: _own("400100"),
    Reason.UNKNOWN_SYMBOL: lambda _e, d: ("900001", f"symbol {d.get('symbol')!r} not exists", 200),
    Reason.UNKNOWN_CURRENCY: lambda _e, d: ("900001", f"currency {d.get('currency')} not exists", 200),
    Reason.UNKNOWN_USER: lambda _e, d: ("400100", f"unknown user {d.get('uid')!r}", 200),
    Reason.UNKNOWN_ACCOUNT: _fixed("400100", "account not exists"),
    Reason.SYMBOL_NOT_TRADING: _fixed("400600", "validation.createOrder.symbolNotAvailable"),
    Reason.PRICE_INCREMENT: _fixed("400100", "Price increment invalid."),
    Reason.SIZE_INCREMENT: _fixed("400100", "Order size increment invalid."),
    Reason.FUNDS_INCREMENT: _fixed("400100", "The amount increment is invalid."),
    Reason.SIZE_BELOW_MIN: _fixed("400100", "Order size below the minimum requirement."),
    Reason.SIZE_ABOVE_MAX: _fixed("400100", "Order size above the maximum requirement."),
    Reason.FUNDS_BELOW_MIN: lambda _e, d: (
        "400100",
        f"The order funds should more then {d.get('limit')} {d.get('currency')}.",
        200,
    ),
    Reason.FUNDS_ABOVE_MAX: lambda _e, d: (
        "400100",
        f"The order funds should less then {d.get('limit')} {d.get('currency')}.",
        200,
    ),
    Reason.BALANCE_INSUFFICIENT: _fixed("200004", "Balance insufficient!"),
    Reason.INVALID_CLIENT_ID: _fixed("400100", "clientOid invalid: at most 40 letters, digits, '_' or '-'"),
    Reason.DUPLICATE_CLIENT_ID: _fixed("400100", "validation.createOrder.clientOidDuplicated"),
    Reason.TOO_MANY_ORDERS_SYMBOL: lambda _e, d: (
        "200003",
        f"Exceeded the maximum number of active orders ({d.get('limit')}) for {d.get('symbol')}",
        200,
    ),
    Reason.TOO_MANY_ORDERS_ACCOUNT: lambda _e, d: (
        "200003",
        f"Exceeded the maximum number of active orders ({d.get('limit')}) per account",
        200,
    ),
    Reason.POST_ONLY_WOULD_TAKE: _fixed("400100", "Post only order would take liquidity, canceled"),
    Reason.PRICE_OUT_OF_BAND: _band,
    Reason.ICEBERG_PARTS: _own("400100"),
    Reason.ORDER_REJECTED: lambda _e, d: ("400100", f"order rejected: {d.get('engine_reason')}", 200),
    Reason.ORDER_NOT_FOUND: _fixed("400100", "order not exist."),
    Reason.ORDER_NOT_CANCELLABLE: _fixed("400100", "order_not_exist_or_not_allow_to_cancel"),
    Reason.STOP_ORDER_NOT_FOUND: _fixed("400100", "stop order not exist."),
    Reason.STOP_ORDER_NOT_CANCELLABLE: _fixed("400100", "stop order not exist or already triggered"),
}


def kucoin_words(err: ExchangeError) -> Words | None:
    """KuCoin's code, message and HTTP status for a refusal the venue gave a reason to."""
    reason = err.reason
    words = _WORDS.get(reason) if reason is not None else None
    return None if words is None else words(err, err.details)


def kucoin_error(err: ExchangeError) -> ExchangeError:
    """``err`` worded as KuCoin words it: the same type and fields, KuCoin's code and
    message (``err`` itself when the venue gave no reason)."""
    words = kucoin_words(err)
    if words is None:
        return err
    code, message, _status = words
    worded = copy.copy(err)
    worded.code = code
    worded.message = message
    worded.args = (message,)
    return worded
