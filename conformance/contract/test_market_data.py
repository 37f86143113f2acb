"""Market data: markets, books, tickers, trades and candles are internally consistent."""

from __future__ import annotations

import itertools

import pytest

from conformance.target import Target
from exchanges import BadRequest, Exchange, Interval, parse_symbol

pytestmark = [pytest.mark.conformance_area("market data"), pytest.mark.asyncio(loop_scope="function")]


async def test_markets_have_positive_increments_and_consistent_limits(
    conformance_target: Target, conformance_exchange: Exchange
) -> None:
    markets = await conformance_exchange.load_markets()
    assert conformance_target.symbol in markets, f"{conformance_target.symbol} not listed"
    for symbol, m in markets.items():
        assert m.symbol == symbol
        assert parse_symbol(symbol) == (m.base, m.quote)
        assert m.price_increment > 0, symbol
        assert m.size_increment > 0, symbol
        assert m.funds_increment > 0, symbol
        assert m.min_size >= 0, symbol
        if m.max_size is not None:
            assert m.max_size >= m.min_size, symbol
        if m.min_funds is not None:
            assert m.min_funds >= 0, symbol
            if m.max_funds is not None:
                assert m.max_funds >= m.min_funds, symbol


async def test_reload_returns_the_same_markets(conformance_exchange: Exchange) -> None:
    first = await conformance_exchange.load_markets()
    again = await conformance_exchange.load_markets(reload=True)
    assert set(first) == set(again)


async def test_order_book_sorted_and_not_crossed(
    conformance_target: Target, conformance_exchange: Exchange
) -> None:
    book = await conformance_exchange.fetch_order_book(conformance_target.symbol, 20)
    assert book.symbol == conformance_target.symbol
    assert len(book.bids) <= 20
    assert len(book.asks) <= 20
    if conformance_target.has_liquidity:
        assert book.bids, "no bids"
        assert book.asks, "no asks"
    bid_prices = [level.price for level in book.bids]
    ask_prices = [level.price for level in book.asks]
    assert all(a > b for a, b in itertools.pairwise(bid_prices)), "bids not strictly descending"
    assert all(a < b for a, b in itertools.pairwise(ask_prices)), "asks not strictly ascending"
    assert all(level.size > 0 for level in (*book.bids, *book.asks)), "a level with no size"
    if book.bids and book.asks:
        assert book.bids[0].price < book.asks[0].price, "crossed book"


async def test_ticker_consistent(conformance_target: Target, conformance_exchange: Exchange) -> None:
    ticker = await conformance_exchange.fetch_ticker(conformance_target.symbol)
    assert ticker.symbol == conformance_target.symbol
    assert ticker.timestamp > 0
    if ticker.bid is not None and ticker.ask is not None:
        assert ticker.bid <= ticker.ask
    if ticker.last is not None and ticker.low is not None and ticker.high is not None:
        assert ticker.low <= ticker.last <= ticker.high
    if ticker.low is not None and ticker.high is not None:
        assert ticker.low <= ticker.high


async def test_trades_ordered_in_time(conformance_target: Target, conformance_exchange: Exchange) -> None:
    trades = await conformance_exchange.fetch_trades(conformance_target.symbol)
    if conformance_target.has_liquidity:
        assert trades, "no public trades"
    stamps = [t.timestamp for t in trades]
    assert stamps == sorted(stamps), "trades are not oldest first"
    for trade in trades:
        assert trade.symbol == conformance_target.symbol
        assert trade.price > 0
        assert trade.size > 0


async def test_trade_limit_keeps_the_newest(
    conformance_target: Target, conformance_exchange: Exchange
) -> None:
    ex, symbol = conformance_exchange, conformance_target.symbol
    assert await ex.fetch_trades(symbol, 0) == []
    with pytest.raises(BadRequest):
        await ex.fetch_trades(symbol, -1)
    newest = [t.id for t in await ex.fetch_trades(symbol, 2)]
    every = [t.id for t in await ex.fetch_trades(symbol)]  # (a live market may have traded since)
    if len(every) < 3:
        pytest.skip("too few public trades to compare limits")
    assert len(newest) == 2 and newest[0] in every, "limit must keep the newest"
    start = every.index(newest[0])
    assert every[start : start + 2] == newest, "limit must keep the newest, oldest first"


async def test_candles_ordered_and_well_formed(
    conformance_target: Target, conformance_exchange: Exchange
) -> None:
    now = await conformance_exchange.server_time()
    start = now - 3 * 3600 * 1000
    candles = await conformance_exchange.fetch_candles(conformance_target.symbol, Interval.M1, start, now)
    starts = [c.start for c in candles]
    assert starts == sorted(set(starts)), "candles not strictly oldest first"
    for c in candles:
        assert start <= c.start < now, "candle outside the asked range [start, end)"
        assert c.start % Interval.M1.ms == 0, "candle not aligned to its interval"
        assert c.low <= min(c.open, c.close), c
        assert max(c.open, c.close) <= c.high, c
        assert c.volume >= 0


async def test_candles_refuse_unknown_intervals_and_negative_times(
    conformance_target: Target, conformance_exchange: Exchange
) -> None:
    ex, symbol = conformance_exchange, conformance_target.symbol
    for interval in ("7m", ""):
        with pytest.raises(BadRequest, match="interval"):
            await ex.fetch_candles(symbol, interval)
    with pytest.raises(BadRequest):
        await ex.fetch_candles(symbol, Interval.M1, start=-1)


async def test_depth_and_limits_of_the_wrong_kind_are_bad_requests(
    conformance_target: Target, conformance_exchange: Exchange
) -> None:
    """Refused before any request, the same way everywhere: not a crash, not a guess."""
    ex, symbol = conformance_exchange, conformance_target.symbol
    for depth in (0, -1, 2.5, "5", True):
        with pytest.raises(BadRequest, match="depth"):
            await ex.fetch_order_book(symbol, depth)  # type: ignore[arg-type]
    for limit in (2.5, "5", True):
        with pytest.raises(BadRequest, match="limit"):
            await ex.fetch_trades(symbol, limit)  # type: ignore[arg-type]
    with pytest.raises(BadRequest, match="start"):
        await ex.fetch_candles(symbol, Interval.M1, start="0")  # type: ignore[arg-type]


async def test_server_time_is_epoch_ms(conformance_exchange: Exchange) -> None:
    ms = await conformance_exchange.server_time()
    assert isinstance(ms, int)
    assert 1_500_000_000_000 < ms < 4_102_444_800_000
