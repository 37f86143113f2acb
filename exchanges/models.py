"""Typed, frozen values that cross the ``Exchange`` protocol.

Amounts are ``Decimal`` (floats are refused where users build values by hand), times are
integer epoch milliseconds. Every model that an adapter parses keeps the venue's payload
in ``raw`` (excluded from equality and repr) for whatever the model does not carry.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from .enums import (
    STP,
    GapReason,
    Interval,
    Liquidity,
    OrderStatus,
    OrderType,
    Side,
    StopKind,
    StreamKind,
    TimeInForce,
)
from .errors import InvalidOrder

__all__ = [
    "Balance",
    "Candle",
    "Fill",
    "Market",
    "Order",
    "OrderAck",
    "OrderBook",
    "OrderBookLevel",
    "OrderRequest",
    "StreamGap",
    "Ticker",
    "Trade",
    "to_decimal",
]

ZERO = Decimal(0)
Raw = Mapping[str, Any] | list[Any] | None


#: No exchange amount has more integer digits than this (KuCoin's largest limits have about
#: 11); bounding them keeps arithmetic on increments exact.
MAX_AMOUNT_DIGITS = 18


def to_decimal(value: object) -> Decimal:
    """Exact conversion for user-supplied amounts: str, int or Decimal; floats are refused."""
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool):
        raise TypeError("a bool is not an amount")
    elif isinstance(value, int | str):
        try:
            result = Decimal(value)
        except InvalidOperation:
            raise ValueError(f"not a decimal number: {value!r}") from None
    elif isinstance(value, float):
        raise TypeError(f"float {value!r} refused: pass a str or Decimal so the amount is exact")
    else:
        raise TypeError(f"cannot use {type(value).__name__} as an amount")
    if not result.is_finite():
        raise ValueError(f"amount must be finite, got {value!r}")
    if result and result.adjusted() >= MAX_AMOUNT_DIGITS:
        raise ValueError(f"amount out of range, got {value!r} (at most {MAX_AMOUNT_DIGITS} integer digits)")
    return result


def _opt_decimal(value: object) -> Decimal | None:
    return None if value is None else to_decimal(value)


def _amount(value: object) -> Decimal:
    """What a venue or an adapter reports: a ``Decimal`` as is, an ``int`` or ``str``
    converted exactly; a float (binary noise), a bool or anything else is a ``TypeError``
    at construction, where the adapter that made it can be found."""
    if type(value) is Decimal:
        return value
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise TypeError(f"an amount must be a Decimal, int or str, got {type(value).__name__} {value!r}")
    try:
        return Decimal(value)
    except InvalidOperation:
        raise ValueError(f"not a decimal number: {value!r}") from None


def _opt_amount(value: object) -> Decimal | None:
    return None if value is None else _amount(value)


def _side(value: str) -> Side:
    """``Side(value)``, without the enum's call for a member (every request built passes
    its side, type and time in force through these three)."""
    return value if type(value) is Side else Side(value)


def _order_type(value: str) -> OrderType:
    return value if type(value) is OrderType else OrderType(value)


def _time_in_force(value: str) -> TimeInForce:
    return value if type(value) is TimeInForce else TimeInForce(value)


def _raw_field() -> Any:
    return attrs.field(default=None, eq=False, repr=False, hash=False)


@attrs.frozen(slots=True, kw_only=True)
class Market:
    """A tradable pair and its rules. ``id`` is the venue's own spelling (``BTC-USDT``)."""

    symbol: str
    base: str
    quote: str
    id: str
    price_increment: Decimal = attrs.field(converter=to_decimal)
    size_increment: Decimal = attrs.field(converter=to_decimal)
    funds_increment: Decimal = attrs.field(converter=to_decimal)
    min_size: Decimal = attrs.field(converter=to_decimal)
    max_size: Decimal | None = attrs.field(default=None, converter=_opt_decimal)
    min_funds: Decimal | None = attrs.field(default=None, converter=_opt_decimal)
    max_funds: Decimal | None = attrs.field(default=None, converter=_opt_decimal)
    enabled: bool = True
    price_limit_rate: Decimal | None = attrs.field(default=None, converter=_opt_decimal)
    maker_fee_rate: Decimal | None = attrs.field(default=None, converter=_opt_decimal)
    taker_fee_rate: Decimal | None = attrs.field(default=None, converter=_opt_decimal)
    raw: Raw = _raw_field()


