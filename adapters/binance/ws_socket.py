"""One Binance WebSocket kept alive: connect, read, send within Binance's message budget
(NOTES 11.1: five control messages a second per connection, pings and pongs included),
and reconnect with jittered exponential backoff when the socket drops.

The socket knows nothing of streams or subscriptions: its :class:`SocketHandler` hears each
connect (the first, and every reconnect, so that it can resubscribe), each text frame, and
each loss. A ping goes every 20 s (aiohttp's heartbeat): no pong, and the socket is taken
as dead. A URL may carry a signature or a key nowhere; none is ever logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Protocol

import aiohttp
import orjson

from adapters.common.ws_socket import Reconnect, ReconnectingSocket, quiet_error
from exchanges import SlidingWindowPool

__all__ = ["HEARTBEAT_S", "SocketHandler", "WsSocket"]

log = logging.getLogger("adapters.binance")

HEARTBEAT_S = 20.0


class SocketHandler(Protocol):
    async def on_open(self, restarted: bool) -> None: ...

    def on_text(self, text: str) -> None: ...

    def on_lost(self) -> None: ...


class WsSocket(ReconnectingSocket):
    """A socket that reconnects by itself until closed."""

    def __init__(
        self,
        name: str,
        *,
        url: Callable[[], str],
        handler: SocketHandler,
        reconnect: Reconnect,
        messages_per_second: int,
    ) -> None:
        super().__init__(name, "binance", reconnect)
        self._url = url
        self._handler = handler
        self._pool = SlidingWindowPool(messages_per_second, 1.0, reconnect.clock, name=f"binance ws {name}")
        self.opened = asyncio.Event()

    def __repr__(self) -> str:
        return f"WsSocket({self.name!r}, connects={self.connects})"

    async def send(self, message: object) -> bool:
        """Send one JSON message (waiting for budget); False when not connected."""
        ws = self._ws
        if ws is None or ws.closed:
            return False
        if self._pool.try_acquire(1) > 0:
            await self._pool.acquire(1)
        try:
            await ws.send_str(orjson.dumps(message).decode())
        except (ConnectionError, aiohttp.ClientError, RuntimeError):
            return False
        return True

    def _failed(self, exc: Exception) -> bool:
        if isinstance(exc, (aiohttp.ClientError, OSError, TimeoutError)):
            log.debug("binance ws %s: %s", self.name, quiet_error(exc))
        else:  # a bug of ours must not end the stream silently
            log.warning("binance ws %s: unexpected error", self.name, exc_info=exc)
        return True

    async def _attempt(self) -> None:
        connect = self._ws_connect(self._url(), heartbeat=HEARTBEAT_S)
        async with asyncio.timeout(self._connect_timeout):
            ws = await connect
        try:
            self._ws = ws
            self._was_up = True
            self.connects += 1
            self.opened.set()
            await self._handler.on_open(self.connects > 1)
            await self._receive(ws, self._handler.on_text)
        finally:
            self._ws = None
            self.opened.clear()
            if not ws.closed:
                await asyncio.shield(ws.close())
            if not self._closed:
                self._handler.on_lost()
