"""KuCoin's spot WebSocket topics (``ws/openapi-spot-*.json`` of the spec) and the parsing
of a subscribe message's ``topic``.

One subscription may name several subjects (``/market/ticker:BTC-USDT,ETH-USDT``): each
counts as one topic against the limits and is kept, and pushed, under its own name
(``/market/ticker:BTC-USDT``). ``tests/simulator/kucoin/test_ws_topics.py`` re-derives the
table from the spec.
"""

from __future__ import annotations

import enum

import attrs

__all__ = ["NOT_PRODUCED", "TOPICS", "Subject", "TopicError", "TopicKind", "parse_topic"]


class Subject(enum.Enum):
    """What follows a topic's colon."""

    NONE = "none"  # a private topic: no colon
    SYMBOLS = "symbols"  # a comma list of symbols (up to 100), or ``all`` where allowed
    SYMBOL_TYPE = "symbol_type"  # ``{symbol}_{type}``: one candle series
    SYMBOL_OR_MARKET = "symbol_or_market"  # a symbol, or a market such as ``USDS``


@attrs.frozen
class TopicKind:
    prefix: str  # up to and with the colon (``/market/ticker:``), or the whole private topic
    subject: str  # the frames' ``subject``
    private: bool
    subjects: Subject
    allows_all: bool = False  # ``/market/ticker:all``


TICKER = TopicKind("/market/ticker:", "trade.ticker", False, Subject.SYMBOLS, allows_all=True)
LEVEL1 = TopicKind("/spotMarket/level1:", "level1", False, Subject.SYMBOLS)
DEPTH5 = TopicKind("/spotMarket/level2Depth5:", "level2", False, Subject.SYMBOLS)
DEPTH50 = TopicKind("/spotMarket/level2Depth50:", "level2", False, Subject.SYMBOLS)
LEVEL2 = TopicKind("/market/level2:", "trade.l2update", False, Subject.SYMBOLS)
CANDLES = TopicKind("/market/candles:", "trade.candles.update", False, Subject.SYMBOL_TYPE)
MATCH = TopicKind("/market/match:", "trade.l3match", False, Subject.SYMBOLS)
SNAPSHOT = TopicKind("/market/snapshot:", "trade.snapshot", False, Subject.SYMBOL_OR_MARKET)
ORDERS_V2 = TopicKind("/spotMarket/tradeOrdersV2", "orderChange", True, Subject.NONE)
ORDERS_V1 = TopicKind("/spotMarket/tradeOrders", "orderChange", True, Subject.NONE)
BALANCE = TopicKind("/account/balance", "account.balance", True, Subject.NONE)
STOP_ORDERS = TopicKind("/spotMarket/advancedOrders", "stopOrder", True, Subject.NONE)

#: Every spot topic the simulator serves, by prefix.
TOPICS: dict[str, TopicKind] = {
    kind.prefix: kind
    for kind in (
        TICKER,
        LEVEL1,
        DEPTH5,
        DEPTH50,
        LEVEL2,
        CANDLES,
        MATCH,
        SNAPSHOT,
        ORDERS_V2,
        ORDERS_V1,
        BALANCE,
        STOP_ORDERS,
    )
}

#: Spot topics of the spec the venue has nothing for (it holds no call auctions); subscribing
#: answers KuCoin's 404.
NOT_PRODUCED = frozenset({"/callauction/level2Depth50:", "/callauction/callauctionData:"})


class TopicError(Exception):
    """A subscription KuCoin refuses: its WebSocket error ``code`` and text."""

    def __init__(self, code: int, text: str) -> None:
        super().__init__(text)
        self.code = code
        self.text = text


def parse_topic(topic: object, *, max_subjects: int) -> tuple[TopicKind, list[str]]:
    """The kind of ``topic`` and its subjects (each a topic of its own: ``prefix + subject``;
    a private topic has one, empty). Subjects are checked for shape here, for existence by
    the caller. Raises :class:`TopicError` with KuCoin's code."""
    if not isinstance(topic, str) or not topic:
        raise TopicError(406, "topic is required")
    prefix, colon, rest = topic.partition(":")
    kind = TOPICS.get(prefix + colon)
    if kind is None:
        raise TopicError(404, f"topic {topic} is not found")
    if kind.subjects is Subject.NONE:
        return kind, [""]
    subjects = rest.split(",")
    if any(not s or s != s.strip() for s in subjects):
        raise TopicError(400, f"topic {topic} is invalid")
    if len(set(subjects)) != len(subjects):
        raise TopicError(400, f"topic {topic} names a subject twice")
    if len(subjects) > max_subjects:
        raise TopicError(509, "topics exceed max limit in one request")
    if kind.subjects is not Subject.SYMBOLS and len(subjects) > 1:
        raise TopicError(400, f"topic {topic} is invalid")
    return kind, subjects
