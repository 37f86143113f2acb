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

import itertools
from collections.abc import Coroutine, Mapping
from typing import Any, Protocol
from urllib.parse import quote

from adapters.common.market_feeds import BookFeed as _BookFeed
from adapters.common.market_feeds import BookThunk, CandleFeed, Snapshot, ValueFeed
from adapters.common.topic_hub import TopicHandler, TopicHub
from adapters.common.ws_socket import Reconnect, json_object
from exchanges import BadRequest, Clock, Interval, Ticker, Trade

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

VENUE_NAME = "binance"
_URL_STREAMS = 100  # streams named in a connection's URL; more are subscribed by message
_PER_MESSAGE = 200  # streams per SUBSCRIBE message


class StreamFeed(TopicHandler, Protocol):
    def on_message(self, message: Mapping[str, Any]) -> None: ...


class _Connection:
    """One combined-stream socket and the streams it carries."""

    def __init__(self, hub: MarketHub, name: str) -> None:
        self.hub = hub
        self.streams: set[str] = set()
        self.live: set[str] = set()  # subscribed on the current socket
        self.pending: dict[int, list[str]] = {}  # request id -> streams asked for
        self.socket = WsSocket(
            name,
            url=self.url,
            handler=self,
            reconnect=Reconnect.of(hub.options, hub.session, hub.clock),
            messages_per_second=hub.options.ws_messages_per_second,
        )

    def url(self) -> str:
        named = sorted(self.streams)[:_URL_STREAMS]
        self.live = set(named)
        joined = "/".join(quote(s, safe="@_") for s in named)
        return f"{self.hub.base}/stream?streams={joined}"

    async def on_open(self, restarted: bool) -> None:
        for stream in self.live:
            self.hub.on_ack(stream)
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
        frame = json_object(text)
        if frame is None:
            return
        if "id" in frame and ("result" in frame or "code" in frame):
            streams = self.pending.pop(frame["id"], None) if isinstance(frame["id"], int) else None
            if "code" not in frame:
                for stream in streams or ():
                    self.hub.on_ack(stream)
                return
            error = BadRequest(str(frame.get("msg") or "refused"), venue=VENUE, code=str(frame["code"]))
            for stream in streams or ():
                self.hub.on_topic_error(stream, error)
            return
        named, data = frame.get("stream"), frame.get("data")
        if not isinstance(named, str) or not isinstance(data, dict):
            named, data = stream_of(frame), frame  # (an unwrapped payload)
        if named is not None:
            self.hub.route(named, data)

    def on_lost(self) -> None:
        self.live.clear()


class MarketHub(TopicHub[_Connection, StreamFeed]):
    """The exchange's market-stream connections and the streams they carry."""

    def __init__(self, options: BinanceOptions, clock: Clock) -> None:
        super().__init__(clock, subscribe_timeout=options.ws_subscribe_timeout, venue=VENUE)
        self.options = options
        self.clock = clock
        self.base = options.streams
        self.ids = itertools.count(1)
        self._names = 0

    def __repr__(self) -> str:
        return f"MarketHub(streams={len(self._handlers)}, connections={len(self.connections)})"

    @property
    def streams(self) -> frozenset[str]:
        return self.topics

    async def subscribe(self, stream: str, feed: StreamFeed) -> None:
        """Listen to ``stream``; returns once Binance takes it."""
        await self._join(stream, feed, self._connection_for)

    async def _carry(self, connection: _Connection, topic: str) -> None:
        connection.streams.add(topic)
        if connection.socket.connected:
            await connection.subscribe([topic])
        else:
            connection.socket.start()

    def _drop(self, connection: _Connection, topic: str) -> Coroutine[Any, Any, None] | None:
        connection.streams.discard(topic)
        if not connection.streams:
            if connection in self.connections:
                self.connections.remove(connection)
            return connection.socket.close()
        if topic in connection.live and connection.socket.connected:
            connection.live.discard(topic)
            return connection.subscribe([topic], "UNSUBSCRIBE")
        return None

    async def _shut(self, connection: _Connection) -> None:
        await connection.socket.close()

    def _connection_for(self) -> _Connection:
        room = self.options.ws_streams_per_connection
        for connection in self.connections:
            if len(connection.streams) < room:
                return connection
        self._names += 1
        connection = _Connection(self, f"market-{self._names}")
        self.connections.append(connection)
        return connection

    # --- what the connections report -----------------------------------------------------------

    def route(self, stream: str, data: Mapping[str, Any]) -> None:
        feeds = self._handlers.get(stream)
        if feeds is None and "@depth" in stream:
            feeds = self._handlers.get(stream.replace("@100ms", "")) or self._handlers.get(stream + "@100ms")
        for feed in feeds or ():
            feed.on_message(data)

    def restarted(self, connection: _Connection) -> None:
        self._restart(connection.streams)


# --- feeds: the venue-neutral ones, given Binance's payloads -------------------------------------

TickerFeed = ValueFeed[Ticker]
TradeFeed = ValueFeed[Trade]


def ticker_feed(symbol: str) -> TickerFeed:
    return ValueFeed(symbol, VENUE_NAME, lambda data: ticker_from_ws(data, symbol))


def trade_feed(symbol: str) -> TradeFeed:
    return ValueFeed(symbol, VENUE_NAME, lambda data: trade_from_ws(data, symbol))


def candle_feed(symbol: str, interval: Interval) -> CandleFeed:
    return CandleFeed(symbol, VENUE_NAME, lambda data: candle_from_ws(data, symbol, interval))


class BookFeed(_BookFeed):
    """The local book of ``<symbol>@depth``, started from REST snapshots (NOTES 12)."""

    book: LocalBook

    def __init__(self, symbol: str, snapshot: Snapshot, clock: Clock, *, max_buffer: int) -> None:
        book = LocalBook(symbol, max_buffer=max_buffer)
        load = book.load  # (a snapshot's time is the local clock's when it is loaded)
        stamped = lambda data: load(data, clock.now_ms())  # noqa: E731
        super().__init__(symbol, VENUE_NAME, book, snapshot, clock, load=stamped)
