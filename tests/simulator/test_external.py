"""External matching: a replay decides the fills; the venue validates, holds and books."""

from __future__ import annotations

import pytest

from exchanges import (
    BadRequest,
    InsufficientFunds,
    Liquidity,
    ManualClock,
    OrderNotFound,
    OrderStatus,
    TimeInForce,
)
from simulator import Venue
from tests.simulator.helpers import START_MS, D, limit, market

BTC = "BTC-USDT"


@pytest.fixture
def replay(clock: ManualClock) -> Venue:
    venue = Venue(seed=1, clock=clock)
    venue.set_external(BTC)
    return venue


def test_orders_are_parked_with_holds_in_time_priority(replay: Venue, clock: ManualClock) -> None:
    uid = replay.create_user(balances={"USDT": "100000", "BTC": "1"})
    buy = replay.place_order(uid, limit(BTC, "buy", "60000", "0.1"))
    clock.advance(1)
    mkt = replay.place_order(uid, market(BTC, "buy", size="0.1"))
    sell = replay.place_order(uid, limit(BTC, "sell", "50000", "0.1"))  # crosses our buy: not matched
    assert (buy.status, mkt.status, sell.status) == (OrderStatus.OPEN, OrderStatus.NEW, OrderStatus.OPEN)
    parked = replay.parked_orders(BTC)
    assert [o.id for o in parked] == [buy.id, mkt.id, sell.id]
    assert [o.created_at for o in parked] == [START_MS, START_MS + 1000, START_MS + 1000]
    assert replay.fills(uid, BTC).items == ()
    usdt = replay.balance(uid, "USDT")
    assert usdt.holds == D("100000") and usdt.available == 0  # the market buy by size holds the rest
    book = replay.order_book(BTC)
    assert book.bids == ((D("60000"), D("0.1")),) and book.asks == ((D("50000"), D("0.1")),)
    assert replay.is_external(BTC) and not replay.is_external("ETH-USDT")


def test_external_fills_are_booked_like_engine_fills(replay: Venue, clock: ManualClock) -> None:
    uid = replay.create_user(balances={"USDT": "100000", "BTC": "1"})
    buy = replay.place_order(uid, limit(BTC, "buy", "60000", "0.1", client_oid="b"))
    clock.advance(2)
    fill = replay.external_fill(buy.id, "59990", "0.04", "maker")
    assert fill is not None and fill.liquidity is Liquidity.MAKER and fill.fee_rate == D("0.001")
    assert fill.price == D("59990") and fill.funds == D("2399.6") and fill.created_at == START_MS + 2000
    after = replay.get_order(uid, BTC, order_id=buy.id)
    assert after.status is OrderStatus.PARTIALLY_FILLED and after.deal_size == D("0.04")
    replay.external_fill(buy.id, "60000", "0.06", Liquidity.TAKER, time=START_MS + 3000)
    done = replay.get_order(uid, BTC, order_id=buy.id)
    assert done.status is OrderStatus.FILLED and not done.active
    assert replay.parked_orders(BTC) == []
    assert replay.balance(uid, "BTC").balance == D("1.1")
    assert replay.balance(uid, "USDT").holds == 0
    assert [f.liquidity for f in replay.fills(uid, BTC).items] == [Liquidity.TAKER, Liquidity.MAKER]
    assert replay.audit() == []


def test_external_fill_guards(replay: Venue) -> None:
    uid = replay.create_user(balances={"USDT": "100000", "BTC": "1"})
    buy = replay.place_order(uid, limit(BTC, "buy", "60000", "0.1"))
    with pytest.raises(BadRequest, match="remaining"):
        replay.external_fill(buy.id, "60000", "0.2", "maker")
    with pytest.raises(BadRequest, match="beyond the order's limit"):
        replay.external_fill(buy.id, "60000.1", "0.1", "maker")
    by_funds = replay.place_order(uid, market(BTC, "buy", funds="1000"))
    with pytest.raises(BadRequest, match="funds"):
        replay.external_fill(by_funds.id, "60000", "0.02", "taker")
    with pytest.raises(OrderNotFound):
        replay.external_fill("0" * 24, "60000", "0.01", "maker")
    small = replay.create_user(balances={"USDT": "100"})
    m = replay.place_order(small, market(BTC, "buy", size="0.1"))  # buying power: 100 / 1.001
    with pytest.raises(BadRequest, match="funds"):
        replay.external_fill(m.id, "60000", "0.01", "taker")
    replay.external_end(m.id, "no_liquidity")  # it held the whole balance while parked
    replay.set_fee_rates(small, "0.01", "0.001")  # a maker fill dearer than the taker rate held for
    f = replay.place_order(small, market(BTC, "buy", funds="10"))  # deals up to 10 / 1.001
    with pytest.raises(InsufficientFunds):
        replay.external_fill(f.id, "1000", "0.00999", "maker")  # 9.99, and a fee of 0.0999


