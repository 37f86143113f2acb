"""A WebSocket kept alive, venue-neutral: started once, reconnected with jittered exponential
backoff until closed (the backoff starts over once an attempt got a socket up), its text
frames read until the socket ends.

What one attempt does (which URL, what to await and send once connected) is the venue's, as
is what a failed attempt means. A URL may carry a token or a key: the errors of the
WebSocket library, which may quote it, are reduced to their type and status before they are
logged or raised.
"""

from __future__ import annotations

import asyncio
import random
import ssl
from collections.abc import Callable
from typing import Any, Protocol

import aiohttp
import attrs
import orjson

from exchanges import Clock

__all__ = ["Reconnect", "ReconnectingSocket", "SocketOptions", "json_object", "quiet_error"]


def json_object(text: str) -> dict[str, Any] | None:
    """A text frame as a JSON object; ``None`` for anything else."""
    try:
        frame = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    return frame if type(frame) is dict else None


def quiet_error(exc: BaseException) -> str:
    """A connect error's type and HTTP status, never its text (which may quote the URL)."""
    status = getattr(exc, "status", None)
    detail = f" (HTTP {status})" if status else ""
    return f"{type(exc).__name__}{detail}"


class SocketOptions(Protocol):
    """The adapter's settings a socket reads (both adapters' options have them)."""

    @property
    def timeout(self) -> float: ...

    @property
    def ws_backoff_initial(self) -> float: ...

    @property
    def ws_backoff_max(self) -> float: ...

    @property
    def ws_ssl(self) -> ssl.SSLContext | None: ...


@attrs.frozen(kw_only=True)
class Reconnect:
    """How a socket connects and comes back: its session, clock, connect timeout, backoff."""

    session: Callable[[], aiohttp.ClientSession]
    clock: Clock
    connect_timeout: float
    backoff_initial: float
    backoff_max: float
    ssl_context: ssl.SSLContext | None = None
    rng: random.Random | None = None

    @classmethod
    def of(
        cls, options: SocketOptions, session: Callable[[], aiohttp.ClientSession], clock: Clock
    ) -> Reconnect:
        return cls(
            session=session,
            clock=clock,
            connect_timeout=options.timeout,
            backoff_initial=options.ws_backoff_initial,
            backoff_max=options.ws_backoff_max,
            ssl_context=options.ws_ssl,
        )


class ReconnectingSocket:
    """A socket that reconnects by itself until closed; ``_attempt`` is one connection's life."""

    def __init__(self, name: str, venue: str, reconnect: Reconnect) -> None:
        self.name = name
        self.venue = venue
        #: Successful connects; above 1, it has reconnected.
        self.connects = 0
        self._session = reconnect.session
        self._clock = reconnect.clock
        self._connect_timeout = reconnect.connect_timeout
        self._backoff = (reconnect.backoff_initial, reconnect.backoff_max)
        self._ssl = reconnect.ssl_context
        self._rng = reconnect.rng or random.Random()
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self._was_up = False  # (the last attempt got a socket up: backoff starts over)

    @property
    def connected(self) -> bool:
        return self._ws is not None

    @property
    def closed(self) -> bool:
        return self._closed

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"{self.venue} ws {self.name}")

    async def close(self) -> None:
        self._closed = True
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _run(self) -> None:
        attempt = 0
        while not self._closed:
            self._was_up = False
            try:
                await self._attempt()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if not self._failed(exc):
                    return
            if self.closed:  # (closed while this attempt ran)
                return
            if self._was_up:
                attempt = 0
            low, high = self._backoff
            delay = min(high, low * 2**attempt) * (0.5 + 0.5 * self._rng.random())
            attempt += 1
            await self._clock.sleep(delay)

    def _ws_connect(self, url: str, *, heartbeat: float | None) -> Any:
        """The library's connect (awaitable; never started here)."""
        return self._session().ws_connect(
            url,
            autoping=True,
            heartbeat=heartbeat,
            compress=0,
            max_msg_size=0,
            ssl=self._ssl if self._ssl is not None else True,
        )

    @staticmethod
    async def _receive(
        ws: aiohttp.ClientWebSocketResponse, on_text: Callable[[str], None]
    ) -> aiohttp.WSMsgType:
        """Text (and binary, as text) frames to ``on_text`` until the socket ends; how it ended."""
        text_type = aiohttp.WSMsgType.TEXT
        while True:
            message = await ws.receive()
            if message.type is text_type:
                on_text(message.data)
            elif message.type is aiohttp.WSMsgType.BINARY:
                on_text(message.data.decode("utf-8", "replace"))
            elif message.type not in (aiohttp.WSMsgType.PING, aiohttp.WSMsgType.PONG):
                return message.type

    async def _attempt(self) -> None:
        """Connect, serve the socket until it ends (setting ``_was_up`` once it is up)."""
        raise NotImplementedError

    def _failed(self, exc: Exception) -> bool:
        """An attempt raised ``exc``: say so, and whether to try again."""
        raise NotImplementedError
