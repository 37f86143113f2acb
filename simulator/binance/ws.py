"""The dialect's WebSocket routes on the REST port: market streams at ``/ws``,
``/ws/<stream or anything>`` and ``/stream?streams=a/b``, the WebSocket API at
``/ws-api/v3``, and, with ``control`` on, the ``/sim/ws`` control paths."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket

from .streams import StreamHub, serve_streams
from .user_data import UserFeed
from .ws_control import WsControl, control_routes
from .wsapi import ApiSessions, serve_ws_api

if TYPE_CHECKING:
    from .app import BinanceFacade

__all__ = ["ws_routes"]


def ws_routes(facade: BinanceFacade) -> list[BaseRoute]:
    hub = StreamHub(facade)
    feed = UserFeed(facade)
    sessions = ApiSessions(facade, feed)
    facade.user_feed_listening = lambda uid: uid in feed.subscribers
    facade.ws = WsControl(hub, sessions)

    async def raw(websocket: WebSocket) -> None:
        name = websocket.path_params.get("name", "")
        await serve_streams(hub, websocket, [s for s in name.split("/") if s], combined=False)

    async def combined(websocket: WebSocket) -> None:
        streams = websocket.query_params.get("streams", "")
        await serve_streams(hub, websocket, [s for s in streams.split("/") if s], combined=True)

    async def ws_api(websocket: WebSocket) -> None:
        await serve_ws_api(sessions, websocket)

    routes: list[BaseRoute] = [
        WebSocketRoute("/ws", raw),
        WebSocketRoute("/ws/{name:path}", raw),
        WebSocketRoute("/stream", combined),
        WebSocketRoute("/ws-api/v3", ws_api),
    ]
    if facade.config.control:
        routes.extend(control_routes(facade.ws))
    return routes
