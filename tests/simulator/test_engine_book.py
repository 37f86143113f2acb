"""The matching engine on its own: integer ticks and lots, no venue, no clock."""

from __future__ import annotations

import itertools
import random

import pytest

from simulator.engine import (
    CANCELED,
    EXPIRED,
    FILLED,
    FLAG_BY_FUNDS,
    FLAG_FOK,
    FLAG_GTT,
    FLAG_HIDDEN,
    FLAG_ICEBERG,
    FLAG_IOC,
    FLAG_MARKET,
    FLAG_POST_ONLY,
    OPEN,
    PARTIAL,
    PENDING,
    REJECTED,
    STOP_ENTRY,
    STOP_LOSS,
    STP_CB,
    STP_CN,
    STP_CO,
    STP_DC,
    UNLIMITED,
    Book,
    EngineOrder,
    Event,
    Matched,
)

_ids = itertools.count(1)


def order(owner: str, side: str, price: int, size: int, flags: int = 0, **kwargs: int) -> EngineOrder:
    return EngineOrder(next(_ids), owner, side == "buy", price, size, flags, **kwargs)


class Recorder:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def __call__(self, event: Event) -> None:
        self.events.append(event)

    @property
    def trades(self) -> list[Matched]:
        return [e for e in self.events if isinstance(e, Matched)]

    def kinds(self) -> list[str]:
        return [e.kind for e in self.events]


@pytest.fixture
def rec() -> Recorder:
    return Recorder()


@pytest.fixture
def book(rec: Recorder) -> Book:
    return Book(listener=rec)


def test_resting_orders_aggregate_by_price_and_sort(book: Book) -> None:
    for price, size in ((100, 5), (101, 3), (100, 2), (99, 1)):
        book.submit(order("a", "buy", price, size), 0)
    for price, size in ((105, 4), (103, 1), (103, 6)):
        book.submit(order("a", "sell", price, size), 0)
    bids, asks = book.depth()
    assert bids == [(101, 3), (100, 7), (99, 1)]
    assert asks == [(103, 7), (105, 4)]
    assert book.best() == (101, 103)
    assert book.depth(1) == ([(101, 3)], [(103, 7)])


def test_price_time_priority_and_partial_fill(book: Book, rec: Recorder) -> None:
    first = book.submit(order("a", "sell", 100, 5), 0)
    second = book.submit(order("b", "sell", 100, 5), 0)
    better = book.submit(order("c", "sell", 99, 2), 0)
    taker = book.submit(order("d", "buy", 100, 8), 0)
    assert [(t.maker.id, t.price, t.size) for t in rec.trades] == [
        (better.id, 99, 2),
        (first.id, 100, 5),
        (second.id, 100, 1),
    ]
    assert taker.status == FILLED and taker.filled == 8
    assert taker.filled_funds == 99 * 2 + 100 * 6
    assert first.status == FILLED and better.status == FILLED
    assert second.status == PARTIAL and second.remaining == 4
    assert book.depth() == ([], [(100, 4)])
    assert book.last_price == 100 and book.last_taker_buy


def test_limit_remainder_rests_at_its_price(book: Book) -> None:
    book.submit(order("a", "sell", 100, 3), 0)
    taker = book.submit(order("b", "buy", 101, 5), 0)
    assert taker.status == PARTIAL and taker.remaining == 2
    assert book.depth() == ([(101, 2)], [])


def test_market_by_size_sweeps_levels_and_cancels_what_the_book_lacks(book: Book) -> None:
    book.submit(order("a", "sell", 100, 3), 0)
    book.submit(order("a", "sell", 102, 3), 0)
    taker = book.submit(order("b", "buy", 0, 10, FLAG_MARKET), 0)
    assert taker.filled == 6 and taker.filled_funds == 300 + 306
    assert taker.status == CANCELED and taker.reason == "no_liquidity"
    assert book.depth() == ([], [])


def test_market_sell_by_size_fills_completely(book: Book) -> None:
    book.submit(order("a", "buy", 100, 3), 0)
    book.submit(order("a", "buy", 99, 3), 0)
    taker = book.submit(order("b", "sell", 0, 4, FLAG_MARKET), 0)
    assert taker.status == FILLED and taker.filled_funds == 300 + 99