@attrs.frozen(slots=True, kw_only=True)
class Ticker:
    symbol: str
    timestamp: int
    bid: Decimal | None = attrs.field(default=None, converter=_opt_amount)
    bid_size: Decimal | None = attrs.field(default=None, converter=_opt_amount)
    ask: Decimal | None = attrs.field(default=None, converter=_opt_amount)
    ask_size: Decimal | None = attrs.field(default=None, converter=_opt_amount)
    last: Decimal | None = attrs.field(default=None, converter=_opt_amount)
    last_size: Decimal | None = attrs.field(default=None, converter=_opt_amount)
    open: Decimal | None = attrs.field(default=None, converter=_opt_amount)
    high: Decimal | None = attrs.field(default=None, converter=_opt_amount)
    low: Decimal | None = attrs.field(default=None, converter=_opt_amount)
    volume: Decimal | None = attrs.field(default=None, converter=_opt_amount)  # base, last 24 h
    quote_volume: Decimal | None = attrs.field(default=None, converter=_opt_amount)
    change: Decimal | None = attrs.field(default=None, converter=_opt_amount)
    change_rate: Decimal | None = attrs.field(default=None, converter=_opt_amount)
    average_price: Decimal | None = attrs.field(default=None, converter=_opt_amount)
    raw: Raw = _raw_field()

    @property
    def mid(self) -> Decimal | None:
        if self.bid is None or self.ask is None:
            return None
        return (self.bid + self.ask) / 2


@attrs.frozen(slots=True)
class OrderBookLevel:
    price: Decimal = attrs.field(converter=_amount)
    size: Decimal = attrs.field(converter=_amount)


@attrs.frozen(slots=True, kw_only=True)
class OrderBook:
    """Aggregated by price: bids best (highest) first, asks best (lowest) first."""

    symbol: str
    timestamp: int
    bids: tuple[OrderBookLevel, ...]
    asks: tuple[OrderBookLevel, ...]
    sequence: int | None = None
    raw: Raw = _raw_field()

    @property
    def best_bid(self) -> OrderBookLevel | None:
        return self.bids[0] if self.bids else None

    @property
    def best_ask(self) -> OrderBookLevel | None:
        return self.asks[0] if self.asks else None

    @property
    def mid(self) -> Decimal | None:
        if not self.bids or not self.asks:
            return None
        return (self.bids[0].price + self.asks[0].price) / 2

    @property
    def spread(self) -> Decimal | None:
        if not self.bids or not self.asks:
            return None
        return self.asks[0].price - self.bids[0].price


@attrs.frozen(slots=True, kw_only=True)
class Trade:
    """A public trade print; ``side`` is the taker's side."""

    id: str
    symbol: str
    price: Decimal = attrs.field(converter=_amount)
    size: Decimal = attrs.field(converter=_amount)
    side: Side
    timestamp: int
    raw: Raw = _raw_field()

    @property
    def funds(self) -> Decimal:
        return self.price * self.size


@attrs.frozen(slots=True, kw_only=True)
class Candle:
    """One bar; ``start`` is the bar's opening time in ms."""

    start: int
    open: Decimal = attrs.field(converter=_amount)
    high: Decimal = attrs.field(converter=_amount)
    low: Decimal = attrs.field(converter=_amount)
    close: Decimal = attrs.field(converter=_amount)
    volume: Decimal = attrs.field(converter=_amount)
    quote_volume: Decimal = attrs.field(default=ZERO, converter=_amount)
    symbol: str = ""
    interval: Interval | None = None
    raw: Raw = _raw_field()


@attrs.frozen(slots=True, kw_only=True)
class Balance:
    """One currency's balance; venues report all three, so ``total`` is stored, not derived."""

    currency: str
    total: Decimal = attrs.field(converter=_amount)
    available: Decimal = attrs.field(converter=_amount)
    hold: Decimal = attrs.field(converter=_amount)
    raw: Raw = _raw_field()


