"""The bridge over HTTP: a Starlette app whose every answer is JSON with a status that says
what happened, whatever arrives (wrong method, wrong type, a body too large, a sender gone).

Routes: ``POST /signal``, ``GET /signals/{id}``, ``POST /halt``, ``GET /positions``,
``GET /health``. The body is read in chunks and refused (413) past ``max_body_bytes``
before it is ever held whole.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from .bridge import Bridge, Reply
from .errors import Refusal

__all__ = ["build_app"]

log = logging.getLogger("signals")
access_log = logging.getLogger("signals.access")

_SIGNAL_PATH = re.compile(r"/signals/([^/]{1,200})")
_POSTS = {"/signal", "/halt"}
_GETS = {"/positions", "/health"}


def _json(reply: Reply) -> Response:
    body = json.dumps(reply.body, separators=(",", ":"), ensure_ascii=True, default=str).encode()
    return Response(
        body, status_code=reply.status, headers=dict(reply.headers), media_type="application/json"
    )


def _refused(status: int, code: str, message: str) -> Reply:
    return Reply.refused(Refusal(status, code, message))


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise Refusal(413, "too_large", f"the body is over {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Refusal(413, "too_large", f"the body is over {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _is_json(content_type: str | None) -> bool:
    return content_type is not None and content_type.split(";", 1)[0].strip().lower() == "application/json"


def _signed_path(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


async def _route(bridge: Bridge, request: Request) -> Reply:
    path = request.url.path
    method = request.method
    match = _SIGNAL_PATH.fullmatch(path)
    known = path in _POSTS or path in _GETS or match is not None
    if not known:
        return _refused(404, "not_found", f"no such path: {path[:100]}")
    wanted = "POST" if path in _POSTS else "GET"
    if method != wanted:
        return Reply(
            405, Refusal(405, "method_not_allowed", f"{path[:100]} takes {wanted}").body(), {"Allow": wanted}
        )
    if path == "/health":
        return bridge.health()
    if method == "GET":
        if match is not None:
            return await bridge.status(request.headers, _signed_path(request), match.group(1))
        return await bridge.positions(request.headers, _signed_path(request))
    if not _is_json(request.headers.get("content-type")):
        return _refused(415, "unsupported_media_type", "send the body as Content-Type: application/json")
    body = await _body(request, bridge.config.max_body_bytes)
    if path == "/signal":
        return await bridge.submit(request.headers, body)
    return await bridge.halt(request.headers, body)


def build_app(bridge: Bridge) -> Starlette:
    """The ASGI app; its lifespan starts and stops ``bridge``."""

    async def endpoint(request: Request) -> Response:
        try:
            reply = await _route(bridge, request)
        except Refusal as refusal:
            reply = Reply.refused(refusal)
        except ClientDisconnect:
            reply = _refused(400, "disconnected", "the sender went away before the body arrived")
        except Exception:  # a bug: logged with its traceback, answered without one
            log.exception("%s %s failed", request.method, request.url.path[:100])
            reply = _refused(500, "internal", "the bridge failed to handle the request; it is logged")
        source = request.headers.get("x-signal-source", "-")[:32]
        access_log.info("%s %s %s source=%r", request.method, request.url.path[:100], reply.status, source)
        return _json(reply)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await bridge.start()
        try:
            yield
        finally:
            await bridge.stop()

    async def http_error(_request: Request, exc: Exception) -> Response:
        # (a method no route takes: Starlette's own 405, answered as JSON like the rest)
        status = exc.status_code if isinstance(exc, HTTPException) else 400
        return _json(
            _refused(status, "method_not_allowed" if status == 405 else "bad_request", str(exc)[:100])
        )

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    app = Starlette(
        routes=[Route("/{path:path}", endpoint, methods=methods)],
        lifespan=lifespan,
        exception_handlers={HTTPException: http_error},
    )
    app.state.bridge = bridge
    return app