def test_market_by_funds_stops_when_funds_cannot_buy_another_lot(book: Book) -> None:
    book.submit(order("a", "sell", 100, 3), 0)
    book.submit(order("a", "sell", 110, 3), 0)
    taker = order("b", "buy", 0, UNLIMITED, FLAG_MARKET | FLAG_BY_FUNDS, funds_limit=525)
    book.submit(taker, 0)
    assert taker.filled == 5  # 300 for 3 lots, then 2 x 110 = 220; 5 left cannot buy a lot
    assert taker.filled_funds == 520
    assert taker.status == FILLED
    assert (book.last_price, book.last_size) == (110, 2)  # the last trade, not the lot it could not buy


def test_market_by_funds_that_cannot_pay_one_lot_or_leaves_a_lot_unspent_is_cancelled(book: Book) -> None:
    book.submit(order("a", "sell", 100, 1), 0)
    book.submit(order("a", "sell", 300, 1), 0)
    too_little = book.submit(order("b", "buy", 0, UNLIMITED, FLAG_MARKET | FLAG_BY_FUNDS, funds_limit=99), 0)
    assert (too_little.filled, too_little.status, too_little.reason) == (0, CANCELED, "insufficient_funds")
    # 100 for one lot, then 150 left: not enough for the next (300), more than the average lot
    part = book.submit(order("b", "buy", 0, UNLIMITED, FLAG_MARKET | FLAG_BY_FUNDS, funds_limit=250), 0)
    assert (part.filled, part.filled_funds, part.status) == (1, 100, CANCELED)
    seller = book.submit(order("c", "sell", 0, 5, FLAG_MARKET | FLAG_BY_FUNDS, funds_limit=50), 0)
    assert (seller.filled, seller.status) == (0, CANCELED)  # no bid, nothing sold


def test_market_by_funds_asks_the_venue_whether_it_spent_its_funds(book: Book) -> None:
    book.submit(order("a", "sell", 100, 3), 0)
    asked: list[int] = []

    def spent(o: EngineOrder) -> bool:
        asked.append(o.filled)
        return o.filled == 2

    book.spent = spent
    two = book.submit(order("b", "buy", 0, UNLIMITED, FLAG_MARKET | FLAG_BY_FUNDS, funds_limit=250), 0)
    one = book.submit(order("b", "buy", 0, UNLIMITED, FLAG_MARKET | FLAG_BY_FUNDS, funds_limit=100), 0)
    nothing = book.submit(order("b", "buy", 0, UNLIMITED, FLAG_MARKET | FLAG_BY_FUNDS, funds_limit=50), 0)
    assert (two.status, one.status, nothing.status) == (FILLED, CANCELED, CANCELED)
    assert asked == [2, 1]  # (an order that dealt nothing is cancelled without asking)


def test_market_buying_power_exhausted_is_cancelled(book: Book) -> None:
    book.submit(order("a", "sell", 100, 10), 0)
    taker = book.submit(order("b", "buy", 0, 10, FLAG_MARKET, funds_limit=450), 0)
    assert taker.filled == 4 and taker.status == CANCELED and taker.reason == "insufficient_funds"


def test_ioc_never_rests(book: Book) -> None:
    book.submit(order("a", "sell", 100, 2), 0)
    ioc = book.submit(order("b", "buy", 101, 5, FLAG_IOC), 0)
    assert ioc.filled == 2 and ioc.status == CANCELED and ioc.reason == "ioc"
    assert book.depth() == ([], [])
    miss = book.submit(order("b", "buy", 99, 5, FLAG_IOC), 0)
    assert miss.filled == 0 and miss.status == CANCELED
    assert book.resting_count == 0


def test_fok_fills_all_or_nothing(book: Book) -> None:
    book.submit(order("a", "sell", 100, 2), 0)
    book.submit(order("a", "sell", 101, 2), 0)
    killed = book.submit(order("b", "buy", 101, 5, FLAG_FOK), 0)
    assert killed.filled == 0 and killed.status == CANCELED and killed.reason == "fok"
    assert book.depth() == ([], [(100, 2), (101, 2)])
    filled = book.submit(order("b", "buy", 101, 4, FLAG_FOK), 0)
    assert filled.filled == 4 and filled.status == FILLED


