"""The Binance adapter's streams against the simulator's Binance dialect, served on a real
socket: two independent readings of one spec meeting. Combined market streams, the local
book by ``U``/``u``/``lastUpdateId`` from REST depth, and user data over the WebSocket API
(``userDataStream.subscribe.signature``) while an order is placed and fills (the contract's
streams area holds the rest: disconnects, lost depth events, unsubscribing)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Iterator
from decimal import Decimal
from typing import TypeVar

import pytest

from adapters.binance import BinanceCredentials, BinanceExchange
from exchanges import (
    Balance,
    Fill,
    Order,
    OrderBook,
    OrderRequest,
    OrderStatus,
    Side,
    StreamGap,
    SystemClock,
    Trade,
)
from simulator.binance.app import BinanceFacade
from simulator.binance.build import binance_venue, build_facade
from simulator.binance.config import AccountConfig, ApiKey, BinanceConfig
from simulator.binance.protocol import BinanceHttpProtocol
from simulator.kucoin.build import drive_market
from simulator.kucoin.server import serve_in_thread

T = TypeVar("T")
KEY, SECRET, UID = "streams-key", "streams-secret", 40001
START = {"USDT": Decimal(10_000), "BTC": Decimal(1)}
DEADLINE = 30.0


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, BinanceFacade]]:
    account = AccountConfig(uid=UID, balances=START, keys=(ApiKey(key=KEY, secret=SECRET),))
    clock = SystemClock()
    venue = binance_venue(seed=17, clock=clock)
    facade = build_facade(venue, BinanceConfig(accounts=(account,)), clock)
    with serve_in_thread(facade.app, market=lambda: drive_market(venue), http=BinanceHttpProtocol) as url:
        yield url, facade


@pytest.fixture
async def ex(served: tuple[str, BinanceFacade]) -> AsyncIterator[BinanceExchange]:
    async with BinanceExchange(BinanceCredentials(KEY, SECRET), base_url=served[0]) as exchange:
        yield exchange


async def within(step: Awaitable[T]) -> T:
    return await asyncio.wait_for(step, DEADLINE)


async def next_item(stream: AsyncGenerator[T | StreamGap, None]) -> T:
    """The stream's next item that is not a gap (a fresh stream starts with none expected)."""
    while True:
        item = await within(stream.__anext__())
        if not isinstance(item, StreamGap):
            return item


async def test_market_streams_and_the_local_book(ex: BinanceExchange) -> None:
    trades = ex.watch_trades("BTC/USDT")
    books = ex.watch_order_book("BTC/USDT", 20)
    trade = await next_item(trades)
    assert isinstance(trade, Trade) and trade.symbol == "BTC/USDT" and trade.price > 0 and trade.size > 0
    seen: list[OrderBook] = []
    while len(seen) < 3:  # a snapshot, then books moved by diff-depth events
        item = await within(books.__anext__())
        assert not isinstance(item, StreamGap), f"the local book lost its sequence: {item}"
        seen.append(item)
    for book in seen:
        assert book.bids and book.asks and book.bids[0].price < book.asks[0].price
        assert [level.price for level in book.bids] == sorted(
            (level.price for level in book.bids), reverse=True
        )
        assert [level.price for level in book.asks] == sorted(level.price for level in book.asks)
    assert len({book.sequence for book in seen}) == len(seen)  # (each a later update id)
    for stream in (trades, books):
        await stream.aclose()


async def test_user_data_while_an_order_fills(ex: BinanceExchange, served: tuple[str, BinanceFacade]) -> None:
    facade = served[1]
    orders = ex.watch_orders("BTC/USDT")
    fills = ex.watch_fills("BTC/USDT")
    balances = ex.watch_balances()
    first = await within(balances.__anext__())
    assert isinstance(first, Balance)
    next_order = asyncio.ensure_future(orders.__anext__())
    next_fill = asyncio.ensure_future(fills.__anext__())
    deadline = time.monotonic() + DEADLINE
    while not facade.user_feed_listening(str(UID)):
        assert time.monotonic() < deadline, "the user-data subscription never arrived"
        await asyncio.sleep(0.01)
    before = (await ex.fetch_balances())["BTC"].total

    placed = await ex.place_order(OrderRequest.market("BTC/USDT", Side.BUY, size=Decimal("0.001")))
    assert placed.status is OrderStatus.FILLED

    order: Order = await within(next_order)
    while order.status is not OrderStatus.FILLED:
        order = await within(orders.__anext__())
    assert (order.id, order.client_order_id) == (placed.id, placed.client_order_id)
    fill: Fill = await within(next_fill)
    assert fill.order_id == placed.id and fill.side is Side.BUY
    bought = fill.size
    while bought < Decimal("0.001"):
        more: Fill = await within(fills.__anext__())
        assert more.order_id == placed.id
        bought += more.size
        fill = more
    assert fill.fee_currency == "BTC"  # (commission in the asset received)

    after = (await ex.fetch_balances())["BTC"].total
    assert after > before
    streamed = first
    while not (streamed.currency == "BTC" and streamed.total == after):
        streamed = await within(balances.__anext__())
    for stream in (orders, fills, balances):
        await stream.aclose()
