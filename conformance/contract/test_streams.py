"""Streams: what a ``Streaming`` exchange pushes agrees with what its REST state says.

A book built from the stream equals the REST book once the market is quiet; every state
change of one's own orders arrives in order, and the last agrees with ``fetch_order``;
streamed fills equal ``fetch_fills`` (matched by trade id: some venues' order frames carry no
fill id of their own); a disconnect forced by the venue loses no order event; a skipped
sequence number makes the book rebuild itself, and it is right afterwards; leaving the
``async for`` unsubscribes (the venue's topic count goes down).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from decimal import Decimal
from typing import Any, TypeVar

import pytest

from conformance.helpers import cross_price, limit_far, min_size, quote_for, require_trading, skip, tidy
from conformance.target import StreamHooks, Target
from exchanges import (
    Exchange,
    Fill,
    GapReason,
    Order,
    OrderBook,
    OrderRequest,
    Side,
    StreamGap,
    Streaming,
    StreamKind,
)

pytestmark = [pytest.mark.conformance_area("streams"), pytest.mark.asyncio(loop_scope="function")]

T = TypeVar("T")
#: How long a test waits for what it expects before it fails (a deadline, not a pause).
DEADLINE_S = 30.0


@contextlib.asynccontextmanager
async def streaming(target: Target, *kinds: StreamKind) -> AsyncIterator[tuple[Any, StreamHooks]]:
    """A streaming client of ``target`` and its hooks; skips when the target declares no
    streams or not ``kinds``."""
    if target.streams is None:
        skip(target, "the target declares no streams")
    exchange, hooks = await target.streams()
    try:
        if not isinstance(exchange, Streaming):
            raise AssertionError(f"{target.name}: the streams opener gave an exchange that is not Streaming")
        missing = [kind for kind in kinds if kind not in exchange.capabilities.streams]
        if missing:
            skip(target, f"no {', '.join(k.value for k in missing)} stream in its capabilities")
        yield exchange, hooks
    finally:
        if target.trading:
            await tidy(exchange, [target.symbol])
        await exchange.close()
        if hooks.close is not None:
            await hooks.close()


async def _next(stream: AsyncGenerator[T, None]) -> T:
    return await asyncio.wait_for(stream.__anext__(), DEADLINE_S)


async def _until(condition: Callable[[], Awaitable[bool]], what: str) -> None:
    """Poll ``condition`` until it holds, failing past the deadline."""
    deadline = time.monotonic() + DEADLINE_S
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


async def _subscribed(hooks: StreamHooks, above: int) -> None:
    async def more() -> bool:
        return await hooks.topic_count() > above

    await _until(more, "the venue to hold the new subscription")


def _same_levels(stream: OrderBook, rest: OrderBook) -> bool:
    return stream.bids == rest.bids and stream.asks == rest.asks


async def _quiet_book(
    exchange: Any, books: AsyncGenerator[OrderBook | StreamGap, None], symbol: str
) -> OrderBook:
    """The stream's book at a moment the REST book has not moved past it."""
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        item = await _next(books)
        if isinstance(item, StreamGap):
            continue
        rest = await exchange.fetch_order_book(symbol, None)
        if rest.sequence is None or item.sequence is None or rest.sequence == item.sequence:
            if _same_levels(item, rest):
                return item
            if rest.sequence is not None:  # (same sequence, other levels: the stream is wrong)
                raise AssertionError(f"the stream's book differs from the REST book at {rest.sequence}")
    raise AssertionError("the market never held still long enough to compare the books")


async def test_a_book_from_the_stream_equals_the_rest_book(conformance_subject: Target) -> None:
    """The order-book stream, once the market is quiet, holds the REST book's levels at the
    same sequence, before and after an order of one's own changes it."""
    async with streaming(conformance_subject, StreamKind.ORDER_BOOK) as (ex, _hooks):
        symbol = conformance_subject.symbol
        books = ex.watch_order_book(symbol, None)
        try:
            await _quiet_book(ex, books, symbol)
            if conformance_subject.trading:  # (a change of our own, then the books agree again)
                market, ticker = await quote_for(ex, symbol)
                placed = await ex.place_order(limit_far(market, ticker, Side.BUY))
                book = await _quiet_book(ex, books, symbol)
                assert placed.price in {level.price for level in book.bids}
        finally:
            await books.aclose()


async def _final(orders: AsyncGenerator[Order, None], ids: set[str], seen: dict[str, list[Order]]) -> None:
    """Read the order stream until every order of ``ids`` has reached a final state."""
    while any(not seen.get(i) or seen[i][-1].is_open for i in ids):
        order = await _next(orders)
        seen.setdefault(order.id, []).append(order)


def _in_order(events: list[Order]) -> None:
    for before, after in itertools.pairwise(events):
        assert after.status.rank >= before.status.rank, f"{before.status} then {after.status}"
        assert after.filled_size >= before.filled_size, "filled size went down"


async def _agrees(ex: Exchange, symbol: str, order: Order) -> None:
    fetched = await ex.fetch_order(symbol, order_id=order.id)
    for name in ("id", "status", "side", "type", "price", "size", "filled_size", "filled_funds"):
        assert getattr(order, name) == getattr(fetched, name), f"{name}: {order} != {fetched}"
    assert order.client_order_id == fetched.client_order_id


