import pickle

import pytest

from exchanges import (
    AuthenticationError,
    BadRequest,
    BadSymbol,
    BelowMinimumSize,
    DuplicateClientOrderId,
    ExchangeError,
    ExchangeUnavailable,
    InsufficientFunds,
    InvalidClientOrderId,
    InvalidOrder,
    InvalidPrecision,
    InvalidSignature,
    NetworkError,
    OrderNotFound,
    RateLimitExceeded,
    RequestTimeout,
)


def test_str_carries_venue_code_and_message() -> None:
    err = InsufficientFunds("Balance insufficient!", venue="kucoin", code="200004", http_status=200)
    assert str(err) == "[kucoin 200004] Balance insufficient!"
    assert "200004" in repr(err) and "kucoin" in repr(err)


def test_hierarchy_groups_by_meaning() -> None:
    assert issubclass(InvalidSignature, AuthenticationError)
    assert issubclass(BadSymbol, BadRequest)
    assert issubclass(InvalidPrecision, InvalidOrder)
    assert issubclass(InvalidClientOrderId, InvalidOrder)
    assert issubclass(DuplicateClientOrderId, InvalidOrder)
    for retryable in (RateLimitExceeded, RequestTimeout, ExchangeUnavailable):
        assert issubclass(retryable, NetworkError) and retryable.retryable
    for final in (InsufficientFunds, OrderNotFound, AuthenticationError, BadRequest):
        assert not final.retryable and not issubclass(final, NetworkError)
        assert issubclass(final, ExchangeError)


def test_structured_invalid_order_messages() -> None:
    from decimal import Decimal

    err = InvalidPrecision(field="price", value=Decimal("1.05"), increment=Decimal("0.1"))
    assert "price 1.05 is not a multiple of the increment 0.1" in str(err)
    low = BelowMinimumSize(field="size", value=Decimal("0.1"), limit=Decimal(1))
    assert "size 0.1 is below the minimum 1" in str(low) and low.limit == Decimal(1)


def test_rate_limit_carries_retry_after_and_pickles() -> None:
    err = RateLimitExceeded("Too Many Requests", retry_after=1.5, venue="kucoin", code="429000")
    clone = pickle.loads(pickle.dumps(err))
    assert isinstance(clone, RateLimitExceeded)
    assert clone.retry_after == 1.5 and clone.code == "429000" and clone.venue == "kucoin"


def test_default_message_is_class_name() -> None:
    with pytest.raises(OrderNotFound, match="OrderNotFound"):
        raise OrderNotFound()


def test_a_rate_limit_error_says_how_long_to_wait() -> None:
    err = RateLimitExceeded("too many requests", retry_after=1.5, venue="kucoin", code="429000")
    assert str(err) == "[kucoin 429000] too many requests (retry after 1.5 s)"
    assert repr(err).endswith("retry_after=1.5)")
    assert str(RateLimitExceeded("too many requests")) == "too many requests"
