"""The neutral venue under Binance's rulebook: commission in the asset received (exact, and
the audit explaining every balance), integer order ids, the default STP mode, the filters."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from exchanges import (
    STP,
    BadRequest,
    BelowMinimumFunds,
    ExchangeError,
    InvalidOrder,
    ManualClock,
    OrderStatus,
    PriceOutOfBand,
    StopKind,
    TooManyOpenOrders,
)
from simulator.binance.listing import BINANCE_SYMBOLS
from simulator.binance.rulebook import BINANCE_RULEBOOK
from simulator.ledger import FEE_COLLECTOR
from simulator.venue import OrderParams, Reason, Venue
from tests.simulator.helpers import START_MS, D, limit, market

BTC = "BTC-USDT"


@pytest.fixture
def venue() -> Venue:
    return Venue(seed=5, clock=ManualClock(START_MS), symbols=BINANCE_SYMBOLS, rulebook=BINANCE_RULEBOOK)


def _balance(venue: Venue, uid: str, currency: str) -> tuple[Decimal, Decimal]:
    row = venue.balance(uid, currency)
    return row.balance, row.holds


def test_a_buy_pays_its_commission_in_the_base_it_receives(venue: Venue) -> None:
    maker = venue.create_user("maker", {"BTC": "1"})
    taker = venue.create_user("taker", {"USDT": "10000"})
    venue.place_order(maker, limit(BTC, "sell", "65000", "0.01234"))
    bought = venue.place_order(taker, limit(BTC, "buy", "65000", "0.01234"))
    assert bought.status is OrderStatus.FILLED
    assert (bought.fee, bought.fee_currency) == (D("0.00001234"), "BTC")
    # the quote paid is exactly the notional: no fee on top, nothing held for one
    assert _balance(venue, taker, "USDT") == (D("10000") - D("802.1"), Decimal(0))
    assert _balance(venue, taker, "BTC") == (D("0.01234") - D("0.00001234"), Decimal(0))
    # the seller pays in the quote it receives
    assert _balance(venue, maker, "USDT") == (D("802.1") - D("0.8021"), Decimal(0))
    collector = {row.currency: row.balance for row in venue.accounts_of(FEE_COLLECTOR)}
    assert collector == {"BTC": D("0.00001234"), "USDT": D("0.8021")}
    fill = venue.fills(taker, BTC).items[0]
    assert (fill.fee, fill.fee_currency) == (D("0.00001234"), "BTC")
    assert venue.audit() == []


def test_a_resting_buy_holds_its_cost_alone(venue: Venue) -> None:
    uid = venue.create_user("u", {"USDT": "650"})
    venue.place_order(uid, limit(BTC, "buy", "65000", "0.01"))  # the whole balance: no fee held
    assert _balance(venue, uid, "USDT") == (D("650"), D("650"))
    assert venue.audit() == []


def test_a_market_buy_by_funds_spends_them_whole_and_pays_in_base(venue: Venue) -> None:
    maker = venue.create_user("maker", {"BTC": "1"})
    taker = venue.create_user("taker", {"USDT": "100"})
    venue.place_order(maker, limit(BTC, "sell", "50000", "0.01"))
    order = venue.place_order(taker, market(BTC, "buy", funds="100"))
    assert order.deal_size == D("0.002")
    assert order.deal_funds == D("100")
    assert _balance(venue, taker, "USDT") == (Decimal(0), Decimal(0))
    assert _balance(venue, taker, "BTC") == (D("0.002") - D("0.000002"), Decimal(0))
    assert venue.audit() == []


def test_random_trading_keeps_every_balance_explained(venue: Venue) -> None:
    rng = random.Random(3)
    users = [venue.create_user(f"u{i}", {"USDT": "100000", "BTC": "2"}) for i in range(4)]
    venue.set_fee_rates(users[0], "-0.0001", "0.00075")  # a maker rebate and an odd taker rate
    for _ in range(300):
        uid = rng.choice(users)
        side = rng.choice(("buy", "sell"))
        try:
            if rng.random() < 0.25:
                venue.place_order(uid, market(BTC, side, size=str(Decimal(rng.randint(1, 300)) / 100_000)))
            else:
                price = str(Decimal(rng.randint(640_000, 660_000)) / 10)
                venue.place_order(uid, limit(BTC, side, price, str(Decimal(rng.randint(8, 300)) / 100_000)))
        except (BelowMinimumFunds, InvalidOrder, BadRequest):
            pass
    assert venue.audit() == []
    holders = [*users, FEE_COLLECTOR]
    totals = {
        cur: sum((r.balance for u in holders for r in venue.accounts_of(u, cur)), Decimal(0))
        for cur in ("USDT", "BTC")
    }
    assert totals == {"USDT": D("400000"), "BTC": D("8")}


def test_order_ids_are_integers_counting_up(venue: Venue) -> None:
    uid = venue.create_user("u", {"USDT": "10000"})
    first = venue.place_order(uid, limit(BTC, "buy", "60000", "0.001"))
    second = venue.place_order(uid, limit(BTC, "buy", "60000", "0.001"))
    assert first.id.isdigit() and int(second.id) == int(first.id) + 1


def test_an_order_naming_no_stp_mode_expires_the_makers_own_resting_order(venue: Venue) -> None:
    uid = venue.create_user("u", {"USDT": "10000", "BTC": "1"})
    resting = venue.place_order(uid, limit(BTC, "sell", "65000", "0.01"))
    taker = venue.place_order(uid, limit(BTC, "buy", "65000", "0.01"))
    assert taker.stp is STP.CO
    assert venue.get_order(uid, order_id=resting.id).status is OrderStatus.CANCELED
    assert venue.get_order(uid, order_id=resting.id).reason == "stp"
    assert taker.deal_size == 0 and taker.active


def test_filters_refuse_with_their_reasons(venue: Venue) -> None:
    uid = venue.create_user("u", {"USDT": "100000000", "BTC": "100"})
    maker = venue.create_user("m", {"BTC": "1"})
    venue.place_order(maker, limit(BTC, "sell", "65000", "0.001"))
    venue.place_order(uid, market(BTC, "buy", size="0.001"))  # a trade: the average price is 65000

    def refused(params: OrderParams) -> tuple[type, object]:
        with pytest.raises(ExchangeError) as caught:
            venue.place_order(uid, params)
        return type(caught.value), caught.value.reason

    assert refused(limit(BTC, "buy", "20000000", "0.001")) == (InvalidOrder, Reason.PRICE_ABOVE_MAX)
    assert refused(limit(BTC, "buy", "65000", "0.00001")) == (BelowMinimumFunds, Reason.FUNDS_BELOW_MIN)
    assert refused(market(BTC, "buy", size="0.00001"))[1] is Reason.FUNDS_BELOW_MIN  # 0.65 at the average
    assert refused(limit(BTC, "buy", "9000", "0.01")) == (PriceOutOfBand, Reason.PRICE_OUT_OF_BAND)
    assert refused(limit(BTC, "sell", "330000", "0.01")) == (PriceOutOfBand, Reason.PRICE_OUT_OF_BAND)
    assert refused(limit(BTC, "buy", "65000", "200"))[1] is Reason.FUNDS_ABOVE_MAX  # 13 000 000 notional
    iceberg = limit(BTC, "sell", "70000", "1", iceberg=True, visible_size="0.001")
    assert refused(iceberg) == (BadRequest, Reason.ICEBERG_PARTS)
    for _ in range(5):
        venue.place_order(uid, limit(BTC, "sell", "60000", "0.001", stop="loss", stop_price="60000"))
    stop = limit(BTC, "sell", "60000", "0.001", stop=StopKind.LOSS, stop_price="60000")
    assert refused(stop) == (TooManyOpenOrders, Reason.TOO_MANY_STOP_ORDERS)
