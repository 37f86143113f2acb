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
import random
import ssl
from collections.abc import Callable
from typing import Protocol

import aiohttp
import orjson

from exchanges import Clock, SlidingWindowPool

__all__ = ["HEARTBEAT_S", "SocketHandler", "WsSocket"]

log = logging.getLogger("adapters.binance")

HEARTBEAT_S = 20.0


class SocketHandler(Protocol):
    async def on_open(self, restarted: bool) -> None: ...

    def on_text(self, text: str) -> None: ...

    def on_lost(self) -> None: ...


class WsSocket:
    """A socket that reconnects by itself until closed."""

    def __init__(
        self,
        *,
        name: str,
        url: Callable[[], str],
        handler: SocketHandler,
        session: Callable[[], aiohttp.ClientSession],
        clock: Clock,
        connect_timeout: float,
        backoff_initial: float,
        backoff_max: float,
        messages_per_second: int,
        ssl_context: ssl.SSLContext | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.name = name
        self.connects = 0
        self._url = url
        self._handler = handler
        self._session = session
        self._clock = clock
        self._connect_timeout = connect_timeout
        self._backoff = (backoff_initial, backoff_max)
        self._ssl = ssl_context
        self._rng = rng or random.Random()
        self._pool = SlidingWindowPool(messages_per_second, 1.0, clock, name=f"binance ws {name}")
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self.opened = asyncio.Event()

    def __repr__(self) -> str:
        return f"WsSocket({self.name!r}, connects={self.connects})"

    @property
    def connected(self) -> bool:
        return self._ws is not None

    @property
    def closed(self) -> bool:
        return self._closed

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"binance ws {self.name}")

    async def close(self) -> None:
        self._closed = True
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

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

    async def _run(self) -> None:
        attempt = 0
        while not self._closed:
            was_up = False
            try:
                was_up = await self._once()
            except asyncio.CancelledError:
                raise
            except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                # (never str(exc): aiohttp may quote the URL)
                status = getattr(exc, "status", None)
                detail = f" (HTTP {status})" if status else ""
                log.debug("binance ws %s: %s%s", self.name, type(exc).__name__, detail)
            except Exception:  # a bug of ours must not end the stream silently
                log.warning("binance ws %s: unexpected error", self.name, exc_info=True)
            if self.closed:  # (closed while this attempt ran)
                return
            attempt = 0 if was_up else attempt + 1
            low, high = self._backoff
            delay = min(high, low * 2 ** max(attempt - 1, 0)) * (0.5 + 0.5 * self._rng.random())
            await self._clock.sleep(delay)

    async def _once(self) -> bool:
        connect = self._session().ws_connect(
            self._url(),
            autoping=True,
            heartbeat=HEARTBEAT_S,
            compress=0,
            max_msg_size=0,
            ssl=self._ssl if self._ssl is not None else True,
        )
        async with asyncio.timeout(self._connect_timeout):
            ws = await connect
        try:
            self._ws = ws
            self.connects += 1
            self.opened.set()
            await self._handler.on_open(self.connects > 1)
            on_text = self._handler.on_text
            while True:
                message = await ws.receive()
                if message.type is aiohttp.WSMsgType.TEXT:
                    on_text(message.data)
                elif message.type is aiohttp.WSMsgType.BINARY:
                    on_text(message.data.decode("utf-8", "replace"))
                elif message.type not in (aiohttp.WSMsgType.PING, aiohttp.WSMsgType.PONG):
                    return True
        finally:
            self._ws = None
            self.opened.clear()
            if not ws.closed:
                await asyncio.shield(ws.close())
            if not self._closed:
                self._handler.on_lost()
