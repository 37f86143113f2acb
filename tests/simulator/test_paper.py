"""PaperExchange through the ``exchanges.Exchange`` protocol."""

from __future__ import annotations

import gc
import re

import attrs
import pytest

from exchanges import (
    STP,
    AboveMaximumSize,
    BadRequest,
    BadSymbol,
    BelowMinimumSize,
    Exchange,
    InsufficientFunds,
    Interval,
    InvalidClientOrderId,
    InvalidOrder,
    InvalidPrecision,
    Liquidity,
    ManualClock,
    OrderNotFound,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
    StopKind,
    TimeInForce,
)
from simulator import PAPER_CAPABILITIES, PaperExchange, Venue
from simulator.venue import OrderParams
from tests.simulator.helpers import START_MS, D

SYM = "BTC/USDT"


@pytest.fixture
def quiet(clock: ManualClock) -> PaperExchange:
    """An exchange on an empty book (no synthetic market)."""
    return PaperExchange({"USDT": "100000", "BTC": "2"}, seed=5, clock=clock, synthetic=False)


@pytest.fixture
def live(clock: ManualClock) -> PaperExchange:
    """An exchange on the embedded synthetic market."""
    return PaperExchange({"USDT": "100000", "BTC": "2"}, seed=5, clock=clock)


def test_it_is_an_exchange_with_truthful_capabilities(quiet: PaperExchange) -> None:
    assert isinstance(quiet, Exchange)
    assert quiet.venue == "paper"
    caps = quiet.capabilities
    assert caps is PAPER_CAPABILITIES
    assert caps.stp == frozenset(STP) and caps.post_only and caps.hidden and caps.iceberg
    assert caps.market_by_funds and caps.stop_orders and caps.amend
    assert caps.time_in_force == frozenset(TimeInForce)


async def test_load_markets_gives_unified_markets(quiet: PaperExchange) -> None:
    markets = await quiet.load_markets()
    assert set(markets) == {"BTC/USDT", "ETH/USDT", "SOL/USDT", "ETH/BTC"}
    btc = markets["BTC/USDT"]
    assert (btc.id, btc.base, btc.quote) == ("BTC-USDT", "BTC", "USDT")
    assert btc.price_increment == D("0.1") and btc.size_increment == D("0.00000001")
    assert btc.min_size == D("0.00001") and btc.min_funds == D("0.1")
    assert btc.maker_fee_rate == D("0.001") and btc.price_limit_rate == D("0.1")
    assert (await quiet.load_markets(reload=True)).keys() == markets.keys()


async def test_market_data_from_the_synthetic_market(live: PaperExchange, clock: ManualClock) -> None:
    book = await live.fetch_order_book(SYM, depth=5)
    assert len(book.bids) == 5 and len(book.asks) == 5
    assert book.bids[0].price < book.asks[0].price
    assert list(book.bids) == sorted(book.bids, key=lambda lvl: lvl.price, reverse=True)
    assert book.sequence is not None
    await clock.run_until(START_MS + 300_000)
    ticker = await live.fetch_ticker(SYM)
    assert ticker.bid is not None and ticker.ask is not None and ticker.bid < ticker.ask
    assert ticker.last is not None and ticker.low is not None and ticker.high is not None
    assert ticker.low <= ticker.last <= ticker.high
    assert ticker.volume is not None and ticker.volume > 0 and ticker.timestamp == START_MS + 300_000
    trades = await live.fetch_trades(SYM, limit=50)
    assert 0 < len(trades) <= 50
    assert [t.timestamp for t in trades] == sorted(t.timestamp for t in trades)
    candles = await live.fetch_candles(SYM, Interval.M1)
    assert candles and all(c.low <= min(c.open, c.close) <= max(c.open, c.close) <= c.high for c in candles)
    assert [c.start for c in candles] == sorted(c.start for c in candles)


async def test_fetch_candles_returns_bars_starting_in_start_end(
    live: PaperExchange, clock: ManualClock
) -> None:
    await clock.run_until(START_MS + 600_000)
    every = await live.fetch_candles(SYM, "1m")
    starts = [c.start for c in every]
    lo, hi = starts[2], starts[5]
    window = await live.fetch_candles(SYM, "1m", start=lo, end=hi)
    assert [c.start for c in window] == [s for s in starts if lo <= s < hi]
    assert all(c.interval is Interval.M1 and c.symbol == SYM for c in window)
    five = await live.fetch_candles(SYM, "5min")
    assert sum(c.volume for c in five) == sum(c.volume for c in every)


