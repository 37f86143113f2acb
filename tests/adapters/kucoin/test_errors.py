"""Error mapping: every code in NOTES section 5 and CCXT's map, messages, HTTP statuses."""

from __future__ import annotations

import json
import re

import pytest

import exchanges
from adapters.kucoin.errors import CODE_ERRORS, EXACT_MESSAGES, class_for, error_from_response
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
    PriceOutOfBand,
    RateLimitExceeded,
    RequestTimeout,
    TooManyOpenOrders,
)

from .conftest import SPEC_DIR

# NOTES section 5, code by code (HTTP 200 unless the notes observed otherwise).
NOTES_CODES: list[tuple[str, type[ExchangeError], int]] = [
    ("400001", AuthenticationError, 400),
    ("400002", InvalidTimestamp, 401),
    ("400003", InvalidApiKey, 401),
    ("400004", InvalidPassphrase, 401),
    ("400005", InvalidSignature, 401),
    ("400006", IpNotAllowed, 403),
    ("400007", PermissionDenied, 403),
    ("400008", AuthenticationError, 200),
    ("400009", AuthenticationError, 200),
    ("400010", PermissionDenied, 200),
    ("400100", BadRequest, 200),
    ("400200", InvalidOrder, 200),
    ("400201", AuthenticationError, 200),
    ("400202", IpNotAllowed, 200),
    ("400350", InvalidOrder, 200),
    ("400370", PriceOutOfBand, 200),
    ("400400", BadRequest, 200),
    ("400500", PermissionDenied, 200),
    ("400600", BadSymbol, 200),
    ("400700", PermissionDenied, 200),
    ("400760", PriceOutOfBand, 200),
    ("400800", InvalidOrder, 200),
    ("401000", NotSupported, 200),
    ("404000", NotSupported, 404),
    ("411100", AccountSuspended, 200),
    ("415000", BadRequest, 415),
    ("429000", RateLimitExceeded, 429),
    ("500000", ExchangeUnavailable, 500),
    ("503000", ExchangeUnavailable, 503),
    ("200001", InvalidOrder, 200),
    ("200002", RateLimitExceeded, 200),
    ("200003", TooManyOpenOrders, 200),
    ("200004", InsufficientFunds, 200),
    ("200009", PermissionDenied, 200),
    ("230003", InsufficientFunds, 200),
    ("260100", InsufficientFunds, 200),
    ("260210", NotSupported, 200),
    ("300000", InvalidOrder, 200),
    ("600100", InsufficientFunds, 200),
    ("600101", InvalidOrder, 200),
    ("600203", InvalidOrder, 200),
    ("900001", BadSymbol, 200),
    ("1015", RateLimitExceeded, 429),
]


@pytest.mark.parametrize(("code", "cls", "status"), NOTES_CODES)
def test_notes_codes(code: str, cls: type[ExchangeError], status: int) -> None:
    for http_status in {status, 200}:
        err = error_from_response(code, "some text", http_status)
        assert type(err) is cls, (code, http_status)
        assert err.code == code
        assert err.message == "some text"
        assert err.venue == "kucoin"
        assert err.http_status == http_status


def test_every_code_in_the_notes_table_is_mapped() -> None:
    if not SPEC_DIR.is_dir():
        pytest.skip("../shared/kucoin-spec is absent (fresh clone)")
    text = (SPEC_DIR / "NOTES.md").read_text()
    section = text[text.index("## 5. Error codes") : text.index("## 6.")]
    codes: set[str] = set()
    for line in section.splitlines():
        cell = line.split("|")[1].strip() if line.startswith("|") else ""
        codes.update(c for c in re.findall(r"\b\d{4,6}\b", cell) if c != "200000")
    codes.discard("400301")  # "400301.." names a family (regional restrictions): see below
    missing = sorted(c for c in codes if c not in CODE_ERRORS)
    assert not missing
    assert {c for c, *_ in NOTES_CODES} <= set(CODE_ERRORS)
    # the 4003xx family is unlisted code by code: it is still a typed error, never a KeyError
    assert isinstance(error_from_response("400301", "region"), ExchangeError)


# CCXT class names -> ours. A KuCoin code may map to a subclass of CCXT's class (finer), or to one
# of the documented departures below, never to an unrelated class.
CCXT_CLASSES: dict[str, type[ExchangeError]] = {
    "ExchangeError": ExchangeError,
    "BadRequest": BadRequest,
    "BadSymbol": BadSymbol,
    "AuthenticationError": AuthenticationError,
    "PermissionDenied": PermissionDenied,
    "AccountSuspended": AccountSuspended,
    "InvalidOrder": InvalidOrder,
    "InsufficientFunds": InsufficientFunds,
    "OrderNotFound": OrderNotFound,
    "NotSupported": NotSupported,
    "RateLimitExceeded": RateLimitExceeded,
    "DDoSProtection": RateLimitExceeded,
    "ExchangeNotAvailable": ExchangeUnavailable,
    "RequestTimeout": RequestTimeout,
    "InvalidNonce": InvalidTimestamp,
    "InvalidAddress": BadRequest,
    "RestrictedLocation": PermissionDenied,
}
DEPARTURES = {
    "400008": AuthenticationError,  # CCXT NotSupported: the key's version is refused, make a new key
    "401000": NotSupported,  # CCXT BadRequest: the endpoint itself is retired
    "403": NotSupported,
}


