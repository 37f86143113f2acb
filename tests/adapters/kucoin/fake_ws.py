"""A small KuCoin WebSocket server for the adapter's tests, on 127.0.0.1 (port 0).

It speaks the frames of ``kucoin-spec`` NOTES 9 (welcome, ping/pong, subscribe and
unsubscribe with ack or error, data frames, KuCoin's error codes and topic limits) and
hands out tokens from ``bullet-public``/``bullet-private`` on the same port, with the
order-book snapshots a test provides. Fault knobs, off by default: withhold the welcome,
refuse the handshake, stall pongs, drop, duplicate or reorder data frames, close a socket
after N data frames, refuse topics.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from typing import Any

from aiohttp import WSMsgType, web

PING_INTERVAL_MS = 18_000
PING_TIMEOUT_MS = 10_000
MAX_TOPICS_PER_SUBSCRIBE = 100
MAX_TOPICS_PER_CONNECTION = 400


class FakeConn:
    """One client socket as the server sees it."""

    def __init__(self, ws: web.WebSocketResponse, token: str, connect_id: str, private: bool) -> None:
        self.ws = ws
        self.token = token
        self.connect_id = connect_id
        self.private = private
        self.topics: set[str] = set()
        self.received: list[dict[str, Any]] = []
        self.sent_data = 0
        self.closed = False

    def kinds(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.received if m.get("type") == kind]


class FakeKucoin:
    def __init__(self, symbols: set[str] | None = None) -> None:
        self.symbols = symbols if symbols is not None else {"BTC-USDT", "ETH-USDT"}
        self.connections: list[FakeConn] = []
        self.tokens: list[str] = []
        self.errors_sent: list[dict[str, Any]] = []
        self.snapshot: Callable[[str], dict[str, Any]] | None = None
        self.snapshot_gate: asyncio.Event | None = None  # when set, snapshots wait for it
        self.snapshot_requests = 0
        self.bullet_requests = 0
        # knobs
        self.withhold_welcome = 0  # the next N connections get no welcome
        self.reject_handshakes = 0  # the next N handshakes answer HTTP 403
        self.stall_pongs = False
        self.drop = 0  # the next N data frames are not sent
        self.duplicate = 0  # the next N data frames are sent twice
        self.reorder = False  # the next data frame is held and sent after the one after it
        self.disconnect_after: int | None = None  # each socket closes after N data frames
        self.refuse: dict[str, tuple[int, str]] = {}  # topic -> (code, text) answered to its subscribe
        self._held: tuple[str, str] | None = None
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.url = ""

    # --- life -----------------------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/api/v1/bullet-public", self._bullet)
        app.router.add_post("/api/v1/bullet-private", self._bullet)
        app.router.add_get("/api/v1/market/orderbook/level2_100", self._book)
        app.router.add_get("/api/v3/market/orderbook/level2", self._book)
        app.router.add_get("/ws", self._ws)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        for conn in self.open_connections:
            await conn.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def open_connections(self) -> list[FakeConn]:
        return [c for c in self.connections if not c.closed]

    def topic_count(self) -> int:
        return sum(len(c.topics) for c in self.open_connections)

    async def kick(self) -> None:
        """Close every socket from the server's side, as a network failure would."""
        for conn in self.open_connections:
            await conn.ws.close()

    # --- REST ------------------------------------------------------------------------------------

    async def _bullet(self, request: web.Request) -> web.Response:
        self.bullet_requests += 1
        private = request.path.endswith("private")
        if private and "KC-API-KEY" not in request.headers:
            return web.json_response({"code": "400003", "msg": "KC-API-KEY not exists"}, status=401)
        token = f"{'priv' if private else 'pub'}-token-{next(self._ids)}+/="
        self.tokens.append(token)
        ws_url = self.url.replace("http://", "ws://") + "/ws"
        server = {
            "endpoint": ws_url,
            "encrypt": False,
            "protocol": "websocket",
            "pingInterval": PING_INTERVAL_MS,
            "pingTimeout": PING_TIMEOUT_MS,
        }
        return web.json_response({"code": "200000", "data": {"token": token, "instanceServers": [server]}})

    async def _book(self, request: web.Request) -> web.Response:
        self.snapshot_requests += 1
        if self.snapshot_gate is not None:
            await self.snapshot_gate.wait()
        assert self.snapshot is not None, "the test gives no book snapshot"
        return web.json_response({"code": "200000", "data": self.snapshot(request.query["symbol"])})

    # --- the socket ------------------------------------------------------------------------------

    async def _ws(self, request: web.Request) -> web.StreamResponse:
        if self.reject_handshakes:
            self.reject_handshakes -= 1
            return web.Response(status=403, text="forbidden")
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        token = request.query.get("token", "")
        connect_id = request.query.get("connectId", "")
        if token not in self.tokens:
            await self._error(ws, connect_id, 401, "token is invalid")
            await ws.close()
            return ws
        conn = FakeConn(ws, token, connect_id, private=token.startswith("priv"))
        self.connections.append(conn)
        try:
            if self.withhold_welcome:
                self.withhold_welcome -= 1
            else:
                await ws.send_str(json.dumps({"id": connect_id, "type": "welcome"}))
            async for message in ws:
                if message.type is WSMsgType.TEXT:
                    await self._client_message(conn, json.loads(message.data))
        finally:
            conn.closed = True
        return ws

    async def _error(self, ws: web.WebSocketResponse, frame_id: Any, code: int, text: str) -> None:
        frame = {"id": frame_id, "type": "error", "code": code, "data": text}
        self.errors_sent.append(frame)
        await ws.send_str(json.dumps(frame))

    async def _client_message(self, conn: FakeConn, message: dict[str, Any]) -> None:
        conn.received.append(message)
        kind = message.get("type")
        frame_id = message.get("id")
        if kind == "ping":
            if not self.stall_pongs:
                await conn.ws.send_str(json.dumps({"id": frame_id, "type": "pong"}))
            return
        if kind not in ("subscribe", "unsubscribe"):
            await self._error(conn.ws, frame_id, 415, "type is not supported")
            return
        topic = str(message.get("topic") or "")
        if not topic:
            await self._error(conn.ws, frame_id, 406, "topic is required")
            return
        topics = _expand(topic)
        if kind == "unsubscribe":
            conn.topics.difference_update(topics)
        else:
            refused = self.refuse.get(topic)
            if refused is not None:
                await self._error(conn.ws, frame_id, *refused)
                return
            if len(topics) > MAX_TOPICS_PER_SUBSCRIBE:
                await self._error(conn.ws, frame_id, 509, "topics exceed max limit in one request")
                return
            if len(conn.topics | set(topics)) > MAX_TOPICS_PER_CONNECTION:
                text = "exceed max subscription count limitation of 400 per session"
                await self._error(conn.ws, frame_id, 509, text)
                return
            private = topic.startswith(("/spotMarket/tradeOrders", "/account/", "/spotMarket/advancedOrders"))
            if private and not conn.private:
                await self._error(conn.ws, frame_id, 403, "login required")
                return
            unknown = [t for t in topics if not private and _symbol(t) not in self.symbols]
            if unknown:
                await self._error(conn.ws, frame_id, 404, f"topic {unknown[0]} is not found")
                return
            conn.topics.update(topics)
        if message.get("response"):
            await conn.ws.send_str(json.dumps({"id": frame_id, "type": "ack"}))

    # --- pushing data --------------------------------------------------------------------------

    async def publish(self, topic: str, subject: str, data: dict[str, Any], *, private: bool = False) -> int:
        """Send a data frame to every socket subscribed to ``topic``; how many got it."""
        frame: dict[str, Any] = {"type": "message", "topic": topic, "subject": subject, "data": data}
        if private:
            frame.update(userId="633559791e1cbc0001f319bc", channelType="private")
        text = json.dumps(frame)
        reached = 0
        for conn in self.open_connections:
            if topic in conn.topics:
                await self._push(conn, text)
                reached += 1
        return reached

    async def _push(self, conn: FakeConn, text: str) -> None:
        if self.drop:
            self.drop -= 1
            return
        if self.reorder:
            self.reorder = False
            self._held = (conn.token, text)
            return
        copies = 1
        if self.duplicate:
            self.duplicate -= 1
            copies = 2
        for _ in range(copies):
            await self._send_data(conn, text)
        if self._held is not None and self._held[0] == conn.token:
            held, self._held = self._held[1], None
            await self._send_data(conn, held)

    async def _send_data(self, conn: FakeConn, text: str) -> None:
        if conn.closed:
            return
        await conn.ws.send_str(text)
        conn.sent_data += 1
        if self.disconnect_after is not None and conn.sent_data >= self.disconnect_after:
            await conn.ws.close()


def _expand(topic: str) -> list[str]:
    """``/market/ticker:A,B`` -> the two topics it counts as."""
    prefix, colon, subjects = topic.partition(":")
    if not colon:
        return [topic]
    return [f"{prefix}:{s}" for s in subjects.split(",")]


def _symbol(topic: str) -> str:
    subject = topic.partition(":")[2]
    return subject.rsplit("_", 1)[0] if topic.startswith("/market/candles:") else subject