def test_fok_counts_hidden_and_iceberg_liquidity(book: Book) -> None:
    book.submit(order("a", "sell", 100, 2, FLAG_HIDDEN), 0)
    book.submit(order("a", "sell", 100, 6, FLAG_ICEBERG, visible=1), 0)
    fok = book.submit(order("b", "buy", 100, 8, FLAG_FOK), 0)
    assert fok.status == FILLED and fok.filled == 8


def test_post_only_that_would_take_is_rejected(book: Book) -> None:
    book.submit(order("a", "sell", 100, 2), 0)
    po = book.submit(order("b", "buy", 100, 1, FLAG_POST_ONLY), 0)
    assert po.status == REJECTED and po.reason == "post_only" and po.filled == 0
    rests = book.submit(order("b", "buy", 99, 1, FLAG_POST_ONLY), 0)
    assert rests.status == OPEN


def test_post_only_is_ignored_with_ioc(book: Book) -> None:
    book.submit(order("a", "sell", 100, 2), 0)
    ioc = book.submit(order("b", "buy", 100, 1, FLAG_POST_ONLY | FLAG_IOC), 0)
    assert ioc.status == FILLED


def test_post_only_crossing_only_hidden_liquidity_executes_as_maker(book: Book, rec: Recorder) -> None:
    hidden = book.submit(order("a", "sell", 100, 2, FLAG_HIDDEN), 0)
    po = book.submit(order("b", "buy", 100, 5, FLAG_POST_ONLY), 0)
    (trade,) = rec.trades
    assert trade.maker is hidden and trade.taker_is_maker and trade.maker_pays_taker
    assert po.filled == 2 and po.status == PARTIAL
    assert book.depth() == ([(100, 3)], [])


def test_hidden_orders_match_but_do_not_show(book: Book) -> None:
    book.submit(order("a", "sell", 100, 4, FLAG_HIDDEN), 0)
    assert book.depth() == ([], [])
    assert book.best() == (None, 100)
    assert book.best_visible(False) is None
    taker = book.submit(order("b", "buy", 100, 3), 0)
    assert taker.status == FILLED
    assert book.level_stats(False, 100) == (0, 1)


def test_iceberg_shows_a_slice_and_refills_at_the_back(book: Book, rec: Recorder) -> None:
    ice = book.submit(order("a", "sell", 100, 10, FLAG_ICEBERG, visible=3), 0)
    plain = book.submit(order("b", "sell", 100, 2), 0)
    assert book.depth() == ([], [(100, 5)])
    book.submit(order("c", "buy", 100, 3), 0)  # consumes the iceberg's slice exactly
    assert ice.remaining == 7 and ice.shown == 3
    assert book.level_orders(False, 100) == [plain, ice]  # refilled, behind the plain order
    assert book.depth() == ([], [(100, 5)])
    book.submit(order("c", "buy", 100, 4), 0)
    assert [(t.maker.id, t.size) for t in rec.trades[-2:]] == [(plain.id, 2), (ice.id, 2)]
    assert ice.remaining == 5 and ice.shown == 1


def test_iceberg_alone_is_consumed_slice_after_slice(book: Book) -> None:
    ice = book.submit(order("a", "sell", 100, 10, FLAG_ICEBERG, visible=3), 0)
    taker = book.submit(order("b", "buy", 100, 8), 0)
    # slices of 3, 3, then 2 of the third slice: 1 lot still shows, 1 more is hidden
    assert taker.status == FILLED and ice.remaining == 2 and ice.shown == 1
    assert book.depth() == ([], [(100, 1)])


def test_stp_cn_cancels_the_taker(book: Book) -> None:
    own = book.submit(order("a", "sell", 100, 5), 0)
    other = book.submit(order("b", "sell", 99, 1), 0)
    taker = book.submit(order("a", "buy", 100, 4, stp=STP_CN), 0)
    assert taker.filled == 1 and taker.status == CANCELED and taker.reason == "stp"
    assert own.status == OPEN and own.remaining == 5 and other.status == FILLED


