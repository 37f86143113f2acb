"""The ``exchanges.Streaming`` half of ``BinanceExchange``: Binance's market streams and the
user data of its WebSocket API as async generators.

Each stream joins the feed of its Binance stream (made and subscribed by the first stream
that needs it, dropped and unsubscribed with the last), waits for it to be ready
(subscribed; a book, its first snapshot; user data, its REST seed), then yields what its
own mailbox holds. Leaving the ``async for`` closes the generator, which leaves the feed.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections import OrderedDict
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping
from typing import Any, TypeVar, cast

from adapters.common.joining import FeedLike, joined, stop_all
from exchanges import (
    AuthenticationError,
    Backlog,
    Balance,
    Candle,
    ExchangeError,
    Fill,
    Interval,
    Latest,
    Order,
    OrderBook,
    StreamGap,
    StreamKind,
    Ticker,
    Trade,
    check_depth,
    parse_interval,
)

from .client import BinanceClient
from .errors import BAD_PARAMS, VENUE
from .options import BinanceOptions
from .routes import DEPTH
from .ws_market import BookFeed, BookThunk, MarketHub, candle_feed, ticker_feed, trade_feed
from .ws_user import BalanceFeed, OrderFeed, PrivateRest, UserStream

__all__ = ["STREAMS", "StreamingData"]

#: Every stream of the protocol: Binance has a stream for each.
STREAMS = frozenset(StreamKind)


F = TypeVar("F", bound=FeedLike)


class StreamingData:
    """Binance's streams; connections and feeds are made on first use and closed with the
    exchange."""

    _client: BinanceClient
    _recent: OrderedDict[str, Order]
    options: BinanceOptions

    async def native(self, symbol: str) -> str:
        raise NotImplementedError  # (MarketData's)

    async def load_markets(self, reload: bool = False) -> Mapping[str, Any]:
        raise NotImplementedError  # (MarketData's)

    def _init_streams(self) -> None:
        self._hub = MarketHub(self.options, self._client.clock)
        self._feeds: dict[str, FeedLike] = {}
        self._user: UserStream | None = None

    @property
    def ws(self) -> MarketHub:
        """The market-stream connections and their streams (for inspection)."""
        return self._hub

    async def _close_streams(self) -> None:
        stop_all(self._feeds)
        if self._user is not None:
            await self._user.close()
            self._user = None
        await self._hub.close()

    # --- joining a feed ------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _market(
        self, stream: str, make: Callable[[], F], join: Callable[[F], None], leave: Callable[[F], None]
    ) -> AsyncIterator[F]:
        async def open_feed(feed: F) -> None:
            await self._hub.subscribe(stream, feed)  # type: ignore[arg-type]
            await feed.start()

        def close_feed(feed: F) -> None:
            self._hub.unsubscribe(stream, feed)  # type: ignore[arg-type]

        async with joined(
            self._feeds, stream, make=make, open_feed=open_feed, close_feed=close_feed, join=join, leave=leave
        ) as feed:
            yield feed

    async def _stream_name(self, symbol: str, suffix: str) -> str:
        return f"{(await self.native(symbol)).lower()}@{suffix}"

    # --- market streams ------------------------------------------------------------------------

    async def watch_ticker(self, symbol: str) -> AsyncGenerator[Ticker | StreamGap, None]:
        """``<symbol>@ticker``: last trade, best bid and ask and 24 h statistics, every second."""
        stream = await self._stream_name(symbol, "ticker")
        box: Latest[Ticker] = Latest(StreamKind.TICKER, symbol, self._client.clock)
        make = functools.partial(ticker_feed, symbol)
        async with self._market(stream, make, lambda f: f.attach(box), lambda f: f.detach(box)):
            while True:
                yield await box.get()

    async def watch_trades(self, symbol: str) -> AsyncGenerator[Trade | StreamGap, None]:
        """``<symbol>@trade``; a consumer more than ``ws_trade_backlog`` trades behind loses
        the oldest and is told so by an ``OVERFLOW`` gap."""
        stream = await self._stream_name(symbol, "trade")
        clock = self._client.clock
        box: Backlog[Trade] = Backlog(StreamKind.TRADES, symbol, clock, limit=self.options.ws_trade_backlog)
        make = functools.partial(trade_feed, symbol)
        async with self._market(stream, make, lambda f: f.attach(box), lambda f: f.detach(box)):
            while True:
                yield await box.get()

    async def watch_candles(
        self, symbol: str, interval: Interval | str
    ) -> AsyncGenerator[Candle | StreamGap, None]:
        """``<symbol>@kline_<interval>``: the current candle as trades update it."""
        unit = parse_interval(interval, venue=VENUE, code=BAD_PARAMS)
        stream = await self._stream_name(symbol, f"kline_{unit.value}")
        box: Latest[Candle] = Latest(StreamKind.CANDLES, symbol, self._client.clock)
        async with self._market(
            stream, lambda: candle_feed(symbol, unit), lambda f: f.attach(box), lambda f: f.detach(box)
        ):
            while True:
                yield await box.get()

    async def watch_order_book(
        self, symbol: str, depth: int | None = 20
    ) -> AsyncGenerator[OrderBook | StreamGap, None]:
        """A local book of ``<symbol>@depth`` (every 100 ms with ``ws_fast_depth``), started
        from a REST snapshot by Binance's ``U``/``u``/``lastUpdateId`` procedure; a skipped
        update yields a ``StreamGap(SEQUENCE)`` and a new snapshot."""
        check_depth(depth, venue=VENUE, code=BAD_PARAMS)
        native = await self.native(symbol)
        stream = f"{native.lower()}@depth" + ("@100ms" if self.options.ws_fast_depth else "")
        clock = self._client.clock
        box: Latest[BookThunk] = Latest(StreamKind.ORDER_BOOK, symbol, clock)
        limit = self.options.ws_book_snapshot_limit

        async def snapshot() -> Mapping[str, Any]:
            data = await self._client.call(DEPTH, {"symbol": native, "limit": limit})
            if not isinstance(data, Mapping):
                raise ExchangeError(f"malformed order book snapshot for {native}", venue=VENUE)
            return data

        make = functools.partial(BookFeed, symbol, snapshot, clock, max_buffer=self.options.ws_book_buffer)
        async with self._market(stream, make, lambda f: f.attach_depth(box, depth), lambda f: f.detach(box)):
            while True:
                item = await box.get()
                yield item if isinstance(item, StreamGap) else item()

    # --- user data -----------------------------------------------------------------------------

    def _rest(self) -> PrivateRest:
        return self  # type: ignore[return-value]  # (BinanceExchange is one)

    async def _user_stream(self) -> UserStream:
        if self._user is None:
            credentials = self._client.credentials
            if credentials is None:
                raise AuthenticationError("user data streams need API credentials", venue=VENUE)
            await self.load_markets()
            if self._client.offset_ms is None:
                await self._client.sync_clock()
            user = UserStream(
                self.options, self._client.clock, credentials, self._client.now_ms, self._hub.session
            )
            self._user = user
            try:
                await user.start()
            except BaseException:
                self._user = None
                await user.close()
                raise
        return self._user

    @contextlib.asynccontextmanager
    async def _private(
        self, key: str, make: Callable[[], F], join: Callable[[F], None], leave: Callable[[F], None]
    ) -> AsyncIterator[F]:
        async def open_feed(feed: F) -> None:
            user = await self._user_stream()
            user.feeds.append(feed)  # type: ignore[arg-type]
            await feed.start()

        def close_feed(feed: F) -> None:
            user = self._user
            if user is None:
                return
            user.feeds = [f for f in user.feeds if f is not cast(object, feed)]
            if not user.feeds:
                self._user = None
                asyncio.get_running_loop().create_task(user.close())

        async with joined(
            self._feeds, key, make=make, open_feed=open_feed, close_feed=close_feed, join=join, leave=leave
        ) as feed:
            yield feed

    def _order_feed(self) -> OrderFeed:
        return OrderFeed(
            self._rest(), self._client.clock, placed_symbols=lambda: {o.symbol for o in self._recent.values()}
        )

    async def watch_orders(self, symbol: str | None = None) -> AsyncGenerator[Order, None]:
        """``executionReport`` events as orders, after the open orders as they stand (read by
        REST once subscribed, so that nothing falls between). ``fee`` adds up the fills'
        commission the stream has seen (when paid in one asset)."""
        if symbol is not None:
            await self.native(symbol)
        box: Backlog[Order] = Backlog(StreamKind.ORDERS, symbol or "", self._client.clock)
        async with self._private(
            "orders", self._order_feed, lambda f: f.attach_orders(box, symbol), lambda f: f.detach(box)
        ):
            while True:
                item = await box.get()
                if not isinstance(item, StreamGap):  # (private streams have none)
                    yield item

    async def watch_fills(self, symbol: str | None = None) -> AsyncGenerator[Fill, None]:
        """The ``TRADE`` reports of ``executionReport`` (a fill's id is its trade id, as in
        ``fetch_fills``); fills missed during a reconnect come from ``myTrades``."""
        if symbol is not None:
            await self.native(symbol)
        box: Backlog[Fill] = Backlog(StreamKind.FILLS, symbol or "", self._client.clock)
        async with self._private(
            "orders", self._order_feed, lambda f: f.attach_fills(box, symbol), lambda f: f.detach(box)
        ):
            while True:
                item = await box.get()
                if not isinstance(item, StreamGap):
                    yield item

    async def watch_balances(self) -> AsyncGenerator[Balance, None]:
        """Every balance as it stands first (``fetch_balances``), then each asset as
        ``outboundAccountPosition`` reports it."""
        box: Latest[Balance] = Latest(StreamKind.BALANCES, "", self._client.clock)
        async with self._private(
            "balances",
            lambda: BalanceFeed(self._rest(), self._client.clock),
            lambda f: f.attach(box),
            lambda f: f.detach(box),
        ):
            while True:
                item = await box.get()
                if not isinstance(item, StreamGap):
                    yield item
