"""The closed vocabularies of trading: sides, order types, states, time in force, STP."""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "STP",
    "GapReason",
    "Interval",
    "Liquidity",
    "OrderStatus",
    "OrderType",
    "Side",
    "StopKind",
    "StreamKind",
    "TimeInForce",
]


class Side(StrEnum):
    BUY = "buy"
    SELL = "sell"

    @property
    def opposite(self) -> Side:
        return Side.SELL if self is Side.BUY else Side.BUY


class OrderType(StrEnum):
    LIMIT = "limit"
    MARKET = "market"


class TimeInForce(StrEnum):
    GTC = "GTC"  # good till cancelled
    GTT = "GTT"  # good till time: cancelled after ``cancel_after`` seconds
    IOC = "IOC"  # immediate or cancel: never rests
    FOK = "FOK"  # fill or kill: all at once or nothing


class STP(StrEnum):
    """Self-trade prevention, applied to the incoming (taker) order, as KuCoin names it."""

    CN = "CN"  # cancel newest: the taker is cancelled
    CO = "CO"  # cancel oldest: the resting order is cancelled, the taker keeps matching
    CB = "CB"  # cancel both
    DC = "DC"  # decrease and cancel: both shrink by the smaller size; the smaller one ends


class StopKind(StrEnum):
    """Which way the last trade price must cross ``stop_price`` to trigger."""

    LOSS = "loss"  # last price <= stop price
    ENTRY = "entry"  # last price >= stop price


class Liquidity(StrEnum):
    MAKER = "maker"
    TAKER = "taker"


class OrderStatus(StrEnum):
    """An order's life; the rank orders the states so that they only move forward."""

    PENDING = "pending"  # a stop order waiting for its trigger
    NEW = "new"  # accepted, not yet resting or matched
    OPEN = "open"  # resting, nothing filled
    PARTIALLY_FILLED = "partially_filled"  # resting or matching, some filled
    FILLED = "filled"
    CANCELED = "canceled"  # ended by cancel (may have partial fills)
    EXPIRED = "expired"
    REJECTED = "rejected"

    @property
    def is_open(self) -> bool:
        return self in _OPEN

    @property
    def is_done(self) -> bool:
        return not self.is_open

    @property
    def rank(self) -> int:
        """0 pending, 1 new, 2 open, 3 partially filled, 4 terminal."""
        return _RANK[self]


_OPEN = frozenset({OrderStatus.PENDING, OrderStatus.NEW, OrderStatus.OPEN, OrderStatus.PARTIALLY_FILLED})
_RANK = {
    OrderStatus.PENDING: 0,
    OrderStatus.NEW: 1,
    OrderStatus.OPEN: 2,
    OrderStatus.PARTIALLY_FILLED: 3,
    OrderStatus.FILLED: 4,
    OrderStatus.CANCELED: 4,
    OrderStatus.EXPIRED: 4,
    OrderStatus.REJECTED: 4,
}


class Interval(StrEnum):
    """Candle intervals in CCXT's spelling; ``seconds`` gives the length (a month is 30 days)."""

    M1 = "1m"
    M3 = "3m"
    M5 = "5m"
    M15 = "15m"
    M30 = "30m"
    H1 = "1h"
    H2 = "2h"
    H4 = "4h"
    H6 = "6h"
    H8 = "8h"
    H12 = "12h"
    D1 = "1d"
    W1 = "1w"
    MON1 = "1M"

    @property
    def seconds(self) -> int:
        return _INTERVAL_SECONDS[self]

    @property
    def ms(self) -> int:
        return _INTERVAL_SECONDS[self] * 1000

    @classmethod
    def parse(cls, value: Interval | str) -> Interval:
        """Accept the unified spelling or a venue's (``1min``, ``1hour``, ``1day``, ``1week``, ``1month``)."""
        if isinstance(value, Interval):
            return value
        try:
            return cls(value)
        except ValueError:
            pass
        alias = _ALIASES.get(value)
        if alias is None:
            raise ValueError(f"unknown candle interval {value!r}; expected one of {[i.value for i in cls]}")
        return alias


_INTERVAL_SECONDS = {
    Interval.M1: 60,
    Interval.M3: 180,
    Interval.M5: 300,
    Interval.M15: 900,
    Interval.M30: 1800,
    Interval.H1: 3600,
    Interval.H2: 7200,
    Interval.H4: 14400,
    Interval.H6: 21600,
    Interval.H8: 28800,
    Interval.H12: 43200,
    Interval.D1: 86400,
    Interval.W1: 604800,
    Interval.MON1: 2592000,
}

_ALIASES = {
    "1min": Interval.M1,
    "3min": Interval.M3,
    "5min": Interval.M5,
    "15min": Interval.M15,
    "30min": Interval.M30,
    "1hour": Interval.H1,
    "2hour": Interval.H2,
    "4hour": Interval.H4,
    "6hour": Interval.H6,
    "8hour": Interval.H8,
    "12hour": Interval.H12,
    "1day": Interval.D1,
    "1week": Interval.W1,
    "1month": Interval.MON1,
}


class StreamKind(StrEnum):
    """The streams of :class:`exchanges.Streaming`; ``Capabilities.streams`` lists a venue's."""

    TICKER = "ticker"
    TRADES = "trades"
    ORDER_BOOK = "order_book"
    CANDLES = "candles"
    ORDERS = "orders"
    FILLS = "fills"
    BALANCES = "balances"

    @property
    def is_market(self) -> bool:
        """Public market data: these streams may report a gap; the caller's own never do."""
        return self in _MARKET_STREAMS


_MARKET_STREAMS = frozenset({StreamKind.TICKER, StreamKind.TRADES, StreamKind.ORDER_BOOK, StreamKind.CANDLES})


class GapReason(StrEnum):
    """Why a market stream may have missed events (see :class:`exchanges.StreamGap`)."""

    RECONNECT = "reconnect"  # the connection dropped and was made again
    SEQUENCE = "sequence"  # the venue's sequence skipped; the book was rebuilt from a snapshot
    OVERFLOW = "overflow"  # the consumer fell behind a stream that keeps events; the oldest went