async def test_open_orders_come_most_recently_updated_first(quiet: PaperExchange, clock: ManualClock) -> None:
    older = await quiet.place_order(OrderRequest.limit(SYM, "sell", "0.1", "60000"))
    clock.advance(1)
    newer = await quiet.place_order(OrderRequest.limit(SYM, "sell", "0.1", "60100"))
    assert [o.id for o in await quiet.fetch_open_orders(SYM)] == [newer.id, older.id]
    clock.advance(1)
    buyer = quiet.sim.create_user(balances={"USDT": "10000"})
    quiet.sim.place_order(buyer, OrderParams(symbol="BTC-USDT", side="buy", type="market", size="0.05"))
    assert [o.id for o in await quiet.fetch_open_orders(SYM)] == [older.id, newer.id]  # a fill updates it
    clock.advance(1)
    eth = await quiet.place_order(OrderRequest.limit("ETH/USDT", "buy", "0.1", "1000"))
    assert [o.id for o in await quiet.fetch_open_orders()] == [eth.id, older.id, newer.id]


async def test_place_fetch_cancel_a_limit_order(quiet: PaperExchange) -> None:
    request = OrderRequest.limit(SYM, "buy", "0.01", "50000", client_order_id="bot-1")
    order = await quiet.place_order(request)
    assert order.status is OrderStatus.OPEN and order.symbol == SYM and order.client_order_id == "bot-1"
    assert order.price == D("50000") and order.size == D("0.01") and order.funds == D("500")
    by_id = await quiet.fetch_order(SYM, order_id=order.id)
    by_client = await quiet.fetch_order(SYM, client_order_id="bot-1")
    assert by_id == by_client == order
    assert [o.id for o in await quiet.fetch_open_orders(SYM)] == [order.id]
    balances = await quiet.fetch_balances()
    assert balances["USDT"].hold == D("500.5") and balances["USDT"].total == D("100000")
    cancelled = await quiet.cancel_order(SYM, order_id=order.id)
    assert cancelled.status is OrderStatus.CANCELED and not cancelled.is_open
    assert (await quiet.fetch_balances())["USDT"].hold == 0
    assert [o.id for o in await quiet.fetch_closed_orders(SYM)] == [order.id]
    with pytest.raises(OrderNotFound):
        await quiet.cancel_order(SYM, order_id=order.id)
    with pytest.raises(OrderNotFound):
        await quiet.cancel_order(SYM, order_id="0" * 24)
    with pytest.raises(BadRequest):
        await quiet.cancel_order(SYM)


async def test_two_paper_exchanges_share_a_venue_and_trade(clock: ManualClock) -> None:
    venue = Venue(seed=9, clock=clock)
    alice = PaperExchange({"BTC": "1"}, venue=venue)
    bob = PaperExchange({"USDT": "100000"}, venue=venue)
    ask = await alice.place_order(OrderRequest.limit(SYM, "sell", "0.5", "60000"))
    clock.advance(2)
    buy = await bob.place_order(OrderRequest.market(SYM, "buy", size="0.2"))
    assert buy.status is OrderStatus.FILLED and buy.average_price == D("60000")
    (fill,) = await bob.fetch_fills(SYM)
    assert fill.order_id == buy.id and fill.counter_order_id == ask.id
    assert fill.liquidity is Liquidity.TAKER and fill.fee == D("12") and fill.fee_currency == "USDT"
    assert fill.timestamp == START_MS + 2000
    (maker_fill,) = await alice.fetch_fills(SYM, order_id=ask.id)
    assert maker_fill.trade_id == fill.trade_id and maker_fill.liquidity is Liquidity.MAKER
    partially = await alice.fetch_order(SYM, order_id=ask.id)
    assert partially.status is OrderStatus.PARTIALLY_FILLED and partially.filled_size == D("0.2")
    assert (await alice.fetch_balances())["USDT"].total == D("11988")
    with pytest.raises(ValueError, match="own clock"):
        PaperExchange(venue=venue, clock=ManualClock())
    assert venue.audit() == []


async def test_market_order_slips_through_the_synthetic_book(live: PaperExchange) -> None:
    book = await live.fetch_order_book(SYM, depth=None)
    order = await live.place_order(OrderRequest.market(SYM, "buy", size="1"))
    assert order.status is OrderStatus.FILLED
    assert order.average_price is not None and order.average_price > book.asks[0].price
    fills = await live.fetch_fills(SYM, order_id=order.id)
    assert len(fills) > 1 and sum(f.size for f in fills) == D("1")


