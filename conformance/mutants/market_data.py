"""Mutants of market data: each a bug an adapter's parsing of books, tickers, trades or
candles could have."""

from __future__ import annotations

import attrs

from exchanges import BadRequest, Candle, Exchange, Interval, OrderBook, Ticker, Trade

from .base import PassThrough

__all__ = [
    "BookIgnoresDepth",
    "CandlesIncludeTheEnd",
    "CandlesNewestFirst",
    "StaleTicker",
    "TickerBidAskSwapped",
    "TickerTimeInSeconds",
    "TradeLimitKeepsTheOldest",
    "TradesNewestFirst",
    "TradesWithTheMakersSide",
    "UnknownIntervalGivesNothing",
    "UnsortedBook",
]


class UnsortedBook(PassThrough):
    async def fetch_order_book(self, symbol: str, depth: int | None = 20) -> OrderBook:
        book = await super().fetch_order_book(symbol, depth)
        return attrs.evolve(book, bids=tuple(reversed(book.bids)))


class BookIgnoresDepth(PassThrough):
    async def fetch_order_book(self, symbol: str, depth: int | None = 20) -> OrderBook:
        valid = isinstance(depth, int) and not isinstance(depth, bool) and depth > 0
        return await super().fetch_order_book(symbol, None if valid else depth)


class StaleTicker(PassThrough):
    def __init__(self, inner: Exchange) -> None:
        super().__init__(inner)
        self._kept: dict[str, Ticker] = {}

    async def fetch_ticker(self, symbol: str) -> Ticker:
        if symbol not in self._kept:
            self._kept[symbol] = await super().fetch_ticker(symbol)
        return self._kept[symbol]


class TickerBidAskSwapped(PassThrough):
    async def fetch_ticker(self, symbol: str) -> Ticker:
        t = await super().fetch_ticker(symbol)
        return attrs.evolve(t, bid=t.ask, bid_size=t.ask_size, ask=t.bid, ask_size=t.bid_size)


class TickerTimeInSeconds(PassThrough):
    async def fetch_ticker(self, symbol: str) -> Ticker:
        t = await super().fetch_ticker(symbol)
        return attrs.evolve(t, timestamp=t.timestamp // 1000)


class TradesWithTheMakersSide(PassThrough):
    """Reports each public trade with its maker's side (some venues print that one)."""

    async def fetch_trades(self, symbol: str, limit: int | None = None) -> list[Trade]:
        return [attrs.evolve(t, side=t.side.opposite) for t in await super().fetch_trades(symbol, limit)]


class TradesNewestFirst(PassThrough):
    async def fetch_trades(self, symbol: str, limit: int | None = None) -> list[Trade]:
        return list(reversed(await super().fetch_trades(symbol, limit)))


class TradeLimitKeepsTheOldest(PassThrough):
    async def fetch_trades(self, symbol: str, limit: int | None = None) -> list[Trade]:
        if isinstance(limit, int) and not isinstance(limit, bool) and limit >= 0:
            return (await super().fetch_trades(symbol))[:limit]
        return await super().fetch_trades(symbol, limit)


class CandlesNewestFirst(PassThrough):
    async def fetch_candles(
        self, symbol: str, interval: Interval | str, start: int | None = None, end: int | None = None
    ) -> list[Candle]:
        return list(reversed(await super().fetch_candles(symbol, interval, start, end)))


class CandlesIncludeTheEnd(PassThrough):
    async def fetch_candles(
        self, symbol: str, interval: Interval | str, start: int | None = None, end: int | None = None
    ) -> list[Candle]:
        if isinstance(end, int) and not isinstance(end, bool) and end >= 0:
            end += 1
        return await super().fetch_candles(symbol, interval, start, end)


class UnknownIntervalGivesNothing(PassThrough):
    async def fetch_candles(
        self, symbol: str, interval: Interval | str, start: int | None = None, end: int | None = None
    ) -> list[Candle]:
        try:
            return await super().fetch_candles(symbol, interval, start, end)
        except BadRequest as err:
            if "interval" in str(err):
                return []
            raise
