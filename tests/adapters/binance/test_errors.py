"""Binance's answers as ``exchanges`` errors: codes, engine messages, filter failures, HTTP."""

from __future__ import annotations

import pytest

from adapters.binance import class_for, error_from_response
from exchanges import (
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
    OrderNotFound,
    PermissionDenied,
    PostOnlyWouldTake,
    PriceOutOfBand,
    RateLimitExceeded,
    RequestTimeout,
    TooManyOpenOrders,
)


@pytest.mark.parametrize(
    ("code", "message", "status", "expected"),
    [
        ("-2010", "Duplicate order sent.", 400, DuplicateClientOrderId),
        ("-2010", "Account has insufficient balance for requested action.", 400, InsufficientFunds),
        ("-2010", "Order would immediately match and take.", 400, PostOnlyWouldTake),
        ("-2010", "Order would trigger immediately.", 400, InvalidOrder),
        ("-2011", "Unknown order sent.", 400, OrderNotFound),
        ("-2013", "Order does not exist.", 400, OrderNotFound),
        ("-1013", "Filter failure: PRICE_FILTER", 400, InvalidPrecision),
        ("-1013", "Filter failure: NOTIONAL", 400, BelowMinimumFunds),
        ("-1013", "Filter failure: PERCENT_PRICE_BY_SIDE", 400, PriceOutOfBand),
        ("-1013", "Filter failure: MAX_NUM_ORDERS", 400, TooManyOpenOrders),
        ("-2010", "Filter failure: MAX_POSITION", 400, InvalidOrder),
        ("-1021", "Timestamp for this request is outside of the recvWindow.", 400, InvalidTimestamp),
        ("-1022", "Signature for this request is not valid.", 400, InvalidSignature),
        ("-2014", "API-key format invalid.", 401, InvalidApiKey),
        ("-2015", "Invalid API-key, IP, or permissions for action.", 401, AuthenticationError),
        ("-1121", "Invalid symbol.", 400, BadSymbol),
        ("-1118", "New client order ID was empty.", 400, InvalidClientOrderId),
        ("-1003", "Too much request weight used; current limit is 6000 request weight per 1 MINUTE.", 429,
         RateLimitExceeded),
        ("-1015", "Too many new orders; current limit is 50 orders per 10 SECOND.", 429, RateLimitExceeded),
        ("-1007", "Timeout waiting for response from backend server.", 500, RequestTimeout),
        ("-1006", "An unexpected response was received from the message bus. Execution status unknown.", 503,
         ExchangeUnavailable),
        (None, "", 502, ExchangeUnavailable),
        (None, "", 403, PermissionDenied),
        (None, "", 418, RateLimitExceeded),
        ("-9999", "something new", 400, BadRequest),  # (a 4xx: the request was wrong)
        ("-9999", "something new", None, ExchangeError),
    ],
)  # fmt: skip
def test_class_for(code: str | None, message: str, status: int | None, expected: type[ExchangeError]) -> None:
    assert class_for(code, message, status) is expected


def test_a_5xx_is_an_unknown_outcome_whatever_its_body_says() -> None:
    error = error_from_response("-2010", "Duplicate order sent.", 503)
    assert isinstance(error, NetworkError) and error.retryable  # (a placement is reconciled on it)
    assert (error.code, error.http_status, error.venue) == ("-2010", 503, "binance")


def test_rate_limit_errors_carry_retry_after() -> None:
    error = error_from_response("-1003", "Too much request weight used", 429, retry_after=7.0)
    assert isinstance(error, RateLimitExceeded) and error.retry_after == 7.0
    assert "retry after 7 s" in str(error)