@attrs.frozen(slots=True, kw_only=True)
class OrderRequest:
    """What a bot asks for. Checked for shape on construction; market rules are checked by
    :func:`exchanges.precision.validate_order` and by the venue.

    ``client_order_id`` is the idempotency key: adapters generate one when it is ``None``.

    A stop order is one with ``stop_price``. Its direction ``stop`` may be left out: the
    venue then derives it as KuCoin does, from its last price when the order arrives (a stop
    price at or above it is an ``entry``, triggered by a rise; one below it a ``loss``,
    triggered by a fall), whatever the side. A direction given is what the caller expects.
    """

    symbol: str
    side: Side = attrs.field(converter=_side)
    type: OrderType = attrs.field(converter=_order_type)
    size: Decimal | None = attrs.field(default=None, converter=_opt_decimal)
    price: Decimal | None = attrs.field(default=None, converter=_opt_decimal)
    funds: Decimal | None = attrs.field(default=None, converter=_opt_decimal)
    time_in_force: TimeInForce = attrs.field(default=TimeInForce.GTC, converter=_time_in_force)
    cancel_after: int | None = None  # seconds, GTT only
    post_only: bool = False
    hidden: bool = False
    iceberg: bool = False
    visible_size: Decimal | None = attrs.field(default=None, converter=_opt_decimal)
    stp: STP | None = attrs.field(default=None, converter=attrs.converters.optional(STP))
    client_order_id: str | None = None
    stop: StopKind | None = attrs.field(default=None, converter=attrs.converters.optional(StopKind))
    stop_price: Decimal | None = attrs.field(default=None, converter=_opt_decimal)
    remark: str | None = None

    def __attrs_post_init__(self) -> None:
        problem = self._shape_problem()
        if problem:
            raise InvalidOrder(problem)

    def _shape_problem(self) -> str | None:
        """The first thing wrong with the request's shape (``None``: nothing)."""
        return (
            self._amounts_problem()
            or self._type_problem()
            or self._lifetime_problem()
            or self._display_problem()
            or self._market_problem()
        )

    def _amounts_problem(self) -> str | None:
        amounts = (
            ("size", self.size),
            ("price", self.price),
            ("funds", self.funds),
            ("visible_size", self.visible_size),
            ("stop_price", self.stop_price),
        )
        for name, value in amounts:
            if value is not None and value <= 0:
                return f"{name} must be positive, got {value}"
        return None

    def _type_problem(self) -> str | None:
        if self.type is OrderType.LIMIT:
            if self.price is None or self.size is None:
                return "a limit order needs both price and size"
            if self.funds is not None:
                return "funds applies to market orders only"
        elif (self.size is None) == (self.funds is None):
            return "a market order needs exactly one of size or funds"
        elif self.price is not None:
            return "a market order takes no price"
        return None

    def _lifetime_problem(self) -> str | None:
        if self.time_in_force is TimeInForce.GTT:
            if self.cancel_after is None or self.cancel_after <= 0:
                return "GTT needs cancel_after, a positive number of seconds"
        elif self.cancel_after is not None:
            return "cancel_after applies to GTT orders only"
        return None

    def _display_problem(self) -> str | None:
        if self.iceberg and self.visible_size is None:
            return "an iceberg order needs visible_size"
        if self.visible_size is not None and not self.iceberg:
            return "visible_size applies to iceberg orders only"
        if self.iceberg and self.size is not None and self.visible_size is not None:
            if self.visible_size > self.size:
                return "visible_size cannot exceed size"
        if self.stop is not None and self.stop_price is None:
            return "stop applies to stop orders only: give stop_price (the direction may be left out)"
        return None

    def _market_problem(self) -> str | None:
        if self.type is not OrderType.MARKET:
            return None
        if self.post_only or self.hidden or self.iceberg:
            return "post_only, hidden and iceberg apply to limit orders only"
        if self.stp is STP.DC:
            return "STP DC is not available for market orders"
        return None

    @property
    def is_stop(self) -> bool:
        return self.stop_price is not None

    @classmethod
    def limit(cls, symbol: str, side: Side | str, size: object, price: object, **kwargs: Any) -> OrderRequest:
        if cls is OrderRequest and not kwargs:  # (no option: see _plain_limit)
            return _plain_limit(symbol, _side(side), to_decimal(size), to_decimal(price))
        return cls(
            symbol=symbol,
            side=_side(side),
            type=OrderType.LIMIT,
            size=to_decimal(size),
            price=to_decimal(price),
            **kwargs,
        )

    @classmethod
    def market(
        cls,
        symbol: str,
        side: Side | str,
        *,
        size: object = None,
        funds: object = None,
        **kwargs: Any,
    ) -> OrderRequest:
        return cls(
            symbol=symbol,
            side=_side(side),
            type=OrderType.MARKET,
            size=_opt_decimal(size),
            funds=_opt_decimal(funds),
            **kwargs,
        )


#: ``OrderRequest``'s layout with ``object``'s own ``__setattr__``: an instance filled as
#: one of these, then given ``OrderRequest`` as its class, is an ordinary request
_WritableRequest = type(
    "_WritableRequest",
    (OrderRequest,),
    {"__slots__": (), "__setattr__": object.__setattr__, "__delattr__": object.__delattr__},
)