async def test_every_order_type_and_flag(quiet: PaperExchange, clock: ManualClock) -> None:
    other = PaperExchange({"BTC": "2", "USDT": "100000"}, venue=quiet.sim)
    await other.place_order(OrderRequest.limit(SYM, "sell", "0.1", "60000"))
    ioc = await quiet.place_order(
        OrderRequest.limit(SYM, "buy", "0.3", "60000", time_in_force=TimeInForce.IOC)
    )
    assert ioc.status is OrderStatus.CANCELED and ioc.filled_size == D("0.1")
    fok = await quiet.place_order(
        OrderRequest.limit(SYM, "buy", "0.3", "60000", time_in_force=TimeInForce.FOK)
    )
    assert fok.status is OrderStatus.CANCELED and fok.filled_size == 0
    gtt = await quiet.place_order(
        OrderRequest.limit(SYM, "buy", "0.01", "50000", time_in_force=TimeInForce.GTT, cancel_after=60)
    )
    assert gtt.cancel_after == 60
    hidden = await quiet.place_order(OrderRequest.limit(SYM, "buy", "0.01", "50001", hidden=True))
    iceberg = await quiet.place_order(
        OrderRequest.limit(SYM, "buy", "1", "50002", iceberg=True, visible_size="0.1")
    )
    assert hidden.hidden and iceberg.iceberg and iceberg.visible_size == D("0.1")
    book = await quiet.fetch_order_book(SYM)
    assert [(lvl.price, lvl.size) for lvl in book.bids] == [(D("50002"), D("0.1")), (D("50000"), D("0.01"))]
    by_funds = await quiet.place_order(OrderRequest.market(SYM, "sell", funds="100"))
    assert by_funds.status is OrderStatus.FILLED and by_funds.funds == D("100") and by_funds.size is None
    stop = await quiet.place_order(
        OrderRequest.market(SYM, "buy", size="0.01", stop=StopKind.ENTRY, stop_price="70000")
    )
    assert stop.status is OrderStatus.PENDING and stop.stop is StopKind.ENTRY and stop.is_open
    assert stop.id in {o.id for o in await quiet.fetch_open_orders()}
    clock.advance(61)
    assert (await quiet.fetch_order(SYM, order_id=gtt.id)).status is OrderStatus.EXPIRED
    await quiet.cancel_all_orders()
    assert await quiet.fetch_open_orders() == []
    assert quiet.sim.audit() == []


async def test_a_stop_order_without_a_direction_gets_the_one_kucoin_derives(quiet: PaperExchange) -> None:
    """KuCoin's stop-order request has no direction: a stop price at or above the last
    price triggers on a rise (entry), one below it on a fall (loss), whatever the side."""
    breakout = await quiet.place_order(OrderRequest.limit(SYM, "buy", "0.01", "71000", stop_price="70000"))
    stop_loss = await quiet.place_order(OrderRequest.market(SYM, "sell", size="0.01", stop_price="60000"))
    dip = await quiet.place_order(OrderRequest.limit(SYM, "buy", "0.01", "59000", stop_price="59500"))
    assert [o.stop for o in (breakout, stop_loss, dip)] == [StopKind.ENTRY, StopKind.LOSS, StopKind.LOSS]
    assert all(o.status is OrderStatus.PENDING for o in (breakout, stop_loss, dip))
    assert (await quiet.fetch_order(SYM, order_id=dip.id)).stop is StopKind.LOSS
    other = PaperExchange({"USDT": "100000", "BTC": "1"}, venue=quiet.sim)
    await other.place_order(OrderRequest.limit(SYM, "buy", "0.05", "59400"))
    await other.place_order(OrderRequest.market(SYM, "sell", size="0.01"))  # last price 59400
    statuses = [(await quiet.fetch_order(SYM, order_id=o.id)).status for o in (breakout, stop_loss, dip)]
    assert statuses[0] is OrderStatus.PENDING and OrderStatus.PENDING not in statuses[1:]
    # a direction given is checked as KuCoin would derive it (as the KuCoin adapter checks it)
    sell_stop = OrderRequest.limit(SYM, "sell", "0.01", "58000", stop="loss", stop_price="59000")
    agreed = await quiet.place_order(sell_stop)
    assert agreed.stop is StopKind.LOSS and agreed.status is OrderStatus.PENDING
    with pytest.raises(InvalidOrder, match="makes it entry, not loss"):
        await quiet.place_order(attrs.evolve(sell_stop, stop_price=D("60000")))
    assert quiet.sim.audit() == []


