"""Market data: exchange information (every filter), tickers, books, trades, candles, time."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from exchanges import (
    BadSymbol,
    Candle,
    ConcatCodec,
    ExchangeError,
    Interval,
    Market,
    OrderBook,
    Ticker,
    Trade,
    check_depth,
    check_history_args,
    parse_interval,
    parse_symbol,
)

from .client import BinanceClient
from .errors import BAD_PARAMS, VENUE
from .models import SymbolInfo
from .parsing import parse_book, parse_candles, parse_market, parse_symbol_info, parse_ticker, parse_trade
from .routes import (
    AGG_TRADES,
    AVG_PRICE,
    BOOK_TICKER,
    DEPTH,
    EXCHANGE_INFO,
    HISTORICAL_TRADES,
    KLINES,
    PING,
    TICKER_24HR,
    TRADES,
)

__all__ = ["MarketData"]

log = logging.getLogger("adapters.binance")

_MAX_ROWS = 1000  # trades, klines, allOrders, myTrades per request
_MAX_DEPTH = 5000
_UNREADABLE = (ExchangeError, ArithmeticError, LookupError, TypeError, ValueError, AttributeError)


class MarketData:
    """The public half of ``BinanceExchange``."""

    _client: BinanceClient
    _markets: dict[str, Market] | None
    _infos: dict[str, SymbolInfo]
    _codec: ConcatCodec | None
    _markets_lock: asyncio.Lock

    async def server_time(self) -> int:
        return await self._client.server_time()

    async def ping(self) -> None:
        await self._client.call(PING)

    async def load_markets(self, reload: bool = False) -> Mapping[str, Market]:
        """Every spot symbol of ``exchangeInfo``, each filter parsed (:meth:`symbol_info`); the
        rate limits it publishes replace the client's defaults."""
        if self._markets is not None and not reload:
            return self._markets
        async with self._markets_lock:
            if self._markets is None or reload:
                data = await self._client.call(EXCHANGE_INFO)
                rows = data.get("symbols") if isinstance(data, Mapping) else None
                if not isinstance(rows, list) or not rows:  # (never cache an empty answer)
                    raise ExchangeError("malformed response: exchangeInfo lists no symbols", venue=VENUE)
                self._client.budgets.apply(data.get("rateLimits") or ())
                markets: dict[str, Market] = {}
                infos: dict[str, SymbolInfo] = {}
                for row in rows:
                    try:
                        unified = f"{row['baseAsset']}/{row['quoteAsset']}"
                        parse_symbol(unified)
                        info = parse_symbol_info(row, unified)
                        market = parse_market(info)
                    except _UNREADABLE as exc:
                        log.debug("skipping unreadable binance symbol %.60r: %s", row, exc)
                        continue
                    markets[unified], infos[unified] = market, info
                self._codec = ConcatCodec(VENUE, {m.id: s for s, m in markets.items()})
                self._markets, self._infos = markets, infos
        assert self._markets is not None
        return self._markets

    async def market(self, symbol: str) -> Market:
        markets = await self.load_markets()
        found = markets.get(symbol)
        if found is None:
            parse_symbol(symbol)  # a malformed symbol says so
            raise BadSymbol(f"binance lists no market {symbol!r}", venue=VENUE)
        return found

    async def symbol_info(self, symbol: str) -> SymbolInfo:
        """Everything ``exchangeInfo`` says of ``symbol``: every filter, allowed order types
        and STP modes, and its flags (OCO, cancel-replace, amend...)."""
        await self.market(symbol)
        return self._infos[symbol]

    async def native(self, symbol: str) -> str:
        """Binance's spelling of ``symbol`` (``BTC/USDT`` -> ``BTCUSDT``)."""
        return (await self.market(symbol)).id

    async def unified(self, native: str) -> str:
        """The unified spelling of one of Binance's symbols."""
        await self.load_markets()
        assert self._codec is not None
        return self._codec.from_native(native)

    async def fetch_ticker(self, symbol: str) -> Ticker:
        """24 h statistics with the best bid and ask and the last trade (``ticker/24hr``)."""
        data = await self._client.call(TICKER_24HR, {"symbol": await self.native(symbol)})
        return parse_ticker(data, symbol)

    async def fetch_tickers(self, symbols: Iterable[str] | None = None) -> dict[str, Ticker]:
        """Many tickers in one call (all of them when ``symbols`` is None: weight 80)."""
        await self.load_markets()
        assert self._codec is not None
        wanted = list(symbols) if symbols is not None else None
        params: dict[str, object] = {}
        if wanted is not None:
            if not wanted:
                return {}
            natives = [await self.native(s) for s in wanted]
            params["symbols"] = json.dumps(natives, separators=(",", ":"))
        rows = await self._client.call(TICKER_24HR, params)
        out: dict[str, Ticker] = {}
        for row in rows or ():
            try:
                symbol = self._codec.from_native(str(row["symbol"]))
            except BadSymbol:
                continue
            out[symbol] = parse_ticker(row, symbol)
        return out

    async def fetch_book_ticker(self, symbol: str) -> Ticker:
        """The best bid and ask with their sizes (``ticker/bookTicker``, weight 2)."""
        data = await self._client.call(BOOK_TICKER, {"symbol": await self.native(symbol)})
        return parse_ticker(data, symbol)

    async def fetch_average_price(self, symbol: str) -> Decimal:
        """The average price the percent-price filters measure against (``avgPrice``)."""
        data = await self._client.call(AVG_PRICE, {"symbol": await self.native(symbol)})
        return Decimal(data["price"])

    async def fetch_order_book(self, symbol: str, depth: int | None = 20) -> OrderBook:
        """``depth`` levels a side (``None``: as many as Binance gives, 5000); the book's
        ``sequence`` is its ``lastUpdateId``."""
        check_depth(depth, venue=VENUE, code=BAD_PARAMS)
        limit = _MAX_DEPTH if depth is None else min(depth, _MAX_DEPTH)
        data = await self._client.call(DEPTH, {"symbol": await self.native(symbol), "limit": limit})
        return parse_book(data, symbol, self._client.now_ms(), depth)

    async def fetch_trades(self, symbol: str, limit: int | None = None) -> list[Trade]:
        """Recent public trades, oldest first (at most 1000)."""
        check_history_args(limit=limit, venue=VENUE, code=BAD_PARAMS)
        if limit == 0:
            return []
        params = {"symbol": await self.native(symbol), "limit": min(limit or 500, _MAX_ROWS)}
        rows = await self._client.call(TRADES, params)
        trades = [parse_trade(row, symbol) for row in rows or ()]
        trades.sort(key=lambda t: (t.timestamp, int(t.id)))
        return trades if limit is None else trades[-limit:]

    async def fetch_historical_trades(
        self, symbol: str, from_id: int | None = None, limit: int | None = None
    ) -> list[Trade]:
        """Older public trades from trade id ``from_id`` on (``historicalTrades``)."""
        check_history_args(limit=limit, venue=VENUE, code=BAD_PARAMS)
        params = {
            "symbol": await self.native(symbol),
            "limit": min(limit or 500, _MAX_ROWS),
            "fromId": from_id,
        }
        rows = await self._client.call(HISTORICAL_TRADES, params)
        return [parse_trade(row, symbol) for row in rows or ()]

    async def fetch_aggregate_trades(
        self, symbol: str, *, start: int | None = None, end: int | None = None, limit: int | None = None
    ) -> list[Mapping[str, Any]]:
        """Aggregate trades (one taker order's fills at one price) as Binance gives them."""
        check_history_args(limit=limit, start=start, end=end, venue=VENUE, code=BAD_PARAMS)
        params = {
            "symbol": await self.native(symbol),
            "startTime": start,
            "endTime": end,
            "limit": min(limit or 500, _MAX_ROWS),
        }
        return list(await self._client.call(AGG_TRADES, params) or ())

    async def fetch_candles(
        self,
        symbol: str,
        interval: Interval | str,
        start: int | None = None,
        end: int | None = None,
    ) -> list[Candle]:
        """Bars starting in ``[start, end)``, oldest first; ranges over 1000 bars are paged.
        Without a range, the latest 500."""
        unit = parse_interval(interval, venue=VENUE, code=BAD_PARAMS)
        check_history_args(start=start, end=end, venue=VENUE, code=BAD_PARAMS)
        native = await self.native(symbol)
        if start is None and end is None:
            rows = await self._client.call(KLINES, {"symbol": native, "interval": unit.value})
            return parse_candles(rows or (), symbol, unit)
        stop_ms = end if end is not None else self._client.now_ms() + unit.ms
        start_ms = start if start is not None else max(stop_ms - _MAX_ROWS * unit.ms, 0)
        by_start: dict[int, Candle] = {}
        cursor = start_ms
        while cursor < stop_ms:
            params = {
                "symbol": native,
                "interval": unit.value,
                "startTime": cursor,
                "endTime": stop_ms - 1,
                "limit": _MAX_ROWS,
            }
            batch = parse_candles(await self._client.call(KLINES, params) or (), symbol, unit)
            for candle in batch:
                if start_ms <= candle.start < stop_ms:
                    by_start[candle.start] = candle
            if len(batch) < _MAX_ROWS:
                break
            cursor = batch[-1].start + 1
        return [by_start[k] for k in sorted(by_start)]
