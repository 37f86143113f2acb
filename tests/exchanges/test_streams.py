"""The streaming protocol's vocabulary and the mailboxes that hold its memory rules."""

import asyncio
from collections.abc import AsyncGenerator

import pytest

from exchanges import (
    Backlog,
    Balance,
    Candle,
    Capabilities,
    ExchangeError,
    Fill,
    GapReason,
    Interval,
    Latest,
    ManualClock,
    Order,
    OrderBook,
    StreamGap,
    Streaming,
    StreamKind,
    Ticker,
    Trade,
)


class _Streams:
    capabilities = Capabilities(streams=frozenset({StreamKind.TICKER}))

    async def watch_ticker(self, symbol: str) -> AsyncGenerator[Ticker | StreamGap, None]:
        yield Ticker(symbol=symbol, timestamp=0)

    async def watch_trades(self, symbol: str) -> AsyncGenerator[Trade | StreamGap, None]:
        return
        yield

    async def watch_order_book(
        self, symbol: str, depth: int | None = 20
    ) -> AsyncGenerator[OrderBook | StreamGap, None]:
        return
        yield

    async def watch_candles(
        self, symbol: str, interval: Interval | str
    ) -> AsyncGenerator[Candle | StreamGap, None]:
        return
        yield

    async def watch_orders(self, symbol: str | None = None) -> AsyncGenerator[Order, None]:
        return
        yield

    async def watch_fills(self, symbol: str | None = None) -> AsyncGenerator[Fill, None]:
        return
        yield

    async def watch_balances(self) -> AsyncGenerator[Balance, None]:
        return
        yield


def test_streaming_is_a_protocol_of_its_own() -> None:
    assert isinstance(_Streams(), Streaming)
    assert not isinstance(object(), Streaming)
    assert Capabilities().streams == frozenset()  # nothing streams unless declared
    assert Capabilities.everything().streams == frozenset()


def test_market_streams_are_the_public_ones() -> None:
    assert {k for k in StreamKind if k.is_market} == {
        StreamKind.TICKER,
        StreamKind.TRADES,
        StreamKind.ORDER_BOOK,
        StreamKind.CANDLES,
    }


async def test_latest_keeps_one_value_whatever_the_producer_puts() -> None:
    box: Latest[int] = Latest(StreamKind.TICKER, "BTC/USDT", ManualClock())
    for i in range(10_000):
        box.put(i)
    assert len(box) == 1
    assert await box.get() == 9_999
    assert len(box) == 0


async def test_latest_by_key_keeps_each_keys_last_value_oldest_key_first() -> None:
    box: Latest[str] = Latest(StreamKind.CANDLES, "BTC/USDT", ManualClock())
    box.put("a1", key=1)
    box.put("b1", key=2)
    box.put("a2", key=1)
    assert [await box.get(), await box.get()] == ["a2", "b1"]


async def test_a_gap_drops_what_was_pending_and_comes_first() -> None:
    clock = ManualClock(start_ms=5_000)
    box: Latest[int] = Latest(StreamKind.ORDER_BOOK, "BTC/USDT", clock)
    box.put(1)
    box.gap(GapReason.SEQUENCE)
    box.gap(GapReason.RECONNECT)  # one gap stands for both
    box.put(2)
    gap = await box.get()
    assert gap == StreamGap(
        kind=StreamKind.ORDER_BOOK, symbol="BTC/USDT", reason=GapReason.SEQUENCE, timestamp=5_000
    )
    assert await box.get() == 2
    assert len(box) == 0


async def test_a_waiting_consumer_wakes_on_put() -> None:
    box: Latest[int] = Latest(StreamKind.TICKER, "X/Y", ManualClock())
    task = asyncio.create_task(box.get())
    await asyncio.sleep(0)
    assert not task.done()
    box.put(7)
    assert await task == 7


async def test_an_unbounded_backlog_never_drops() -> None:
    box: Backlog[int] = Backlog(StreamKind.ORDERS, "", ManualClock())
    for i in range(50_000):
        box.put(i)
    assert [await box.get() for _ in range(50_000)] == list(range(50_000))


async def test_a_bounded_backlog_keeps_the_newest_and_counts_the_rest() -> None:
    clock = ManualClock(start_ms=1_000)
    box: Backlog[int] = Backlog(StreamKind.TRADES, "BTC/USDT", clock, limit=3)
    for i in range(10):
        box.put(i)
    assert len(box) == 4  # three events and the gap
    gap = await box.get()
    assert isinstance(gap, StreamGap)
    assert (gap.reason, gap.dropped, gap.timestamp) == (GapReason.OVERFLOW, 7, 1_000)
    assert [await box.get() for _ in range(3)] == [7, 8, 9]


async def test_a_backlog_gap_stays_where_it_happened() -> None:
    box: Backlog[int] = Backlog(StreamKind.TRADES, "BTC/USDT", ManualClock())
    box.put(1)
    box.gap(GapReason.RECONNECT)
    box.put(2)
    first, gap, last = await box.get(), await box.get(), await box.get()
    assert (first, last) == (1, 2)
    assert isinstance(gap, StreamGap)
    assert gap.reason is GapReason.RECONNECT


async def test_failure_comes_after_what_is_already_there() -> None:
    box: Backlog[int] = Backlog(StreamKind.FILLS, "", ManualClock())
    box.put(1)
    box.fail(ExchangeError("exchange is closed"))
    assert await box.get() == 1
    with pytest.raises(ExchangeError, match="closed"):
        await box.get()
    waiting = Latest[int](StreamKind.TICKER, "X/Y", ManualClock())
    task = asyncio.create_task(waiting.get())
    await asyncio.sleep(0)
    waiting.fail(ExchangeError("gone"))
    with pytest.raises(ExchangeError, match="gone"):
        await task


def test_a_backlog_limit_is_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Backlog(StreamKind.TRADES, "X/Y", ManualClock(), limit=0)
