"""Binance's market streams (NOTES section 11) over the venue: ``/ws/<stream>`` (raw),
``/stream?streams=a/b`` (each message ``{"stream", "data"}``), and ``/ws/<anything>`` with
``SUBSCRIBE``/``UNSUBSCRIBE``/``LIST_SUBSCRIPTIONS``/``SET_PROPERTY``/``GET_PROPERTY``.

Streams: ``<s>@trade`` and ``<s>@aggTrade`` (as trades happen), ``<s>@depth`` and
``<s>@depth@100ms`` (diffs, see :mod:`.depth`), ``<s>@depth<5|10|20>[@100ms]`` (the top of
the book), ``<s>@bookTicker`` (on change), ``<s>@ticker``, ``<s>@miniTicker`` and
``!miniTicker@arr`` (each second), ``<s>@kline_<interval>`` (every two seconds),
``<s>@avgPrice`` (each second). One :class:`StreamHub` per facade publishes them all from
a task that runs every 100 ms while anyone listens.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import re
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from exchanges import Interval, Side
from simulator.venue import BookSnapshot, PublicTrade, VenueEvent
from simulator.venue.filters import average_price

from . import serialize as ser
from .depth import DepthDiff, DiffPublisher
from .rulebook import AVERAGE_PRICE_MINUTES

if TYPE_CHECKING:
    from .app import BinanceFacade

__all__ = ["StreamConnection", "StreamHub"]

log = logging.getLogger("simulator.binance.streams")

TICK_S = 0.1
MAX_STREAMS = 1024
MAX_QUEUE = 10_000
_STREAM = re.compile(
    r"(?P<symbol>[a-z0-9]+)@(?P<kind>trade|aggTrade|bookTicker|ticker|miniTicker|avgPrice"
    r"|depth(?P<levels>5|10|20)?(?:@(?P<speed>100ms|1000ms))?|kline_(?P<interval>[0-9]+[smhdwM]))"
)
_EIGHT = Decimal("0.00000001")


class StreamConnection:
    """One client's socket: its streams, what waits to be sent to it, and the diff-depth
    events it is to lose (a fault the control paths inject)."""

    def __init__(self, combined: bool, connection_id: str = "") -> None:
        self.id = connection_id
        self.combined = combined
        self.streams: set[str] = set()
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.closed = False
        self.losing: dict[str, int] = {}  # diff-depth stream -> its next events to drop

    def send(self, stream: str, payload: str) -> None:
        """Queue ``payload`` (JSON text) of ``stream``; a client that falls this far behind
        is dropped."""
        if self.closed:
            return
        if self.losing.get(stream):
            self.losing[stream] -= 1
            return
        if self.queue.qsize() >= MAX_QUEUE:
            self.close()
            return
        self.queue.put_nowait(f'{{"stream":"{stream}","data":{payload}}}' if self.combined else payload)

    def reply(self, message: dict[str, Any]) -> None:
        if not self.closed:
            self.queue.put_nowait(json.dumps(message, separators=(",", ":")))

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.queue.put_nowait(None)


class StreamHub:
    """Every market stream of one facade, and who listens to each."""

    def __init__(self, facade: BinanceFacade) -> None:
        self.facade = facade
        self.venue = facade.venue
        self.listeners: dict[str, set[StreamConnection]] = {}
        self.task: asyncio.Task[None] | None = None
        self.depth: dict[str, DiffPublisher] = {}  # by venue symbol
        self.slow_depth: dict[str, DepthDiff] = {}  # the 1000 ms stream's pending event
        self.book_tops: dict[str, tuple[Any, ...]] = {}
        self.ticks = 0
        #: Open sockets by id (for the control paths).
        self.connections: dict[str, StreamConnection] = {}
        self._ids = itertools.count(1)
        self._unsubscribe: Callable[[], None] | None = None
        facade.depth_listeners.append(self._depth_served)

    # --- connections -----------------------------------------------------------------------------

    def connect(self, combined: bool) -> StreamConnection:
        conn = StreamConnection(combined, f"streams-{next(self._ids)}")
        self.connections[conn.id] = conn
        return conn

    def topic_count(self) -> int:
        """Streams subscribed, summed over the open sockets."""
        return sum(len(conn.streams) for conn in self.connections.values())

    def chosen(self, connection: str | None) -> list[StreamConnection]:
        """The open socket ``connection`` (none if unknown), or every one (``None``)."""
        if connection is None:
            return list(self.connections.values())
        found = self.connections.get(connection)
        return [] if found is None else [found]

    def disconnect(self, connection: str | None = None) -> int:
        """Close sockets from the server's side (their streams end at once); returns how many."""
        chosen = self.chosen(connection)
        for conn in chosen:
            self.drop(conn)
            self.connections.pop(conn.id, None)
        return len(chosen)

    def lose_depth(self, count: int, symbol: str | None = None, connection: str | None = None) -> int:
        """Drop the next ``count`` events of each diff-depth stream (of the Binance
        ``symbol``, or of every one) on the chosen sockets, so that their update ids skip;
        returns how many sockets carry such a stream."""
        reached = 0
        for conn in self.chosen(connection):
            streams = [s for s in conn.streams if _is_diff_depth(s, symbol)]
            for stream in streams:
                conn.losing[stream] = conn.losing.get(stream, 0) + count
            reached += bool(streams)
        return reached

    # --- subscriptions ---------------------------------------------------------------------------

    def valid(self, stream: str) -> bool:
        if stream == "!miniTicker@arr":
            return True
        m = _STREAM.fullmatch(stream)
        if m is None or m["symbol"].upper() not in self.facade.names.native:
            return False
        interval = m["interval"]
        if interval is not None:
            try:
                Interval(interval)
            except ValueError:
                return False
        return True

    def subscribe(self, conn: StreamConnection, streams: list[str]) -> None:
        for stream in streams:
            if stream in conn.streams:
                continue
            conn.streams.add(stream)
            self.listeners.setdefault(stream, set()).add(conn)
            m = _STREAM.fullmatch(stream)
            if m is not None and m["kind"].startswith("depth"):
                native = self.facade.names.native[m["symbol"].upper()]
                if native not in self.depth:
                    self.depth[native] = DiffPublisher(self.venue.order_book(native, None))
        self._start()

    def unsubscribe(self, conn: StreamConnection, streams: list[str]) -> None:
        for stream in streams:
            conn.streams.discard(stream)
            listening = self.listeners.get(stream)
            if listening is not None:
                listening.discard(conn)
                if not listening:
                    del self.listeners[stream]

    def drop(self, conn: StreamConnection) -> None:
        self.unsubscribe(conn, list(conn.streams))
        conn.close()

    def _start(self) -> None:
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._run())
        if self._unsubscribe is None:
            self._unsubscribe = self.venue.subscribe(self._on_event)

    # --- publishing ------------------------------------------------------------------------------

    def _emit(self, stream: str, data: dict[str, Any] | list[Any]) -> None:
        listening = self.listeners.get(stream)
        if not listening:
            return
        payload = json.dumps(data, separators=(",", ":"))
        for conn in list(listening):
            conn.send(stream, payload)

    def _on_event(self, event: VenueEvent) -> None:
        trade = event.trade
        if event.kind != "trade" or trade is None or not self.listeners:
            return
        name = self.facade.names.binance.get(trade.symbol)
        if name is None:
            return
        lower = name.lower()
        now = self.venue.now
        self._emit(f"{lower}@trade", _trade_event(trade, name, now))
        self._emit(f"{lower}@aggTrade", _agg_event(trade, name, now))

    def _depth_served(self, native: str, snapshot: BookSnapshot) -> None:
        publisher = self.depth.get(native)
        if publisher is not None:
            publisher.served(snapshot)

    async def _run(self) -> None:
        while self.listeners:
            try:
                self.step()
            except Exception:  # a rendering bug must not end every stream
                log.exception("market stream step failed")
            await asyncio.sleep(TICK_S)
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self.depth.clear()
        self.slow_depth.clear()

    def step(self) -> None:
        """One 100 ms step: depth and book tickers; each second tickers and average prices;
        every two seconds klines."""
        now = self.venue.sync()
        self.ticks += 1
        second = self.ticks % 10 == 0
        for native, publisher in list(self.depth.items()):
            self._depth(native, publisher, now, second)
        for stream in list(self.listeners):
            self._other(stream, now, second)

    def _depth(self, native: str, publisher: DiffPublisher, now: int, second: bool) -> None:
        """The depth streams of one pair (dropped when no one listens to them any more)."""
        names = self.facade.names.binance
        lower = names[native].lower()
        if not any(s.startswith(lower + "@depth") for s in self.listeners):
            del self.depth[native]
            self.slow_depth.pop(native, None)
            return
        snapshot = self.venue.order_book(native, None)
        diff = publisher.next(snapshot)
        if diff is not None:
            self._emit(f"{lower}@depth@100ms", _depth_event(diff, names[native], now))
            pending = self.slow_depth.get(native)
            if pending is None:
                self.slow_depth[native] = diff
            else:
                pending.merge(diff)
        if second and native in self.slow_depth:  # (``@depth`` is ``@depth@1000ms``)
            event = _depth_event(self.slow_depth.pop(native), names[native], now)
            self._emit(f"{lower}@depth", event)
            self._emit(f"{lower}@depth@1000ms", event)
        for levels in (5, 10, 20):
            top = {
                "lastUpdateId": snapshot.sequence,
                "bids": ser.levels(snapshot.bids[:levels]),
                "asks": ser.levels(snapshot.asks[:levels]),
            }
            self._emit(f"{lower}@depth{levels}@100ms", top)
            if second:
                self._emit(f"{lower}@depth{levels}", top)
                self._emit(f"{lower}@depth{levels}@1000ms", top)

    def _other(self, stream: str, now: int, second: bool) -> None:
        """One stream other than depth, when its period has come."""
        m = _STREAM.fullmatch(stream)
        if m is None:
            if stream == "!miniTicker@arr" and second:
                self._emit(stream, [_mini_ticker(self, s.symbol, now) for s in self.venue.symbols()])
            return
        name = m["symbol"].upper()
        native = self.facade.names.native[name]
        kind = m["kind"]
        if kind == "bookTicker":
            self._book_ticker(stream, native, name)
        elif second and kind == "ticker":
            self._emit(stream, _ticker(self, native, now))
        elif second and kind == "miniTicker":
            self._emit(stream, _mini_ticker(self, native, now))
        elif second and kind == "avgPrice":
            self._emit(stream, _avg_price(self, native, name, now))
        elif kind.startswith("kline_") and self.ticks % 20 == 0:
            self._emit(stream, _kline(self, native, name, Interval(m["interval"]), now))

    def _book_ticker(self, stream: str, native: str, name: str) -> None:
        l1 = self.venue.level1(native)
        top = (l1.best_bid, l1.best_bid_size, l1.best_ask, l1.best_ask_size)
        if self.book_tops.get(stream) == top:
            return
        self.book_tops[stream] = top
        dec = ser.dec
        self._emit(
            stream,
            {
                "u": l1.sequence,
                "s": name,
                "b": dec(top[0]),
                "B": dec(top[1]),
                "a": dec(top[2]),
                "A": dec(top[3]),
            },
        )


