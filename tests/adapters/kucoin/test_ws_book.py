"""The level-2 book stream against a KuCoin-speaking server whose book is a model: the
calibration procedure, gaps and resyncs under dropped, duplicated and reordered frames,
reconnects, and conflation."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest

from adapters.kucoin import KucoinExchange
from exchanges import GapReason, ManualClock, OrderBook, StreamGap

from .fake_ws import FakeKucoin
from .ws_helpers import pull, until, within_deadline

TOPIC = "/market/level2:BTC-USDT"


class ModelBook:
    """The venue's book: random changes, each increment numbered as KuCoin numbers them."""

    def __init__(self, seed: int = 5) -> None:
        self.rng = random.Random(seed)
        self.bids = {1000 - i: "1" for i in range(1, 30)}
        self.asks = {1000 + i: "1" for i in range(30)}
        self.sequence = 500

    def snapshot(self, _symbol: str = "") -> dict[str, Any]:
        return {
            "sequence": str(self.sequence),
            "time": 1_700_000_000_000,
            "bids": [[str(p), s] for p, s in sorted(self.bids.items(), reverse=True)],
            "asks": [[str(p), s] for p, s in sorted(self.asks.items())],
        }

    def increment(self) -> dict[str, Any]:
        changes: dict[str, list[list[str]]] = {"asks": [], "bids": []}
        start = self.sequence + 1
        for _ in range(self.rng.randint(1, 3)):
            self.sequence += 1
            is_bid = self.rng.random() < 0.5
            side = self.bids if is_bid else self.asks
            price = 1000 - self.rng.randint(1, 40) if is_bid else 1000 + self.rng.randint(0, 39)
            size = "0" if price in side and self.rng.random() < 0.3 else str(self.rng.randint(1, 9))
            if size == "0":
                del side[price]
            else:
                side[price] = size
            changes["bids" if is_bid else "asks"].append([str(price), size, str(self.sequence)])
        return {
            "changes": changes,
            "sequenceStart": start,
            "sequenceEnd": self.sequence,
            "symbol": "BTC-USDT",
            "time": 1_700_000_000_000 + self.sequence,
        }

    def top(self, depth: int | None) -> tuple[list[tuple[Decimal, Decimal]], list[tuple[Decimal, Decimal]]]:
        bids = [(Decimal(p), Decimal(s)) for p, s in sorted(self.bids.items(), reverse=True)]
        asks = [(Decimal(p), Decimal(s)) for p, s in sorted(self.asks.items())]
        return (bids, asks) if depth is None else (bids[:depth], asks[:depth])


def levels(book: OrderBook) -> tuple[list[tuple[Decimal, Decimal]], list[tuple[Decimal, Decimal]]]:
    return [(lv.price, lv.size) for lv in book.bids], [(lv.price, lv.size) for lv in book.asks]


@pytest.fixture
async def fake() -> AsyncIterator[FakeKucoin]:
    server = FakeKucoin()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def model(fake: FakeKucoin) -> ModelBook:
    book = ModelBook()
    fake.snapshot = book.snapshot
    return book


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def kucoin(fake: FakeKucoin, clock: ManualClock) -> AsyncIterator[KucoinExchange]:
    ex = KucoinExchange(base_url=fake.url, clock=clock, rate_limit=False, ws_snapshot_books=False)
    yield ex
    await ex.close()


async def publish(fake: FakeKucoin, model: ModelBook, n: int = 1) -> None:
    for _ in range(n):
        await fake.publish(TOPIC, "trade.l2update", model.increment())


async def book_at(
    stream: Any, model: ModelBook, depth: int | None, clock: ManualClock | None = None
) -> OrderBook:
    """Read until the stream's book has the model's sequence (gaps and older books pass)."""
    while True:
        item = await within_deadline(pull(stream), clock=clock, step=0.05)
        if isinstance(item, OrderBook) and item.sequence == model.sequence:
            assert levels(item) == model.top(depth)
            return item