def test_external_end_releases_and_classifies(replay: Venue) -> None:
    uid = replay.create_user(balances={"USDT": "100000"})
    ioc = replay.place_order(uid, limit(BTC, "buy", "60000", "0.1", time_in_force="IOC"))
    replay.external_fill(ioc.id, "60000", "0.03", "taker")
    ended = replay.external_end(ioc.id, "ioc")
    assert ended.status is OrderStatus.CANCELED and ended.reason == "ioc" and ended.deal_size == D("0.03")
    by_funds = replay.place_order(uid, market(BTC, "buy", funds="599.9999"))
    replay.external_fill(by_funds.id, "60000", "0.00999", "taker")  # 599.4, and 0.5994 of fee
    spent = replay.external_end(by_funds.id, filled=True)
    assert spent.status is OrderStatus.FILLED  # (0.0005 left: less than a lot at 60000)
    assert replay.balance(uid, "USDT").holds == 0
    with pytest.raises(OrderNotFound):
        replay.external_end(ioc.id)
    assert replay.audit() == []


def test_a_parked_order_by_funds_ends_as_the_engine_ends_one(replay: Venue) -> None:
    """Filled only when something was dealt and what is left could not buy one more lot at
    the order's average price, whatever the replay says; else cancelled."""
    uid = replay.create_user(balances={"USDT": "100000", "BTC": "1"})
    nothing = replay.place_order(uid, market(BTC, "buy", funds="10"))
    assert replay.external_end(nothing.id, filled=True).status is OrderStatus.CANCELED
    half = replay.place_order(uid, market(BTC, "buy", funds="1200"))
    replay.external_fill(half.id, "60000", "0.01", "taker")
    ended = replay.external_end(half.id, filled=True)
    assert (ended.status, ended.cancelled_funds) == (OrderStatus.CANCELED, D("599.4")) and ended.cancel_exist
    dust = replay.place_order(uid, market(BTC, "buy", funds="600.6005"))  # 600, its fee, and 0.0005
    replay.external_fill(dust.id, "60000", "0.01", "taker")
    ended = replay.external_end(dust.id, "no_liquidity")
    assert (ended.status, ended.cancelled_funds) == (OrderStatus.FILLED, D("0.0005")) and ended.cancel_exist
    sold_out = replay.place_order(uid, market(BTC, "sell", funds="120000"))  # holds all 1.02 BTC
    replay.external_fill(sold_out.id, "60000", "1.02", "taker")
    assert replay.get_order(uid, BTC, order_id=sold_out.id).status is OrderStatus.CANCELED  # 58800 short
    assert replay.balance(uid, "USDT").holds == 0 and replay.audit() == []


def test_a_partly_cancelled_order_filled_to_the_end_ends_cancelled_as_on_the_engine(replay: Venue) -> None:
    uid = replay.create_user(balances={"USDT": "100000"})
    order = replay.place_order(uid, limit(BTC, "buy", "60000", "0.03"))
    replay.cancel_partial(uid, BTC, order.id, "0.01")
    replay.external_fill(order.id, "60000", "0.02", "maker")
    ended = replay.get_order(uid, BTC, order_id=order.id)
    assert (ended.status, ended.reason) == (OrderStatus.CANCELED, "canceled")
    assert (ended.deal_size, ended.cancelled_size) == (D("0.02"), D("0.01"))
    assert replay.balance(uid, "USDT").holds == 0 and replay.audit() == []


