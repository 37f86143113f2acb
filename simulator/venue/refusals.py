"""What the venue refuses, in its own neutral words: a reason, the ``exchanges`` error type
that carries it, a plain message and the values a venue's wording needs.

The venue never speaks a venue's codes. A dialect (``simulator.kucoin``) maps each reason
to that venue's code, message and HTTP status at the edge (its HTTP facade, and the paper
exchange's flavour of it); callers that catch by type (``InsufficientFunds``) need no
mapping at all.
"""

from __future__ import annotations

import enum
from types import MappingProxyType

from exchanges import (
    AboveMaximumSize,
    BadRequest,
    BadSymbol,
    BelowMinimumFunds,
    BelowMinimumSize,
    DuplicateClientOrderId,
    ExchangeError,
    InsufficientFunds,
    InvalidClientOrderId,
    InvalidOrder,
    InvalidPrecision,
    OrderNotFound,
    PostOnlyWouldTake,
    PriceOutOfBand,
    TooManyOpenOrders,
)

__all__ = ["Reason", "Refusals", "precision_reason"]


class Reason(enum.StrEnum):
    """Why the venue said no (``ExchangeError.reason``)."""

    BAD_PARAM = "bad_param"  # a malformed or missing value (the message says which)
    UNKNOWN_SYMBOL = "unknown_symbol"
    UNKNOWN_CURRENCY = "unknown_currency"
    UNKNOWN_USER = "unknown_user"
    UNKNOWN_ACCOUNT = "unknown_account"
    SYMBOL_NOT_TRADING = "symbol_not_trading"
    PRICE_INCREMENT = "price_increment"  # a price (or stop or fill price) off the tick
    SIZE_INCREMENT = "size_increment"  # a size (or visible or cancel size) off the lot
    FUNDS_INCREMENT = "funds_increment"
    SIZE_BELOW_MIN = "size_below_min"
    SIZE_ABOVE_MAX = "size_above_max"
    FUNDS_BELOW_MIN = "funds_below_min"  # details: limit, currency
    FUNDS_ABOVE_MAX = "funds_above_max"  # details: limit, currency
    BALANCE_INSUFFICIENT = "balance_insufficient"
    INVALID_CLIENT_ID = "invalid_client_id"
    DUPLICATE_CLIENT_ID = "duplicate_client_id"
    TOO_MANY_ORDERS_SYMBOL = "too_many_orders_symbol"  # details: limit, symbol
    TOO_MANY_ORDERS_ACCOUNT = "too_many_orders_account"  # details: limit
    POST_ONLY_WOULD_TAKE = "post_only_would_take"
    PRICE_OUT_OF_BAND = "price_out_of_band"  # details: side ("buy"/"sell"), limit
    PRICE_ABOVE_MAX = "price_above_max"  # a price over the pair's ceiling (details: limit)
    ICEBERG_PARTS = "iceberg_parts"  # an iceberg's visible size shows too little of it
    TOO_MANY_STOP_ORDERS = "too_many_stop_orders"  # details: limit, symbol
    ORDER_REJECTED = "order_rejected"  # the engine refused it (details: engine_reason)
    ORDER_NOT_FOUND = "order_not_found"
    ORDER_NOT_CANCELLABLE = "order_not_cancellable"  # unknown, done, or not the caller's
    STOP_ORDER_NOT_FOUND = "stop_order_not_found"
    STOP_ORDER_NOT_CANCELLABLE = "stop_order_not_cancellable"  # triggered or done
    TOO_MANY_ORDER_LISTS = "too_many_order_lists"  # details: limit, symbol
    ORDER_LIST_NOT_FOUND = "order_list_not_found"  # unknown, not the caller's (or done, to cancel)


