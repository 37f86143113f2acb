"""The WebSocket side of a served Binance dialect under test's control, outside Binance's API
(``control = true`` in the configuration, ``--control`` on the command line; off by
default): what is connected and subscribed, sockets closed from the server's side, and
diff-depth events lost, so that a client's reconnects and book resyncs can be tested from
another process.

- ``GET /sim/ws``: ``{"topics": N, "connections": [{"id", "kind", "topics"}]}`` (``kind``
  ``"streams"``: a market-stream socket, its streams; ``"api"``: a WebSocket API socket,
  its user-data subscriptions as ``"userData:<subscriptionId>"``); ``topics`` sums them
- ``POST /sim/ws/faults`` with ``{"skip_sequence": N}``, an optional ``"symbol"`` (Binance's
  name) and ``"connection"`` id: the next N events of each diff-depth stream (of that
  symbol) on the chosen market-stream sockets are dropped, so the update ids skip;
  answers ``{"reached": sockets}``
- ``POST /sim/ws/disconnect`` with an optional ``"connection"`` id: answers
  ``{"disconnected": sockets}``
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .streams import StreamHub
from .wsapi import ApiSessions

__all__ = ["WsControl", "control_routes"]


class WsControl:
    """Both WebSocket services of one facade: market streams and the WebSocket API."""

    def __init__(self, hub: StreamHub, sessions: ApiSessions) -> None:
        self.hub = hub
        self.sessions = sessions

    def topic_count(self) -> int:
        """Market streams and user-data subscriptions held, over every open socket."""
        return self.hub.topic_count() + self.sessions.subscription_count()

    def disconnect(self, connection: str | None = None) -> int:
        """Close sockets (``None``: every one) from the server's side; returns how many."""
        return self.hub.disconnect(connection) + self.sessions.disconnect(connection)

    def skip_sequence(self, count: int = 1, symbol: str | None = None, connection: str | None = None) -> int:
        """Lose the next ``count`` diff-depth events (of Binance's ``symbol``); returns how
        many sockets carry such a stream."""
        return self.hub.lose_depth(count, symbol, connection)

    def state(self) -> dict[str, Any]:
        connections: list[dict[str, Any]] = [
            {"id": conn.id, "kind": "streams", "topics": sorted(conn.streams)}
            for conn in self.hub.connections.values()
        ]
        connections += [
            {"id": sid, "kind": "api", "topics": [f"userData:{n}" for n in ids]}
            for sid, ids in self.sessions.subscriptions().items()
        ]
        return {"topics": self.topic_count(), "connections": connections}


def control_routes(control: WsControl) -> list[Route]:
    async def state(_request: Request) -> JSONResponse:
        return JSONResponse(control.state())

    async def faults(request: Request) -> JSONResponse:
        body = await _body(request)
        if isinstance(body, JSONResponse):
            return body
        unknown = set(body) - {"connection", "skip_sequence", "symbol"}
        if unknown:
            return _bad(f"unknown field(s) {', '.join(sorted(unknown))}: this dialect has skip_sequence")
        count = body.get("skip_sequence")
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            return _bad("skip_sequence: expected a positive integer")
        symbol = body.get("symbol")
        if symbol is not None and not isinstance(symbol, str):
            return _bad("symbol: expected Binance's name of a symbol (a string)")
        return JSONResponse({"reached": control.skip_sequence(count, symbol, body.get("connection"))})

    async def disconnect(request: Request) -> JSONResponse:
        body = await _body(request)
        if isinstance(body, JSONResponse):
            return body
        return JSONResponse({"disconnected": control.disconnect(body.get("connection"))})

    return [
        Route("/sim/ws", state, methods=["GET"]),
        Route("/sim/ws/faults", faults, methods=["POST"]),
        Route("/sim/ws/disconnect", disconnect, methods=["POST"]),
    ]


def _bad(message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=400)


async def _body(request: Request) -> dict[str, Any] | JSONResponse:
    raw = await request.body()
    try:
        body = json.loads(raw) if raw.strip() else {}
    except ValueError:
        return _bad("the body is not JSON")
    if not isinstance(body, dict):
        return _bad("the body must be a JSON object")
    connection = body.get("connection")
    if connection is not None and not isinstance(connection, str):
        return _bad("connection: expected a connection id (a string)")
    return body
