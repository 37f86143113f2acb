"""One KuCoin WebSocket kept alive (NOTES 9): a fresh token for every connect, the instance
server that token names, ``connectId``, the ``welcome`` awaited before anything is sent,
a ping every ``pingInterval``, a reconnect when no pong comes within ``pingTimeout``, and
reconnects with jittered exponential backoff that resubscribe every topic.

The connection knows topics, not consumers: it tells its :class:`Listener` about frames,
acks, refused topics, a completed restart (every topic resubscribed and acknowledged, so
that a REST re-read after it misses nothing) and a failure that retrying cannot mend.

The token is a credential: it is in the URL this module connects to and nowhere else (the
errors of the WebSocket library, which may quote that URL, are reduced to their type and
status before they are logged).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import aiohttp
import orjson

from adapters.common.deadline import within
from adapters.common.ws_socket import Reconnect, ReconnectingSocket, quiet_error
from exchanges import ExchangeError, NetworkError, SlidingWindowPool

from .ws_protocol import MESSAGE_WINDOW_S, WsToken, ping_frame, subscribe_frames, ws_error

__all__ = ["Listener", "WsConnection"]

log = logging.getLogger("adapters.kucoin")


class Listener(Protocol):
    def on_frame(self, frame: dict[str, Any]) -> None: ...

    def on_ack(self, topic: str) -> None: ...

    def on_topic_error(self, topic: str, error: ExchangeError) -> None: ...

    def on_restart(self, connection: WsConnection) -> None: ...

    def on_fatal(self, connection: WsConnection, error: ExchangeError) -> None: ...


class _Retry(Exception):
    """This socket is done; a new one (with a new token) may do better."""


class WsConnection(ReconnectingSocket):
    """A KuCoin socket that reconnects by itself; ``topics`` is what it keeps subscribed."""

    def __init__(
        self,
        name: str,
        *,
        private: bool,
        token: Callable[[], Awaitable[WsToken]],
        listener: Listener,
        reconnect: Reconnect,
        welcome_timeout: float,
        messages_per_window: int,
    ) -> None:
        super().__init__(name, "kucoin", reconnect)
        self.private = private
        self.topics: set[str] = set()
        self._token = token
        self._listener = listener
        self._welcome_timeout = welcome_timeout
        pool_name = f"kucoin ws {name}"
        self._pool = SlidingWindowPool(messages_per_window, MESSAGE_WINDOW_S, reconnect.clock, name=pool_name)
        self._ids = itertools.count(1)
        self._outbox: list[str] = []  # topics to subscribe on the current socket
        self._solo: list[str] = []  # topics to subscribe one per message (a batch was refused)
        self._dropbox: list[str] = []  # topics to unsubscribe
        self._wake = asyncio.Event()
        self._pending: dict[str, tuple[list[str], bool]] = {}  # frame id -> (topics, unsubscribe)
        self._restart_ids: set[str] = set()
        self._pongs: dict[str, asyncio.Future[None]] = {}
        self._welcome: asyncio.Future[None] | None = None

    def __repr__(self) -> str:
        return f"WsConnection({self.name!r}, topics={len(self.topics)}, connects={self.connects})"

    def add(self, topic: str) -> None:
        """Subscribe ``topic`` (now if connected, else on connecting); the listener hears
        ``on_ack`` or ``on_topic_error``."""
        if topic in self.topics:
            return
        self.topics.add(topic)
        if topic in self._dropbox:
            self._dropbox.remove(topic)
        self._outbox.append(topic)
        self._wake.set()

    def remove(self, topic: str) -> None:
        if topic not in self.topics:
            return
        self.topics.discard(topic)
        if topic in self._outbox:
            self._outbox.remove(topic)
        elif self._ws is not None:
            self._dropbox.append(topic)
            self._wake.set()

    # --- the connection's life -----------------------------------------------------------------

    def _failed(self, exc: Exception) -> bool:
        if isinstance(exc, ExchangeError):  # the token was refused: no socket will do better
            self._closed = True
            self._listener.on_fatal(self, exc)
            return False
        if isinstance(exc, _Retry):
            log.debug("kucoin ws %s: %s", self.name, exc)
        else:  # a bug of ours must not end the stream silently
            log.warning("kucoin ws %s: unexpected %s", self.name, type(exc).__name__, exc_info=exc)
        return True

    async def _attempt(self) -> None:
        token = await self._fresh_token()
        ws = await self._open_socket(token)
        tasks: list[asyncio.Task[None]] = []
        try:
            loop = asyncio.get_running_loop()
            self._welcome = welcome = loop.create_future()
            reader = asyncio.create_task(self._read(ws))
            tasks.append(reader)
            try:
                await within(welcome, self._welcome_timeout, self._clock)
            except TimeoutError:
                raise _Retry(f"no welcome from {token.where} within {self._welcome_timeout} s") from None
            except ExchangeError as exc:  # (KuCoin's error frame instead of the welcome)
                raise _Retry(f"refused by {token.where}: {exc}") from None
            self._ws = ws
            self._was_up = True
            self.connects += 1
            restarted = self.connects > 1
            # everything kept is (re)subscribed on this socket
            self._outbox = sorted(self.topics)
            self._solo = []
            self._dropbox = []
            self._pending.clear()
            self._wake.set()
            tasks.append(asyncio.create_task(self._send_loop(ws, restarted)))
            tasks.append(asyncio.create_task(self._ping_loop(ws, token)))
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()  # (raises _Retry, or the bug)
            raise _Retry("the connection closed")
        finally:
            self._ws = None
            self._welcome = None
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            for pong in self._pongs.values():
                pong.cancel()
            self._pongs.clear()
            self._restart_ids.clear()
            if not ws.closed:
                await asyncio.shield(ws.close())

    async def _fresh_token(self) -> WsToken:
        """A new token for every connect: a reused expired one is a known cause of endless
        reconnect loops."""
        try:
            return await self._token()
        except NetworkError as exc:
            raise _Retry(f"no token: {exc}") from None
        except ExchangeError as exc:
            if exc.http_status is not None and exc.http_status >= 500:
                raise _Retry(f"no token: {exc}") from None
            raise

    async def _open_socket(self, token: WsToken) -> aiohttp.ClientWebSocketResponse:
        future = asyncio.ensure_future(self._ws_connect(token.url(uuid.uuid4().hex), heartbeat=None))
        try:
            return await within(future, self._connect_timeout, self._clock)
        except TimeoutError:
            future.cancel()
            wait = self._connect_timeout
            raise _Retry(f"cannot connect to {token.where}: no answer within {wait} s") from None
        except (aiohttp.ClientError, OSError) as exc:
            raise _Retry(f"cannot connect to {token.where}: {quiet_error(exc)}") from None

    async def _read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        try:
            ended = await self._receive(ws, self.on_text)
            raise _Retry(f"socket ended ({ended.name})")
        finally:
            welcome = self._welcome
            if welcome is not None and not welcome.done():
                welcome.set_exception(_Retry("the socket closed before the welcome"))

    def on_text(self, text: str) -> None:
        """One text frame from the socket (public so that a recorded stream can be replayed
        through the same path)."""
        try:
            frame = orjson.loads(text)
        except orjson.JSONDecodeError:
            log.debug("kucoin ws %s: a frame that is not JSON (%d chars)", self.name, len(text))
            return
        if type(frame) is not dict:
            return
        kind = frame.get("type")
        if kind == "message":
            try:
                self._listener.on_frame(frame)
            except Exception:
                log.exception("kucoin ws %s: a stream failed on a %s frame", self.name, frame.get("subject"))
        elif kind == "pong":
            for pong in self._pongs.values():
                if not pong.done():
                    pong.set_result(None)
        elif kind == "ack":
            self._answered(str(frame.get("id")), None)
        elif kind == "error":
            self._on_error(frame)
        elif kind == "welcome":
            if self._welcome is not None and not self._welcome.done():
                self._welcome.set_result(None)

    def _on_error(self, frame: dict[str, Any]) -> None:
        frame_id = str(frame.get("id"))
        if frame_id in self._pending:
            self._answered(frame_id, ws_error(frame))
        elif self._welcome is not None and not self._welcome.done():
            self._welcome.set_exception(ws_error(frame, "connect"))
        else:
            log.debug("kucoin ws %s: error frame %s %.80s", self.name, frame.get("code"), frame.get("data"))

    def _answered(self, frame_id: str, error: ExchangeError | None) -> None:
        found = self._pending.pop(frame_id, None)
        if found is None:
            return
        topics, unsubscribe = found
        if not unsubscribe:
            if error is None:
                for topic in topics:
                    if topic in self.topics:
                        self._listener.on_ack(topic)
            elif len(topics) > 1:  # find the topic refused: ask again one by one
                self._solo.extend(t for t in topics if t in self.topics)
                self._wake.set()
            else:
                topic = topics[0]
                self.topics.discard(topic)
                self._listener.on_topic_error(topic, error)
        if frame_id in self._restart_ids:
            self._restart_ids.discard(frame_id)
            if not self._restart_ids and self._ws is not None:
                self._listener.on_restart(self)

    async def _send(self, ws: aiohttp.ClientWebSocketResponse, frame: bytes) -> None:
        """Every client message counts against KuCoin's 100 per 10 s."""
        if self._pool.try_acquire(1) > 0:
            await self._pool.acquire(1)
        await ws.send_str(frame.decode())

    def _next_id(self) -> str:
        return str(next(self._ids))

    async def _send_loop(self, ws: aiohttp.ClientWebSocketResponse, restarted: bool) -> None:
        first = True
        while True:
            await self._wake.wait()
            self._wake.clear()
            await asyncio.sleep(0)  # (let subscriptions made in the same step share messages)
            drops, self._dropbox = self._dropbox, []
            adds, self._outbox = self._outbox, []
            solos, self._solo = self._solo, []
            messages = subscribe_frames(self._next_id, drops, private=self.private, unsubscribe=True)
            for frame_id, topics, _ in messages:
                self._pending[frame_id] = (topics, True)
            batch = subscribe_frames(self._next_id, adds, private=self.private)
            for topic in solos:
                batch += subscribe_frames(self._next_id, [topic], private=self.private)
            for frame_id, topics, _ in batch:
                self._pending[frame_id] = (topics, False)
            if first and restarted:
                if batch:
                    self._restart_ids.update(frame_id for frame_id, _, _ in batch)
                else:
                    self._listener.on_restart(self)
            first = False
            for _, _, frame in messages + batch:
                await self._send(ws, frame)

    async def _ping_loop(self, ws: aiohttp.ClientWebSocketResponse, token: WsToken) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._clock.sleep(token.ping_interval)
            frame_id = self._next_id()
            pong: asyncio.Future[None] = loop.create_future()
            self._pongs[frame_id] = pong
            try:
                await self._send(ws, ping_frame(frame_id))
                await within(pong, token.ping_timeout, self._clock)
            except TimeoutError:
                raise _Retry(f"no pong within {token.ping_timeout} s") from None
            finally:
                self._pongs.pop(frame_id, None)