def _is_diff_depth(stream: str, symbol: str | None) -> bool:
    m = _STREAM.fullmatch(stream)
    if m is None or m["kind"] not in ("depth", "depth@100ms", "depth@1000ms"):
        return False
    return symbol is None or m["symbol"] == symbol.lower()


def _trade_event(t: PublicTrade, name: str, now: int) -> dict[str, Any]:
    dec = ser.dec
    return {
        "e": "trade",
        "E": now,
        "s": name,
        "t": t.trade_id,
        "p": dec(t.price),
        "q": dec(t.size),
        "T": t.time,
        "m": t.side is Side.SELL,
        "M": True,
    }


def _agg_event(t: PublicTrade, name: str, now: int) -> dict[str, Any]:
    return {"e": "aggTrade", "E": now, "s": name, **ser.agg_trade(t)}


def _depth_event(diff: DepthDiff, name: str, now: int) -> dict[str, Any]:
    return {
        "e": "depthUpdate",
        "E": now,
        "s": name,
        "U": diff.first,
        "u": diff.last,
        "b": ser.levels(sorted(diff.bids.items(), reverse=True)),
        "a": ser.levels(sorted(diff.asks.items())),
    }


def _mini_ticker(hub: StreamHub, native: str, now: int) -> dict[str, Any]:
    s = hub.venue.stats(native)
    dec = ser.dec
    return {
        "e": "24hrMiniTicker",
        "E": now,
        "s": hub.facade.names.binance[native],
        "c": dec(s.last),
        "o": dec(s.open),
        "h": dec(s.high),
        "l": dec(s.low),
        "v": dec(s.vol),
        "q": dec(s.vol_value),
    }


