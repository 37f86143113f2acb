"""Control paths for the WebSocket server, outside KuCoin's API (``control = true`` in the
configuration, ``--control`` on the command line; off by default): what is connected and
subscribed, faults for one connection or all, and disconnects from the server's side. For
testing a client against the served simulator from another process.

- ``GET /sim/ws``: ``{"topics": N, "connections": [{"id", "connectId", "private", "topics",
  "sent", "backlog"}]}``
- ``POST /sim/ws/faults`` with a JSON object of :class:`~.ws_settings.WsFaults` fields and an
  optional ``"connection"`` id (without it: every open connection and every later one)
- ``POST /sim/ws/disconnect`` with an optional ``"connection"`` id
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .ws_hub import WsHub
from .ws_settings import faults_from_mapping

__all__ = ["control_routes"]


def control_routes(hub: WsHub) -> list[Route]:
    async def state(_request: Request) -> JSONResponse:
        connections = [
            {
                "id": s.id,
                "connectId": s.connect_id,
                "private": s.uid is not None,
                "topics": sorted(t.partition("#")[0] for t in s.topics),
                "sent": s.sent,
                "backlog": s.backlog,
            }
            for s in hub.sessions.values()
        ]
        return JSONResponse({"topics": hub.topic_count(), "connections": connections})

    async def faults(request: Request) -> JSONResponse:
        body = await _body(request)
        if isinstance(body, JSONResponse):
            return body
        connection = body.pop("connection", None)
        try:
            chosen = faults_from_mapping(body, "faults")
        except ValueError as err:
            return JSONResponse({"error": str(err)}, status_code=400)
        return JSONResponse({"reached": hub.set_faults(chosen, connection)})

    async def disconnect(request: Request) -> JSONResponse:
        body = await _body(request)
        if isinstance(body, JSONResponse):
            return body
        return JSONResponse({"disconnected": hub.disconnect(body.get("connection"))})

    return [
        Route("/sim/ws", state, methods=["GET"]),
        Route("/sim/ws/faults", faults, methods=["POST"]),
        Route("/sim/ws/disconnect", disconnect, methods=["POST"]),
    ]


async def _body(request: Request) -> dict[str, Any] | JSONResponse:
    raw = await request.body()
    try:
        body = json.loads(raw) if raw.strip() else {}
    except ValueError:
        return JSONResponse({"error": "the body is not JSON"}, status_code=400)
    if not isinstance(body, dict):
        return JSONResponse({"error": "the body must be a JSON object"}, status_code=400)
    connection = body.get("connection")
    if connection is not None and not isinstance(connection, str):
        return JSONResponse({"error": "connection: expected a connection id (a string)"}, status_code=400)
    return body
