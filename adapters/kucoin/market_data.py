"""Market data: symbols, tickers, books, trades, candles, currencies, server time and status."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping

from exchanges import (
    BadRequest,
    BadSymbol,
    Candle,
    ExchangeError,
    Interval,
    Market,
    OrderBook,
    Ticker,
    Trade,
    check_depth,
    check_history_args,
    parse_interval,
)

from .client import KucoinClient
from .errors import BAD_PARAMS, VENUE
from .models import Currency, ServiceStatus
from .parsing import (
    from_native,
    parse_candles,
    parse_currency,
    parse_market,
    parse_order_book,
    parse_ticker,
    parse_trade,
    to_native,
)
from .routes import (
    ALL_TICKERS,
    CANDLES,
    CURRENCIES,
    CURRENCY,
    FULL_BOOK,
    HISTORIES,
    LEVEL1,
    PART_BOOK,
    STATS,
    STATUS,
    SYMBOL,
    SYMBOLS,
)

__all__ = ["KLINE_TYPES", "MarketData"]

log = logging.getLogger("adapters.kucoin")

KLINE_TYPES = {
    Interval.M1: "1min",
    Interval.M3: "3min",
    Interval.M5: "5min",
    Interval.M15: "15min",
    Interval.M30: "30min",
    Interval.H1: "1hour",
    Interval.H2: "2hour",
    Interval.H4: "4hour",
    Interval.H6: "6hour",
    Interval.H8: "8hour",
    Interval.H12: "12hour",
    Interval.D1: "1day",
    Interval.W1: "1week",
    Interval.MON1: "1month",
}
_KLINE_ROWS = 1500


_UNREADABLE = (ExchangeError, ArithmeticError, LookupError, TypeError, ValueError, AttributeError)

class MarketData:
    """The public half of ``KucoinExchange`` (the full order book excepted, which is signed)."""

    _client: KucoinClient
    _markets: dict[str, Market] | None
    _markets_lock: asyncio.Lock

    async def server_time(self) -> int:
        return await self._client.server_time()

    async def service_status(self) -> ServiceStatus:
        data = await self._client.call(STATUS, STATUS.path)
        return ServiceStatus(
            status=str(data.get("status") or ""), message=str(data.get("msg") or ""), raw=data
        )

    async def load_markets(self, reload: bool = False) -> Mapping[str, Market]:
        if self._markets is not None and not reload:
            return self._markets
        async with self._markets_lock:
            if self._markets is None or reload:
                rows = await self._client.call(SYMBOLS, SYMBOLS.path)
                if not isinstance(rows, list) or not rows:  # (never cache an empty answer)
                    raise ExchangeError(
                        f"malformed response: the symbol list is {type(rows).__name__} {rows!r:.40}",
                        venue=VENUE,
                    )
                markets: dict[str, Market] = {}
                for row in rows:
                    try:
                        market = parse_market(row)
                    except _UNREADABLE as exc:
                        log.debug("skipping unreadable kucoin symbol %.60r: %s", row, exc)
                        continue
                    markets[market.symbol] = market
                self._markets = markets
        assert self._markets is not None
        return self._markets

    async def market(self, symbol: str) -> Market:
        markets = await self.load_markets()
        found = markets.get(symbol)
        if found is None:
            to_native(symbol)  # a malformed symbol says so
            raise BadSymbol(f"kucoin lists no market {symbol!r}", venue=VENUE)
        return found

    async def fetch_market(self, symbol: str) -> Market:
        """One market, fresh from ``/api/v2/symbols/{symbol}`` (also refreshes the cache)."""
        data = await self._client.call(SYMBOL, f"/api/v2/symbols/{to_native(symbol)}")
        if not data:
            raise BadSymbol(f"kucoin lists no market {symbol!r}", venue=VENUE)
        market = parse_market(data)
        if self._markets is not None:
            self._markets[market.symbol] = market
        return market

    async def fetch_ticker(self, symbol: str) -> Ticker:
        """24 h statistics with best bid/ask and last (``/api/v1/market/stats``)."""
        data = await self._client.call(STATS, STATS.path, query={"symbol": to_native(symbol)})
        return parse_ticker(data, symbol)

    async def fetch_level1(self, symbol: str) -> Ticker:
        """Best bid/ask with sizes and the last trade (``orderbook/level1``, cheaper than stats)."""
        data = await self._client.call(LEVEL1, LEVEL1.path, query={"symbol": to_native(symbol)})
        return parse_ticker(data, symbol)

    async def fetch_tickers(self, symbols: Iterable[str] | None = None) -> dict[str, Ticker]:
        """Every pair's ticker in one call (KuCoin refreshes this snapshot every 2 s)."""
        data = await self._client.call(ALL_TICKERS, ALL_TICKERS.path)
        wanted = set(symbols) if symbols is not None else None
        stamp = int(data.get("time") or 0)
        out: dict[str, Ticker] = {}
        for row in data.get("ticker") or ():
            try:
                symbol = from_native(row["symbol"])
            except BadSymbol:
                continue
            if wanted is None or symbol in wanted:
                out[symbol] = parse_ticker(row, symbol, stamp)
        return out

    async def fetch_order_book(self, symbol: str, depth: int | None = 20) -> OrderBook:
        """20 or 100 levels from the public snapshots; ``depth=None`` (or > 100) is the full
        book, which KuCoin serves to signed requests only."""
        native = to_native(symbol)
        check_depth(depth, venue=VENUE, code=BAD_PARAMS)
        if depth is not None and depth <= 100:
            size = 20 if depth <= 20 else 100
            data = await self._client.call(
                PART_BOOK, f"/api/v1/market/orderbook/level2_{size}", query={"symbol": native}
            )
        else:
            data = await self._client.call(FULL_BOOK, FULL_BOOK.path, query={"symbol": native})
        return parse_order_book(data, symbol, depth)

    async def fetch_trades(self, symbol: str, limit: int | None = None) -> list[Trade]:
        """The last trades (KuCoin keeps 100), oldest first; ``limit`` keeps the newest ``limit``."""
        native = to_native(symbol)
        check_history_args(limit=limit, venue=VENUE, code=BAD_PARAMS)
        if limit == 0:
            return []
        data = await self._client.call(HISTORIES, HISTORIES.path, query={"symbol": native})
        trades = [parse_trade(row, symbol) for row in data or ()]
        trades.sort(key=lambda t: (t.timestamp, int(t.id) if t.id.isdigit() else 0))
        return trades if limit is None else trades[-limit:]

    async def fetch_candles(
        self,
        symbol: str,
        interval: Interval | str,
        start: int | None = None,
        end: int | None = None,
    ) -> list[Candle]:
        """Bars starting in ``[start, end)``, oldest first; ranges over 1500 bars are paged."""
        unit = parse_interval(interval, venue=VENUE, code=BAD_PARAMS)
        check_history_args(start=start, end=end, venue=VENUE, code=BAD_PARAMS)
        native = to_native(symbol)
        kline_type = KLINE_TYPES[unit]
        if start is None and end is None:
            rows = await self._client.call(
                CANDLES, CANDLES.path, query={"symbol": native, "type": kline_type}
            )
            return sorted(parse_candles(rows or (), symbol, unit), key=lambda c: c.start)
        stop_ms = end if end is not None else self._client.now_ms() + unit.ms
        start_ms = start if start is not None else stop_ms - _KLINE_ROWS * unit.ms
        first = start_ms // 1000
        last = -(-stop_ms // 1000)
        step = _KLINE_ROWS * unit.seconds
        by_start: dict[int, Candle] = {}
        chunk = first
        while chunk < last:
            chunk_end = min(chunk + step, last)
            rows = await self._client.call(
                CANDLES,
                CANDLES.path,
                query={"symbol": native, "type": kline_type, "startAt": chunk, "endAt": chunk_end - 1},
            )
            for candle in parse_candles(rows or (), symbol, unit):
                if start_ms <= candle.start < stop_ms:
                    by_start[candle.start] = candle
            chunk = chunk_end
        return [by_start[k] for k in sorted(by_start)]

    async def fetch_currencies(self) -> dict[str, Currency]:
        rows = await self._client.call(CURRENCIES, CURRENCIES.path)
        return {c.code: c for c in (parse_currency(row) for row in rows or ())}

    async def fetch_currency(self, code: str) -> Currency:
        data = await self._client.call(CURRENCY, f"/api/v3/currencies/{code}")
        if not data:
            raise BadRequest(f"kucoin lists no currency {code!r}", venue=VENUE)
        return parse_currency(data)