async def test_amend_order_cancels_and_replaces_like_kucoin(quiet: PaperExchange) -> None:
    """KuCoin's modify (``/api/v1/hf/orders/alter``) cancels the order and places a new one:
    a new id, the same clientOid, the back of the queue; the same call as the adapter's."""
    order = await quiet.place_order(OrderRequest.limit(SYM, "buy", "0.02", "50000", client_order_id="am"))
    behind = await quiet.place_order(OrderRequest.limit(SYM, "buy", "0.01", "50000"))
    ack = await quiet.amend_order(SYM, client_order_id="am", size="0.01")
    assert ack.order_id != order.id and ack.client_order_id == "am"
    assert (await quiet.fetch_order(SYM, order_id=order.id)).status is OrderStatus.CANCELED
    smaller = await quiet.fetch_order(SYM, client_order_id="am")
    assert (smaller.id, smaller.size, smaller.price) == (ack.order_id, D("0.01"), D("50000"))
    seller = PaperExchange({"BTC": "1"}, venue=quiet.sim)
    await seller.place_order(OrderRequest.limit(SYM, "sell", "0.01", "50000"))
    assert (await quiet.fetch_order(SYM, order_id=behind.id)).status is OrderStatus.FILLED
    assert (await quiet.fetch_order(SYM, order_id=ack.order_id)).filled_size == 0, "it lost its place"
    moved = await quiet.amend_order(SYM, order_id=ack.order_id, price=D("49000"))
    assert (await quiet.fetch_order(SYM, order_id=moved.order_id)).price == D("49000")
    with pytest.raises(BadRequest, match="new price, a new size"):
        await quiet.amend_order(SYM, order_id=moved.order_id)
    with pytest.raises(InvalidPrecision):
        await quiet.amend_order(SYM, order_id=moved.order_id, price="49000.05")
    assert quiet.sim.audit() == []


async def test_errors_are_exchanges_errors_with_venue_paper(quiet: PaperExchange) -> None:
    with pytest.raises(BadSymbol) as bad_symbol:
        await quiet.place_order(OrderRequest.limit("DOGE/USDT", "buy", "1", "1"))
    assert bad_symbol.value.venue == "paper"
    with pytest.raises(InvalidPrecision) as precision:
        await quiet.place_order(OrderRequest.limit(SYM, "buy", "0.01", "50000.05"))
    assert precision.value.field == "price" and precision.value.venue == "paper"
    with pytest.raises(BelowMinimumSize):
        await quiet.place_order(OrderRequest.limit(SYM, "buy", "0.000001", "50000"))
    with pytest.raises(InvalidClientOrderId):
        await quiet.place_order(OrderRequest.limit(SYM, "buy", "0.01", "50000", client_order_id="no spaces"))
    with pytest.raises(InsufficientFunds) as funds:
        await quiet.place_order(OrderRequest.limit(SYM, "buy", "10", "50000"))
    assert str(funds.value) == "[paper 200004] Balance insufficient!"
    with pytest.raises(BadSymbol):
        await quiet.fetch_ticker("BTCUSDT")


async def test_generated_client_ids_are_valid_and_deterministic(clock: ManualClock) -> None:
    async def ids() -> list[str | None]:
        ex = PaperExchange({"USDT": "1000"}, seed=3, clock=ManualClock(START_MS), synthetic=False)
        out = []
        for price in ("100", "101"):
            order = await ex.place_order(OrderRequest.limit(SYM, "buy", "0.01", price))
            out.extend([order.id, order.client_order_id])
        return out

    first = await ids()
    assert first == await ids()
    assert all(isinstance(x, str) and len(x) <= 40 and x.replace("x", "").isalnum() for x in first)


async def test_fetch_closed_orders_and_fills_limits(quiet: PaperExchange, clock: ManualClock) -> None:
    for i in range(5):
        clock.advance(1)
        order = await quiet.place_order(OrderRequest.limit(SYM, "buy", "0.01", str(40000 + i)))
        await quiet.cancel_order(SYM, order_id=order.id)
    closed = await quiet.fetch_closed_orders(SYM, limit=3)
    assert [o.price for o in closed] == [D("40004"), D("40003"), D("40002")]
    window = await quiet.fetch_closed_orders(SYM, start=START_MS + 2000, end=START_MS + 3000)
    assert [o.price for o in window] == [D("40002"), D("40001")]
    assert await quiet.fetch_fills(SYM) == []


