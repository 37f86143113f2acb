"""Topics to connections: who listens to what, and which socket carries it.

Each topic is subscribed once however many streams listen to it, on the first connection
of its kind (public or private) with room under KuCoin's topics-per-connection limit; a
new connection opens when none has room, so the limits are kept by splitting across
connections. The last listener leaving unsubscribes the topic, and a connection left with
no topic closes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import aiohttp

from exchanges import Clock, ExchangeError, RequestTimeout

from .errors import VENUE
from .options import KucoinOptions
from .ws_connection import WsConnection, within
from .ws_protocol import WsToken

__all__ = ["TopicHandler", "WsHub"]

log = logging.getLogger("adapters.kucoin")


class TopicHandler(Protocol):
    """A stream's side of a topic: its frames, a reconnect, a refusal."""

    def on_message(self, frame: dict[str, Any]) -> None: ...

    def on_restart(self) -> None: ...

    def on_error(self, error: ExchangeError) -> None: ...


class WsHub:
    """The exchange's WebSocket connections and the topics they carry."""

    def __init__(
        self,
        options: KucoinOptions,
        clock: Clock,
        tokens: Callable[[bool], Awaitable[WsToken]],
    ) -> None:
        self._options = options
        self._clock = clock
        self._tokens = tokens
        self._handlers: dict[str, list[TopicHandler]] = {}
        self._owner: dict[str, WsConnection] = {}
        self._ready: dict[str, asyncio.Future[None]] = {}
        self.connections: list[WsConnection] = []
        self._session: aiohttp.ClientSession | None = None
        self._closing: set[asyncio.Task[None]] = set()
        self._names = 0
        self._closed = False

    def __repr__(self) -> str:
        return f"WsHub(topics={len(self._handlers)}, connections={len(self.connections)})"

    @property
    def topics(self) -> frozenset[str]:
        return frozenset(self._handlers)

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def subscribe(self, topic: str, handler: TopicHandler, *, private: bool) -> None:
        """Listen to ``topic``; returns once KuCoin acknowledged it (at once if it already
        had). A refusal is raised as an ``exchanges`` error; no answer within
        ``ws_subscribe_timeout`` as ``RequestTimeout``."""
        if self._closed:
            raise ExchangeError("exchange is closed", venue=VENUE)
        handlers = self._handlers.get(topic)
        if handlers is None:
            handlers = self._handlers[topic] = []
            self._ready[topic] = asyncio.get_running_loop().create_future()
            connection = self._connection_for(private)
            self._owner[topic] = connection
            connection.add(topic)
        handlers.append(handler)
        ready = self._ready.get(topic)
        if ready is None:
            return
        try:
            await within(asyncio.shield(ready), self._options.ws_subscribe_timeout, self._clock)
        except TimeoutError:
            self.unsubscribe(topic, handler)
            wait = self._options.ws_subscribe_timeout
            raise RequestTimeout(f"subscribe {topic}: no answer within {wait} s", venue=VENUE) from None
        except BaseException:
            self.unsubscribe(topic, handler)
            raise

    def unsubscribe(self, topic: str, handler: TopicHandler) -> None:
        handlers = self._handlers.get(topic)
        if handlers is None or handler not in handlers:
            return
        handlers.remove(handler)
        if handlers:
            return
        self._forget(topic)

    def _forget(self, topic: str) -> None:
        self._handlers.pop(topic, None)
        ready = self._ready.pop(topic, None)
        if ready is not None and not ready.done():
            ready.cancel()
        connection = self._owner.pop(topic, None)
        if connection is None:
            return
        connection.remove(topic)
        if not connection.topics and connection in self.connections:
            self.connections.remove(connection)
            task = asyncio.get_running_loop().create_task(connection.close())
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    def _connection_for(self, private: bool) -> WsConnection:
        room = self._options.ws_topics_per_connection
        for connection in self.connections:
            if connection.private == private and not connection.closed and len(connection.topics) < room:
                return connection
        self._names += 1
        opts = self._options
        connection = WsConnection(
            name=f"{'private' if private else 'public'}-{self._names}",
            private=private,
            token=lambda: self._tokens(private),
            listener=self,
            session=self._get_session,
            clock=self._clock,
            welcome_timeout=opts.ws_welcome_timeout,
            connect_timeout=opts.timeout,
            backoff_initial=opts.ws_backoff_initial,
            backoff_max=opts.ws_backoff_max,
            messages_per_window=opts.ws_messages_per_window,
            ssl_context=opts.ws_ssl,
        )
        self.connections.append(connection)
        connection.start()
        return connection

    async def close(self) -> None:
        """Close every connection; listeners still waiting hear ``exchange is closed``."""
        self._closed = True
        closed = ExchangeError("exchange is closed", venue=VENUE)
        for topic in list(self._handlers):
            for handler in list(self._handlers.get(topic, ())):
                handler.on_error(closed)
            self._forget(topic)
        await asyncio.gather(*(c.close() for c in self.connections), *self._closing, return_exceptions=True)
        self.connections.clear()
        if self._session is not None:
            await self._session.close()
            self._session = None

    # --- what the connections report -----------------------------------------------------------

    def on_frame(self, frame: dict[str, Any]) -> None:
        handlers = self._handlers.get(frame.get("topic"))  # type: ignore[arg-type]
        if handlers:
            for handler in handlers:
                handler.on_message(frame)

    def on_ack(self, topic: str) -> None:
        ready = self._ready.pop(topic, None)
        if ready is not None and not ready.done():
            ready.set_result(None)

    def on_topic_error(self, topic: str, error: ExchangeError) -> None:
        ready = self._ready.pop(topic, None)
        if ready is not None and not ready.done():
            ready.set_exception(error)
            ready.exception()  # (retrieved here: the waiters each get it through a shield)
        for handler in list(self._handlers.get(topic, ())):
            handler.on_error(error)
        self._forget(topic)

    def on_restart(self, connection: WsConnection) -> None:
        for topic in sorted(connection.topics):
            for handler in list(self._handlers.get(topic, ())):
                handler.on_restart()

    def on_fatal(self, connection: WsConnection, error: ExchangeError) -> None:
        log.debug("kucoin ws %s gave up: %s", connection.name, error)
        for topic in [t for t, c in self._owner.items() if c is connection]:
            self.on_topic_error(topic, error)
        if connection in self.connections:
            self.connections.remove(connection)