def test_stp_co_cancels_the_resting_order_and_keeps_matching(book: Book) -> None:
    own = book.submit(order("a", "sell", 100, 5), 0)
    other = book.submit(order("b", "sell", 100, 3), 0)
    taker = book.submit(order("a", "buy", 100, 4, stp=STP_CO), 0)
    assert own.status == CANCELED and own.reason == "stp"
    assert taker.filled == 3 and taker.status == PARTIAL and other.status == FILLED
    assert book.depth() == ([(100, 1)], [])


def test_stp_cb_cancels_both(book: Book) -> None:
    own = book.submit(order("a", "sell", 100, 5), 0)
    taker = book.submit(order("a", "buy", 100, 4, stp=STP_CB), 0)
    assert own.status == CANCELED and taker.status == CANCELED and taker.filled == 0
    assert book.depth() == ([], [])


def test_stp_dc_decrements_both_and_ends_the_smaller(book: Book) -> None:
    own = book.submit(order("a", "sell", 100, 5), 0)
    taker = book.submit(order("a", "buy", 100, 3, stp=STP_DC), 0)
    assert taker.status == CANCELED and taker.filled == 0 and taker.remaining == 0
    assert own.status == OPEN and own.remaining == 2
    assert book.depth() == ([], [(100, 2)])
    big = book.submit(order("a", "buy", 100, 6, stp=STP_DC), 0)
    assert own.status == CANCELED
    assert big.status == OPEN and big.remaining == 4 and big.size - big.filled - big.remaining == 2
    assert book.depth() == ([(100, 4)], [])


def test_stp_dc_equal_sizes_cancel_both(book: Book) -> None:
    own = book.submit(order("a", "sell", 100, 5), 0)
    taker = book.submit(order("a", "buy", 100, 5, stp=STP_DC), 0)
    assert own.status == CANCELED and taker.status == CANCELED


def test_without_stp_an_owner_trades_with_itself(book: Book) -> None:
    book.submit(order("a", "sell", 100, 5), 0)
    taker = book.submit(order("a", "buy", 100, 5), 0)
    assert taker.status == FILLED


def test_fok_forces_cn_and_counts_only_liquidity_before_the_owners_order(book: Book) -> None:
    book.submit(order("b", "sell", 100, 2), 0)
    book.submit(order("a", "sell", 100, 5), 0)
    fok = book.submit(order("a", "buy", 100, 4, FLAG_FOK, stp=STP_CO), 0)
    assert fok.stp == STP_CN
    assert fok.status == CANCELED and fok.filled == 0
    ok = book.submit(order("a", "buy", 100, 2, FLAG_FOK, stp=STP_CO), 0)
    assert ok.status == FILLED


def test_market_orders_never_use_dc(book: Book) -> None:
    own = book.submit(order("a", "sell", 100, 5), 0)
    taker = book.submit(order("a", "buy", 0, 3, FLAG_MARKET, stp=STP_DC), 0)
    assert taker.status == CANCELED and taker.filled == 0 and own.remaining == 5


def test_gtt_orders_expire_before_anything_else(book: Book, rec: Recorder) -> None:
    gtt = book.submit(order("a", "sell", 100, 5, FLAG_GTT, expire_at=1000), 0)
    assert gtt.status == OPEN and book.next_expiry() == 1000
    taker = book.submit(order("b", "buy", 100, 5), 1000)
    assert gtt.status == EXPIRED and gtt.reason == "expired"
    assert taker.status == OPEN and taker.filled == 0
    assert "canceled" in rec.kinds()


def test_expire_runs_on_its_own(book: Book) -> None:
    gtt = book.submit(order("a", "buy", 100, 5, FLAG_GTT, expire_at=500), 0)
    assert book.expire(499) == []
    assert book.expire(500) == [gtt]
    assert book.depth() == ([], [])


