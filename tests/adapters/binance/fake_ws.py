"""A small Binance WebSocket server for the adapter's tests, on 127.0.0.1 (port 0).

Market streams at ``/stream?streams=a/b`` (combined: ``{"stream", "data"}``) with live
``SUBSCRIBE``/``UNSUBSCRIBE``; the WebSocket API at ``/ws-api/v3`` with
``userDataStream.subscribe.signature`` (the signature checked over the sorted parameters,
as Binance does) and events as ``{"subscriptionId", "event"}``. ``kick`` closes every socket
from the server's side, as a network failure would.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from aiohttp import WSMsgType, web


class FakeConn:
    def __init__(self, ws: web.WebSocketResponse, streams: set[str]) -> None:
        self.ws = ws
        self.streams = streams
        self.received: list[dict[str, Any]] = []
        self.subscription: int | None = None
        self.closed = False


class FakeBinanceWs:
    def __init__(self, key: str, secret: str, symbols: set[str] | None = None) -> None:
        self.key = key
        self.secret = secret.encode()
        self.symbols = symbols if symbols is not None else {"btcusdt", "ethusdt"}
        self.market: list[FakeConn] = []
        self.api: list[FakeConn] = []
        self.refuse_subscription: tuple[int, int, str] | None = None  # (status, code, msg)
        self._subscriptions = 0
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> str:
        app = web.Application()
        app.router.add_get("/stream", self._stream)
        app.router.add_get("/ws-api/v3", self._ws_api)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"ws://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        await self.kick()
        if self._runner is not None:
            await self._runner.cleanup()

    async def kick(self) -> None:
        for conn in [*self.market, *self.api]:
            if not conn.closed:
                await conn.ws.close()

    def open_market(self) -> list[FakeConn]:
        return [c for c in self.market if not c.closed]

    # --- market streams -------------------------------------------------------------------------

    async def _stream(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        named = {s for s in request.query.get("streams", "").split("/") if s}
        conn = FakeConn(ws, named)
        self.market.append(conn)
        try:
            async for message in ws:
                if message.type is WSMsgType.TEXT:
                    await self._control(conn, json.loads(message.data))
        finally:
            conn.closed = True
        return ws

    async def _control(self, conn: FakeConn, message: dict[str, Any]) -> None:
        conn.received.append(message)
        method, params, request_id = message.get("method"), message.get("params") or [], message.get("id")
        if method == "SUBSCRIBE":
            unknown = [s for s in params if s.split("@")[0] not in self.symbols]
            if unknown:
                await conn.ws.send_str(
                    json.dumps({"code": 2, "msg": f"Invalid request: {unknown[0]}", "id": request_id})
                )
                return
            conn.streams.update(params)
        elif method == "UNSUBSCRIBE":
            conn.streams.difference_update(params)
        await conn.ws.send_str(json.dumps({"result": None, "id": request_id}))

    async def publish(self, stream: str, data: dict[str, Any]) -> int:
        reached = 0
        for conn in self.open_market():
            if stream in conn.streams:
                await conn.ws.send_str(json.dumps({"stream": stream, "data": data}))
                reached += 1
        return reached

    # --- the WebSocket API ------------------------------------------------------------------------

    async def _ws_api(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        conn = FakeConn(ws, set())
        self.api.append(conn)
        try:
            async for message in ws:
                if message.type is WSMsgType.TEXT:
                    await self._api_request(conn, json.loads(message.data))
        finally:
            conn.closed = True
        return ws

    async def _api_request(self, conn: FakeConn, message: dict[str, Any]) -> None:
        conn.received.append(message)
        request_id, params = message.get("id"), dict(message.get("params") or {})
        if message.get("method") != "userDataStream.subscribe.signature":
            await self._api_error(conn, request_id, 400, -1020, "This operation is not supported.")
            return
        signature = params.pop("signature", "")
        payload = "&".join(f"{k}={params[k]}" for k in sorted(params))
        if hmac.new(self.secret, payload.encode(), hashlib.sha256).hexdigest() != signature:
            await self._api_error(conn, request_id, 400, -1022, "Signature for this request is not valid.")
            return
        if params.get("apiKey") != self.key:
            await self._api_error(
                conn, request_id, 401, -2015, "Invalid API-key, IP, or permissions for action."
            )
            return
        if self.refuse_subscription is not None:
            await self._api_error(conn, request_id, *self.refuse_subscription)
            return
        self._subscriptions += 1
        conn.subscription = self._subscriptions
        answer = {"id": request_id, "status": 200, "result": {"subscriptionId": conn.subscription}}
        await conn.ws.send_str(json.dumps(answer))

    async def _api_error(self, conn: FakeConn, request_id: Any, status: int, code: int, msg: str) -> None:
        await conn.ws.send_str(
            json.dumps({"id": request_id, "status": status, "error": {"code": code, "msg": msg}})
        )

    async def push(self, event: dict[str, Any]) -> int:
        reached = 0
        for conn in self.api:
            if not conn.closed and conn.subscription is not None:
                await conn.ws.send_str(json.dumps({"subscriptionId": conn.subscription, "event": event}))
                reached += 1
        return reached
