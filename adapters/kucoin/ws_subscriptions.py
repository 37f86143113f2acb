"""KuCoin's topics to connections, on the venue-neutral hub of ``adapters.common``.

Each topic goes on the first connection of its kind (public or private) with room under
KuCoin's topics-per-connection limit; a new connection opens when none has room, so the
limits are kept by splitting across connections. A connection subscribes and unsubscribes
its topics itself, and a connection left with no topic closes.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Protocol

from adapters.common.topic_hub import TopicHandler as _TopicHandler
from adapters.common.topic_hub import TopicHub
from adapters.common.ws_socket import Reconnect
from exchanges import Clock, ExchangeError

from .errors import VENUE
from .options import KucoinOptions
from .ws_connection import WsConnection
from .ws_protocol import WsToken

__all__ = ["TopicHandler", "WsHub"]

log = logging.getLogger("adapters.kucoin")


class TopicHandler(_TopicHandler, Protocol):
    """A stream's side of a topic: its frames, a reconnect, a refusal."""

    def on_message(self, frame: dict[str, Any]) -> None: ...


class WsHub(TopicHub[WsConnection, TopicHandler]):
    """The exchange's WebSocket connections and the topics they carry."""

    def __init__(
        self,
        options: KucoinOptions,
        clock: Clock,
        tokens: Callable[[bool], Awaitable[WsToken]],
    ) -> None:
        super().__init__(clock, subscribe_timeout=options.ws_subscribe_timeout, venue=VENUE)
        self._options = options
        self._tokens = tokens
        self._names = 0

    def __repr__(self) -> str:
        return f"WsHub(topics={len(self._handlers)}, connections={len(self.connections)})"

    async def subscribe(self, topic: str, handler: TopicHandler, *, private: bool) -> None:
        """Listen to ``topic``; returns once KuCoin acknowledged it (at once if it already
        had). A refusal is raised as an ``exchanges`` error; no answer within
        ``ws_subscribe_timeout`` as ``RequestTimeout``."""
        await self._join(topic, handler, lambda: self._connection_for(private))

    async def _carry(self, connection: WsConnection, topic: str) -> None:
        connection.add(topic)

    def _drop(self, connection: WsConnection, topic: str) -> Coroutine[Any, Any, None] | None:
        connection.remove(topic)
        if not connection.topics and connection in self.connections:
            self.connections.remove(connection)
            return connection.close()
        return None

    async def _shut(self, connection: WsConnection) -> None:
        await connection.close()

    def _connection_for(self, private: bool) -> WsConnection:
        room = self._options.ws_topics_per_connection
        for connection in self.connections:
            if connection.private == private and not connection.closed and len(connection.topics) < room:
                return connection
        self._names += 1
        opts = self._options
        connection = WsConnection(
            f"{'private' if private else 'public'}-{self._names}",
            private=private,
            token=lambda: self._tokens(private),
            listener=self,
            reconnect=Reconnect.of(opts, self.session, self._clock),
            welcome_timeout=opts.ws_welcome_timeout,
            messages_per_window=opts.ws_messages_per_window,
        )
        self.connections.append(connection)
        connection.start()
        return connection

    # --- what the connections report -----------------------------------------------------------

    def on_frame(self, frame: dict[str, Any]) -> None:
        handlers = self._handlers.get(frame.get("topic"))  # type: ignore[arg-type]
        if handlers:
            for handler in handlers:
                handler.on_message(frame)

    def on_restart(self, connection: WsConnection) -> None:
        self._restart(connection.topics)

    def on_fatal(self, connection: WsConnection, error: ExchangeError) -> None:
        log.debug("kucoin ws %s gave up: %s", connection.name, error)
        for topic in [t for t, c in self._owner.items() if c is connection]:
            self.on_topic_error(topic, error)
        if connection in self.connections:
            self.connections.remove(connection)
