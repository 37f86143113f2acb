"""HTTP pieces every REST adapter needs, whatever the venue: the transport it runs on, one
request handed straight to that transport within a deadline, and one meaning per transport
failure whichever transport saw it."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from exchanges import ExchangeError, NetworkError, RequestNotSent, RequestTimeout

__all__ = ["decode_json", "fast_transport", "network_error", "send_within"]


def fast_transport() -> httpx.AsyncBaseTransport | None:
    """The aiohttp transport under httpx (about half the client CPU per call), if installed."""
    try:
        from httpx_aiohttp import AiohttpTransport
    except ImportError:  # pragma: no cover - the dependency is declared; this is a fallback
        return None
    return AiohttpTransport()


async def send_within(
    transport: httpx.AsyncBaseTransport,
    request: httpx.Request,
    seconds: float,
    *,
    venue: str,
    closed: bool = False,
) -> httpx.Response:
    """Hand ``request`` to ``transport`` and read the whole answer within ``seconds``.

    ``AsyncClient.send`` would add cookie, redirect, auth-flow and URL-merging work that no
    venue needs (about half of the client CPU per call); the transport seam, and with it
    respx, ASGI apps and fault injection, stays exactly the same. Failures become
    ``exchanges`` errors: ``RequestNotSent`` when no connection could be made,
    ``RequestTimeout``, or a plain ``NetworkError``.
    """
    where = f"{request.method} {request.url.path}"
    try:
        # the whole exchange, not each read: a server that trickles bytes, or a transport
        # that never answers, must not hold the call past ``seconds``
        async with asyncio.timeout(seconds):
            response = await transport.handle_async_request(request)
            try:
                await response.aread()
            finally:
                await response.aclose()
        return response
    except TimeoutError:
        raise RequestTimeout(f"{where}: timed out after {seconds} s", venue=venue) from None
    except (httpx.TransportError, RuntimeError) as exc:
        if closed:  # closed while in flight (aiohttp may say "Session is closed")
            raise ExchangeError("exchange is closed", venue=venue) from None
        if isinstance(exc, RuntimeError):
            raise
        raise network_error(where, exc, venue) from None
    except Exception as exc:
        if not type(exc).__module__.startswith("aiohttp"):
            raise
        # what httpx-aiohttp leaves untranslated (a malformed HTTP answer, ...)
        raise NetworkError(f"{where}: {type(exc).__name__}: {exc}", venue=venue) from None


def network_error(where: str, exc: httpx.TransportError, venue: str) -> NetworkError:
    """One meaning per failure whichever transport saw it.

    httpx-aiohttp maps every ``aiohttp.ClientConnectionError`` it does not know better to
    ``httpx.ConnectTimeout`` -- a refused connection included -- so the aiohttp exception it
    chains as ``__cause__`` decides: a connector error (refused, unreachable, DNS, TLS) is
    "cannot connect", a timeout is a timeout, anything else (reset, server disconnected) is a
    plain network error, as httpx's own transport reports them.
    """
    kind: type[BaseException] = type(exc)
    name = kind.__name__
    cause = exc.__cause__
    if cause is not None and type(cause).__module__.startswith("aiohttp"):
        name = type(cause).__name__
        if _is_aiohttp_connector_error(cause):
            kind = httpx.ConnectError
        elif isinstance(cause, TimeoutError):
            kind = httpx.TimeoutException
        elif issubclass(kind, httpx.TimeoutException):
            kind = httpx.NetworkError
    if issubclass(kind, httpx.TimeoutException):
        return RequestTimeout(f"{where}: timed out ({name})", venue=venue)
    if issubclass(kind, httpx.ConnectError):  # no connection, so nothing was sent
        return RequestNotSent(f"{where}: cannot connect ({exc})", venue=venue)
    return NetworkError(f"{where}: {name}: {exc}", venue=venue)


def _is_aiohttp_connector_error(exc: BaseException) -> bool:
    try:
        from aiohttp import ClientConnectorError
    except ImportError:  # pragma: no cover - only reached with an aiohttp cause
        return False
    return isinstance(exc, ClientConnectorError)


def decode_json(content: bytes) -> Any:
    """The body as JSON, or ``None`` when it is empty or not JSON (an HTML error page)."""
    if not content:
        return None
    try:
        return json.loads(content)
    except ValueError:
        return None