async def test_server_time_follows_the_clock_and_context_manager(
    quiet: PaperExchange, clock: ManualClock
) -> None:
    async with quiet as ex:
        assert await ex.server_time() == START_MS
        clock.advance(1.5)
        assert await ex.server_time() == START_MS + 1500


async def test_order_types_reported(quiet: PaperExchange) -> None:
    order = await quiet.place_order(OrderRequest.market(SYM, "sell", size="0.001"))
    assert order.type is OrderType.MARKET and order.side is Side.SELL
    assert order.status is OrderStatus.CANCELED  # empty book: nothing to sell into


async def test_runs_on_the_system_clock() -> None:
    import time

    from exchanges import SystemClock

    ex = PaperExchange({"USDT": "10000"}, seed=2, clock=SystemClock())
    now = int(time.time() * 1000)
    assert abs(await ex.server_time() - now) < 5_000
    book = await ex.fetch_order_book(SYM, depth=3)
    order = await ex.place_order(OrderRequest.limit(SYM, "buy", "0.001", book.bids[-1].price))
    assert (await ex.cancel_order(SYM, order_id=order.id)).status is OrderStatus.CANCELED
    assert ex.sim.audit() == []


async def test_absurd_amounts_are_refused_clearly(quiet: PaperExchange) -> None:
    with pytest.raises(ValueError, match="amount out of range"):
        OrderRequest.limit(SYM, "buy", "1e30", "50000")
    huge = OrderRequest.limit(SYM, "buy", D("100000000000000000"), "50000")  # 1e17: admitted, too big
    with pytest.raises(AboveMaximumSize):
        await quiet.place_order(huge)
    tiny_tick_huge_size = OrderRequest.limit(SYM, "buy", D("99999999999999999.99999999"), "50000")
    with pytest.raises(AboveMaximumSize):  # exact even past Decimal's default 28 digits
        await quiet.place_order(tiny_tick_huge_size)


@pytest.mark.parametrize(
    ("balances", "error", "message"),
    [
        ({"USDT": "abc"}, BadRequest, "amount invalid: 'abc'"),
        ({"USDT": "1e400"}, BadRequest, "amount too large"),
        ({"USDT": "-5"}, BadRequest, "amount must be positive"),
        ({"usdt": "100"}, BadRequest, "currency must be a code like 'USDT', got 'usdt'"),
        (["USDT", "100"], TypeError, "balances must map currency to amount"),
    ],
)
def test_bad_balances_are_refused_at_construction(
    balances: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=re.escape(message)):
        PaperExchange(balances, synthetic=False)  # type: ignore[arg-type]


async def test_bad_query_arguments_are_bad_requests(quiet: PaperExchange) -> None:
    for depth in (0, -1):
        with pytest.raises(BadRequest, match="depth must be positive"):
            await quiet.fetch_order_book(SYM, depth)
    with pytest.raises(BadRequest, match="limit must not be negative"):
        await quiet.fetch_trades(SYM, -1)
    assert await quiet.fetch_trades(SYM, 0) == []
    with pytest.raises(BadRequest, match="start must be an epoch time"):
        await quiet.fetch_candles(SYM, "1m", start=-5)


async def test_a_long_ledger_is_trimmed_and_still_explains_every_balance(clock: ManualClock) -> None:
    venue = Venue(clock=clock)
    venue.accounts.max_ledger_entries = 40
    maker = PaperExchange({"USDT": "100000", "BTC": "2"}, venue=venue)
    taker = PaperExchange({"USDT": "100000", "BTC": "2"}, venue=venue)
    for _ in range(30):  # a trade (fees, proceeds), then a place/cancel pair (hold, release)
        await maker.place_order(OrderRequest.limit(SYM, "sell", "0.001", "50000"))
        await taker.place_order(OrderRequest.limit(SYM, "buy", "0.001", "50000"))
        bid = await maker.place_order(OrderRequest.limit(SYM, "buy", "0.001", "49000"))
        await maker.cancel_order(SYM, order_id=bid.id)
        clock.advance(1)
    account = venue.accounts.get(maker.uid)
    assert account is not None
    assert 40 <= account.lines <= 60 and account.carried, "trimmed to the newest 40, the rest carried"
    assert venue.audit() == []
    newest = venue.ledger(maker.uid, include_holds=True, limit=5)
    assert [int(e.id) for e in newest] == sorted((int(e.id) for e in newest), reverse=True)
    assert int(newest[0].id) == next(account.ledger(newest_first=True)).id