def _ticker(hub: StreamHub, native: str, now: int) -> dict[str, Any]:
    venue = hub.venue
    s = venue.stats(native)
    l1 = venue.level1(native)
    dec = ser.dec
    change = s.change_price
    percent = (
        "0.000"
        if change is None or not s.open
        else format((change / s.open * 100).quantize(Decimal("0.001")), "f")
    )
    return {
        "e": "24hrTicker",
        "E": now,
        "s": hub.facade.names.binance[native],
        "p": dec(change),
        "P": percent,
        "w": dec(s.average_price),
        "x": dec(s.open),
        "c": dec(s.last),
        "Q": dec(l1.size),
        "b": dec(s.buy),
        "B": dec(s.best_bid_size),
        "a": dec(s.sell),
        "A": dec(s.best_ask_size),
        "o": dec(s.open),
        "h": dec(s.high),
        "l": dec(s.low),
        "v": dec(s.vol),
        "q": dec(s.vol_value),
        "O": now - 86_400_000,
        "C": now,
        "F": -1,
        "L": -1,
        "n": 0,
    }


def _avg_price(hub: StreamHub, native: str, name: str, now: int) -> dict[str, Any]:
    mkt = hub.venue.market_state(native)
    price = average_price(mkt, AVERAGE_PRICE_MINUTES, now)
    return {
        "e": "avgPrice",
        "E": now,
        "s": name,
        "i": f"{AVERAGE_PRICE_MINUTES}m",
        "w": ser.dec(None if price is None else price.quantize(_EIGHT)),
        "T": mkt.book.last_time,
    }