_TYPES: dict[Reason, type[ExchangeError]] = {
    Reason.BAD_PARAM: BadRequest,
    Reason.UNKNOWN_SYMBOL: BadSymbol,
    Reason.UNKNOWN_CURRENCY: BadRequest,
    Reason.UNKNOWN_USER: BadRequest,
    Reason.UNKNOWN_ACCOUNT: BadRequest,
    Reason.SYMBOL_NOT_TRADING: BadSymbol,
    Reason.PRICE_INCREMENT: InvalidPrecision,
    Reason.SIZE_INCREMENT: InvalidPrecision,
    Reason.FUNDS_INCREMENT: InvalidPrecision,
    Reason.SIZE_BELOW_MIN: BelowMinimumSize,
    Reason.SIZE_ABOVE_MAX: AboveMaximumSize,
    Reason.FUNDS_BELOW_MIN: BelowMinimumFunds,
    Reason.FUNDS_ABOVE_MAX: AboveMaximumSize,
    Reason.BALANCE_INSUFFICIENT: InsufficientFunds,
    Reason.INVALID_CLIENT_ID: InvalidClientOrderId,
    Reason.DUPLICATE_CLIENT_ID: DuplicateClientOrderId,
    Reason.TOO_MANY_ORDERS_SYMBOL: TooManyOpenOrders,
    Reason.TOO_MANY_ORDERS_ACCOUNT: TooManyOpenOrders,
    Reason.POST_ONLY_WOULD_TAKE: PostOnlyWouldTake,
    Reason.PRICE_OUT_OF_BAND: PriceOutOfBand,
    Reason.PRICE_ABOVE_MAX: InvalidOrder,
    Reason.ICEBERG_PARTS: BadRequest,
    Reason.TOO_MANY_STOP_ORDERS: TooManyOpenOrders,
    Reason.ORDER_REJECTED: InvalidOrder,
    Reason.ORDER_NOT_FOUND: OrderNotFound,
    Reason.ORDER_NOT_CANCELLABLE: OrderNotFound,
    Reason.STOP_ORDER_NOT_FOUND: OrderNotFound,
    Reason.STOP_ORDER_NOT_CANCELLABLE: OrderNotFound,
    Reason.TOO_MANY_ORDER_LISTS: TooManyOpenOrders,
    Reason.ORDER_LIST_NOT_FOUND: OrderNotFound,
}

_MESSAGES: dict[Reason, str] = {
    Reason.BALANCE_INSUFFICIENT: "balance insufficient",
    Reason.DUPLICATE_CLIENT_ID: "an active order has this client order id",
    Reason.POST_ONLY_WOULD_TAKE: "a post-only order would take liquidity",
    Reason.ORDER_NOT_FOUND: "order not found",
    Reason.ORDER_NOT_CANCELLABLE: "order not found, or it can no longer be cancelled",
    Reason.STOP_ORDER_NOT_FOUND: "stop order not found",
    Reason.STOP_ORDER_NOT_CANCELLABLE: "stop order not found, or already triggered",
    Reason.ORDER_LIST_NOT_FOUND: "order list not found",
}


class Refusals:
    """Builds the venue's errors; ``venue`` is the name written into them."""

    __slots__ = ("venue",)

    def __init__(self, venue: str) -> None:
        self.venue = venue

    def __call__(self, reason: Reason, message: str = "", **details: object) -> ExchangeError:
        """The error for ``reason``: raise what this returns."""
        cls = _TYPES[reason]
        err = cls(message or _MESSAGES.get(reason, reason.replace("_", " ")), venue=self.venue)
        err.reason = reason
        if details:
            err.details = MappingProxyType(details)
        return err

    def bad(self, message: str) -> ExchangeError:
        """A malformed or missing value."""
        return self(Reason.BAD_PARAM, message)

    def tagged(self, err: ExchangeError, reason: Reason, **details: object) -> ExchangeError:
        """``err`` (built with its own fields: a precision or limit error) with ``reason``."""
        err.reason = reason
        if details:
            err.details = MappingProxyType(details)
        return err


def precision_reason(err: ExchangeError) -> Reason | None:
    """The reason behind a refusal by :mod:`exchanges.precision`'s checks, which carry
    none (so that a dialect words it as the venue's own checks would be worded)."""
    field = getattr(err, "field", "")
    if isinstance(err, InvalidPrecision):
        if field in ("price", "stop_price"):
            return Reason.PRICE_INCREMENT
        return Reason.FUNDS_INCREMENT if field == "funds" else Reason.SIZE_INCREMENT
    if isinstance(err, BelowMinimumSize):
        return Reason.SIZE_BELOW_MIN
    if isinstance(err, BelowMinimumFunds):
        return Reason.FUNDS_BELOW_MIN
    if isinstance(err, AboveMaximumSize):
        return Reason.FUNDS_ABOVE_MAX if field == "funds" else Reason.SIZE_ABOVE_MAX
    return None
