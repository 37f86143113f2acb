"""Market data: markets, books, tickers, trades and candles are internally consistent."""

from __future__ import annotations

import itertools

import pytest

from conformance.helpers import expect_error, is_epoch_ms, min_size, quote_for, require_trading, skip
from conformance.target import Target
from exchanges import BadRequest, Exchange, Interval, OrderRequest, OrderType, Side, parse_symbol

pytestmark = [pytest.mark.conformance_area("market data"), pytest.mark.asyncio(loop_scope="function")]

#: Reads of a moving market tried before a test gives up comparing two of them.
TRIES = 5


async def test_markets_have_positive_increments_and_consistent_limits(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """Every market is listed under its unified symbol, which splits into its base and
    quote; its increments are positive and no maximum lies below its minimum."""
    markets = await conformance_exchange.load_markets()
    assert conformance_subject.symbol in markets, (
        f"the target's symbol {conformance_subject.symbol} is not listed"
    )
    for symbol, m in markets.items():
        assert m.symbol == symbol, f"the market listed as {symbol} calls itself {m.symbol}"
        assert parse_symbol(symbol) == (m.base, m.quote), f"{symbol} is not {m.base}/{m.quote}"
        for name in ("price_increment", "size_increment", "funds_increment"):
            assert getattr(m, name) > 0, f"{symbol}: {name} must be positive, got {getattr(m, name)}"
        assert m.min_size >= 0, f"{symbol}: a negative minimum size"
        if m.max_size is not None:
            assert m.max_size >= m.min_size, f"{symbol}: maximum size below the minimum"
        if m.min_funds is not None:
            assert m.min_funds >= 0, f"{symbol}: negative minimum funds"
            if m.max_funds is not None:
                assert m.max_funds >= m.min_funds, f"{symbol}: maximum funds below the minimum"


async def test_reload_returns_the_same_markets(conformance_exchange: Exchange) -> None:
    """Reloading the markets lists the same symbols as the first load."""
    first = await conformance_exchange.load_markets()
    again = await conformance_exchange.load_markets(reload=True)
    assert set(first) == set(again), f"a reload changed the symbols: {sorted(set(first) ^ set(again))[:5]}"


async def test_order_book_sorted_and_not_crossed(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """A book is aggregated by price, best first: bids strictly descending, asks strictly
    ascending, every level with a size, the best bid below the best ask."""
    book = await conformance_exchange.fetch_order_book(conformance_subject.symbol, 20)
    assert book.symbol == conformance_subject.symbol, (
        f"asked for {conformance_subject.symbol}, got {book.symbol}"
    )
    if conformance_subject.has_liquidity:
        assert book.bids, "a market with liquidity shows no bids"
        assert book.asks, "a market with liquidity shows no asks"
    bid_prices = [level.price for level in book.bids]
    ask_prices = [level.price for level in book.asks]
    assert all(a > b for a, b in itertools.pairwise(bid_prices)), (
        f"bids are not best (highest) first, one level a price: {bid_prices[:5]}"
    )
    assert all(a < b for a, b in itertools.pairwise(ask_prices)), (
        f"asks are not best (lowest) first, one level a price: {ask_prices[:5]}"
    )
    assert all(level.size > 0 for level in (*book.bids, *book.asks)), "a book level with no size"
    if book.bids and book.asks:
        assert book.bids[0].price < book.asks[0].price, (
            f"a crossed book: best bid {book.bids[0].price} >= best ask {book.asks[0].price}"
        )


async def test_order_book_depth_keeps_the_best_levels(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """``depth`` keeps the best ``depth`` levels of each side: at most that many, and the
    same as the first levels of a deeper book."""
    ex, symbol = conformance_exchange, conformance_subject.symbol
    for _ in range(TRIES):
        deep = await ex.fetch_order_book(symbol, 20)
        shallow = await ex.fetch_order_book(symbol, 5)
        again = await ex.fetch_order_book(symbol, 20)
        assert len(shallow.bids) <= 5 and len(shallow.asks) <= 5, (
            f"depth 5 gave {len(shallow.bids)} bids and {len(shallow.asks)} asks: depth ignored"
        )
        if (deep.bids, deep.asks) == (again.bids, again.asks):  # (the book did not move meanwhile)
            best_bids = sorted(deep.bids, key=lambda level: level.price, reverse=True)[:5]
            best_asks = sorted(deep.asks, key=lambda level: level.price)[:5]
            assert set(shallow.bids) == set(best_bids), "depth 5 did not keep the 5 best bids"
            assert set(shallow.asks) == set(best_asks), "depth 5 did not keep the 5 best asks"
            return


async def test_ticker_consistent(conformance_subject: Target, conformance_exchange: Exchange) -> None:
    """A ticker is of the symbol asked; its bid is not above its ask, and its last price
    lies within the day's low and high."""
    ticker = await conformance_exchange.fetch_ticker(conformance_subject.symbol)
    assert ticker.symbol == conformance_subject.symbol, (
        f"asked for {conformance_subject.symbol}, got {ticker.symbol}"
    )
    if ticker.bid is not None and ticker.ask is not None:
        assert ticker.bid <= ticker.ask, f"the ticker's bid {ticker.bid} is above its ask {ticker.ask}"
    if ticker.last is not None and ticker.low is not None and ticker.high is not None:
        assert ticker.low <= ticker.last <= ticker.high, (
            f"the last price {ticker.last} lies outside the day's range [{ticker.low}, {ticker.high}]"
        )
    if ticker.low is not None and ticker.high is not None:
        assert ticker.low <= ticker.high, f"the day's low {ticker.low} is above its high {ticker.high}"


async def test_ticker_follows_the_last_trade(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """After a trade, the ticker's last price is that of the newest public trade: a ticker
    is never served from a stale copy."""
    require_trading(conformance_subject)
    ex, symbol = conformance_exchange, conformance_subject.symbol
    if not conformance_subject.has_liquidity or OrderType.MARKET not in ex.capabilities.order_types:
        skip(conformance_subject, "no book to trade against with a market order")
    market, ticker = await quote_for(ex, symbol)  # (a client that keeps tickers would keep this one)
    # (a trade on the other side of the book than the last one: its price is another)
    last = await ex.fetch_trades(symbol, 1)
    side = last[-1].side.opposite if last else Side.BUY
    price = (ticker.ask if side is Side.BUY else ticker.bid) or ticker.last
    assert price is not None, "the ticker has neither a bid, an ask nor a last price"
    await ex.place_order(OrderRequest.market(symbol, side, size=min_size(market, price)))
    for _ in range(TRIES):
        before = await ex.fetch_trades(symbol)
        now = await ex.fetch_ticker(symbol)
        after = await ex.fetch_trades(symbol)
        if {t.id for t in before} == {t.id for t in after}:  # (no trade came in between)
            assert after, "a market order filled, yet there is no public trade"
            newest = max(t.timestamp for t in after)
            prices = sorted({t.price for t in after if t.timestamp == newest})
            assert now.last in prices, (
                f"a stale ticker: last price {now.last}, but the newest trades were at {prices}"
            )
            return
    skip(conformance_subject, "the market trades too fast to read a ticker between two reads of its trades")


async def test_trades_ordered_in_time(conformance_subject: Target, conformance_exchange: Exchange) -> None:
    """Public trades come oldest first, each of the symbol asked, with a price and a size."""
    trades = await conformance_exchange.fetch_trades(conformance_subject.symbol)
    if conformance_subject.has_liquidity:
        assert trades, "a market with liquidity has no public trades"
    stamps = [t.timestamp for t in trades]
    assert stamps == sorted(stamps), f"public trades are not oldest first: {stamps[:3]} ... {stamps[-3:]}"
    for trade in trades:
        assert trade.symbol == conformance_subject.symbol, (
            f"a trade of {trade.symbol} in {conformance_subject.symbol}"
        )
        assert trade.price > 0, f"a trade at price {trade.price}"
        assert trade.size > 0, f"a trade of size {trade.size}"


async def test_public_trades_show_the_takers_side(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """A public trade's side is its taker's: our market buy is printed as a buy."""
    require_trading(conformance_subject)
    ex, symbol = conformance_exchange, conformance_subject.symbol
    if not conformance_subject.has_liquidity or OrderType.MARKET not in ex.capabilities.order_types:
        skip(conformance_subject, "no book to trade against with a market order")
    market, ticker = await quote_for(ex, symbol)
    price = ticker.ask or ticker.last
    assert price is not None, "the ticker has neither an ask nor a last price"
    order = await ex.place_order(OrderRequest.market(symbol, Side.BUY, size=min_size(market, price)))
    fills = await ex.fetch_fills(symbol, order_id=order.id)
    ours = {(f.price, f.size) for f in fills}
    printed = [t for t in await ex.fetch_trades(symbol) if (t.price, t.size) in ours]
    if not printed:
        skip(conformance_subject, "our trade is not among the public trades read back")
    sides = sorted({t.side for t in printed})
    assert sides == [Side.BUY], (
        f"our market buy is printed as a {' and a '.join(sides)}: not the taker's side"
    )


async def test_trade_limit_keeps_the_newest(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """``limit`` keeps the newest trades; 0 gives none, and a negative limit is a
    ``BadRequest``."""
    ex, symbol = conformance_exchange, conformance_subject.symbol
    assert await ex.fetch_trades(symbol, 0) == [], "limit 0 must give no trades"
    await expect_error(BadRequest, "a negative limit must be a BadRequest", ex.fetch_trades(symbol, -1))
    for _ in range(TRIES):
        newest = await ex.fetch_trades(symbol, 2)
        every = await ex.fetch_trades(symbol)
        again = await ex.fetch_trades(symbol, 2)
        if {t.id for t in newest} == {t.id for t in again}:  # (no trade came in meanwhile)
            break
    else:
        skip(conformance_subject, "the market trades too fast to compare two reads")
    if len(every) < 3:
        skip(conformance_subject, "too few public trades to compare limits")
    assert len(newest) == 2, f"limit 2 gave {len(newest)} trades"
    kept = {t.id for t in newest}
    rest = [t.timestamp for t in every if t.id not in kept]
    assert min(t.timestamp for t in newest) >= max(rest), (
        "limit must keep the newest trades: it kept trades older than others it left out"
    )


async def test_candles_ordered_and_well_formed(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """Candles come strictly oldest first, aligned to their interval, each with its open
    and close within its low and high, and no negative volume."""
    now = await conformance_exchange.server_time()
    candles = await conformance_exchange.fetch_candles(
        conformance_subject.symbol, Interval.M1, now - 3 * 3600_000, now
    )
    starts = [c.start for c in candles]
    assert starts == sorted(set(starts)), (
        f"candles are not strictly oldest first: {starts[:3]} ... {starts[-3:]}"
    )
    for c in candles:
        assert c.start % Interval.M1.ms == 0, (
            f"a 1m candle starting at {c.start} is not aligned to the minute"
        )
        assert c.low <= min(c.open, c.close), f"a candle's low {c.low} is above its open or close"
        assert max(c.open, c.close) <= c.high, f"a candle's high {c.high} is below its open or close"
        assert c.volume >= 0, f"a candle with volume {c.volume}"


async def test_candles_lie_in_the_asked_range(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """Candles are those whose start lies in ``[start, end)``: none before ``start``, none
    at or after ``end``, and every one in between."""
    ex, symbol = conformance_exchange, conformance_subject.symbol
    now = await ex.server_time()
    every = await ex.fetch_candles(symbol, Interval.M1, now - 3 * 3600_000, now)
    starts = sorted(c.start for c in every)
    if len(starts) < 3:
        skip(conformance_subject, "too few candles in the last three hours to check a range")
    start, end = starts[1], starts[-1]
    within = sorted(c.start for c in await ex.fetch_candles(symbol, Interval.M1, start, end))
    assert all(start <= s for s in within), f"a candle starts before the asked start {start}: {within[:2]}"
    assert all(s < end for s in within), f"a candle starts at or after the asked end {end}: {within[-2:]}"
    assert within == [s for s in starts if start <= s < end], "candles of [start, end) are missing"


async def test_candles_refuse_unknown_intervals_and_negative_times(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """An unknown interval or a negative time is a ``BadRequest`` naming the argument."""
    ex, symbol = conformance_exchange, conformance_subject.symbol
    for interval in ("7m", ""):
        err = await expect_error(
            BadRequest,
            f"candles of interval {interval!r} must be a BadRequest",
            ex.fetch_candles(symbol, interval),
        )
        assert "interval" in str(err), f"the error does not name the interval: {err}"
    await expect_error(
        BadRequest,
        "candles from a negative start must be a BadRequest",
        ex.fetch_candles(symbol, Interval.M1, start=-1),
    )


async def test_depth_and_limits_of_the_wrong_kind_are_bad_requests(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """A depth, limit or time that is not a whole number (or a depth below one) is refused
    with a ``BadRequest`` naming it, before any request: never a crash or a guess."""
    ex, symbol = conformance_exchange, conformance_subject.symbol
    for depth in (0, -1, 2.5, "5", True):
        err = await expect_error(
            BadRequest,
            f"a book of depth {depth!r} must be a BadRequest",
            ex.fetch_order_book(symbol, depth),  # type: ignore[arg-type]
        )
        assert "depth" in str(err), f"the error does not name the depth: {err}"
    for limit in (2.5, "5", True):
        err = await expect_error(
            BadRequest,
            f"trades of limit {limit!r} must be a BadRequest",
            ex.fetch_trades(symbol, limit),  # type: ignore[arg-type]
        )
        assert "limit" in str(err), f"the error does not name the limit: {err}"
    err = await expect_error(
        BadRequest,
        "candles from start '0' (a str) must be a BadRequest",
        ex.fetch_candles(symbol, Interval.M1, start="0"),  # type: ignore[arg-type]
    )
    assert "start" in str(err), f"the error does not name the start: {err}"


async def test_times_are_epoch_milliseconds(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """Server time, tickers, books, trades and candles carry whole epoch milliseconds near
    the server's clock: not seconds, not floats."""
    ex, symbol = conformance_exchange, conformance_subject.symbol
    now = await ex.server_time()
    assert isinstance(now, int) and 1_500_000_000_000 < now < 4_102_444_800_000, (
        f"server time {now!r} is not epoch milliseconds"
    )
    stamps: list[tuple[str, object]] = [
        ("the ticker's", (await ex.fetch_ticker(symbol)).timestamp),
        ("the book's", (await ex.fetch_order_book(symbol, 5)).timestamp),
    ]
    stamps += [("a trade's", t.timestamp) for t in await ex.fetch_trades(symbol, 5)]
    candles = await ex.fetch_candles(symbol, Interval.M1, now - 3600_000, now)
    stamps += [("a candle's", c.start) for c in candles]
    for what, stamp in stamps:
        assert is_epoch_ms(stamp, now), (
            f"{what} time {stamp!r} is not epoch milliseconds near server time {now}"
        )
