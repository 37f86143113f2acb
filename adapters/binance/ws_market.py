"""Market streams (NOTES 11): names to connections, and the feeds that turn payloads into
models for every stream watching them.

Streams go over combined connections (``/stream?streams=a/b``, each message wrapped as
``{"stream", "data"}``): a connection opens with the streams wanted at that moment in its
URL, and takes later ones by ``SUBSCRIBE`` (acknowledged by ``{"result": null, "id"}``),
up to ``ws_streams_per_connection``. A stream is subscribed once however many watch it,
unsubscribed when the last leaves; a connection left with none closes. After a reconnect
every stream is in the new URL, and every feed hears of it (a gap; a book starts over).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol
from urllib.parse import quote

import aiohttp
import orjson

from adapters.common.market_feeds import BookFeed as _BookFeed
from adapters.common.market_feeds import BookThunk, CandleFeed, ValueFeed
from exchanges import (
    BadRequest,
    Candle,
    Clock,
    ExchangeError,
    Interval,
    RequestTimeout,
    Ticker,
    Trade,
)

from .errors import VENUE
from .local_book import LocalBook
from .options import BinanceOptions
from .ws_parsing import candle_from_ws, stream_of, ticker_from_ws, trade_from_ws
from .ws_socket import WsSocket

__all__ = [
    "BookFeed",
    "BookThunk",
    "CandleFeed",
    "MarketHub",
    "StreamFeed",
    "TickerFeed",
    "TradeFeed",
    "candle_feed",
    "ticker_feed",
    "trade_feed",
]

log = logging.getLogger("adapters.binance")

VENUE_NAME = "binance"
_URL_STREAMS = 100  # streams named in a connection's URL; more are subscribed by message
_PER_MESSAGE = 200  # streams per SUBSCRIBE message


class StreamFeed(Protocol):
    def on_message(self, message: Mapping[str, Any]) -> None: ...

    def on_restart(self) -> None: ...

    def on_error(self, error: ExchangeError) -> None: ...


class _Connection:
    """One combined-stream socket and the streams it carries."""

    def __init__(self, hub: MarketHub, name: str) -> None:
        self.hub = hub
        self.streams: set[str] = set()
        self.live: set[str] = set()  # subscribed on the current socket
        self.pending: dict[int, list[str]] = {}  # request id -> streams asked for
        self.socket = WsSocket(
            name=name,
            url=self.url,
            handler=self,
            session=hub.session,
            clock=hub.clock,
            connect_timeout=hub.options.timeout,
            backoff_initial=hub.options.ws_backoff_initial,
            backoff_max=hub.options.ws_backoff_max,
            messages_per_second=hub.options.ws_messages_per_second,
            ssl_context=hub.options.ws_ssl,
        )

    def url(self) -> str:
        named = sorted(self.streams)[:_URL_STREAMS]
        self.live = set(named)
        joined = "/".join(quote(s, safe="@_") for s in named)
        return f"{self.hub.base}/stream?streams={joined}"

    async def on_open(self, restarted: bool) -> None:
        for stream in self.live:
            self.hub.acked(stream, None)
        self.pending.clear()
        rest = sorted(self.streams - self.live)
        for i in range(0, len(rest), _PER_MESSAGE):
            await self.subscribe(rest[i : i + _PER_MESSAGE])
        if restarted:
            self.hub.restarted(self)

    async def subscribe(self, streams: list[str], method: str = "SUBSCRIBE") -> None:
        request_id = next(self.hub.ids)
        if method == "SUBSCRIBE":
            self.pending[request_id] = streams
            self.live.update(streams)
        await self.socket.send({"method": method, "params": streams, "id": request_id})

    def on_text(self, text: str) -> None:
        try:
            frame = orjson.loads(text)
        except orjson.JSONDecodeError:
            return
        if not isinstance(frame, dict):
            return
        if "id" in frame and ("result" in frame or "code" in frame):
            streams = self.pending.pop(frame["id"], None) if isinstance(frame["id"], int) else None
            error = None
            if "code" in frame:
                error = BadRequest(str(frame.get("msg") or "refused"), venue=VENUE, code=str(frame["code"]))
            for stream in streams or ():
                self.hub.acked(stream, error)
            return
        named, data = frame.get("stream"), frame.get("data")
        if not isinstance(named, str) or not isinstance(data, dict):
            named, data = stream_of(frame), frame  # (an unwrapped payload)
        if named is not None:
            self.hub.route(named, data)

    def on_lost(self) -> None:
        self.live.clear()


class MarketHub:
    """The exchange's market-stream connections and the streams they carry."""

    def __init__(self, options: BinanceOptions, clock: Clock) -> None:
        self.options = options
        self.clock = clock
        self.base = options.streams
        self.ids = itertools.count(1)
        self._feeds: dict[str, list[StreamFeed]] = {}
        self._owner: dict[str, _Connection] = {}
        self._ready: dict[str, asyncio.Future[None]] = {}
        self.connections: list[_Connection] = []
        self._session: aiohttp.ClientSession | None = None
        self._closing: set[asyncio.Task[None]] = set()
        self._names = 0
        self._closed = False

    def __repr__(self) -> str:
        return f"MarketHub(streams={len(self._feeds)}, connections={len(self.connections)})"

    @property
    def streams(self) -> frozenset[str]:
        return frozenset(self._feeds)

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def subscribe(self, stream: str, feed: StreamFeed) -> None:
        """Listen to ``stream``; returns once Binance takes it."""
        if self._closed:
            raise ExchangeError("exchange is closed", venue=VENUE)
        feeds = self._feeds.get(stream)
        if feeds is None:
            feeds = self._feeds[stream] = []
            self._ready[stream] = asyncio.get_running_loop().create_future()
            connection = self._connection_for()
            self._owner[stream] = connection
            connection.streams.add(stream)
            if connection.socket.connected:
                await connection.subscribe([stream])
            else:
                connection.socket.start()
        feeds.append(feed)
        ready = self._ready.get(stream)
        if ready is None:
            return
        timer = asyncio.ensure_future(self.clock.sleep(self.options.ws_subscribe_timeout))
        try:
            await asyncio.wait((ready, timer), return_when=asyncio.FIRST_COMPLETED)
            if not ready.done():
                wait = self.options.ws_subscribe_timeout
                raise RequestTimeout(f"subscribe {stream}: no answer within {wait} s", venue=VENUE)
            ready.result()
        except BaseException:
            self.unsubscribe(stream, feed)
            raise
        finally:
            timer.cancel()

    def unsubscribe(self, stream: str, feed: StreamFeed) -> None:
        feeds = self._feeds.get(stream)
        if feeds is None or feed not in feeds:
            return
        feeds.remove(feed)
        if not feeds:
            self._forget(stream)

    def _forget(self, stream: str) -> None:
        self._feeds.pop(stream, None)
        ready = self._ready.pop(stream, None)
        if ready is not None and not ready.done():
            ready.cancel()
        connection = self._owner.pop(stream, None)
        if connection is None:
            return
        connection.streams.discard(stream)
        loop = asyncio.get_running_loop()
        if not connection.streams:
            if connection in self.connections:
                self.connections.remove(connection)
            task = loop.create_task(connection.socket.close())
        elif stream in connection.live and connection.socket.connected:
            connection.live.discard(stream)
            task = loop.create_task(connection.subscribe([stream], "UNSUBSCRIBE"))
        else:
            return
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    def _connection_for(self) -> _Connection:
        room = self.options.ws_streams_per_connection
        for connection in self.connections:
            if len(connection.streams) < room:
                return connection
        self._names += 1
        connection = _Connection(self, f"market-{self._names}")
        self.connections.append(connection)
        return connection

    async def close(self) -> None:
        self._closed = True
        closed = ExchangeError("exchange is closed", venue=VENUE)
        for stream in list(self._feeds):
            for feed in list(self._feeds.get(stream, ())):
                feed.on_error(closed)
            self._forget(stream)
        await asyncio.gather(
            *(c.socket.close() for c in self.connections), *self._closing, return_exceptions=True
        )
        self.connections.clear()
        if self._session is not None:
            await self._session.close()
            self._session = None

    # --- what the connections report -----------------------------------------------------------

    def acked(self, stream: str, error: ExchangeError | None) -> None:
        ready = self._ready.pop(stream, None) if error is not None or stream in self._ready else None
        if ready is not None and not ready.done():
            if error is None:
                ready.set_result(None)
            else:
                ready.set_exception(error)
                ready.exception()  # (retrieved here: the waiters each get it)
        if error is not None:
            for feed in list(self._feeds.get(stream, ())):
                feed.on_error(error)
            self._forget(stream)

    def route(self, stream: str, data: Mapping[str, Any]) -> None:
        feeds = self._feeds.get(stream)
        if feeds is None and "@depth" in stream:
            feeds = self._feeds.get(stream.replace("@100ms", "")) or self._feeds.get(stream + "@100ms")
        for feed in feeds or ():
            feed.on_message(data)

    def restarted(self, connection: _Connection) -> None:
        for stream in sorted(connection.streams):
            for feed in list(self._feeds.get(stream, ())):
                feed.on_restart()