def _kline(hub: StreamHub, native: str, name: str, interval: Interval, now: int) -> dict[str, Any]:
    start = now // interval.ms * interval.ms
    bars = hub.venue.candles(native, interval, start, now + 1)
    dec = ser.dec
    last = hub.venue.last_price(native)
    o: Decimal | None
    h: Decimal | None
    lo: Decimal | None
    c: Decimal | None
    if bars:
        bar = bars[-1]
        o, h, lo, c, v, q = bar.open, bar.high, bar.low, bar.close, bar.volume, bar.turnover
    else:
        o = h = lo = c = last
        v = q = Decimal(0)
    return {
        "e": "kline",
        "E": now,
        "s": name,
        "k": {
            "t": start,
            "T": start + interval.ms - 1,
            "s": name,
            "i": interval.value,
            "f": -1,
            "L": -1,
            "o": dec(o),
            "c": dec(c),
            "h": dec(h),
            "l": dec(lo),
            "v": dec(v),
            "n": 0,
            "x": False,
            "q": dec(q),
            "V": "0.00000000",
            "Q": "0.00000000",
            "B": "0",
        },
    }


async def serve_streams(hub: StreamHub, websocket: WebSocket, streams: list[str], combined: bool) -> None:
    """One market-stream socket: ``streams`` from its path, more by control messages."""
    await websocket.accept()
    conn = hub.connect(combined)
    wanted = [s for s in streams if hub.valid(s)]
    if wanted:
        hub.subscribe(conn, wanted)
    sender = asyncio.get_running_loop().create_task(_send(websocket, conn))
    try:
        while True:
            text = await websocket.receive_text()
            _control(hub, conn, text)
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        hub.drop(conn)
        hub.connections.pop(conn.id, None)
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await sender