def test_price_band_rejects_limits_and_caps_market_orders(rec: Recorder) -> None:
    book = Book(band_ppm=100_000, listener=rec)  # 10 %
    book.submit(order("a", "sell", 1000, 1), 0)
    book.submit(order("a", "sell", 1100, 1), 0)
    book.submit(order("a", "sell", 1101, 1), 0)
    far = book.submit(order("b", "buy", 1101, 3), 0)
    assert far.status == REJECTED and far.reason == "price_band"
    market = book.submit(order("b", "buy", 0, 3, FLAG_MARKET), 0)
    assert market.filled == 2 and market.status == CANCELED and market.reason == "price_band"
    assert book.depth() == ([], [(1101, 1)])
    # an empty opposite side: the last price is the reference
    low = book.submit(order("c", "sell", 900, 1), 0)
    assert low.status == REJECTED
    ok = book.submit(order("c", "sell", 990, 1), 0)
    assert ok.status == OPEN


def test_price_band_on_an_empty_side_for_orders_that_do_not_cross() -> None:
    """The hot path rests such an order at once: it must still refuse one out of band."""
    for is_buy, out, edge in ((True, 1101, 1100), (False, 899, 900)):
        book = Book(band_ppm=100_000)
        book.submit(order("m", "sell", 1000, 1), 0)
        book.submit(order("t", "buy", 1000, 1), 0)  # last price 1000; both sides now empty
        side = "buy" if is_buy else "sell"
        assert book.submit(order("a", side, out, 1), 0).status == REJECTED
        assert book.submit(order("a", side, edge, 1), 0).status == OPEN  # (the edge is in)
    fresh = Book(band_ppm=100_000)  # no trade yet: nothing to measure from
    assert fresh.submit(order("a", "buy", 5000, 1), 0).status == OPEN
    assert fresh.submit(order("b", "sell", 6000, 1), 0).status == OPEN


def test_cancel_removes_and_reports_unknown(book: Book) -> None:
    resting = book.submit(order("a", "buy", 100, 5), 0)
    assert book.cancel(resting.id, 0) is resting
    assert resting.status == CANCELED and resting.remaining == 0
    assert book.cancel(resting.id, 0) is None
    assert book.cancel("nope", 0) is None
    assert book.depth() == ([], [])


def test_cancels_leave_nothing_behind(book: Book) -> None:
    orders = [book.submit(order("a", "buy", 100, 1), 0) for _ in range(200)]
    for o in orders[:-5]:
        book.cancel(o.id, 0)
    lvl_orders = list(book._bids[100])
    assert len(lvl_orders) <= 2 * 5 + 16
    assert lvl_orders == orders[-5:]
    assert all(o.prev is None and o.next is None for o in orders[:-5])
    assert book.level_orders(True, 100) == orders[-5:]
    taker = book.submit(order("b", "sell", 100, 5), 0)
    assert taker.status == FILLED


def test_reduce_keeps_priority(book: Book) -> None:
    first = book.submit(order("a", "sell", 100, 5), 0)
    second = book.submit(order("b", "sell", 100, 5), 0)
    book.reduce(first.id, 2, 0)
    assert first.remaining == 3 and first.status == OPEN
    assert book.level_orders(False, 100) == [first, second]
    assert book.depth() == ([], [(100, 8)])
    book.reduce(first.id, 3, 0)
    assert first.status == CANCELED
    with pytest.raises(ValueError, match="positive"):
        book.reduce(second.id, 0, 0)


def test_amend_smaller_keeps_priority_larger_or_new_price_loses_it(book: Book) -> None:
    a = book.submit(order("a", "sell", 100, 5), 0)
    b = book.submit(order("b", "sell", 100, 5), 0)
    book.amend(a.id, 0, size=4)
    assert book.level_orders(False, 100) == [a, b] and a.remaining == 4
    book.amend(a.id, 0, size=6)
    assert book.level_orders(False, 100) == [b, a] and a.remaining == 6
    book.amend(b.id, 0, price=101)
    assert book.level_orders(False, 101) == [b]
    assert book.depth() == ([], [(100, 6), (101, 5)])
    book.amend(a.id, 0, size=0)
    assert a.status == CANCELED


def test_an_amend_that_only_changes_the_total_is_an_event_too(book: Book, rec: Recorder) -> None:
    """After a partial cancel of 2, a new total of 3 leaves 3 to fill as before: the order
    keeps its place, but its size changed, and listeners must hear of it."""
    a = book.submit(order("a", "sell", 100, 5), 0)
    book.reduce(a.id, 2, 0)
    rec.events.clear()
    book.amend(a.id, 1, size=3)
    assert (a.size, a.remaining) == (3, 3) and rec.kinds() == ["amended"]
    book.amend(a.id, 2, size=3)
    assert rec.kinds() == ["amended"], "no change, no event"


