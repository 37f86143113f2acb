"""PaperExchange as ``exchanges.Streaming``: the venue's events in-process, with the protocol's
rules (the state first, conflated books and balances, every order event in order, fills that
equal the REST ones, bounded trades, leaving unsubscribes)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from decimal import Decimal
from typing import TypeVar

import pytest

from exchanges import (
    ExchangeError,
    GapReason,
    ManualClock,
    OrderBook,
    OrderRequest,
    OrderStatus,
    Side,
    StreamGap,
    Streaming,
    StreamKind,
)
from simulator import PaperExchange
from simulator.venue import OrderParams

SYM = "BTC/USDT"
T = TypeVar("T")


async def _next(stream: AsyncGenerator[T, None]) -> T:
    return await asyncio.wait_for(stream.__anext__(), 10)


async def _subscribed(exchange: PaperExchange, count: int) -> None:
    """Until ``count`` streams are subscribed (a stream subscribes when first iterated)."""
    for _ in range(10_000):
        if exchange.streams.open_streams >= count:
            return
        await asyncio.sleep(0)
    raise AssertionError(f"{exchange.streams.open_streams} streams subscribed, not {count}")


@pytest.fixture(params=["kucoin", "binance"])
def live(clock: ManualClock, request: pytest.FixtureRequest) -> PaperExchange:
    """Either flavour: the streams are the venue's, whatever the dialect's rules and words."""
    return PaperExchange({"USDT": "100000", "BTC": "2"}, seed=5, clock=clock, dialect=request.param)


def test_every_stream_is_offered(live: PaperExchange) -> None:
    assert isinstance(live, Streaming)
    assert live.capabilities.streams == frozenset(StreamKind)


async def test_the_book_stream_is_the_book_after_every_change(
    live: PaperExchange, clock: ManualClock
) -> None:
    books = live.watch_order_book(SYM, None)
    first = await _next(books)
    assert first == await live.fetch_order_book(SYM, None)
    ticker = await live.fetch_ticker(SYM)
    assert ticker.bid is not None
    bid = ticker.bid - Decimal(1000)
    await live.place_order(OrderRequest.limit(SYM, Side.BUY, "0.01", bid))
    after = await _next(books)
    assert isinstance(after, OrderBook)
    assert after == await live.fetch_order_book(SYM, None) and after.sequence != first.sequence
    clock.advance(30)  # (the market's own changes arrive with the clock, nobody calling)
    moved = await _next(books)
    assert isinstance(moved, OrderBook) and moved.timestamp > after.timestamp
    assert moved == await live.fetch_order_book(SYM, None)
    await books.aclose()


async def test_every_order_event_in_order_and_the_last_is_fetch_order(live: PaperExchange) -> None:
    resting = await live.place_order(OrderRequest.limit(SYM, Side.BUY, "0.01", "50000"))
    orders = live.watch_orders(SYM)
    fills = live.watch_fills(SYM)
    assert (await _next(orders)).id == resting.id  # (the open orders as they stand, first)
    pending_fill = asyncio.ensure_future(_next(fills))
    await _subscribed(live, 2)
    taken = await live.place_order(OrderRequest.market(SYM, Side.BUY, size="0.05"))
    await live.cancel_order(SYM, order_id=resting.id)
    seen = [await _next(orders)]
    while seen[-1].id != resting.id:  # (the taker's events, as many as the levels it took)
        assert len(seen) < 20, seen
        seen.append(await _next(orders))
    assert [(o.id, o.status) for o in seen[:2]] == [(taken.id, OrderStatus.NEW), (taken.id, seen[1].status)]
    mine = [o for o in seen if o.id == taken.id]
    assert [o.filled_size for o in mine] == sorted(o.filled_size for o in mine)
    assert mine[-1] == await live.fetch_order(SYM, order_id=taken.id)
    assert seen[-1] == await live.fetch_order(SYM, order_id=resting.id)
    assert seen[-1].status is OrderStatus.CANCELED
    first_fill = await pending_fill
    rest = await live.fetch_fills(SYM, order_id=taken.id)
    streamed = [first_fill] + [await _next(fills) for _ in range(len(rest) - 1)]
    assert sorted(streamed, key=lambda f: f.trade_id) == sorted(rest, key=lambda f: f.trade_id)
    for stream in (orders, fills):
        await stream.aclose()


async def test_a_refused_order_is_never_streamed(live: PaperExchange) -> None:
    orders = live.watch_orders(SYM)
    nothing_yet = asyncio.ensure_future(_next(orders))
    await _subscribed(live, 1)
    ticker = await live.fetch_ticker(SYM)
    assert ticker.ask is not None
    with pytest.raises(ExchangeError):  # (post-only at the ask: it would take)
        await live.place_order(OrderRequest.limit(SYM, Side.BUY, "0.01", ticker.ask, post_only=True))
    placed = await live.place_order(OrderRequest.limit(SYM, Side.BUY, "0.01", "50000"))
    assert (await nothing_yet).id == placed.id  # (the refused one came before it, or never)
    await orders.aclose()


async def test_balances_first_then_each_change(live: PaperExchange) -> None:
    balances = live.watch_balances()
    start = {b.currency: b for b in [await _next(balances), await _next(balances)]}
    assert start == await live.fetch_balances()
    await live.place_order(OrderRequest.limit(SYM, Side.BUY, "0.01", "50000"))
    changed = await _next(balances)
    # (price x size, and KuCoin's fee; Binance's is taken from the BTC received)
    hold = Decimal("500.5") if live.dialect == "kucoin" else Decimal(500)
    assert changed.currency == "USDT" and changed.hold == hold
    assert changed == (await live.fetch_balances())["USDT"]
    await balances.aclose()


async def test_trades_and_candles(live: PaperExchange, clock: ManualClock) -> None:
    trades = live.watch_trades(SYM)
    candles = live.watch_candles(SYM, "1m")
    current = await _next(candles)
    assert not isinstance(current, StreamGap)
    assert current.start == clock.now_ms() - clock.now_ms() % 60_000
    pending = asyncio.ensure_future(_next(trades))
    await _subscribed(live, 2)
    await live.place_order(OrderRequest.market(SYM, Side.BUY, size="0.01"))
    trade = await pending
    assert not isinstance(trade, StreamGap)
    assert trade.id == (await live.fetch_trades(SYM))[-1].id
    updated = await _next(candles)
    assert not isinstance(updated, StreamGap) and updated.close == trade.price
    await trades.aclose()
    await candles.aclose()


async def test_a_slow_trade_consumer_loses_the_oldest_and_is_told(
    live: PaperExchange, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("simulator.paper.TRADE_BACKLOG", 3)
    trades = live.watch_trades(SYM)
    pending = asyncio.ensure_future(_next(trades))
    await _subscribed(live, 1)
    maker = "streams-maker"
    live.sim.create_user(maker, {"USDT": "1000000", "BTC": "10"})
    live.sim.place_order(maker, OrderParams(symbol="BTC-USDT", side="sell", price="70000", size="1"))
    before = len(await live.fetch_trades(SYM))
    for _ in range(6):
        await live.place_order(OrderRequest.limit(SYM, Side.BUY, "0.01", "70000"))
    made = len(await live.fetch_trades(SYM)) - before  # (a buy may take several levels)
    assert made >= 6
    gap = await pending  # (the trades came while nobody read: all but the newest three went)
    assert isinstance(gap, StreamGap) and gap.reason is GapReason.OVERFLOW and gap.dropped == made - 3
    newest = [await _next(trades) for _ in range(3)]
    assert [getattr(t, "id", None) for t in newest] == [t.id for t in (await live.fetch_trades(SYM))[-3:]]
    await trades.aclose()


async def test_leaving_unsubscribes_and_closing_ends_the_streams(live: PaperExchange) -> None:
    book = live.watch_order_book(SYM)
    orders = live.watch_orders()
    await _next(book)
    waiting = asyncio.ensure_future(_next(orders))
    await _subscribed(live, 2)
    assert live.streams.open_streams == 2
    await book.aclose()
    assert live.streams.open_streams == 1
    await live.close()
    with pytest.raises(ExchangeError, match="closed"):
        await waiting
    assert live.streams.open_streams == 0
    assert live.sim.book("BTC-USDT").emit_accepted is False  # (nobody listens to the venue now)