# --- feeds: the venue-neutral ones, given Binance's payloads -------------------------------------

TickerFeed = ValueFeed[Ticker]
TradeFeed = ValueFeed[Trade]


def ticker_feed(symbol: str) -> TickerFeed:
    return ValueFeed(symbol, VENUE_NAME, lambda data: ticker_from_ws(data, symbol))


def trade_feed(symbol: str) -> TradeFeed:
    return ValueFeed(symbol, VENUE_NAME, lambda data: trade_from_ws(data, symbol))


def candle_feed(symbol: str, interval: Interval) -> CandleFeed:
    parse: Callable[[Any], Candle] = lambda data: candle_from_ws(data, symbol, interval)  # noqa: E731
    return CandleFeed(symbol, VENUE_NAME, parse)


class BookFeed(_BookFeed):
    """The local book of ``<symbol>@depth``, started from REST snapshots (NOTES 12); a
    snapshot's time is the local clock's when it is loaded."""

    book: LocalBook

    def __init__(
        self,
        symbol: str,
        snapshot: Callable[[], Awaitable[Mapping[str, Any]]],
        clock: Clock,
        *,
        max_buffer: int,
    ) -> None:
        book = LocalBook(symbol, max_buffer=max_buffer)
        super().__init__(
            symbol,
            VENUE_NAME,
            book,
            apply=book.apply,
            load=lambda snapshot: book.load(snapshot, clock.now_ms()),
            snapshot=snapshot,
            clock=clock,
        )