def test_amend_to_a_crossing_price_trades(book: Book) -> None:
    bid = book.submit(order("a", "buy", 99, 5), 0)
    ask = book.submit(order("b", "sell", 101, 3), 0)
    book.amend(bid.id, 0, price=101)
    assert ask.status == FILLED and bid.filled == 3 and bid.status == PARTIAL
    assert book.depth() == ([(101, 2)], [])


def test_amend_post_only_to_a_crossing_price_cancels_it(book: Book) -> None:
    bid = book.submit(order("a", "buy", 99, 5, FLAG_POST_ONLY), 0)
    book.submit(order("b", "sell", 101, 3), 0)
    book.amend(bid.id, 0, price=101)
    assert bid.status == CANCELED and bid.reason == "post_only"


def test_stop_loss_triggers_on_last_price_and_cascades(book: Book, rec: Recorder) -> None:
    book.submit(order("m", "buy", 95, 10), 0)
    book.submit(order("m", "buy", 90, 10), 0)
    book.submit(order("m", "sell", 100, 10), 0)
    book.submit(order("x", "buy", 100, 1), 0)  # last = 100
    stop1 = book.submit(order("a", "sell", 0, 10, FLAG_MARKET, stop=STOP_LOSS, stop_price=96), 0)
    stop2 = book.submit(order("b", "sell", 0, 5, FLAG_MARKET, stop=STOP_LOSS, stop_price=92), 0)
    assert stop1.status == PENDING and book.stop_count == 2
    book.submit(order("x", "sell", 95, 1), 0)  # last 95 <= 96: stop1 fires, prints 95 and 90
    assert stop1.status == FILLED
    assert stop2.status == FILLED  # 90 <= 92: cascaded
    assert "triggered" in rec.kinds()
    assert book.stop_count == 0


def test_stop_entry_becomes_a_limit_order(book: Book) -> None:
    book.submit(order("m", "sell", 105, 10), 0)
    book.submit(order("m", "buy", 100, 10), 0)
    entry = book.submit(order("a", "buy", 106, 3, stop=STOP_ENTRY, stop_price=105), 0)
    assert entry.status == PENDING
    book.submit(order("x", "buy", 105, 1), 0)  # last 105 >= 105
    assert entry.status == FILLED and entry.filled_funds == 3 * 105


def test_stop_cancel_and_admission_refusal(rec: Recorder) -> None:
    book = Book(listener=rec, admit=lambda o: "insufficient_funds" if o.owner == "poor" else None)
    book.submit(order("m", "sell", 100, 10), 0)
    book.submit(order("m", "buy", 99, 10), 0)
    poor = book.submit(order("poor", "buy", 0, 1, FLAG_MARKET, stop=STOP_ENTRY, stop_price=100), 0)
    gone = book.submit(order("a", "buy", 0, 1, FLAG_MARKET, stop=STOP_ENTRY, stop_price=100), 0)
    assert book.cancel(gone.id, 0) is gone and gone.status == CANCELED
    book.submit(order("x", "buy", 100, 1), 0)
    assert poor.status == REJECTED and poor.reason == "insufficient_funds"


def test_stop_placed_beyond_its_trigger_fires_at_once(book: Book) -> None:
    book.submit(order("m", "sell", 100, 10), 0)
    book.submit(order("x", "buy", 100, 1), 0)
    entry = book.submit(order("a", "buy", 0, 2, FLAG_MARKET, stop=STOP_ENTRY, stop_price=90), 0)
    assert entry.status == FILLED


def test_events_come_in_order_and_only_with_a_listener(rec: Recorder) -> None:
    book = Book(listener=rec)
    maker = book.submit(order("a", "sell", 100, 2), 0)
    book.submit(order("b", "buy", 100, 2), 0)
    assert rec.kinds() == ["accepted", "opened", "accepted", "matched", "filled", "filled"]
    assert rec.events[-2].order is maker
    quiet = Book()
    quiet.submit(order("a", "sell", 100, 2), 0)
    taker = quiet.submit(order("b", "buy", 100, 2), 0)
    assert taker.status == FILLED and quiet.trade_count == 1