def test_cancel_amend_gtt_and_dcp_work_on_parked_orders(replay: Venue, clock: ManualClock) -> None:
    uid = replay.create_user(balances={"USDT": "100000"})
    a = replay.place_order(uid, limit(BTC, "buy", "60000", "0.1"))
    b = replay.place_order(uid, limit(BTC, "buy", "60000", "0.1"))
    replay.cancel_partial(uid, BTC, a.id, "0.05")
    assert [o.id for o in replay.parked_orders(BTC)] == [a.id, b.id]
    replay.amend_order(uid, BTC, a.id, new_price="59000")
    assert [o.id for o in replay.parked_orders(BTC)] == [b.id, a.id]  # priority lost
    gtt = replay.place_order(uid, limit(BTC, "buy", "100", "0.01", time_in_force="GTT", cancel_after=5))
    clock.advance(5)
    assert replay.get_order(uid, BTC, order_id=gtt.id).status is OrderStatus.EXPIRED
    replay.cancel_order(uid, BTC, order_id=b.id)
    replay.set_dcp(uid, 5)
    clock.advance(5)
    assert replay.parked_orders(BTC) == []
    assert replay.balance(uid, "USDT").holds == 0
    assert replay.audit() == []


def test_replayed_prints_feed_public_data_and_trigger_parked_stops(replay: Venue, clock: ManualClock) -> None:
    uid = replay.create_user(balances={"BTC": "1"})
    stop = replay.place_stop_order(uid, market(BTC, "sell", size="0.5", stop="loss", stop_price="59000"))
    replay.record_trade(BTC, "60000", "0.3", "buy")
    replay.record_trade(BTC, "58950", "0.2", "sell")
    triggered = replay.get_order(uid, BTC, order_id=stop.id)
    assert triggered.status is OrderStatus.NEW and triggered.stop_triggered
    assert [o.id for o in replay.parked_orders(BTC)] == [stop.id]
    assert replay.balance(uid, "BTC").holds == D("0.5")
    level1 = replay.level1(BTC)
    assert level1.price == D("58950") and level1.size == D("0.2")
    assert [t.price for t in replay.trades(BTC)] == [D("60000"), D("58950")]
    clock.set_ms(START_MS + 60_000)
    replay.record_candle(BTC, START_MS + 60_000, "58950", "59100", "58800", "59000", "4", "236000")
    bars = replay.candles(BTC, "1m", end=START_MS + 120_000)
    assert bars[-1].close == D("59000") and bars[-1].turnover == D("236000")
    assert replay.stats(BTC).vol == D("4.5")


def test_switching_modes_needs_an_empty_book(venue: Venue) -> None:
    uid = venue.create_user(balances={"USDT": "1000"})
    order = venue.place_order(uid, limit(BTC, "buy", "100", "0.01"))
    with pytest.raises(BadRequest, match="live orders"):
        venue.set_external(BTC)
    venue.cancel_order(uid, BTC, order_id=order.id)
    venue.set_external(BTC)
    venue.set_external(BTC, False)
    assert not venue.is_external(BTC)


def test_a_parked_orders_arrival_is_its_placing_or_its_trigger(replay: Venue, clock: ManualClock) -> None:
    uid = replay.create_user(balances={"USDT": "100000", "BTC": "1"})
    buy = replay.place_order(uid, limit(BTC, "buy", "60000", "0.1", time_in_force="IOC"))
    stop = replay.place_stop_order(uid, market(BTC, "sell", size="0.5", stop="loss", stop_price="59000"))
    clock.advance(5)
    replay.record_trade(BTC, "58950", "0.2", "sell")
    for order in (buy, stop):
        snapshot = replay.parked_order(order.id)
        arrived = snapshot.stop_trigger_time if snapshot.stop_triggered else snapshot.created_at
        assert replay.parked_arrival(order.id) == (arrived, snapshot.time_in_force)
    assert replay.parked_arrival(buy.id) == (START_MS, TimeInForce.IOC)
    assert replay.parked_arrival(stop.id)[0] == START_MS + 5000
    with pytest.raises(OrderNotFound):
        replay.parked_arrival("nope")
