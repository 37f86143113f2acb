"""Waiting in the WebSocket tests: poll a condition with a deadline (optionally moving a
manual clock each round), never a fixed sleep."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Callable
from typing import Any, TypeVar

from exchanges import ManualClock

T = TypeVar("T")

DEADLINE_S = 10.0


async def until(
    condition: Callable[[], bool],
    *,
    clock: ManualClock | None = None,
    step: float = 0.0,
    what: str = "condition",
) -> None:
    """Return once ``condition()`` holds; each round moves ``clock`` on by ``step`` s."""
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {DEADLINE_S} s")
        if clock is not None and step:
            clock.advance(step)
        await asyncio.sleep(0.002)


def pull(stream: AsyncGenerator[T, None]) -> asyncio.Future[T]:
    """The stream's next item, as a future (so the test can act while it waits)."""
    return asyncio.ensure_future(anext(stream))


async def drop(*futures: asyncio.Future[Any]) -> None:
    """Cancel waits on streams and let them end (a generator cannot close mid-``anext``)."""
    for future in futures:
        future.cancel()
    await asyncio.gather(*futures, return_exceptions=True)


async def within_deadline(
    future: asyncio.Future[Any], *, clock: ManualClock | None = None, step: float = 0.0
) -> Any:
    await until(future.done, clock=clock, step=step, what="the stream's next item")
    return future.result()


def ticker_data(
    bid: str = "99", ask: str = "101", price: str = "100", time_ms: int = 1_729_816_058_766
) -> dict[str, Any]:
    """``/market/ticker`` data as the spec's example has it."""
    return {
        "sequence": "1545896668986",
        "price": price,
        "size": "0.011",
        "bestAsk": ask,
        "bestAskSize": "0.18",
        "bestBid": bid,
        "bestBidSize": "0.036",
        "time": time_ms,
    }