def test_sequence_moves_with_every_book_change(book: Book) -> None:
    start = book.sequence
    o = book.submit(order("a", "buy", 100, 2), 0)
    assert book.sequence > start
    mid = book.sequence
    book.cancel(o.id, 0)
    assert book.sequence > mid


def test_heap_of_prices_stays_bounded_under_churn(book: Book) -> None:
    for i in range(2000):
        o = book.submit(order("a", "buy", 1000 - (i % 300), 1), 0)
        book.cancel(o.id, 0)
    book.submit(order("a", "buy", 5, 1), 0)
    assert len(book._bid_heap) <= 2 * len(book._bids) + 65
    assert book.best() == (5, None)


@pytest.mark.parametrize("side", ["buy", "sell"])
def test_a_level_opened_by_a_heap_rebuild_is_not_lost(side: str) -> None:
    """The submission that rebuilds a side's heap (stale prices outnumber live ones) opens
    a level that must be in the rebuilt heap: it was not, and once the better level went,
    the book lost it (its orders could not be hit, and the book could cross)."""
    book = Book()
    away = -1 if side == "buy" else 1  # direction away from the spread
    best = book.submit(order("a", side, 1000, 1), 0)
    worse = [book.submit(order("a", side, 1000 + away * (100 + i), 1), 0) for i in range(70)]
    for o in worse:  # 70 worse levels opened, then closed: 70 stale prices in the heap
        book.cancel(o.id, 0)
    kept = book.submit(order("a", side, 1000 + away * 50, 1), 0)  # rebuilds the heap
    book.cancel(best.id, 0)
    assert book.audit() == []
    assert book.best() == ((kept.price, None) if side == "buy" else (None, kept.price))
    taker = book.submit(order("b", "sell" if side == "buy" else "buy", kept.price, 1), 0)
    assert taker.status == FILLED and kept.status == FILLED


def test_a_taker_ended_by_stp_after_trading_still_moves_the_last_price(book: Book) -> None:
    book.submit(order("b", "sell", 99, 1), 0)
    book.submit(order("a", "sell", 100, 5), 0)
    taker = book.submit(order("a", "buy", 100, 4, stp=STP_CN), 0)
    assert taker.filled == 1 and taker.status == CANCELED
    assert book.last_price == 99 and book.trade_count == 1
    assert book.audit() == []


def test_a_book_without_listener_ends_as_one_with_a_listener() -> None:
    """The quiet fast paths (no events built) match the same way as the listened-to ones,
    including levels emptied and built again at the same and other prices."""
    flags_pool = [0, 0, 0, 0, FLAG_MARKET, FLAG_IOC, FLAG_HIDDEN, FLAG_ICEBERG]
    books = [Book(listener=Recorder()), Book()]
    placed: list[int] = []
    states = []
    for book in books:
        ids = itertools.count(1)
        placed.clear()
        r = random.Random(3)
        for _ in range(3000):
            x = r.random()
            if x < 0.25 and placed:
                book.cancel(placed.pop(r.randrange(len(placed))), 0)
                continue
            flags = r.choice(flags_pool)
            is_buy = r.random() < 0.5
            price = (
                0 if flags == FLAG_MARKET else (100 - r.randint(0, 8) if is_buy else 100 + r.randint(0, 8))
            )
            if x < 0.35 and flags != FLAG_MARKET:
                price = 100 + r.randint(-4, 4)  # may cross
            size = r.randint(1, 20)
            oid = next(ids)
            book.submit(
                EngineOrder(oid, r.choice("ab"), is_buy, price, size, flags, visible=max(1, size // 3)), 0
            )
            placed.append(oid)
            assert book.audit() == []
        states.append(
            (
                book.depth(),
                book.trade_count,
                book.last_price,
                book.last_size,
                book.sequence,
                sorted((o.id, o.remaining, o.filled, o.status) for o in book.resting()),
                next(book.trade_ids),
            )
        )
    assert states[0] == states[1]
    assert states[0][1] > 100  # it did trade
