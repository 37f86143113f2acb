"""The ``exchanges.Streaming`` half of ``KucoinExchange``: KuCoin's WebSocket topics as
async generators.

Each stream joins the feed of its topic (made and subscribed by the first stream that
needs it, dropped and unsubscribed with the last), waits for it to be ready (subscribed,
and for a book its first snapshot; for private feeds their REST seed), then yields what
its own mailbox holds. Leaving the ``async for`` closes the generator, which leaves the
feed.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections import OrderedDict
from collections.abc import AsyncGenerator, Callable, Mapping
from typing import Any, Protocol, TypeVar

from adapters.common.joining import FeedLike, joined, stop_all
from exchanges import (
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

from .client import KucoinClient
from .errors import BAD_PARAMS, VENUE
from .market_data import KLINE_TYPES
from .options import KucoinOptions
from .parsing import to_native
from .private_feeds import BalanceFeed, OrderFeed, PrivateRest
from .routes import BULLET_PRIVATE, BULLET_PUBLIC, FULL_BOOK, PART_BOOK
from .ws_feeds import BookFeed, BookFeedBase, BookThunk, DepthFeed, candle_feed, ticker_feed, trade_feed
from .ws_protocol import (
    BALANCE,
    CANDLES,
    DEPTH5,
    DEPTH50,
    LEVEL2,
    MATCH,
    ORDERS,
    STOP_ORDERS,
    TICKER,
    WsToken,
    parse_token,
)
from .ws_subscriptions import WsHub

__all__ = ["STREAMS", "StreamingData"]

#: Every stream of the protocol: KuCoin has a topic for each.
STREAMS = frozenset(StreamKind)
_SHALLOW = 50  # deepest book KuCoin pushes whole (level2Depth50)
_PART_BOOK_DEPTH = 100


class _Feed(FeedLike, Protocol):
    def on_message(self, frame: dict[str, Any]) -> None: ...

    def on_restart(self) -> None: ...


F = TypeVar("F", bound=_Feed)


class StreamingData:
    """KuCoin's streams; the hub and feeds are made on first use and closed with the
    exchange."""

    _client: KucoinClient
    _recent: OrderedDict[str, Order]
    options: KucoinOptions

    def _init_streams(self) -> None:
        self._hub = WsHub(self.options, self._client.clock, self._ws_token)
        self._feeds: dict[str, FeedLike] = {}

    @property
    def ws(self) -> WsHub:
        """The WebSocket connections and their topics (for inspection)."""
        return self._hub

    async def _close_streams(self) -> None:
        stop_all(self._feeds)
        await self._hub.close()

    async def _ws_token(self, private: bool) -> WsToken:
        route = BULLET_PRIVATE if private else BULLET_PUBLIC
        return parse_token(await self._client.call(route, route.path))

    # --- joining a topic's feed --------------------------------------------------------------

    def _joined(
        self,
        key: str,
        topics: tuple[str, ...],
        private: bool,
        make: Callable[[], F],
        join: Callable[[F], None],
        leave: Callable[[F], None],
    ) -> contextlib.AbstractAsyncContextManager[F]:
        async def open_feed(feed: F) -> None:
            await asyncio.gather(*(self._hub.subscribe(t, feed, private=private) for t in topics))
            await feed.start()

        def close_feed(feed: F) -> None:
            for topic in topics:
                self._hub.unsubscribe(topic, feed)

        return joined(
            self._feeds, key, make=make, open_feed=open_feed, close_feed=close_feed, join=join, leave=leave
        )

    # --- the streams ---------------------------------------------------------------------------

    async def watch_ticker(self, symbol: str) -> AsyncGenerator[Ticker | StreamGap, None]:
        """``/market/ticker``: best bid and ask and the last trade, pushed every 100 ms."""
        topic = TICKER + to_native(symbol)
        box: Latest[Ticker] = Latest(StreamKind.TICKER, symbol, self._client.clock)
        make = functools.partial(ticker_feed, symbol)
        join, leave = (lambda f: f.attach(box)), (lambda f: f.detach(box))
        async with self._joined(topic, (topic,), False, make, join, leave):
            while True:
                yield await box.get()

    async def watch_trades(self, symbol: str) -> AsyncGenerator[Trade | StreamGap, None]:
        """``/market/match``; a consumer more than ``ws_trade_backlog`` trades behind loses
        the oldest and is told so by an ``OVERFLOW`` gap."""
        topic = MATCH + to_native(symbol)
        clock = self._client.clock
        box: Backlog[Trade] = Backlog(StreamKind.TRADES, symbol, clock, limit=self.options.ws_trade_backlog)
        make = functools.partial(trade_feed, symbol)
        join, leave = (lambda f: f.attach(box)), (lambda f: f.detach(box))
        async with self._joined(topic, (topic,), False, make, join, leave):
            while True:
                yield await box.get()

    async def watch_candles(
        self, symbol: str, interval: Interval | str
    ) -> AsyncGenerator[Candle | StreamGap, None]:
        """``/market/candles``: the current candle, updated as trades come."""
        unit = parse_interval(interval, venue=VENUE, code=BAD_PARAMS)
        topic = f"{CANDLES}{to_native(symbol)}_{KLINE_TYPES[unit]}"
        box: Latest[Candle] = Latest(StreamKind.CANDLES, symbol, self._client.clock)
        async with self._joined(
            topic,
            (topic,),
            False,
            lambda: candle_feed(symbol, unit),
            lambda f: f.attach(box),
            lambda f: f.detach(box),
        ):
            while True:
                yield await box.get()

    async def watch_order_book(
        self, symbol: str, depth: int | None = 20
    ) -> AsyncGenerator[OrderBook | StreamGap, None]:
        """Up to 50 levels from KuCoin's depth-5/50 snapshots (every 100 ms) unless
        ``ws_snapshot_books`` is off; deeper (or ``None``: whole) from the local book of
        ``/market/level2``, calibrated by REST snapshots: the whole book when the exchange
        has credentials (KuCoin serves it to signed requests), else the top 100 levels."""
        check_depth(depth, venue=VENUE, code=BAD_PARAMS)
        native = to_native(symbol)
        clock = self._client.clock
        box: Latest[BookThunk] = Latest(StreamKind.ORDER_BOOK, symbol, clock)
        feed_maker: Callable[[], BookFeedBase]
        if self.options.ws_snapshot_books and depth is not None and depth <= _SHALLOW:
            topic = (DEPTH5 if depth <= 5 else DEPTH50) + native
            feed_maker = functools.partial(DepthFeed, symbol)
        else:
            topic = LEVEL2 + native
            snapshot = functools.partial(self._book_snapshot, native)
            feed_maker = functools.partial(
                BookFeed, symbol, snapshot, clock, max_buffer=self.options.ws_book_buffer
            )
        async with self._joined(
            topic, (topic,), False, feed_maker, lambda f: f.attach_depth(box, depth), lambda f: f.detach(box)
        ):
            while True:
                item = await box.get()
                yield item if isinstance(item, StreamGap) else item()

    async def _book_snapshot(self, native: str) -> Mapping[str, Any]:
        if self._client.credentials is not None:
            data = await self._client.call(FULL_BOOK, FULL_BOOK.path, query={"symbol": native})
        else:
            path = f"/api/v1/market/orderbook/level2_{_PART_BOOK_DEPTH}"
            data = await self._client.call(PART_BOOK, path, query={"symbol": native})
        if not isinstance(data, Mapping):
            raise ExchangeError(f"malformed order book snapshot for {native}", venue=VENUE)
        return data

    def _order_feed(self) -> OrderFeed:
        return OrderFeed(
            self._rest(),
            self._client.clock,
            placed=self._placed_before,
            placed_symbols=lambda: {o.symbol for o in self._recent.values()},
            read_final=self.options.ws_read_final_orders,
        )

    def _rest(self) -> PrivateRest:
        return self  # type: ignore[return-value]  # (KucoinExchange is one)

    def _placed_before(self, order_id: str) -> Order | None:
        """The order as this exchange placed it, for the static fields frames lack."""
        return self._recent.get(order_id)

    async def watch_orders(self, symbol: str | None = None) -> AsyncGenerator[Order, None]:
        """``/spotMarket/tradeOrdersV2`` and ``/spotMarket/advancedOrders`` (stop orders,
        PENDING until triggered), after the open orders as they stand (read by REST once
        subscribed, so that nothing falls between). An order's frames carry no fee: it is in the order's last
        event, read back by REST (``ws_read_final_orders``), as are the fields of an order
        first seen part-filled."""
        if symbol is not None:
            to_native(symbol)
        box: Backlog[Order] = Backlog(StreamKind.ORDERS, symbol or "", self._client.clock)
        async with self._joined(
            "orders",
            (ORDERS, STOP_ORDERS),
            True,
            self._order_feed,
            lambda f: f.attach_orders(box, symbol),
            lambda f: f.detach(box),
        ):
            while True:
                item = await box.get()
                if not isinstance(item, StreamGap):  # (private streams have none)
                    yield item

    async def watch_fills(self, symbol: str | None = None) -> AsyncGenerator[Fill, None]:
        """The ``match`` events of ``tradeOrdersV2``. KuCoin's frame has no fee and no fill
        id of its own: ``id`` is the trade id, and the fee is the funds times the account's
        rate (``fetch_trade_fees``) for the side the frame's ``feeType`` names. Fills missed
        during a reconnect come from ``fetch_fills``."""
        if symbol is not None:
            to_native(symbol)
        box: Backlog[Fill] = Backlog(StreamKind.FILLS, symbol or "", self._client.clock)
        async with self._joined(
            "orders",
            (ORDERS, STOP_ORDERS),
            True,
            self._order_feed,
            lambda f: f.attach_fills(box, symbol),
            lambda f: f.detach(box),
        ):
            while True:
                item = await box.get()
                if not isinstance(item, StreamGap):
                    yield item

    async def watch_balances(self) -> AsyncGenerator[Balance, None]:
        """``/account/balance``: the trade account's balances (``fetch_balances``'s), each
        as it stands first, then as it changes."""
        box: Latest[Balance] = Latest(StreamKind.BALANCES, "", self._client.clock)
        async with self._joined(
            "balances",
            (BALANCE,),
            True,
            lambda: BalanceFeed(self._rest(), self._client.clock),
            lambda f: f.attach(box),
            lambda f: f.detach(box),
        ):
            while True:
                item = await box.get()
                if not isinstance(item, StreamGap):
                    yield item