def _plain_limit(symbol: str, side: Side, size: Decimal, price: Decimal) -> OrderRequest:
    """``OrderRequest(symbol=..., side=..., type=LIMIT, size=..., price=...)`` with every
    option at its default, its amounts already converted: each field a plain slot store
    instead of the frozen ``__init__``'s ``object.__setattr__`` and converter per field
    (about half of what building a strategy's request cost), then the same shape check."""
    request: Any = object.__new__(_WritableRequest)
    request.symbol = symbol
    request.side = side
    request.type = OrderType.LIMIT
    request.size = size
    request.price = price
    request.funds = None
    request.time_in_force = TimeInForce.GTC
    request.cancel_after = None
    request.post_only = False
    request.hidden = False
    request.iceberg = False
    request.visible_size = None
    request.stp = None
    request.client_order_id = None
    request.stop = None
    request.stop_price = None
    request.remark = None
    request.__class__ = OrderRequest
    request.__attrs_post_init__()
    assert isinstance(request, OrderRequest)
    return request


@attrs.frozen(slots=True, kw_only=True)
class Order:
    """An order as the venue knows it. ``funds`` is the quote amount asked for (market by
    funds) or ``price x size`` for limits; ``filled_funds`` is what the fills cost."""

    id: str
    symbol: str
    side: Side
    type: OrderType
    status: OrderStatus
    client_order_id: str | None = None
    price: Decimal | None = attrs.field(default=None, converter=_opt_amount)
    size: Decimal | None = attrs.field(default=None, converter=_opt_amount)
    funds: Decimal | None = attrs.field(default=None, converter=_opt_amount)
    filled_size: Decimal = attrs.field(default=ZERO, converter=_amount)
    filled_funds: Decimal = attrs.field(default=ZERO, converter=_amount)
    fee: Decimal = attrs.field(default=ZERO, converter=_amount)
    fee_currency: str | None = None
    time_in_force: TimeInForce = TimeInForce.GTC
    post_only: bool = False
    hidden: bool = False
    iceberg: bool = False
    visible_size: Decimal | None = attrs.field(default=None, converter=_opt_amount)
    stp: STP | None = None
    cancel_after: int | None = None
    stop: StopKind | None = None
    stop_price: Decimal | None = attrs.field(default=None, converter=_opt_amount)
    remark: str | None = None
    created_at: int = 0
    updated_at: int = 0
    raw: Raw = _raw_field()

    @property
    def is_open(self) -> bool:
        return self.status.is_open

    @property
    def remaining_size(self) -> Decimal | None:
        """Base amount still to fill while open; ``None`` for market-by-funds orders."""
        if self.size is None:
            return None
        if not self.status.is_open:
            return ZERO
        return self.size - self.filled_size

    @property
    def average_price(self) -> Decimal | None:
        if not self.filled_size:
            return None
        return self.filled_funds / self.filled_size


@attrs.frozen(slots=True, kw_only=True)
class OrderAck:
    """A request the venue accepted whose outcome the answer does not carry: KuCoin's order
    modification, for one, answers only with the new order's id."""

    order_id: str | None
    client_order_id: str | None = None
    raw: Raw = _raw_field()


@attrs.frozen(slots=True, kw_only=True)
class Fill:
    """One execution of one of our orders. ``funds`` = price x size in quote."""

    id: str
    order_id: str
    trade_id: str
    symbol: str
    side: Side
    price: Decimal = attrs.field(converter=_amount)
    size: Decimal = attrs.field(converter=_amount)
    funds: Decimal = attrs.field(converter=_amount)
    fee: Decimal = attrs.field(converter=_amount)
    fee_currency: str
    liquidity: Liquidity
    timestamp: int
    fee_rate: Decimal | None = attrs.field(default=None, converter=_opt_amount)
    counter_order_id: str | None = None
    client_order_id: str | None = None
    raw: Raw = _raw_field()


@attrs.frozen(slots=True, kw_only=True)
class StreamGap:
    """A market stream's admission that events may be missing before the next one it yields.

    A book or ticker stream's next value is whole again (the book was rebuilt), so a
    consumer that keeps only the latest state may ignore it; one that counts trades or
    builds candles from them should re-read what it needs (``fetch_trades``,
    ``fetch_candles``). ``timestamp`` is the local time it was noticed; ``dropped`` counts
    the events a slow consumer lost (``OVERFLOW``), 0 where unknown.
    """

    kind: StreamKind
    symbol: str
    reason: GapReason
    timestamp: int
    dropped: int = 0