def _ccxt_map() -> dict[str, dict[str, str]]:
    if not SPEC_DIR.is_dir():
        pytest.skip("../shared/kucoin-spec is absent (fresh clone)")
    data: dict[str, dict[str, str]] = json.loads((SPEC_DIR / "error-map-from-ccxt.json").read_text())
    return data


def test_ccxt_exact_codes_and_messages() -> None:
    exact = _ccxt_map()["exact"]
    assert len(exact) > 100
    for key, ccxt_name in exact.items():
        expected = CCXT_CLASSES[ccxt_name]
        if key.isdigit():
            got = class_for(key, "", 200)
            assert key in CODE_ERRORS, key
            assert issubclass(got, expected) or DEPARTURES.get(key) is got, (key, got, ccxt_name)
        else:  # a message: it refines the generic parameter-error code
            got = class_for("400100", key, 200)
            assert issubclass(got, expected), (key, got, ccxt_name)
            assert EXACT_MESSAGES.get(key) is not None or got is not BadRequest, key


def test_ccxt_broad_messages() -> None:
    for needle, ccxt_name in _ccxt_map()["broad"].items():
        got = class_for("400100", f"xx {needle} yy", 200)
        assert issubclass(got, CCXT_CLASSES[ccxt_name]), (needle, got)


@pytest.mark.parametrize(
    ("message", "cls"),
    [
        ("order_not_exist_or_not_allow_to_cancel", OrderNotFound),
        ("Order not exist or not allow to be cancelled", OrderNotFound),
        ("order not exist.", OrderNotFound),
        ("The order does not exist.", OrderNotFound),
        ("order_not_exist", OrderNotFound),
        ("validation.createOrder.clientOidDuplicated", DuplicateClientOrderId),
        ("Order size below the minimum requirement.", BelowMinimumSize),
        ("Order size increment invalid.", InvalidPrecision),
        ("Price increment invalid.", InvalidPrecision),
        ("The amount increment is invalid.", InvalidPrecision),
        ("The order funds should more then 0.1 USDT.", BelowMinimumFunds),
        ("account.available.amount", InsufficientFunds),
        ("Balance insufficient!", InsufficientFunds),
        ("validation.createOrder.symbolNotAvailable", BadSymbol),
        ("parameter 'size' is wrong", BadRequest),
    ],
)
def test_400100_messages_refine(message: str, cls: type[ExchangeError]) -> None:
    err = error_from_response("400100", message, 200)
    assert type(err) is cls
    assert (err.code, err.message) == ("400100", message)


def test_a_message_never_overrides_a_specific_code() -> None:
    assert class_for("400003", "API key does not exist", 401) is InvalidApiKey
    assert class_for("200004", "Balance insufficient!", 200) is InsufficientFunds
    assert class_for("429000", "order not exist", 429) is RateLimitExceeded


def test_http_status_when_the_body_has_no_code() -> None:
    assert type(error_from_response(None, "", 502)) is ExchangeUnavailable
    assert type(error_from_response(None, "", 503)) is ExchangeUnavailable
    assert type(error_from_response(None, "", 504)) is RequestTimeout
    assert type(error_from_response(None, "", 429)) is RateLimitExceeded
    assert type(error_from_response(None, "", 401)) is AuthenticationError
    assert type(error_from_response(None, "", 403)) is PermissionDenied
    assert type(error_from_response(None, "", 418)) is RateLimitExceeded
    assert error_from_response(None, "", 502).message == "HTTP 502"


def test_unknown_codes_are_a_plain_exchange_error() -> None:
    err = error_from_response("987654", "something new", 200)
    assert type(err) is ExchangeError
    assert (err.code, err.message) == ("987654", "something new")
    # an unknown code with a 5xx status is still the venue being unavailable
    assert type(error_from_response("987654", "boom", 500)) is ExchangeUnavailable
    assert type(error_from_response("abc", "", None)) is ExchangeError


def test_rate_limit_errors_carry_retry_after() -> None:
    err = error_from_response("429000", "Too Many Requests", 429, retry_after=1.5)
    assert isinstance(err, RateLimitExceeded)
    assert err.retry_after == 1.5
    legacy = error_from_response("200002", "Too many requests", 200)
    assert isinstance(legacy, RateLimitExceeded)
    assert legacy.retry_after == 10.0


def test_every_class_is_from_the_core_hierarchy() -> None:
    for cls in CODE_ERRORS.values():
        assert cls is getattr(exchanges, cls.__name__)
