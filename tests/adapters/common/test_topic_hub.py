"""The venue-neutral topic hub on a venue of its own (its connections are plain records of
what they carry): one subscription per topic however many listen, the venue's answer
awaited on the exchange's clock, the last listener's leaving, refusals and closing."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import pytest

from adapters.common.topic_hub import TopicHub
from exchanges import BadRequest, ExchangeError, ManualClock, RequestTimeout
from tests.adapters.kucoin.ws_helpers import until


class Line:
    """A connection: the topics it carries, and whether it was closed."""

    def __init__(self) -> None:
        self.topics: set[str] = set()
        self.closed = False

    async def close(self) -> None:
        self.closed = True


class Listener:
    def __init__(self) -> None:
        self.restarts = 0
        self.errors: list[ExchangeError] = []

    def on_restart(self) -> None:
        self.restarts += 1

    def on_error(self, error: ExchangeError) -> None:
        self.errors.append(error)


class Hub(TopicHub[Line, Listener]):
    def __init__(self, clock: ManualClock) -> None:
        super().__init__(clock, subscribe_timeout=5.0, venue="test")
        self.sent: list[tuple[str, str]] = []

    async def subscribe(self, topic: str, listener: Listener) -> None:
        await self._join(topic, listener, self._line)

    def _line(self) -> Line:
        if not self.connections:
            self.connections.append(Line())
        return self.connections[0]

    async def _carry(self, connection: Line, topic: str) -> None:
        connection.topics.add(topic)
        self.sent.append(("subscribe", topic))

    def _drop(self, connection: Line, topic: str) -> Coroutine[Any, Any, None] | None:
        connection.topics.discard(topic)
        self.sent.append(("unsubscribe", topic))
        if connection.topics:
            return None
        self.connections.remove(connection)
        return connection.close()

    async def _shut(self, connection: Line) -> None:
        await connection.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


async def test_one_subscription_serves_every_listener_and_the_last_to_leave_closes_it(
    clock: ManualClock,
) -> None:
    hub = Hub(clock)
    first, second = Listener(), Listener()
    waiting = [asyncio.ensure_future(hub.subscribe("t", listener)) for listener in (first, second)]
    await until(lambda: len(hub._handlers.get("t", ())) == 2, what="both listening")
    assert not any(w.done() for w in waiting)  # (the venue has not answered)
    hub.on_ack("t")
    await asyncio.gather(*waiting)
    assert hub.sent == [("subscribe", "t")]
    line = hub.connections[0]
    hub._restart(line.topics)
    assert (first.restarts, second.restarts) == (1, 1)
    hub.unsubscribe("t", first)
    assert hub.sent == [("subscribe", "t")] and hub.topics == {"t"}
    hub.unsubscribe("t", second)
    await until(lambda: line.closed, what="the empty connection closed")
    assert hub.sent == [("subscribe", "t"), ("unsubscribe", "t")] and hub.topics == frozenset()
    await hub.close()


async def test_no_answer_within_the_timeout_on_the_clock_is_a_request_timeout(clock: ManualClock) -> None:
    hub = Hub(clock)
    waiting = asyncio.ensure_future(hub.subscribe("t", Listener()))
    await until(lambda: hub.sent == [("subscribe", "t")], what="subscribed")
    await until(waiting.done, clock=clock, step=1.0, what="the timeout")
    with pytest.raises(RequestTimeout, match=r"no answer within 5\.0 s"):
        waiting.result()
    assert hub.topics == frozenset() and hub.sent[-1] == ("unsubscribe", "t")
    await hub.close()


async def test_a_refusal_reaches_every_listener_and_the_waiting_subscriber(clock: ManualClock) -> None:
    hub = Hub(clock)
    first, second = Listener(), Listener()
    waiting = [asyncio.ensure_future(hub.subscribe("t", listener)) for listener in (first, second)]
    await until(lambda: len(hub._handlers.get("t", ())) == 2, what="both listening")
    refused = BadRequest("no such topic", venue="test", code="400")
    hub.on_topic_error("t", refused)
    for w in waiting:
        with pytest.raises(BadRequest, match="no such topic"):
            await w
    assert first.errors == [refused] and second.errors == [refused]
    assert hub.topics == frozenset()
    await hub.close()


async def test_closing_tells_the_listeners_and_refuses_new_ones(clock: ManualClock) -> None:
    hub = Hub(clock)
    listener = Listener()
    waiting = asyncio.ensure_future(hub.subscribe("t", listener))
    await until(lambda: hub.sent == [("subscribe", "t")], what="subscribed")
    line = hub.connections[0]
    await hub.close()
    assert len(listener.errors) == 1 and "exchange is closed" in str(listener.errors[0])
    assert waiting.cancelled() or isinstance(waiting.exception(), ExchangeError)
    assert line.closed and hub.connections == []
    with pytest.raises(ExchangeError, match="exchange is closed"):
        await hub.subscribe("u", Listener())
