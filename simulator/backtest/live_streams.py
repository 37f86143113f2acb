"""The streams a live run listens to: each read by a task of its own into one queue, so that
the strategy's callbacks still run one at a time, in the order things arrived.

The queue is small: when the strategy is slow, the readers wait, and each stream's own
mailbox applies the protocol's memory rules (books conflate, trades keep a bounded backlog,
orders and fills keep everything). A stream that fails (raises anything, or ends: a live
stream never should) is reported, and the runner polls what it carried from then on.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from typing import Any

import attrs

from exchanges import Exchange, Interval, Streaming, StreamKind

__all__ = ["LiveStreams", "StreamFailed"]

_QUEUE = 100


@attrs.frozen
class StreamFailed:
    """What a stream says last: why it stopped."""

    kind: StreamKind
    reason: str

    def __str__(self) -> str:
        return f"{self.kind} stream {self.reason}"


class LiveStreams:
    """``kinds``: the streams this run reads (those the exchange offers of ``wanted``; none
    unless ``use``)."""

    def __init__(
        self,
        exchange: Exchange,
        symbol: str,
        *,
        book_depth: int,
        candle_interval: Interval | None,
        wanted: frozenset[StreamKind],
        use: bool = True,
    ) -> None:
        offered = exchange.capabilities.streams if use and isinstance(exchange, Streaming) else frozenset()
        if candle_interval is None:
            wanted = wanted - {StreamKind.CANDLES}
        #: What the run needs, by stream or by polling.
        self.wanted = frozenset(wanted)
        self.kinds = frozenset(wanted & offered)
        self.failed: dict[StreamKind, str] = {}
        self._exchange = exchange
        self._symbol = symbol
        self._depth = book_depth
        self._interval = candle_interval
        self._queue: asyncio.Queue[tuple[StreamKind, Any]] = asyncio.Queue(_QUEUE)
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def live(self) -> frozenset[StreamKind]:
        """The streams still read (not failed)."""
        return self.kinds - set(self.failed)

    def start(self) -> None:
        exchange = self._exchange
        if not self.kinds:
            return
        assert isinstance(exchange, Streaming)  # (kinds come from its capabilities.streams)
        for kind in sorted(self.kinds):
            stream = self._open(exchange, kind)
            self._tasks.append(asyncio.create_task(self._read(kind, stream), name=f"live stream {kind}"))

    def _open(self, exchange: Streaming, kind: StreamKind) -> AsyncGenerator[Any, None]:
        symbol = self._symbol
        if kind is StreamKind.ORDER_BOOK:
            return exchange.watch_order_book(symbol, self._depth)
        if kind is StreamKind.TRADES:
            return exchange.watch_trades(symbol)
        if kind is StreamKind.CANDLES:
            assert self._interval is not None
            return exchange.watch_candles(symbol, self._interval)
        if kind is StreamKind.ORDERS:  # (of every symbol: the strategy may trade several)
            return exchange.watch_orders()
        if kind is StreamKind.FILLS:
            return exchange.watch_fills()
        raise ValueError(f"a live run does not read {kind} streams")

    async def _read(self, kind: StreamKind, stream: AsyncGenerator[Any, None]) -> None:
        try:
            async for item in stream:
                await self._queue.put((kind, item))
            reason = "ended"
        except Exception as err:  # (whatever broke it, the runner polls this kind from now on)
            reason = f"failed: {type(err).__name__}: {err}"
        finally:
            await stream.aclose()
        self.failed[kind] = reason
        await self._queue.put((kind, StreamFailed(kind, reason)))

    async def next(self, *others: asyncio.Future[Any]) -> tuple[StreamKind, Any] | None:
        """The next thing a stream said, or None once one of ``others`` is done first."""
        if not self._queue.empty():
            return self._queue.get_nowait()
        getter = asyncio.ensure_future(self._queue.get())
        done, _ = await asyncio.wait((getter, *others), return_when=asyncio.FIRST_COMPLETED)
        if getter in done:
            return getter.result()
        getter.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await getter
        return None

    async def close(self) -> list[tuple[StreamKind, Any]]:
        """Stop reading; returns what was read and not yet taken."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        left = []
        while not self._queue.empty():
            left.append(self._queue.get_nowait())
        return left
