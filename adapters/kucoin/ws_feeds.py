"""KuCoin's market-data feeds: the venue-neutral feeds of ``adapters.common`` given
KuCoin's frames (the payload under ``data``), and the feed of the depth-5/50 snapshot
topics, which KuCoin alone has.

The order-book feed keeps a :class:`LocalBook` of ``/market/level2``, calibrated from REST
snapshots (NOTES 9).
"""

from __future__ import annotations

import functools
from typing import Any

from adapters.common.market_feeds import BookFeed as _BookFeed
from adapters.common.market_feeds import BookThunk, CandleFeed, Feed, Snapshot, ValueFeed
from exchanges import Clock, Interval, Latest, OrderBook, Ticker, Trade

from .local_book import LocalBook
from .ws_parsing import book_from_depth, candle_from_ws, ticker_from_ws, trade_from_ws

__all__ = [
    "BookFeed",
    "BookFeedBase",
    "BookThunk",
    "CandleFeed",
    "DepthFeed",
    "Feed",
    "TickerFeed",
    "TradeFeed",
    "candle_feed",
    "ticker_feed",
    "trade_feed",
]

VENUE_NAME = "kucoin"
TickerFeed = ValueFeed[Ticker]
TradeFeed = ValueFeed[Trade]


def ticker_feed(symbol: str) -> TickerFeed:
    return ValueFeed(symbol, VENUE_NAME, lambda frame: ticker_from_ws(frame["data"], symbol))


def trade_feed(symbol: str) -> TradeFeed:
    return ValueFeed(symbol, VENUE_NAME, lambda frame: trade_from_ws(frame["data"], symbol))


def candle_feed(symbol: str, interval: Interval) -> CandleFeed:
    return CandleFeed(symbol, VENUE_NAME, lambda frame: candle_from_ws(frame["data"], symbol, interval))


class BookFeedBase(Feed[Latest[BookThunk]]):
    """A book feed: each stream reads the book at its own depth."""

    def attach_depth(self, box: Latest[BookThunk], depth: int | None) -> None:
        raise NotImplementedError


class DepthFeed(BookFeedBase):
    """KuCoin's depth-5/50 snapshot topics: each frame a whole top of book."""

    def __init__(self, symbol: str) -> None:
        super().__init__(symbol, VENUE_NAME)
        self.depths: dict[int, int | None] = {}

    def attach_depth(self, box: Latest[BookThunk], depth: int | None) -> None:
        self.depths[id(box)] = depth
        self.attach(box)

    def detach(self, box: Latest[BookThunk]) -> None:
        super().detach(box)
        self.depths.pop(id(box), None)

    def _message(self, message: Any) -> None:
        book = book_from_depth(message["data"], self.symbol, None)
        for box in self.boxes:
            box.put(functools.partial(_top, book, self.depths.get(id(box))))


def _top(book: OrderBook, depth: int | None) -> OrderBook:
    if depth is None or (len(book.bids) <= depth and len(book.asks) <= depth):
        return book
    return OrderBook(
        symbol=book.symbol,
        timestamp=book.timestamp,
        bids=book.bids[:depth],
        asks=book.asks[:depth],
        sequence=book.sequence,
        raw=book.raw,
    )


class BookFeed(_BookFeed, BookFeedBase):
    """The local book of ``/market/level2``, calibrated from REST snapshots (NOTES 9)."""

    book: LocalBook

    def __init__(self, symbol: str, snapshot: Snapshot, clock: Clock, *, max_buffer: int) -> None:
        book = LocalBook(symbol, max_buffer=max_buffer)
        apply = book.apply
        super().__init__(symbol, VENUE_NAME, book, snapshot, clock, apply=lambda frame: apply(frame["data"]))