async def _send(websocket: WebSocket, conn: StreamConnection) -> None:
    while True:
        message = await conn.queue.get()
        if message is None:
            with contextlib.suppress(Exception):
                await websocket.close()
            return
        await websocket.send_text(message)


def _control(hub: StreamHub, conn: StreamConnection, text: str) -> None:
    """One control message (NOTES section 11.2)."""
    try:
        message = json.loads(text)
    except ValueError:
        conn.reply({"code": 3, "msg": "Invalid JSON: expected value at line 1 column 1"})
        return
    if not isinstance(message, dict) or "method" not in message:
        conn.reply({"code": 2, "msg": "Invalid request: missing field `method`"})
        return
    request_id = message.get("id")
    method = message.get("method")
    params = message.get("params", [])
    if not isinstance(params, list):
        conn.reply({"code": 2, "msg": "Invalid request: params must be a list", "id": request_id})
        return
    if method in ("SUBSCRIBE", "UNSUBSCRIBE"):
        _subscription(hub, conn, method, params, request_id)
    elif method == "LIST_SUBSCRIPTIONS":
        conn.reply({"result": sorted(conn.streams), "id": request_id})
    elif method in ("SET_PROPERTY", "GET_PROPERTY"):
        _property(conn, method, params, request_id)
    else:
        conn.reply(
            {
                "code": 2,
                "msg": f"Invalid request: unknown variant `{method}`, expected one of `SUBSCRIBE`, "
                "`UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY`",
                "id": request_id,
            }
        )


def _subscription(
    hub: StreamHub, conn: StreamConnection, method: str, params: list[Any], request_id: object
) -> None:
    streams = [p for p in params if isinstance(p, str)]
    bad = [s for s in streams if not hub.valid(s)]
    if bad or len(streams) != len(params):
        conn.reply(
            {
                "code": 2,
                "msg": f"Invalid request: unknown stream {bad[0] if bad else params}",
                "id": request_id,
            }
        )
        return
    if method == "SUBSCRIBE":
        if len(conn.streams | set(streams)) > MAX_STREAMS:
            too_many = f"Invalid request: at most {MAX_STREAMS} streams"
            conn.reply({"code": 2, "msg": too_many, "id": request_id})
            return
        hub.subscribe(conn, streams)
    else:
        hub.unsubscribe(conn, streams)
    conn.reply({"result": None, "id": request_id})


def _property(conn: StreamConnection, method: str, params: list[Any], request_id: object) -> None:
    """``SET_PROPERTY`` / ``GET_PROPERTY``: ``combined`` is the only property."""
    if method == "SET_PROPERTY":
        if len(params) != 2 or params[0] != "combined":
            conn.reply({"code": 0, "msg": "Unknown property", "id": request_id})
        elif not isinstance(params[1], bool):
            conn.reply({"code": 1, "msg": "Invalid value type: expected Boolean", "id": request_id})
        else:
            conn.combined = params[1]
            conn.reply({"result": None, "id": request_id})
    elif params != ["combined"]:
        conn.reply({"code": 0, "msg": "Unknown property", "id": request_id})
    else:
        conn.reply({"result": conn.combined, "id": request_id})
