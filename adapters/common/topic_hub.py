"""Topics to connections, venue-neutral: who listens to what, and which connection carries it.

Each topic is subscribed once however many handlers listen to it, on a connection the venue
picks (one with room under its limits, or a new one); a handler waits until the venue takes
the topic, and hears of a refusal as an error. The last handler leaving unsubscribes the
topic, and a connection left with none closes. How a connection subscribes, answers and
routes its messages is the venue's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterable
from typing import Any, Generic, Protocol, TypeVar

import aiohttp

from exchanges import Clock, ExchangeError, RequestTimeout

from .deadline import within

__all__ = ["TopicHandler", "TopicHub"]


class TopicHandler(Protocol):
    """A stream's side of a topic: a reconnect, a refusal (its messages are the venue's)."""

    def on_restart(self) -> None: ...

    def on_error(self, error: ExchangeError) -> None: ...


C = TypeVar("C")
H = TypeVar("H", bound=TopicHandler)


class TopicHub(Generic[C, H]):
    """The exchange's connections of one kind and the topics they carry."""

    def __init__(self, clock: Clock, *, subscribe_timeout: float, venue: str) -> None:
        self._clock = clock
        self._subscribe_timeout = subscribe_timeout
        self._venue = venue
        self._handlers: dict[str, list[H]] = {}
        self._owner: dict[str, C] = {}
        self._ready: dict[str, asyncio.Future[None]] = {}
        self.connections: list[C] = []
        self._session: aiohttp.ClientSession | None = None
        self._closing: set[asyncio.Task[None]] = set()
        self._closed = False

    @property
    def topics(self) -> frozenset[str]:
        return frozenset(self._handlers)

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def _join(self, topic: str, handler: H, place: Callable[[], C]) -> None:
        """Listen to ``topic`` (placed on the connection ``place`` picks if no one does yet);
        returns once the venue took it (at once if it already had). A refusal is raised as
        an ``exchanges`` error; no answer within the subscribe timeout as ``RequestTimeout``."""
        if self._closed:
            raise ExchangeError("exchange is closed", venue=self._venue)
        handlers = self._handlers.get(topic)
        if handlers is None:
            handlers = self._handlers[topic] = []
            self._ready[topic] = asyncio.get_running_loop().create_future()
            connection = place()
            self._owner[topic] = connection
            await self._carry(connection, topic)
        handlers.append(handler)
        ready = self._ready.get(topic)
        if ready is None:
            return
        try:
            await within(asyncio.shield(ready), self._subscribe_timeout, self._clock)
        except TimeoutError:
            self.unsubscribe(topic, handler)
            wait = self._subscribe_timeout
            raise RequestTimeout(f"subscribe {topic}: no answer within {wait} s", venue=self._venue) from None
        except BaseException:
            self.unsubscribe(topic, handler)
            raise

    def unsubscribe(self, topic: str, handler: H) -> None:
        handlers = self._handlers.get(topic)
        if handlers is None or handler not in handlers:
            return
        handlers.remove(handler)
        if not handlers:
            self._forget(topic)

    def _forget(self, topic: str) -> None:
        self._handlers.pop(topic, None)
        ready = self._ready.pop(topic, None)
        if ready is not None and not ready.done():
            ready.cancel()
        connection = self._owner.pop(topic, None)
        if connection is None:
            return
        work = self._drop(connection, topic)
        if work is not None:
            task = asyncio.get_running_loop().create_task(work)
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    async def close(self) -> None:
        """Close every connection; handlers still waiting hear ``exchange is closed``."""
        self._closed = True
        closed = ExchangeError("exchange is closed", venue=self._venue)
        for topic in list(self._handlers):
            for handler in list(self._handlers.get(topic, ())):
                handler.on_error(closed)
            self._forget(topic)
        await asyncio.gather(
            *(self._shut(c) for c in self.connections), *self._closing, return_exceptions=True
        )
        self.connections.clear()
        if self._session is not None:
            await self._session.close()
            self._session = None

    # --- what the venue's connections report ----------------------------------------------------

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

    def _restart(self, topics: Iterable[str]) -> None:
        """A connection is back with ``topics``: every handler of them hears of it."""
        for topic in sorted(topics):
            for handler in list(self._handlers.get(topic, ())):
                handler.on_restart()

    # --- the venue's part ------------------------------------------------------------------------

    async def _carry(self, connection: C, topic: str) -> None:
        """``connection`` takes ``topic`` (subscribing now, or once connected)."""
        raise NotImplementedError

    def _drop(self, connection: C, topic: str) -> Coroutine[Any, Any, None] | None:
        """``connection`` lets ``topic`` go; what must still be sent or closed, if anything."""
        raise NotImplementedError

    async def _shut(self, connection: C) -> None:
        raise NotImplementedError
