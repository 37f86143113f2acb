"""Streams joining feeds: a feed per key (a topic, a stream, "orders"), made and opened by
the first stream that needs it and stopped and closed with the last, so that one
subscription serves every stream watching the same thing."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Protocol, TypeVar

from exchanges import ExchangeError

__all__ = ["FeedLike", "joined", "stop_all"]


class FeedLike(Protocol):
    ready: asyncio.Future[None] | None

    @property
    def boxes(self) -> list[Any]: ...

    async def start(self) -> None: ...

    def stop(self) -> None: ...

    def on_error(self, error: ExchangeError) -> None: ...


F = TypeVar("F", bound=FeedLike)


@contextlib.asynccontextmanager
async def joined(
    feeds: dict[str, FeedLike],
    key: str,
    *,
    make: Callable[[], F],
    open_feed: Callable[[F], Awaitable[None]],
    close_feed: Callable[[F], None],
    join: Callable[[F], None],
    leave: Callable[[F], None],
) -> AsyncIterator[F]:
    """``key``'s feed in ``feeds`` (made and opened if none), joined while inside; ready
    (opened and started) before the body runs."""
    found = feeds.get(key)
    if found is None:
        feed = make()
        feeds[key] = feed
        feed.ready = asyncio.ensure_future(open_feed(feed))
    else:
        feed = found  # type: ignore[assignment]
    join(feed)
    try:
        assert feed.ready is not None
        await asyncio.shield(feed.ready)
        yield feed
    finally:
        leave(feed)
        if not feed.boxes and feeds.get(key) is feed:
            del feeds[key]
            feed.stop()
            if feed.ready is not None and not feed.ready.done():
                feed.ready.cancel()
            close_feed(feed)


def stop_all(feeds: dict[str, FeedLike]) -> None:
    """The exchange closes: every feed stops."""
    for feed in list(feeds.values()):
        feed.stop()
    feeds.clear()