async def test_history_leaves_little_for_the_garbage_collector(clock: ManualClock) -> None:
    """A long-running venue keeps a long ledger and done-order history: neither may keep
    objects the collector tracks (ledger lines are flat values, done orders plain tuples),
    or every full collection walks them all; a done order found again is whole."""
    venue = Venue(clock=clock)
    ex = PaperExchange({"USDT": "100000"}, venue=venue)
    for _ in range(50):
        order = await ex.place_order(OrderRequest.limit(SYM, "buy", "0.001", "49000"))
        await ex.cancel_order(SYM, order_id=order.id)
    gc.collect()  # (untracks the done orders' tuples)
    account = venue.accounts.get(ex.uid)
    assert account is not None and account.lines == 101, "the deposit, then a hold and a release each"
    assert not any(gc.is_tracked(value) for value in account.rows), "no object a line"
    done = venue.trader(ex.uid).done["BTC-USDT"]
    assert len(done) == 50 and not any(gc.is_tracked(d) for d in done)
    assert len(venue._index.by_id) == 50 and not any(gc.is_tracked(d) for d in venue._index.by_id.values())
    again = await ex.fetch_order(SYM, order_id=order.id)
    assert again == attrs.evolve(order, status=OrderStatus.CANCELED, updated_at=again.updated_at)
    assert venue.audit() == []


async def test_old_fills_are_dropped_past_the_cap(clock: ManualClock) -> None:
    venue = Venue(clock=clock)
    venue.max_fills_per_user = 10
    maker = PaperExchange({"USDT": "100000", "BTC": "2"}, venue=venue)
    taker = PaperExchange({"USDT": "100000", "BTC": "2"}, venue=venue)
    orders = []
    for _ in range(20):
        orders.append(await maker.place_order(OrderRequest.limit(SYM, "sell", "0.001", "50000")))
        await taker.place_order(OrderRequest.limit(SYM, "buy", "0.001", "50000"))
        clock.advance(1)
        fills = await maker.fetch_fills(SYM, limit=100)
        assert [f.order_id for f in fills[:10]] == [o.id for o in orders[::-1][:10]], "the newest 10 kept"
        assert len(fills) <= 15
    assert len(fills) < 20
    assert venue.audit() == []


async def test_done_orders_past_the_cap_are_not_found_by_client_id_either(clock: ManualClock) -> None:
    venue = Venue(clock=clock, max_done_per_symbol=3)
    ex = PaperExchange({"USDT": "100000"}, venue=venue)
    ids = []
    for i in range(5):
        request = OrderRequest.limit(SYM, "buy", "0.001", "49000", client_order_id=f"c{i}")
        ids.append((await ex.place_order(request)).id)
        await ex.cancel_order(SYM, client_order_id=f"c{i}")
    for i in (0, 1):
        with pytest.raises(OrderNotFound):
            await ex.fetch_order(SYM, order_id=ids[i])
        with pytest.raises(OrderNotFound):
            await ex.fetch_order(SYM, client_order_id=f"c{i}")
    assert (await ex.fetch_order(SYM, client_order_id="c2")).id == ids[2]
    assert sorted(venue.trader(ex.uid).by_coid) == ["c2", "c3", "c4"]
    assert sorted(venue._index.by_id) == sorted(ids[2:])


@pytest.mark.parametrize("uid", ["bob smith", "u" * 36, "12345678"])
async def test_generated_client_ids_are_valid_ones_for_any_uid(clock: ManualClock, uid: str) -> None:
    ex = PaperExchange({"USDT": "100000"}, clock=clock, synthetic=False, uid=uid)
    order = await ex.place_order(OrderRequest.limit(SYM, "buy", "0.001", "49000"))
    coid = order.client_order_id
    assert coid is not None and re.fullmatch(r"[A-Za-z0-9_-]{1,40}", coid), coid
    await ex.cancel_order(SYM, order_id=order.id)
    again = OrderRequest.limit(SYM, "buy", "0.001", "49000", client_order_id=coid)
    assert (await ex.place_order(again)).client_order_id == coid  # valid to place under again
