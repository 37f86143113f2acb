"""Waiting for a future on the exchange's clock (so that a ``ManualClock`` drives the
deadline, and tests need no sleeps)."""

from __future__ import annotations

import asyncio
from typing import TypeVar

from exchanges import Clock

__all__ = ["within"]

T = TypeVar("T")


async def within(future: asyncio.Future[T], seconds: float, clock: Clock) -> T:
    """``future``'s result, or ``TimeoutError`` once ``seconds`` have passed on ``clock``
    (the future itself is left alone)."""
    if not future.done():
        timer = asyncio.ensure_future(clock.sleep(seconds))
        try:
            await asyncio.wait((future, timer), return_when=asyncio.FIRST_COMPLETED)
        finally:
            timer.cancel()
        if not future.done():
            raise TimeoutError
    return future.result()