async def _orders_and_trade(
    target: Target, disturb: Callable[[StreamHooks], Awaitable[None]] | None = None
) -> None:
    require_trading(target)
    async with streaming(target, StreamKind.ORDERS) as (ex, hooks):
        symbol = target.symbol
        market, ticker = await quote_for(ex, symbol)
        resting = await ex.place_order(limit_far(market, ticker, Side.BUY))
        orders = ex.watch_orders(symbol)
        try:
            first = await _next(orders)  # (the open orders as they stand: we are subscribed)
            assert first.id == resting.id and first.is_open
            seen: dict[str, list[Order]] = {resting.id: [first]}
            if disturb is not None:
                await disturb(hooks)
            price = cross_price(market, ticker, Side.BUY)
            taker = await ex.place_order(OrderRequest.limit(symbol, Side.BUY, min_size(market, price), price))
            await ex.cancel_order(symbol, order_id=resting.id)
            await _final(orders, {resting.id, taker.id}, seen)
        finally:
            await orders.aclose()
        for events in seen.values():
            _in_order(events)
            await _agrees(ex, symbol, events[-1])
        assert seen[taker.id][-1].filled_size > 0, "the crossing order did not trade"


async def test_every_change_of_ones_orders_arrives_in_order(conformance_subject: Target) -> None:
    """The order stream starts with the open orders, then brings every state change of one's
    orders (a resting one cancelled, a crossing one filled) in order; the last of each agrees
    with ``fetch_order``."""
    await _orders_and_trade(conformance_subject)


async def test_a_forced_disconnect_loses_no_order_event(conformance_subject: Target) -> None:
    """A connection the venue cuts is survived: every order event still arrives, in order, and
    the last agrees with ``fetch_order``."""
    async def cut(hooks: StreamHooks) -> None:
        if hooks.disconnect is None:
            skip(conformance_subject, "no connection to cut (the venue has no disconnect hook)")
        assert await hooks.disconnect() >= 1, "the venue cut no connection"

    await _orders_and_trade(conformance_subject, cut)


async def test_streamed_fills_equal_fetch_fills(conformance_subject: Target) -> None:
    """The fills streamed for an order equal ``fetch_fills`` for it, matched by trade id."""
    require_trading(conformance_subject)
    async with streaming(conformance_subject, StreamKind.FILLS) as (ex, hooks):
        symbol = conformance_subject.symbol
        market, ticker = await quote_for(ex, symbol)
        before = await hooks.topic_count()
        fills = ex.watch_fills(symbol)
        first = asyncio.ensure_future(_next(fills))
        try:
            await _subscribed(hooks, before)
            price = cross_price(market, ticker, Side.BUY)
            taker = await ex.place_order(OrderRequest.limit(symbol, Side.BUY, min_size(market, price), price))
            final = await ex.fetch_order(symbol, order_id=taker.id)
            assert final.filled_size > 0, "the crossing order did not trade"
            streamed: list[Fill] = [await first]
            while sum((f.size for f in streamed if f.order_id == taker.id), Decimal(0)) < final.filled_size:
                streamed.append(await _next(fills))
        finally:
            first.cancel()
            await fills.aclose()
        rest = await ex.fetch_fills(symbol, order_id=taker.id)
        mine = [f for f in streamed if f.order_id == taker.id]
        got, want = sorted(map(_shape, mine)), sorted(map(_shape, rest))
        assert got == want, "streamed fills differ from fetch_fills"


def _shape(f: Fill) -> tuple[Any, ...]:
    """What a streamed fill and its REST twin share (``id`` may differ: see the module)."""
    return (f.trade_id, f.order_id, f.side, f.price, f.size, f.fee, f.liquidity)


async def test_a_skipped_sequence_rebuilds_the_book(conformance_subject: Target) -> None:
    """A hole in the book's sequence yields a ``SEQUENCE`` gap, and the book rebuilt after it
    equals the REST book."""
    require_trading(conformance_subject)
    async with streaming(conformance_subject, StreamKind.ORDER_BOOK) as (ex, hooks):
        if hooks.skip_sequence is None:
            skip(conformance_subject, "no sequence to skip (the venue has no skip-sequence hook)")
        symbol = conformance_subject.symbol
        market, ticker = await quote_for(ex, symbol)
        books = ex.watch_order_book(symbol, None)
        try:
            await _quiet_book(ex, books, symbol)
            assert await hooks.skip_sequence(symbol) >= 1, "no connection carries the book's increments"
            await ex.place_order(limit_far(market, ticker, Side.BUY))  # (a change: its increment skips)
            deadline = time.monotonic() + DEADLINE_S
            item = await _next(books)
            while not isinstance(item, StreamGap):  # (books keep coming: a deadline of its own)
                if time.monotonic() > deadline:
                    raise AssertionError("no gap came after the skipped sequence number")
                item = await _next(books)
            assert item.reason is GapReason.SEQUENCE
            await _quiet_book(ex, books, symbol)
        finally:
            await books.aclose()


async def test_leaving_the_iterator_unsubscribes(conformance_subject: Target) -> None:
    """Closing a stream's iterator takes its subscription off the venue (the topic count goes
    down) while another stream keeps the connection."""
    async with streaming(conformance_subject, StreamKind.TICKER, StreamKind.TRADES) as (ex, hooks):
        symbol = conformance_subject.symbol
        base = await hooks.topic_count()
        trades = ex.watch_trades(symbol)  # (held open throughout, with no deadline: the connection stays)
        held = asyncio.ensure_future(trades.__anext__())
        try:
            await _subscribed(hooks, base)
            before = await hooks.topic_count()
            tickers = ex.watch_ticker(symbol)
            await _next(tickers)
            assert await hooks.topic_count() > before, "the venue holds no subscription for the stream"
            await tickers.aclose()

            async def released() -> bool:
                return await hooks.topic_count() <= before

            await _until(released, "the venue to drop the subscription")
        finally:
            held.cancel()  # (the generator leaves from inside its __anext__)
            await asyncio.gather(held, return_exceptions=True)
            await trades.aclose()
