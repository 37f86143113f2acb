"""One error hierarchy for every venue.

Bots catch by meaning (``InsufficientFunds``, ``OrderNotFound``), never by venue code; the
venue's own code and message ride along for logs and support tickets. Two branches matter
to a retry loop: ``NetworkError`` (the request may or may not have acted; safe to retry
with an idempotency key) and everything else (the venue answered and said no).

No error ever holds a secret: adapters pass codes and messages, never headers.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType

__all__ = [
    "AboveMaximumSize",
    "AccountSuspended",
    "AuthenticationError",
    "BadRequest",
    "BadSymbol",
    "BelowMinimumFunds",
    "BelowMinimumSize",
    "DuplicateClientOrderId",
    "ExchangeError",
    "ExchangeUnavailable",
    "InsufficientFunds",
    "InvalidApiKey",
    "InvalidClientOrderId",
    "InvalidOrder",
    "InvalidPassphrase",
    "InvalidPrecision",
    "InvalidSignature",
    "InvalidTimestamp",
    "IpNotAllowed",
    "NetworkError",
    "NotSupported",
    "OrderNotFound",
    "OrderOutcomeUnknown",
    "PermissionDenied",
    "PostOnlyWouldTake",
    "PriceOutOfBand",
    "RateLimitExceeded",
    "RequestNotSent",
    "RequestTimeout",
    "TooManyOpenOrders",
]


class ExchangeError(Exception):
    """Base of every error this project raises about a venue or an order."""

    #: True where resending the same request (with the same client order id) is safe.
    retryable: bool = False
    #: A venue-neutral name of the rule a request broke (``"balance_insufficient"``), and
    #: the values its wording needs, where the raiser knows them: the simulator's venue
    #: sets them, and each venue's dialect words the refusal in that venue's code and text.
    reason: str | None = None
    details: Mapping[str, object] = MappingProxyType({})

    def __init__(
        self,
        message: str = "",
        *,
        venue: str = "",
        code: str | None = None,
        http_status: int | None = None,
    ) -> None:
        self.message = message or self.__class__.__name__
        self.venue = venue
        self.code = code
        self.http_status = http_status
        super().__init__(self.message)

    def __str__(self) -> str:
        tag = " ".join(p for p in (self.venue, self.code) if p)
        return f"[{tag}] {self.message}" if tag else self.message

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__name__}(message={self.message!r}, venue={self.venue!r}, "
            f"code={self.code!r}, http_status={self.http_status!r})"
        )

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only fields survive pickling (multiprocessing, logging queues).
        return (self.__class__, (self.message,), self.__dict__)


# --- the venue said no ---------------------------------------------------------------------------


class AuthenticationError(ExchangeError):
    """Credentials were refused; retrying the same request will not help."""


class InvalidApiKey(AuthenticationError):
    """The API key does not exist."""


class InvalidSignature(AuthenticationError):
    """The request signature did not verify."""


class InvalidPassphrase(AuthenticationError):
    """The passphrase (plain or signed) did not match."""


class InvalidTimestamp(AuthenticationError):
    """The request timestamp was too far from the venue's clock."""


class IpNotAllowed(AuthenticationError):
    """The caller's IP is not on the key's whitelist."""


class PermissionDenied(AuthenticationError):
    """The key lacks the permission this endpoint needs."""


class AccountSuspended(AuthenticationError):
    """The account is frozen or restricted."""


class BadRequest(ExchangeError):
    """The request was malformed or a parameter was out of range."""


class BadSymbol(BadRequest):
    """The symbol is malformed or the venue does not list it."""


class NotSupported(ExchangeError):
    """The venue (or this adapter) does not offer the operation."""


class InvalidOrder(BadRequest):
    """The order breaks a venue rule; the subclass says which."""


class InvalidPrecision(InvalidOrder):
    """A price, size or funds value is not a multiple of its increment."""

    def __init__(
        self,
        message: str = "",
        *,
        field: str = "",
        value: Decimal | None = None,
        increment: Decimal | None = None,
        venue: str = "",
        code: str | None = None,
        http_status: int | None = None,
    ) -> None:
        self.field = field
        self.value = value
        self.increment = increment
        if not message and field:
            message = f"{field} {value} is not a multiple of the increment {increment}"
        super().__init__(message, venue=venue, code=code, http_status=http_status)


