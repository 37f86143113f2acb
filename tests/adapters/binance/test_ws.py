"""Streams against a fake Binance WebSocket server on loopback: combined market streams with
live SUBSCRIBE, the local book by U/u, reconnects, and user data over the WebSocket API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from typing import Any, TypeVar

import httpx
import pytest

from adapters.binance import BinanceExchange
from exchanges import (
    AuthenticationError,
    Balance,
    Fill,
    GapReason,
    Order,
    OrderBook,
    OrderStatus,
    StreamGap,
    Ticker,
    Trade,
)

from .conftest import KEY, SECRET, SERVER_TIME, FakeBinance, make_exchange
from .fake_ws import FakeBinanceWs

T = TypeVar("T")
DEADLINE = 10.0


async def until(check: Callable[[], bool], what: str) -> None:
    """Poll ``check`` until it holds, failing after a deadline."""
    loop = asyncio.get_running_loop()
    end = loop.time() + DEADLINE
    while not check():
        if loop.time() > end:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.005)


async def within(step: Awaitable[T]) -> T:
    return await asyncio.wait_for(step, DEADLINE)


@pytest.fixture
async def server() -> AsyncIterator[FakeBinanceWs]:
    fake = FakeBinanceWs(KEY, SECRET)
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def wex(server: FakeBinanceWs, venue: FakeBinance) -> AsyncIterator[BinanceExchange]:
    exchange = make_exchange(
        venue,
        stream_url=server.url,
        ws_api_url=server.url + "/ws-api/v3",
        ws_backoff_initial=0.01,
        ws_backoff_max=0.05,
        ws_subscribe_timeout=DEADLINE,
        ws_messages_per_second=5,
    )
    yield exchange
    await exchange.close()


def ticker_event(last: str) -> dict[str, Any]:
    return {
        "e": "24hrTicker", "E": SERVER_TIME, "s": "BTCUSDT", "p": "10", "P": "0.02", "w": "50000",
        "x": "49990",
        "c": last, "Q": "0.1", "b": "49999", "B": "1", "a": "50001", "A": "2", "o": "49990", "h": "51000",
        "l": "49000", "v": "100", "q": "5000000", "O": 0, "C": SERVER_TIME, "F": 1, "L": 2, "n": 2,
    }  # fmt: skip


def trade_event(trade_id: int) -> dict[str, Any]:
    return {"e": "trade", "E": SERVER_TIME, "s": "BTCUSDT", "t": trade_id, "p": "50000.00", "q": "0.01",
            "T": SERVER_TIME, "m": True, "M": True}  # fmt: skip


async def test_market_streams_share_one_combined_connection(
    wex: BinanceExchange, server: FakeBinanceWs
) -> None:
    tickers = wex.watch_ticker("BTC/USDT")
    trades = wex.watch_trades("BTC/USDT")
    first_ticker = asyncio.ensure_future(tickers.__anext__())
    first_trade = asyncio.ensure_future(trades.__anext__())
    await until(
        lambda: any({"btcusdt@ticker", "btcusdt@trade"} <= c.streams for c in server.open_market()), "both"
    )
    assert len(server.open_market()) == 1
    await server.publish("btcusdt@ticker", ticker_event("50005"))
    await server.publish("btcusdt@trade", trade_event(7))
    ticker = await within(first_ticker)
    trade = await within(first_trade)
    assert isinstance(ticker, Ticker) and ticker.last == Decimal("50005") and ticker.bid == Decimal("49999")
    assert ticker.change_rate == Decimal("0.0002")
    assert isinstance(trade, Trade) and trade.id == "7" and trade.side.value == "sell"  # (buyer was maker)
    await tickers.aclose()
    await until(lambda: all("btcusdt@ticker" not in c.streams for c in server.open_market()), "unsubscribed")
    await trades.aclose()
    await until(lambda: not server.open_market(), "the connection left without streams closes")


async def test_a_reconnect_is_a_gap_and_resubscribes(wex: BinanceExchange, server: FakeBinanceWs) -> None:
    trades = wex.watch_trades("BTC/USDT")
    first = asyncio.ensure_future(trades.__anext__())
    await until(lambda: bool(server.open_market()), "a connection")
    await server.publish("btcusdt@trade", trade_event(1))
    assert (await within(first)).id == "1"  # type: ignore[union-attr]
    await server.kick()
    gap = await within(trades.__anext__())
    assert isinstance(gap, StreamGap) and gap.reason is GapReason.RECONNECT
    await until(lambda: any("btcusdt@trade" in c.streams for c in server.open_market()), "resubscribed")
    await server.publish("btcusdt@trade", trade_event(2))
    assert (await within(trades.__anext__())).id == "2"  # type: ignore[union-attr]
    await trades.aclose()


def depth(first: int, last: int, bids: list[list[str]]) -> dict[str, Any]:
    return {"e": "depthUpdate", "E": SERVER_TIME, "s": "BTCUSDT", "U": first, "u": last, "b": bids, "a": []}


async def test_order_book_from_a_snapshot_and_depth_events(
    wex: BinanceExchange, server: FakeBinanceWs, venue: FakeBinance
) -> None:
    snapshots = iter([100, 105])

    def snapshot(request: httpx.Request) -> httpx.Response:
        update_id = next(snapshots)
        bids = [["99.00", "1"]] if update_id == 100 else [["99.00", "9"]]
        return httpx.Response(200, json={"lastUpdateId": update_id, "bids": bids, "asks": [["101.00", "1"]]})

    venue.routes[("GET", "/api/v3/depth")] = snapshot
    books = wex.watch_order_book("BTC/USDT", depth=5)
    first = asyncio.ensure_future(books.__anext__())
    await until(lambda: any("btcusdt@depth@100ms" in c.streams for c in server.open_market()), "depth stream")
    await server.publish("btcusdt@depth@100ms", depth(101, 102, [["99.50", "2"]]))
    book = await within(first)
    assert isinstance(book, OrderBook)
    if book.sequence == 100:  # (the snapshot came before the event)
        book = await within(books.__anext__())
    assert isinstance(book, OrderBook) and book.sequence == 102
    assert [lv.price for lv in book.bids] == [Decimal("99.50"), Decimal("99.00")]
    await server.publish("btcusdt@depth@100ms", depth(104, 106, [["98.00", "1"]]))  # 103 is missing
    gap = await within(books.__anext__())
    assert isinstance(gap, StreamGap) and gap.reason is GapReason.SEQUENCE
    rebuilt = await within(books.__anext__())
    assert isinstance(rebuilt, OrderBook) and rebuilt.sequence == 106
    assert rebuilt.bids[0].size == Decimal(9)  # (from the new snapshot, then the held event)
    await books.aclose()


def report(order_id: int, execution: str, status: str, filled: str, **extra: Any) -> dict[str, Any]:
    return {
        "e": "executionReport", "E": SERVER_TIME + 1, "s": "BTCUSDT", "c": "bot-1", "S": "BUY", "o": "LIMIT",
        "f": "GTC", "q": "0.002", "p": "50000.00", "P": "0.00", "F": "0.00", "g": -1, "C": "", "x": execution,
        "X": status, "r": "NONE", "i": order_id, "l": extra.get("l", "0"), "z": filled,
        "L": extra.get("L", "0"),
        "n": extra.get("n", "0"), "N": extra.get("N"), "T": SERVER_TIME + 1, "t": extra.get("t", -1), "I": 1,
        "w": True, "m": False, "M": False, "O": SERVER_TIME, "Z": extra.get("Z", "0"), "Y": "0", "Q": "0",
        "W": SERVER_TIME, "V": "EXPIRE_MAKER",
    }  # fmt: skip


async def test_user_data_orders_fills_and_balances(
    wex: BinanceExchange, server: FakeBinanceWs, venue: FakeBinance
) -> None:
    orders = wex.watch_orders("BTC/USDT")
    fills = wex.watch_fills()
    balances = wex.watch_balances()
    first_balance = await within(balances.__anext__())
    assert isinstance(first_balance, Balance) and first_balance.currency == "BTC"
    next_order = asyncio.ensure_future(orders.__anext__())
    next_fill = asyncio.ensure_future(fills.__anext__())
    await until(lambda: any(c.subscription for c in server.api), "a user data subscription")
    assert len([c for c in server.api if not c.closed]) == 1  # one connection for every private stream
    await server.push(report(555, "NEW", "NEW", "0"))
    order = await within(next_order)
    assert isinstance(order, Order) and (order.id, order.status, order.client_order_id) == (
        "555",
        OrderStatus.OPEN,
        "bot-1",
    )
    trade = report(
        555, "TRADE", "PARTIALLY_FILLED", "0.001", l="0.001", L="50000.00", n="0.05", N="USDT", t=42, Z="50"
    )
    await server.push(trade)
    fill = await within(next_fill)
    assert isinstance(fill, Fill) and (fill.trade_id, fill.order_id, fill.fee) == (
        "42",
        "555",
        Decimal("0.05"),
    )
    moved = await within(orders.__anext__())
    assert moved.status is OrderStatus.PARTIALLY_FILLED and moved.filled_funds == Decimal(50)
    assert moved.fee == Decimal("0.05") and moved.fee_currency == "USDT"
    await server.push(
        {
            "e": "outboundAccountPosition",
            "E": SERVER_TIME,
            "u": SERVER_TIME,
            "B": [{"a": "USDT", "f": "900", "l": "100"}],
        }
    )

    async def usdt() -> Balance:
        while True:
            item = await balances.__anext__()
            if item.currency == "USDT" and item.hold == 100:
                return item

    assert (await within(usdt())).available == Decimal(900)
    for stream in (orders, fills, balances):
        await stream.aclose()
    request = server.api[0].received[0]
    assert request["method"] == "userDataStream.subscribe.signature" and "signature" in request["params"]


async def test_a_refused_subscription_is_raised(wex: BinanceExchange, server: FakeBinanceWs) -> None:
    server.refuse_subscription = (401, -2015, "Invalid API-key, IP, or permissions for action.")
    orders = wex.watch_orders()
    with pytest.raises(AuthenticationError):
        await within(orders.__anext__())
