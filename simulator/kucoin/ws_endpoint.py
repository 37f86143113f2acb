"""The WebSocket endpoint the bullet paths hand out (``{endpoint}?token=...&connectId=...``),
as a Starlette route on the facade's own port.

A connection with an unknown or expired token gets KuCoin's error (401) and is closed; one
past the limit of connections per user gets 509. Otherwise KuCoin's ``welcome`` (its id
the client's ``connectId``) comes first, then the client's messages are handled as they
arrive (:meth:`WsHub.on_text`) until either side closes.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Awaitable, Callable

import orjson
from starlette.websockets import WebSocket, WebSocketDisconnect

from .ws_hub import WsHub
from .ws_topics import TopicError

__all__ = ["ws_endpoint"]

_MAX_CONNECT_ID = 128


def _connect_id(given: str | None) -> str:
    if given and len(given) <= _MAX_CONNECT_ID and given.isprintable():
        return given
    return secrets.token_hex(8)


def ws_endpoint(hub: WsHub) -> Callable[[WebSocket], Awaitable[None]]:
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        params = websocket.query_params
        connect_id = _connect_id(params.get("connectId"))

        async def send(text: str) -> None:
            await websocket.send_text(text)

        async def close() -> None:
            with contextlib.suppress(Exception):
                await websocket.close()

        grant = hub.tokens.redeem(params.get("token"))
        try:
            if grant is None:
                raise TopicError(401, "token is invalid")
            session = hub.open(connect_id=connect_id, grant=grant, send=send, close=close)
        except TopicError as err:
            refusal = {"id": connect_id, "type": "error", "code": err.code, "data": err.text}
            await send(orjson.dumps(refusal).decode())
            await close()
            return
        session.control({"id": connect_id, "type": "welcome"})
        try:
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    break
                text = message.get("text")
                if text is None:
                    text = (message.get("bytes") or b"").decode("utf-8", "replace")
                hub.on_text(session, text)
        except (WebSocketDisconnect, RuntimeError):  # (gone, or closed by us meanwhile)
            pass
        finally:
            await hub.close(session)
            await close()

    return endpoint