class _LimitBreach(InvalidOrder):
    """An order value beyond a market limit; carries the field, value and limit."""

    _relation = ""

    def __init__(
        self,
        message: str = "",
        *,
        field: str = "",
        value: Decimal | None = None,
        limit: Decimal | None = None,
        venue: str = "",
        code: str | None = None,
        http_status: int | None = None,
    ) -> None:
        self.field = field
        self.value = value
        self.limit = limit
        if not message and field:
            message = f"{field} {value} is {self._relation} {limit}"
        super().__init__(message, venue=venue, code=code, http_status=http_status)


class BelowMinimumSize(_LimitBreach):
    """Size below the market's minimum."""

    _relation = "below the minimum"


class AboveMaximumSize(_LimitBreach):
    """Size (or funds) above the market's maximum."""

    _relation = "above the maximum"


class BelowMinimumFunds(_LimitBreach):
    """Order value (price x size, or funds) below the market's minimum."""

    _relation = "below the minimum"


class PostOnlyWouldTake(InvalidOrder):
    """A post-only order would have taken liquidity and was rejected."""


class PriceOutOfBand(InvalidOrder):
    """The limit price is too far from the market (price protection)."""


class TooManyOpenOrders(InvalidOrder):
    """The venue's cap on active orders (per symbol or per account) is reached."""


class InvalidClientOrderId(InvalidOrder):
    """A client order id breaks the venue's rules (length, characters, prefix)."""


class DuplicateClientOrderId(InvalidOrder):
    """An active order already uses this client order id."""


class InsufficientFunds(ExchangeError):
    """Available balance cannot cover what the order would hold."""


class OrderNotFound(ExchangeError):
    """No such order, or it is no longer in a state that allows the operation."""


class OrderOutcomeUnknown(ExchangeError):
    """A placement whose outcome could not be established: the venue may hold the order, or
    does hold it but it could not be read back (then ``order_id`` is set).

    Not retryable: sending the order again could place it twice. Resolve it later with
    ``fetch_order(symbol, client_order_id=...)`` (or ``order_id=`` when known); a resend with
    the same client order id is refused as a duplicate only while the first order is active.
    """

    def __init__(
        self,
        message: str = "",
        *,
        symbol: str | None = None,
        client_order_id: str | None = None,
        order_id: str | None = None,
        venue: str = "",
        code: str | None = None,
        http_status: int | None = None,
    ) -> None:
        self.symbol = symbol
        self.client_order_id = client_order_id
        self.order_id = order_id
        super().__init__(message, venue=venue, code=code, http_status=http_status)

    def __repr__(self) -> str:
        return (
            f"{super().__repr__()[:-1]}, symbol={self.symbol!r}, "
            f"client_order_id={self.client_order_id!r}, order_id={self.order_id!r})"
        )


# --- the request may not have reached the venue ---------------------------------------------------


class NetworkError(ExchangeError):
    """Transport-level failure: the venue may or may not have acted."""

    retryable = True


class RequestTimeout(NetworkError):
    """No answer in time."""


class ExchangeUnavailable(NetworkError):
    """The venue is down, in maintenance, or answered 5xx."""


class RequestNotSent(ExchangeUnavailable):
    """The request never reached the venue (no connection could be made): nothing happened
    there, so sending it again is safe even without an idempotency key."""


class RateLimitExceeded(NetworkError):
    """The venue refused for rate; ``retry_after`` says how long to wait (seconds)."""

    def __init__(
        self,
        message: str = "",
        *,
        retry_after: float | None = None,
        venue: str = "",
        code: str | None = None,
        http_status: int | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(message, venue=venue, code=code, http_status=http_status)

    def __str__(self) -> str:
        text = super().__str__()
        return text if self.retry_after is None else f"{text} (retry after {self.retry_after:g} s)"

    def __repr__(self) -> str:
        return f"{super().__repr__()[:-1]}, retry_after={self.retry_after!r})"