async def test_increments_before_the_snapshot_are_buffered_then_joined(
    fake: FakeKucoin, model: ModelBook, kucoin: KucoinExchange
) -> None:
    fake.snapshot_gate = asyncio.Event()
    stream = kucoin.watch_order_book("BTC/USDT", depth=10)
    first = pull(stream)
    await until(lambda: fake.snapshot_requests == 1, what="the snapshot asked for")
    await publish(fake, model, 3)
    older = model.snapshot()  # the snapshot KuCoin answers is a little behind the socket
    await publish(fake, model, 3)
    fake.snapshot = lambda _symbol: older
    fake.snapshot_gate.set()
    book = await within_deadline(first)
    assert isinstance(book, OrderBook)
    await until(lambda: kucoin._feeds[TOPIC].book.sequence == model.sequence)  # type: ignore[attr-defined]
    assert fake.snapshot_requests == 1
    fake.snapshot = model.snapshot
    await publish(fake, model)
    await book_at(stream, model, 10)
    await stream.aclose()


async def test_a_dropped_increment_is_a_gap_then_a_new_snapshot(
    fake: FakeKucoin, model: ModelBook, kucoin: KucoinExchange
) -> None:
    stream = kucoin.watch_order_book("BTC/USDT", depth=None)
    await book_at(stream, model, None)
    fake.drop = 1
    await publish(fake, model, 2)  # the first never arrives
    gap = await within_deadline(pull(stream))
    assert isinstance(gap, StreamGap) and gap.reason is GapReason.SEQUENCE
    await book_at(stream, model, None)
    assert fake.snapshot_requests == 2
    await stream.aclose()


async def test_a_duplicated_increment_changes_nothing(
    fake: FakeKucoin, model: ModelBook, kucoin: KucoinExchange
) -> None:
    stream = kucoin.watch_order_book("BTC/USDT", depth=100)
    await book_at(stream, model, 100)
    fake.duplicate = 1
    await publish(fake, model, 2)
    await book_at(stream, model, 100)
    assert fake.snapshot_requests == 1
    await stream.aclose()


async def test_reordered_increments_resync(
    fake: FakeKucoin, model: ModelBook, kucoin: KucoinExchange
) -> None:
    stream = kucoin.watch_order_book("BTC/USDT", depth=100)
    await book_at(stream, model, 100)
    fake.reorder = True
    await publish(fake, model, 2)
    await book_at(stream, model, 100)
    assert fake.snapshot_requests == 2
    await stream.aclose()


async def test_a_reconnect_rebuilds_the_book(
    fake: FakeKucoin, model: ModelBook, kucoin: KucoinExchange, clock: ManualClock
) -> None:
    stream = kucoin.watch_order_book("BTC/USDT", depth=100)
    await book_at(stream, model, 100)
    await fake.kick()
    for _ in range(3):  # the market moves on while the client is away
        model.increment()
    gap = await within_deadline(pull(stream), clock=clock, step=0.1)
    assert isinstance(gap, StreamGap) and gap.reason is GapReason.RECONNECT
    await until(lambda: fake.topic_count() == 1, clock=clock, step=0.1)
    await publish(fake, model)
    await book_at(stream, model, 100, clock)
    assert fake.snapshot_requests >= 2
    await stream.aclose()


async def test_a_slow_consumer_holds_one_book_and_reads_the_latest(
    fake: FakeKucoin, model: ModelBook, kucoin: KucoinExchange
) -> None:
    stream = kucoin.watch_order_book("BTC/USDT", depth=5)
    await book_at(stream, model, 5)
    await publish(fake, model, 500)
    feed = kucoin._feeds[TOPIC]
    await until(lambda: feed.book.sequence == model.sequence)  # type: ignore[attr-defined]
    assert len(feed.boxes[0]) == 1  # one pending book, not five hundred
    book = await within_deadline(pull(stream))
    assert isinstance(book, OrderBook) and book.sequence == model.sequence
    assert levels(book) == model.top(5)
    await stream.aclose()
