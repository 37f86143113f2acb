"""The venue's order handling: KuCoin's rules, codes, holds, fees, records and cursors."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from decimal import Decimal, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exchanges import (
    EXACT,
    STP,
    AboveMaximumSize,
    BadRequest,
    BadSymbol,
    BelowMinimumFunds,
    BelowMinimumSize,
    DuplicateClientOrderId,
    InsufficientFunds,
    InvalidClientOrderId,
    InvalidPrecision,
    Liquidity,
    ManualClock,
    OrderNotFound,
    OrderStatus,
    OrderType,
    PostOnlyWouldTake,
    PriceOutOfBand,
    Side,
    StopKind,
    TimeInForce,
    TooManyOpenOrders,
)
from simulator.kucoin.words import kucoin_error
from simulator.ledger import FEE_COLLECTOR
from simulator.venue import OrderParams, Venue
from simulator.venue.listing import DEFAULT_CURRENCIES, CurrencySpec, SymbolSpec
from simulator.venue.paging import below
from tests.simulator.helpers import START_MS, D, limit, market

BTC = "BTC-USDT"


def funded(venue: Venue, usdt: str = "100000", btc: str = "10") -> str:
    return venue.create_user(balances={"USDT": usdt, "BTC": btc})


def balance(venue: Venue, uid: str, currency: str) -> tuple[Decimal | int, ...]:
    row = venue.balance(uid, currency)
    return row.balance, row.available, row.holds


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("params", "error", "code", "text"),
    [
        (limit("NOPE-USDT", "buy", "1", "1"), BadSymbol, "900001", "not exists"),
        (limit(BTC, "hold", "100", "0.01"), BadRequest, "400100", "side"),
        (OrderParams(symbol=BTC, side="buy", type="stop", price="1", size="1"), BadRequest, "400100", "type"),
        (limit(BTC, "buy", "100.05", "0.01"), InvalidPrecision, "400100", "Price increment invalid."),
        (
            limit(BTC, "buy", "100", "0.000000001"),
            InvalidPrecision,
            "400100",
            "Order size increment invalid.",
        ),
        (limit(BTC, "buy", "100", "0.000001"), BelowMinimumSize, "400100", "below the minimum"),
        (limit(BTC, "buy", "100", "10000000001"), AboveMaximumSize, "400100", "above the maximum"),
        (limit(BTC, "buy", "1", "0.00001"), BelowMinimumFunds, "400100", "should more then 0.1 USDT"),
        (limit(BTC, "buy", "-1", "1"), BadRequest, "400100", "positive"),
        (limit(BTC, "buy", "abc", "1"), BadRequest, "400100", "price invalid"),
        (
            OrderParams(symbol=BTC, side="buy", type="limit", size="1"),
            BadRequest,
            "400100",
            "price is required",
        ),
        (market(BTC, "buy"), BadRequest, "400100", "exactly one of size or funds"),
        (market(BTC, "buy", size="1", funds="10"), BadRequest, "400100", "exactly one"),
        (market(BTC, "buy", funds="10.0000001"), InvalidPrecision, "400100", "amount increment"),
        (market(BTC, "buy", funds="0.01"), BelowMinimumFunds, "400100", "should more then"),
        (market(BTC, "buy", funds="100000000"), AboveMaximumSize, "400100", "less then"),
        (market(BTC, "buy", size="1", price="10"), BadRequest, "400100", "no price"),
        (market(BTC, "buy", size="1", stp="DC"), BadRequest, "400100", "DC"),
        (market(BTC, "buy", size="1", post_only=True), BadRequest, "400100", "limit orders"),
        (
            limit(BTC, "buy", "100", "0.01", client_oid="has space"),
            InvalidClientOrderId,
            "400100",
            "clientOid",
        ),
        (limit(BTC, "buy", "100", "0.01", client_oid="x" * 41), InvalidClientOrderId, "400100", "clientOid"),
        (limit(BTC, "buy", "100", "0.01", remark="r" * 21), BadRequest, "400100", "remark"),
        (limit(BTC, "buy", "100", "0.01", time_in_force="DAY"), BadRequest, "400100", "timeInForce"),
        (limit(BTC, "buy", "100", "0.01", stp="XX"), BadRequest, "400100", "stp"),
        (limit(BTC, "buy", "100", "1", iceberg=True), BadRequest, "400100", "visibleSize"),
        (limit(BTC, "buy", "100", "1", iceberg=True, visible_size="0.01"), BadRequest, "400100", "1/20"),
        (limit(BTC, "buy", "100", "0.01", post_only="yes"), BadRequest, "400100", "boolean"),
        (
            limit(BTC, "buy", "100", "0.01", time_in_force="GTT", cancel_after=9999999),
            BadRequest,
            "400100",
            "cancelAfter",
        ),
    ],
)
def test_invalid_orders_are_refused_with_kucoin_codes(
    venue: Venue, params: OrderParams, error: type[Exception], code: str, text: str
) -> None:
    uid = funded(venue)
    with pytest.raises(error) as info:
        venue.place_order(uid, params)
    assert info.value.reason is not None and info.value.code is None  # type: ignore[attr-defined]
    worded = kucoin_error(info.value)  # type: ignore[arg-type]
    assert worded.code == code and type(worded) is type(info.value)
    assert worded.venue == "paper"
    assert text in str(worded)
    assert venue.active_orders(uid) == []
    assert balance(venue, uid, "USDT") == (D("100000"), D("100000"), D("0"))


def test_float_amounts_are_refused(venue: Venue) -> None:
    uid = funded(venue)
    with pytest.raises(BadRequest, match="price invalid"):
        venue.place_order(uid, OrderParams(symbol=BTC, side="buy", price=1.5, size="1"))  # type: ignore[arg-type]


def test_disabled_symbol_refuses_orders(clock: ManualClock) -> None:
    from simulator.market import DEFAULT_SYMBOLS

    spec = DEFAULT_SYMBOLS[0]
    import attrs

    venue = Venue(clock=clock, symbols=[attrs.evolve(spec, enable_trading=False)])
    uid = funded(venue)
    with pytest.raises(BadSymbol) as info:
        venue.place_order(uid, limit(BTC, "buy", "100", "0.01"))
    assert kucoin_error(info.value).code == "400600"


def test_insufficient_balance_is_200004(venue: Venue) -> None:
    uid = funded(venue, usdt="100", btc="0")
    with pytest.raises(InsufficientFunds) as info:
        venue.place_order(uid, limit(BTC, "buy", "60000", "0.01"))
    assert info.value.reason == "balance_insufficient"
    worded = kucoin_error(info.value)
    assert (worded.code, worded.message) == ("200004", "Balance insufficient!")
    with pytest.raises(InsufficientFunds):
        venue.place_order(uid, limit(BTC, "sell", "60000", "0.01"))
    with pytest.raises(InsufficientFunds):
        venue.place_order(uid, market(BTC, "sell", size="0.01"))
    poor = venue.create_user()
    with pytest.raises(InsufficientFunds):
        venue.place_order(poor, market(BTC, "buy", size="0.01"))


def test_market_orders_that_cannot_trade_one_unit_are_refused(venue: Venue) -> None:
    """A balance too small for one unit of funds (or one lot, selling by funds) used to
    slip through: a zero funds cap read as "no cap" and the buyer's balance went negative;
    a sell by funds was "filled" with nothing."""
    seller = venue.create_user(balances={"SOL": "10"})
    venue.place_order(seller, limit("SOL-USDT", "sell", "150", "2"))
    bidder = venue.create_user(balances={"USDT": "1000"})
    venue.place_order(bidder, limit("SOL-USDT", "buy", "140", "1"))
    dust = venue.create_user(balances={"USDT": "0.0000005", "SOL": "0.00005"})
    with pytest.raises(InsufficientFunds):
        venue.place_order(dust, market("SOL-USDT", "buy", size="1"))
    with pytest.raises(InsufficientFunds):
        venue.place_order(dust, market("SOL-USDT", "sell", funds="1"))
    # a stop order that triggers with too little to trade is rejected, not the trigger's trade
    stop = venue.place_stop_order(dust, market("SOL-USDT", "buy", size="1", stop="entry", stop_price="150"))
    buyer = funded(venue, usdt="1000", btc="0")
    taken = venue.place_order(buyer, market("SOL-USDT", "buy", size="0.01"))
    assert taken.status is OrderStatus.FILLED
    assert venue.get_order(dust, "SOL-USDT", order_id=stop.id).status is OrderStatus.REJECTED
    assert balance(venue, dust, "USDT") == (D("0.0000005"), D("0.0000005"), 0)
    assert venue.audit() == []


def test_test_order_validates_without_placing(venue: Venue) -> None:
    uid = funded(venue, usdt="1000")
    order_id = venue.test_order(uid, limit(BTC, "buy", "60000", "0.01"))
    assert len(order_id) == 24
    assert venue.active_orders(uid) == []
    assert balance(venue, uid, "USDT")[2] == 0
    with pytest.raises(InsufficientFunds):
        venue.test_order(uid, limit(BTC, "buy", "60000", "1"))
    with pytest.raises(InvalidPrecision):
        venue.test_order(uid, limit(BTC, "buy", "60000.01", "0.01"))


# ---------------------------------------------------------------- holds and fees


def test_limit_buy_holds_price_size_and_fee_and_cancel_releases_exactly(venue: Venue) -> None:
    uid = funded(venue)
    order = venue.place_order(uid, limit(BTC, "buy", "50000", "0.1"))
    assert order.status is OrderStatus.OPEN and order.in_order_book and order.active
    assert order.funds == D("5000") and order.remain_funds == D("5000")
    assert balance(venue, uid, "USDT") == (D("100000"), D("94995"), D("5005"))
    cancelled = venue.cancel_order(uid, BTC, order_id=order.id)
    assert cancelled.status is OrderStatus.CANCELED and cancelled.cancel_exist and not cancelled.active
    assert cancelled.cancelled_size == D("0.1") and cancelled.cancelled_funds == D("5000")
    assert balance(venue, uid, "USDT") == (D("100000"), D("100000"), D("0"))
    assert venue.audit() == []


def test_limit_sell_holds_the_size(venue: Venue) -> None:
    uid = funded(venue)
    venue.place_order(uid, limit(BTC, "sell", "70000", "1.5"))
    assert balance(venue, uid, "BTC") == (D("10"), D("8.5"), D("1.5"))


def test_fills_move_balances_and_charge_fees_to_the_collector(venue: Venue) -> None:
    maker = funded(venue)
    taker = funded(venue)
    venue.place_order(maker, limit(BTC, "sell", "60000", "0.5"))
    order = venue.place_order(taker, market(BTC, "buy", size="0.2"))
    assert order.status is OrderStatus.FILLED and order.deal_size == D("0.2")
    assert order.deal_funds == D("12000") and order.fee == D("12")
    # taker: paid 12000 + 12 fee, got 0.2 BTC; its whole-balance hold was released
    assert balance(venue, taker, "USDT") == (D("87988"), D("87988"), D("0"))
    assert balance(venue, taker, "BTC") == (D("10.2"), D("10.2"), D("0"))
    # maker: 0.2 BTC out of its hold, 12000 - 12 in
    assert balance(venue, maker, "BTC") == (D("9.8"), D("9.5"), D("0.3"))
    assert balance(venue, maker, "USDT") == (D("111988"), D("111988"), D("0"))
    assert venue.balance("fee-collector", "USDT").balance == D("24")
    assert venue.audit() == []


def test_fee_rates_per_user_and_symbol_with_coefficients(venue: Venue) -> None:
    uid = funded(venue)
    assert venue.fee_rates(uid, BTC).maker == D("0.001")
    venue.set_fee_rates(uid, "0.0008", "0.0009")
    venue.set_fee_rates(uid, "0", "0.0005", symbol="ETH-USDT")
    assert (venue.fee_rates(uid, BTC).maker, venue.fee_rates(uid, BTC).taker) == (D("0.0008"), D("0.0009"))
    assert venue.fee_rates(uid, "ETH-USDT").maker == 0
    assert venue.base_fee_rates(uid).taker == D("0.0009")
    vip = venue.create_user(balances={"USDT": "1000"}, maker_fee_rate="0", taker_fee_rate="0.0002")
    assert venue.fee_rates(vip, BTC).taker == D("0.0002")


@pytest.mark.parametrize(
    "rate", [0.001, "NaN", "Infinity", "-1", "1", "abc", True, None, "0.0036495544263243562"]
)
def test_fee_rates_are_fractions_between_minus_one_and_one(venue: Venue, rate: object) -> None:
    """Floats would carry binary noise into every hold, and NaN would poison balances."""
    uid = funded(venue)
    with pytest.raises(BadRequest, match=r"must be a fraction in \(-1, 1\)") as info:
        venue.set_fee_rates(uid, "0.0005", rate)  # type: ignore[arg-type]
    assert kucoin_error(info.value).code == "400100"
    if rate is not None:
        with pytest.raises(BadRequest, match="maker_fee_rate"):
            venue.create_user(maker_fee_rate=rate)  # type: ignore[arg-type]
    rates = venue.fee_rates(uid, BTC)
    assert (rates.maker, rates.taker) == (D("0.001"), D("0.001")), "neither rate changed"


def test_money_is_exact_beyond_the_default_28_digits(clock: ManualClock) -> None:
    """A balance of millions and a fee on two 8-decimal amounts at 0.00075 x 0.8 need more
    than the 28 digits of Python's default context: rounding there created money."""
    xyz = SymbolSpec(
        symbol="XYZ-USDT", base_currency="XYZ", quote_currency="USDT", base_increment="0.00000001",
        quote_increment="0.00000001", price_increment="0.00000001", base_min_size="0.00000001",
        quote_min_size="0.0000001", min_funds="0.0000001", initial_price="1.2",
        maker_fee_coefficient="0.8", taker_fee_coefficient="0.8", base_max_size="100000000000",
    )  # fmt: skip
    venue = Venue(clock=clock, symbols=[xyz], currencies=[*DEFAULT_CURRENCIES, CurrencySpec(currency="XYZ")])
    buyer = venue.create_user(balances={"USDT": "12345678.12345678"}, maker_fee_rate="0.00075")
    seller = venue.create_user(balances={"XYZ": "98765432.1"}, maker_fee_rate="0.0009")
    for price, size in (("1.00488946", "1556813.07161138"), ("1.24336039", "8213452.65340086")):
        venue.place_order(seller, limit("XYZ-USDT", "sell", price, size))
        venue.place_order(buyer, limit("XYZ-USDT", "buy", str(D(price) + D("0.00000007")), size))
        assert venue.audit() == []
    with localcontext(EXACT):
        spent = sum((f.funds + f.fee for f in venue.fills(buyer, "XYZ-USDT").items), Decimal(0))
        left = D("12345678.12345678") - spent
    assert balance(venue, buyer, "USDT")[0] == left


def test_a_negative_maker_rate_is_a_rebate_paid_by_the_fee_collector(venue: Venue) -> None:
    maker = venue.create_user(balances={"BTC": "1"}, maker_fee_rate="-0.0001")
    taker = venue.create_user(balances={"USDT": "10000"}, taker_fee_rate="0")
    venue.place_order(maker, limit(BTC, "sell", "60000", "0.1"))
    venue.place_order(taker, market(BTC, "buy", size="0.1"))
    assert balance(venue, maker, "USDT")[0] == D("6000.6")  # 6000 plus 0.01 % of it
    assert venue.balance(FEE_COLLECTOR, "USDT").balance == D("-0.6"), "the venue paid it"
    assert venue.audit() == [], "conserved, and only the collector may go below zero"


def test_fill_records_carry_kucoin_fields(venue: Venue, clock: ManualClock) -> None:
    maker = funded(venue)
    taker = funded(venue)
    resting = venue.place_order(maker, limit(BTC, "sell", "60000", "0.5", client_oid="m-1"))
    clock.advance(1)
    taking = venue.place_order(taker, limit(BTC, "buy", "61000", "0.2", client_oid="t-1"))
    (mfill,) = venue.fills(maker, BTC).items
    (tfill,) = venue.fills(taker, BTC).items
    assert mfill.trade_id == tfill.trade_id and isinstance(mfill.trade_id, int)
    assert (mfill.order_id, mfill.counter_order_id) == (resting.id, taking.id)
    assert (tfill.order_id, tfill.counter_order_id) == (taking.id, resting.id)
    assert mfill.liquidity is Liquidity.MAKER and tfill.liquidity is Liquidity.TAKER
    assert tfill.side is Side.BUY and mfill.side is Side.SELL
    assert tfill.price == D("60000") and tfill.funds == D("12000") and tfill.fee_rate == D("0.001")
    assert tfill.created_at == START_MS + 1000 and tfill.fee_currency == "USDT"
    assert not mfill.force_taker and tfill.client_oid == "t-1"
    # the taker's price improvement stays held until the order ends, then is released
    taken = venue.get_order(taker, BTC, order_id=taking.id)
    assert taken.status is OrderStatus.FILLED and taken.remain_funds == D("200")
    assert balance(venue, taker, "USDT")[2] == 0


def test_hidden_and_iceberg_makers_pay_the_taker_rate(venue: Venue) -> None:
    maker = funded(venue)
    taker = funded(venue)
    venue.set_fee_rates(maker, "0.0001", "0.002")
    venue.place_order(maker, limit(BTC, "sell", "60000", "0.1", hidden=True))
    venue.place_order(taker, market(BTC, "buy", size="0.1"))
    (fill,) = venue.fills(maker, BTC).items
    assert fill.force_taker and fill.fee_rate == D("0.002") and fill.fee == D("12")
    assert fill.liquidity is Liquidity.MAKER


def test_post_only_crossing_hidden_pays_maker_and_hidden_pays_taker(venue: Venue) -> None:
    hider = funded(venue)
    poster = funded(venue)
    venue.set_fee_rates(poster, "0.0001", "0.002")
    venue.place_order(hider, limit(BTC, "sell", "60000", "0.1", hidden=True))
    order = venue.place_order(poster, limit(BTC, "buy", "60000", "0.3", post_only=True))
    assert order.status is OrderStatus.PARTIALLY_FILLED and order.deal_size == D("0.1")
    (pfill,) = venue.fills(poster, BTC).items
    (hfill,) = venue.fills(hider, BTC).items
    assert pfill.liquidity is Liquidity.MAKER and pfill.fee_rate == D("0.0001")
    assert hfill.liquidity is Liquidity.TAKER
    assert venue.trades(BTC)[-1].side is Side.SELL  # the hidden order took
    assert venue.audit() == []


def test_post_only_that_would_take_raises_and_leaves_no_trace(venue: Venue) -> None:
    maker = funded(venue)
    poster = funded(venue)
    venue.place_order(maker, limit(BTC, "sell", "60000", "0.1"))
    with pytest.raises(PostOnlyWouldTake) as info:
        venue.place_order(poster, limit(BTC, "buy", "60000", "0.1", post_only=True, client_oid="po"))
    assert kucoin_error(info.value).code == "400100"
    assert venue.active_orders(poster) == []
    with pytest.raises(OrderNotFound):
        venue.get_order(poster, BTC, client_oid="po")
    assert balance(venue, poster, "USDT")[2] == 0


def test_price_band_rejects_far_limits_with_400760(venue: Venue) -> None:
    maker = funded(venue)
    taker = funded(venue)
    venue.place_order(maker, limit(BTC, "sell", "60000", "0.1"))
    with pytest.raises(PriceOutOfBand) as info:
        venue.place_order(taker, limit(BTC, "buy", "66000.1", "0.01"))
    worded = kucoin_error(info.value)
    assert worded.code == "400760" and "less than 66000" in worded.message
    ok = venue.place_order(taker, limit(BTC, "buy", "66000", "0.01"))
    assert ok.status is OrderStatus.FILLED


def test_market_buy_by_funds_spends_at_most_its_funds(venue: Venue) -> None:
    maker = funded(venue)
    taker = funded(venue, usdt="1000")
    venue.place_order(maker, limit(BTC, "sell", "60000", "0.01"))
    venue.place_order(maker, limit(BTC, "sell", "60100", "0.01"))
    order = venue.place_order(taker, market(BTC, "buy", funds="900"))
    assert order.status is OrderStatus.FILLED
    assert order.size is None and order.funds == D("900")
    assert order.deal_funds + order.fee <= D("900")  # (the fee is paid out of the funds)
    assert order.deal_funds == D("600") + D("60100") * D("0.00497672")  # 900 / 1.001 - 600, in lots
    assert order.deal_size == D("0.01497672")
    assert order.cancelled_funds == D("900") - order.deal_funds - order.fee
    assert balance(venue, taker, "USDT") == (
        D("1000") - order.deal_funds - order.fee,
        D("1000") - order.deal_funds - order.fee,
        0,
    )


def test_a_market_buy_by_funds_can_spend_the_whole_balance_fee_included(venue: Venue) -> None:
    """KuCoin holds the funds of a market order by funds (no more): the fee is paid out of
    them, so that what was dealt plus the fee never exceeds the funds."""
    maker = funded(venue)
    taker = funded(venue, usdt="1000", btc="0")
    venue.place_order(maker, limit(BTC, "sell", "60000", "0.01"))
    venue.place_order(maker, limit(BTC, "sell", "60100", "0.01"))
    assert venue.test_order(taker, market(BTC, "buy", funds="1000"))
    order = venue.place_order(taker, market(BTC, "buy", funds="1000"))
    assert order.status is OrderStatus.FILLED and order.deal_size == D("0.01663895")
    assert order.deal_funds == D("600") + D("60100") * D("0.00663895")  # 1000 / 1.001 = 999.000999...
    assert order.fee == order.deal_funds * D("0.001")
    left = D("1000") - order.deal_funds - order.fee
    assert 0 <= left < D("60100") * D("0.00000001") * D("1.001")  # less than one more lot costs
    assert order.cancelled_funds == left and order.cancel_exist
    assert balance(venue, taker, "USDT") == (left, left, 0)
    assert balance(venue, taker, "BTC") == (order.deal_size, order.deal_size, 0)
    kinds = [e.kind for e in reversed(venue.ledger(taker, currency="USDT", include_holds=True))]
    assert kinds == ["deposit", "hold", "trade", "trade", "release"]
    assert venue.audit() == []


@settings(max_examples=60, deadline=None)
@given(
    balance_cents=st.integers(min_value=10, max_value=10_000_000),
    taker_rate=st.sampled_from(["0", "0.001", "0.0015", "0.002", "-0.0001"]),
    asks=st.lists(  # (cents, ten-thousandths of SOL)
        st.tuples(st.integers(1_000, 20_000), st.integers(100, 5_000)), min_size=1, max_size=6
    ),
)
def test_spending_the_whole_balance_by_funds_never_overdraws(
    balance_cents: int, taker_rate: str, asks: list[tuple[int, int]]
) -> None:
    """Funds equal to the whole available balance are accepted at any fee rate (a negative
    one a rebate) and against any book, and leave every balance explained and none below zero."""
    venue = Venue(seed=1, clock=ManualClock(START_MS))
    maker = venue.create_user(balances={"SOL": "1000"})
    for price, lots in asks:
        price_d, size_d = Decimal(price) / 100, Decimal(lots) / 10_000
        venue.place_order(maker, limit("SOL-USDT", "sell", str(price_d), str(size_d)))
    whole = Decimal(balance_cents) / 100
    taker = venue.create_user(balances={"USDT": str(whole)}, taker_fee_rate=taker_rate)
    order = venue.place_order(taker, market("SOL-USDT", "buy", funds=str(whole)))
    assert not order.active and order.deal_funds + order.fee <= whole
    usdt = venue.balance(taker, "USDT")
    assert usdt.holds == 0 and usdt.balance == whole - order.deal_funds - order.fee >= 0
    assert venue.audit() == []


def test_market_buy_by_size_holds_the_balance_briefly_and_is_capped_by_it(venue: Venue) -> None:
    maker = funded(venue)
    taker = funded(venue, usdt="700")
    venue.place_order(maker, limit(BTC, "sell", "60000", "1"))
    order = venue.place_order(taker, market(BTC, "buy", size="0.1"))
    assert order.status is OrderStatus.CANCELED and order.reason == "insufficient_funds"
    assert order.deal_size == D("0.01165501")  # (700 / 1.001) / 60000, down to the lot
    spent = order.deal_funds + order.fee
    assert spent <= D("700")
    assert balance(venue, taker, "USDT") == (D("700") - spent, D("700") - spent, 0)
    ledger = venue.ledger(taker, currency="USDT", include_holds=True)
    assert [e.kind for e in reversed(ledger)][:3] == ["deposit", "hold", "trade"]
    assert ledger[0].kind == "release"


def test_market_sell_by_funds(venue: Venue) -> None:
    buyer = funded(venue)
    seller = funded(venue, btc="1")
    venue.place_order(buyer, limit(BTC, "buy", "50000", "1"))
    order = venue.place_order(seller, market(BTC, "sell", funds="1000"))
    assert (
        order.status is OrderStatus.FILLED and order.deal_funds == D("1000") and order.deal_size == D("0.02")
    )
    assert balance(venue, seller, "BTC") == (D("0.98"), D("0.98"), 0)


def test_iceberg_visible_size_rules_and_record(venue: Venue) -> None:
    uid = funded(venue)
    order = venue.place_order(uid, limit(BTC, "sell", "70000", "1", iceberg=True, visible_size="0.05"))
    assert order.iceberg and order.visible_size == D("0.05")
    assert venue.order_book(BTC).asks == ((D("70000"), D("0.05")),)
    both = venue.place_order(
        uid, limit(BTC, "sell", "71000", "1", iceberg=True, hidden=True, visible_size="0.1")
    )
    assert both.iceberg and not both.hidden  # iceberg wins


# ---------------------------------------------------------------- ids, times, client ids


def test_ids_and_times_look_like_kucoin(venue: Venue, clock: ManualClock) -> None:
    uid = funded(venue)
    clock.advance(5)
    order = venue.place_order(uid, limit(BTC, "buy", "100", "0.01"))
    assert len(order.id) == 24 and int(order.id, 16) >= 0 and order.id == order.id.lower()
    assert int(order.id[:8], 16) == (START_MS + 5000) // 1000
    assert order.created_at == START_MS + 5000
    stop = venue.place_stop_order(uid, limit(BTC, "buy", "100", "0.01", stop_price="200"))
    assert stop.id.startswith("vs") and len(stop.id) == 24
    (row,) = venue.accounts_of(uid, "USDT")
    assert len(row.id) == 24 and int(row.id, 16) >= 0


def test_same_seed_same_calls_same_ids_and_fills(clock: ManualClock) -> None:
    def run() -> list[object]:
        venue = Venue(seed=42, clock=ManualClock(START_MS))
        a = funded(venue)
        b = funded(venue)
        out: list[object] = []
        for price in ("60000", "60100", "60200"):
            out.append(venue.place_order(a, limit(BTC, "sell", price, "0.1")).id)
        out.append(venue.place_order(b, market(BTC, "buy", size="0.25")))
        out.extend(venue.fills(b, BTC).items)
        return out

    assert run() == run()


def test_client_oid_is_unique_among_active_orders_only(venue: Venue) -> None:
    uid = funded(venue)
    first = venue.place_order(uid, limit(BTC, "buy", "100", "0.01", client_oid="same"))
    with pytest.raises(DuplicateClientOrderId) as info:
        venue.place_order(uid, limit(BTC, "buy", "101", "0.01", client_oid="same"))
    assert kucoin_error(info.value).message == "validation.createOrder.clientOidDuplicated"
    other = funded(venue)
    venue.place_order(other, limit(BTC, "buy", "100", "0.01", client_oid="same"))  # another user: fine
    venue.cancel_order(uid, BTC, client_oid="same")
    second = venue.place_order(uid, limit(BTC, "buy", "102", "0.01", client_oid="same"))
    assert venue.get_order(uid, BTC, client_oid="same").id == second.id
    assert venue.get_order(uid, BTC, order_id=first.id).status is OrderStatus.CANCELED


def test_a_refused_order_leaves_its_client_oid_naming_the_earlier_order(venue: Venue) -> None:
    uid = funded(venue)
    seller = funded(venue)
    venue.place_order(seller, limit(BTC, "sell", "60000", "0.1"))
    first = venue.place_order(uid, limit(BTC, "buy", "50000", "0.01", client_oid="again"))
    venue.cancel_order(uid, BTC, order_id=first.id)
    with pytest.raises(PostOnlyWouldTake):  # refused by the engine, after the checks
        venue.place_order(uid, limit(BTC, "buy", "60000", "0.01", client_oid="again", post_only=True))
    assert venue.get_order(uid, BTC, client_oid="again").id == first.id
    assert venue.audit() == []


def test_orders_of_other_users_are_not_found(venue: Venue) -> None:
    a = funded(venue)
    b = funded(venue)
    order = venue.place_order(a, limit(BTC, "buy", "100", "0.01"))
    with pytest.raises(OrderNotFound):
        venue.get_order(b, BTC, order_id=order.id)
    with pytest.raises(OrderNotFound) as info:
        venue.cancel_order(b, BTC, order_id=order.id)
    assert kucoin_error(info.value).message == "order_not_exist_or_not_allow_to_cancel"
    with pytest.raises(OrderNotFound):
        venue.get_order(a, "ETH-USDT", order_id=order.id)  # wrong symbol


def test_cancelling_a_done_order_is_not_found(venue: Venue) -> None:
    maker = funded(venue)
    taker = funded(venue)
    order = venue.place_order(maker, limit(BTC, "sell", "60000", "0.1"))
    venue.place_order(taker, market(BTC, "buy", size="0.1"))
    with pytest.raises(OrderNotFound):
        venue.cancel_order(maker, BTC, order_id=order.id)
    with pytest.raises(BadRequest):
        venue.cancel_order(maker, BTC)


# ---------------------------------------------------------------- caps


def test_active_order_caps_per_symbol_and_account(clock: ManualClock) -> None:
    venue = Venue(clock=clock, max_active_per_symbol=3, max_active_per_account=5)
    uid = venue.create_user(balances={"USDT": "100000", "ETH": "10"})
    for i in range(2):
        venue.place_order(uid, limit(BTC, "buy", str(100 + i), "0.01"))
    venue.place_stop_order(uid, limit(BTC, "buy", "100", "0.01", stop_price="200"))  # stops count
    with pytest.raises(TooManyOpenOrders) as info:
        venue.place_order(uid, limit(BTC, "buy", "103", "0.01"))
    assert kucoin_error(info.value).code == "200003"
    venue.place_order(uid, limit("ETH-USDT", "buy", "100", "0.01"))
    venue.place_order(uid, limit("ETH-USDT", "buy", "101", "0.01"))
    with pytest.raises(TooManyOpenOrders):
        venue.place_order(uid, limit("ETH-USDT", "buy", "102", "0.01"))
    venue.cancel_all(uid, "ETH-USDT")
    venue.place_order(uid, limit("ETH-USDT", "buy", "102", "0.01"))


def test_default_caps_are_kucoins(venue: Venue) -> None:
    assert (venue.max_active_per_symbol, venue.max_active_per_account) == (200, 2000)


# ---------------------------------------------------------------- cancel, partial cancel, alter, amend


def test_partial_cancel_keeps_priority_and_releases_the_hold(venue: Venue) -> None:
    a = funded(venue)
    b = funded(venue)
    first = venue.place_order(a, limit(BTC, "sell", "60000", "1"))
    second = venue.place_order(b, limit(BTC, "sell", "60000", "1"))
    reduced = venue.cancel_partial(a, BTC, first.id, "0.4")
    assert reduced.size == D("1") and reduced.remain_size == D("0.6") and reduced.cancelled_size == D("0.4")
    # the cancelled part is priced in cancelledFunds and recorded while the order still rests
    assert (reduced.remain_funds, reduced.cancelled_funds) == (D("36000"), D("24000"))
    assert reduced.active and reduced.cancel_exist
    assert not venue.get_order(b, BTC, order_id=second.id).cancel_exist
    assert balance(venue, a, "BTC") == (D("10"), D("9.4"), D("0.6"))
    buyer = funded(venue)
    venue.place_order(buyer, market(BTC, "buy", size="0.6"))
    ended = venue.get_order(a, BTC, order_id=first.id)  # filled what was left: ends "cancelled"
    assert ended.status is OrderStatus.CANCELED and ended.cancel_exist and ended.deal_size == D("0.6")
    assert venue.get_order(b, BTC, order_id=second.id).deal_size == 0
    assert venue.audit() == []


def test_cancel_all_by_symbol_and_everywhere(venue: Venue) -> None:
    uid = venue.create_user(balances={"USDT": "100000"})
    venue.place_order(uid, limit(BTC, "buy", "100", "0.01"))
    venue.place_order(uid, limit("ETH-USDT", "buy", "100", "0.01"))
    stop = venue.place_stop_order(uid, limit(BTC, "buy", "100", "0.01", stop_price="200"))
    result = venue.cancel_all(uid, BTC, include_stops=False)
    assert result.succeeded == (BTC,) and len(result.cancelled_ids) == 1
    assert venue.active_symbols(uid) == ["ETH-USDT"]
    assert [o.id for o in venue.stop_orders(uid)] == [stop.id]
    everything = venue.cancel_all(uid)
    assert set(everything.succeeded) == {BTC, "ETH-USDT"}
    assert venue.active_orders(uid, stops=True) == []
    assert balance(venue, uid, "USDT")[2] == 0


def test_alter_replaces_with_a_new_id_and_keeps_the_client_oid(venue: Venue) -> None:
    uid = funded(venue)
    old = venue.place_order(uid, limit(BTC, "buy", "50000", "0.1", client_oid="alt", remark="r1"))
    new = venue.alter_order(uid, BTC, client_oid="alt", new_price="51000", new_size="0.2")
    assert new.id != old.id and new.client_oid == "alt" and new.remark == "r1"
    assert (new.price, new.size) == (D("51000"), D("0.2"))
    assert venue.get_order(uid, BTC, order_id=old.id).status is OrderStatus.CANCELED
    assert venue.get_order(uid, BTC, client_oid="alt").id == new.id
    assert balance(venue, uid, "USDT")[2] == D("51000") * D("0.2") * D("1.001")


def test_alter_to_a_size_already_filled_just_ends_the_order(venue: Venue) -> None:
    uid = funded(venue)
    taker = funded(venue)
    old = venue.place_order(uid, limit(BTC, "sell", "60000", "1"))
    venue.place_order(taker, market(BTC, "buy", size="0.3"))
    ended = venue.alter_order(uid, BTC, order_id=old.id, new_size="0.3")
    assert ended.id == old.id and ended.status is OrderStatus.CANCELED and ended.deal_size == D("0.3")
    with pytest.raises(BadRequest):
        venue.alter_order(uid, BTC, order_id=venue.place_order(uid, limit(BTC, "sell", "70000", "1")).id)


@pytest.mark.parametrize("how", ["partial cancel", "STP DC"])
def test_alter_by_price_replaces_only_what_still_rests(venue: Venue, how: str) -> None:
    uid = funded(venue)
    old = venue.place_order(uid, limit(BTC, "sell", "60000", "1"))
    if how == "partial cancel":
        venue.cancel_partial(uid, BTC, old.id, "0.6")
    else:  # a buy of 0.6 by the same user decrements the resting sell by 0.6
        venue.place_order(uid, limit(BTC, "buy", "60000", "0.6", stp="DC"))
    assert venue.get_order(uid, BTC, order_id=old.id).remain_size == D("0.4")
    new = venue.alter_order(uid, BTC, order_id=old.id, new_price="60100")
    assert new.size == D("0.4") and new.remain_size == D("0.4")
    assert balance(venue, uid, "BTC") == (D("10"), D("9.6"), D("0.4"))
    assert venue.audit() == []


def test_alter_validation_fails_before_cancelling(venue: Venue) -> None:
    uid = funded(venue)
    old = venue.place_order(uid, limit(BTC, "buy", "50000", "0.1"))
    with pytest.raises(InvalidPrecision):
        venue.alter_order(uid, BTC, order_id=old.id, new_price="50000.05")
    assert venue.get_order(uid, BTC, order_id=old.id).active


def test_amend_in_place_adjusts_the_hold(venue: Venue) -> None:
    uid = funded(venue, usdt="6000")
    order = venue.place_order(uid, limit(BTC, "buy", "50000", "0.1"))
    smaller = venue.amend_order(uid, BTC, order.id, new_size="0.05")
    assert smaller.id == order.id and smaller.size == D("0.05")
    assert balance(venue, uid, "USDT")[2] == D("2502.5")
    with pytest.raises(InsufficientFunds):
        venue.amend_order(uid, BTC, order.id, new_price="50000", new_size="0.2")
    assert venue.get_order(uid, BTC, order_id=order.id).size == D("0.05")
    moved = venue.amend_order(uid, BTC, order.id, new_price="40000")
    assert moved.price == D("40000") and balance(venue, uid, "USDT")[2] == D("2002")
    assert venue.audit() == []


# ---------------------------------------------------------------- time in force, GTT


def test_gtt_cancel_after_on_the_venue_clock(venue: Venue, clock: ManualClock) -> None:
    uid = funded(venue)
    order = venue.place_order(uid, limit(BTC, "buy", "100", "0.01", time_in_force="GTT", cancel_after=30))
    assert order.time_in_force is TimeInForce.GTT and order.cancel_after == 30
    clock.advance(29)
    assert venue.get_order(uid, BTC, order_id=order.id).active
    clock.advance(1)
    done = venue.get_order(uid, BTC, order_id=order.id)
    assert (
        done.status is OrderStatus.EXPIRED and done.cancel_exist and done.last_updated_at == START_MS + 30_000
    )
    assert balance(venue, uid, "USDT")[2] == 0


def test_a_gtt_stop_order_counts_cancel_after_from_its_trigger(venue: Venue, clock: ManualClock) -> None:
    maker = funded(venue)
    uid = funded(venue)
    venue.place_order(maker, limit(BTC, "sell", "60000", "1"))
    venue.place_order(maker, limit(BTC, "buy", "59000", "1"))
    venue.place_order(maker, market(BTC, "buy", size="0.01"))  # last price 60000
    stop = venue.place_stop_order(
        uid, limit(BTC, "sell", "61000", "0.5", stop_price="59000", time_in_force="GTT", cancel_after=10)
    )
    clock.advance(20)  # waiting in no book: nothing to expire from
    assert venue.get_order(uid, BTC, order_id=stop.id).status is OrderStatus.PENDING
    venue.place_order(maker, market(BTC, "sell", size="0.01"))  # trades at 59000: triggers it
    clock.advance(9)
    venue.place_order(maker, limit(BTC, "buy", "100", "0.01"))  # any activity
    resting = venue.get_order(uid, BTC, order_id=stop.id)
    assert resting.status is OrderStatus.OPEN and resting.in_order_book
    clock.advance(1)
    expired = venue.get_order(uid, BTC, order_id=stop.id)
    assert expired.status is OrderStatus.EXPIRED and expired.last_updated_at == START_MS + 30_000
    assert balance(venue, uid, "BTC")[2] == 0
    assert venue.audit() == []


def test_ioc_and_fok_records(venue: Venue) -> None:
    maker = funded(venue)
    taker = funded(venue)
    venue.place_order(maker, limit(BTC, "sell", "60000", "0.1"))
    ioc = venue.place_order(taker, limit(BTC, "buy", "60000", "0.3", time_in_force="IOC"))
    assert ioc.status is OrderStatus.CANCELED and ioc.deal_size == D("0.1") and not ioc.in_order_book
    fok = venue.place_order(taker, limit(BTC, "buy", "60000", "0.3", time_in_force="FOK"))
    assert fok.status is OrderStatus.CANCELED and fok.deal_size == 0
    assert venue.audit() == []


def test_stp_modes_through_the_venue(venue: Venue) -> None:
    uid = funded(venue)
    resting = venue.place_order(uid, limit(BTC, "sell", "60000", "0.1"))
    taker = venue.place_order(uid, limit(BTC, "buy", "60000", "0.1", stp="CO"))
    assert taker.stp is STP.CO and taker.status is OrderStatus.OPEN
    assert venue.get_order(uid, BTC, order_id=resting.id).reason == "stp"
    assert venue.fills(uid, BTC).items == ()
    assert venue.audit() == []


# ---------------------------------------------------------------- listings and cursors


def test_active_orders_newest_first_and_done_orders_paged(venue: Venue, clock: ManualClock) -> None:
    uid = funded(venue)
    ids = []
    for i in range(5):
        clock.advance(1)
        ids.append(venue.place_order(uid, limit(BTC, "buy", str(100 + i), "0.01")).id)
    assert [o.id for o in venue.active_orders(uid, BTC)] == ids[::-1]
    for order_id in ids:
        clock.advance(1)
        venue.cancel_order(uid, BTC, order_id=order_id)
    page1 = venue.done_orders(uid, BTC, limit=2)
    assert [o.id for o in page1.items] == ids[::-1][:2]
    page2 = venue.done_orders(uid, BTC, limit=2, last_id=page1.last_id)
    assert [o.id for o in page2.items] == ids[::-1][2:4]
    page3 = venue.done_orders(uid, BTC, limit=2, last_id=page2.last_id)
    assert [o.id for o in page3.items] == ids[:1]
    empty = venue.done_orders(uid, BTC, limit=2, last_id=page3.last_id)
    assert empty.items == () and empty.last_id is None
    window = venue.done_orders(uid, BTC, start=START_MS + 7000, end=START_MS + 8000)
    assert [o.id for o in window.items] == [ids[2], ids[1]]
    assert venue.done_orders(uid, BTC, side="sell").items == ()


@pytest.mark.parametrize("rows", [list(range(1, 1025)), deque(range(1, 1025))])
def test_a_cursor_finds_its_place_by_bisection(rows: Sequence[int]) -> None:
    """Paging through a long history reads each page from the cursor, not from the newest
    row: with ids 1..1024, a cursor costs about log2(1024) id reads, then the page."""
    reads = []

    def id_of(row: int) -> int:
        reads.append(row)
        return row

    assert list(below(rows, 500, id_of))[:3] == [499, 498, 497] and len(reads) <= 11
    assert list(below(rows, None, id_of))[:2] == [1024, 1023]
    assert list(below(rows, 1, id_of)) == [] and next(below(rows, 5000, id_of)) == 1024


def test_fills_paged_and_filtered(venue: Venue) -> None:
    maker = funded(venue)
    taker = funded(venue)
    for price in ("60000", "60010", "60020"):
        venue.place_order(maker, limit(BTC, "sell", price, "0.1"))
    order = venue.place_order(taker, market(BTC, "buy", size="0.3"))
    page = venue.fills(taker, BTC, limit=2)
    assert [f.price for f in page.items] == [D("60020"), D("60010")]
    rest = venue.fills(taker, BTC, last_id=page.last_id)
    assert [f.price for f in rest.items] == [D("60000")]
    assert len(venue.fills(taker, order_id=order.id, limit=10).items) == 3
    assert venue.fills(taker, BTC, type=OrderType.LIMIT).items == ()


def test_ledger_explains_every_balance(venue: Venue) -> None:
    maker = funded(venue)
    taker = funded(venue)
    venue.place_order(maker, limit(BTC, "sell", "60000", "0.5"))
    venue.place_order(taker, limit(BTC, "buy", "60000", "0.2"))
    venue.transfer(taker, "USDT", "100", "trade", "main")
    entries = venue.ledger(taker, include_holds=True, limit=None)
    for currency in ("USDT", "BTC"):
        for kind in ("trade", "main"):
            rows = [e for e in entries if e.currency == currency and e.account_type == kind.upper()]
            total = sum((e.signed_amount for e in rows), D("0"))
            held = sum((e.hold_delta for e in rows), D("0"))
            row = venue.balance(taker, currency, kind)
            assert (total, held) == (row.balance, row.holds)
    trade = next(e for e in entries if e.kind == "trade" and e.currency == "USDT")
    assert trade.biz_type == "TRADE_EXCHANGE" and trade.direction == "out" and trade.fee == D("12")
    assert trade.context["symbol"] == BTC and "tradeId" in trade.context
    public = venue.ledger(taker)
    assert all(e.kind not in ("hold", "release") for e in public)
    assert [e.id for e in public] == sorted((e.id for e in public), reverse=True)
    older = venue.ledger(taker, last_id=public[1].id)
    assert older[0].id == public[2].id
    assert venue.ledger(taker, currency="BTC", direction="in")[0].amount == D("0.2")


def test_accounts_rows_and_transfers(venue: Venue) -> None:
    uid = funded(venue)
    venue.transfer(uid, "USDT", "250", "trade", "main")
    rows = {(r.currency, r.type): r for r in venue.accounts_of(uid)}
    assert rows[("USDT", "main")].balance == D("250") and rows[("USDT", "trade")].balance == D("99750")
    assert venue.account(uid, rows[("USDT", "main")].id) == rows[("USDT", "main")]
    with pytest.raises(InsufficientFunds):
        venue.transfer(uid, "USDT", "251", "main", "trade")
    with pytest.raises(BadRequest):
        venue.account(uid, "0" * 24)
    assert venue.accounts_of(uid, account_type="main")[0].currency == "USDT"


def test_deposits_and_withdrawals_are_external_flows(venue: Venue) -> None:
    uid = funded(venue)
    venue.deposit(uid, "SOL", "5")
    venue.withdraw(uid, "SOL", "2")
    assert venue.balance(uid, "SOL").balance == D("3")
    with pytest.raises(InsufficientFunds):
        venue.withdraw(uid, "SOL", "4")
    with pytest.raises(BadRequest):
        venue.deposit(uid, "SOL", "0")
    assert venue.audit() == []


def test_unknown_user_and_duplicate_user(venue: Venue) -> None:
    with pytest.raises(BadRequest):
        venue.accounts_of("ghost")
    venue.create_user("u1")
    with pytest.raises(BadRequest):
        venue.create_user("u1")
    venue.create_user(7)
    assert venue.has_user("7") and venue.accounts_of(7) == []  # type: ignore[arg-type]


# ---------------------------------------------------------------- dead-man switch


def test_dead_man_switch_cancels_when_not_refreshed(venue: Venue, clock: ManualClock) -> None:
    uid = funded(venue)
    btc = venue.place_order(uid, limit(BTC, "buy", "100", "0.01"))
    eth = venue.place_order(uid, limit("ETH-USDT", "buy", "100", "0.01"))
    info = venue.set_dcp(uid, 10, [BTC])
    assert info is not None and (info.timeout, info.symbols) == (10, (BTC,))
    assert info.trigger_time - info.current_time == 10
    clock.advance(9)
    refreshed = venue.set_dcp(uid, 10, [BTC])
    assert refreshed is not None and venue.get_dcp(uid) == refreshed
    clock.advance(9.999)
    assert venue.get_order(uid, BTC, order_id=btc.id).active
    clock.advance(0.001)
    cancelled = venue.get_order(uid, BTC, order_id=btc.id)
    assert cancelled.status is OrderStatus.CANCELED and cancelled.reason == "dcp"
    assert cancelled.last_updated_at == START_MS + 19_000
    assert venue.get_order(uid, "ETH-USDT", order_id=eth.id).active
    assert venue.get_dcp(uid) is None
    venue.set_dcp(uid, 5)
    assert venue.set_dcp(uid, -1) is None
    clock.advance(60)
    assert venue.get_order(uid, "ETH-USDT", order_id=eth.id).active
    with pytest.raises(BadRequest):
        venue.set_dcp(uid, 3)


# ---------------------------------------------------------------- stop orders


def test_stop_orders_wait_without_holding_and_trigger_on_the_last_price(venue: Venue) -> None:
    mm = funded(venue)
    uid = funded(venue, usdt="10000", btc="1")
    venue.place_order(mm, limit(BTC, "buy", "59000", "1"))
    venue.place_order(mm, limit(BTC, "sell", "60000", "1"))
    venue.place_order(mm, market(BTC, "buy", size="0.01"))  # last = 60000
    stop = venue.place_stop_order(
        uid, market(BTC, "sell", size="0.5", client_oid="sl", stop_price="59500", remark="stop")
    )
    assert stop.status is OrderStatus.PENDING and stop.stop is StopKind.LOSS and stop.stop_price == D("59500")
    assert balance(venue, uid, "BTC")[2] == 0
    assert [o.id for o in venue.stop_orders(uid, symbol=BTC)] == [stop.id]
    assert venue.get_stop_order(uid, client_oid="sl").id == stop.id
    assert venue.active_orders(uid) == [] and len(venue.active_orders(uid, stops=True)) == 1
    venue.place_order(mm, market(BTC, "sell", size="0.1"))  # prints 59000: triggers
    done = venue.get_stop_order(uid, order_id=stop.id)
    assert done.status is OrderStatus.FILLED and done.stop_triggered and done.stop_trigger_time is not None
    assert done.deal_size == D("0.5")
    assert venue.stop_orders(uid) == []
    with pytest.raises(OrderNotFound):
        venue.cancel_stop_order(uid, order_id=stop.id)
    assert venue.audit() == []


def test_stop_kind_is_inferred_from_the_last_price(venue: Venue) -> None:
    uid = funded(venue)
    above = venue.place_stop_order(uid, limit(BTC, "buy", "70000", "0.01", stop_price="66000"))
    below = venue.place_stop_order(uid, limit(BTC, "sell", "60000", "0.01", stop_price="64000"))
    assert above.stop is StopKind.ENTRY and below.stop is StopKind.LOSS  # reference: initial 65000


def test_stop_cancel_and_listing(venue: Venue) -> None:
    uid = funded(venue)
    s1 = venue.place_stop_order(uid, limit(BTC, "buy", "100", "0.01", stop_price="200", client_oid="c1"))
    s2 = venue.place_stop_order(uid, limit("ETH-USDT", "buy", "100", "0.01", stop_price="200"))
    s3 = venue.place_stop_order(uid, limit(BTC, "sell", "100000", "0.01", stop_price="90000"))
    assert [o.id for o in venue.stop_orders(uid, order_ids=[s1.id, s3.id])] == [s3.id, s1.id]
    assert venue.cancel_stop_order(uid, client_oid="c1").status is OrderStatus.CANCELED
    assert venue.cancel_stop_orders(uid, symbol="ETH-USDT") == [s2.id]
    assert [o.id for o in venue.stop_orders(uid)] == [s3.id]
    with pytest.raises(OrderNotFound):
        venue.get_stop_order(uid, order_id="vs-does-not-exist")


def test_a_triggered_stop_the_balance_cannot_fund_is_rejected(venue: Venue) -> None:
    mm = funded(venue)
    uid = funded(venue, usdt="1000", btc="0")
    venue.place_order(mm, limit(BTC, "sell", "60000", "1"))
    stop = venue.place_stop_order(uid, limit(BTC, "buy", "60000", "1", stop="entry", stop_price="60000"))
    venue.place_order(mm, limit(BTC, "buy", "60000", "0.01"))  # prints 60000
    done = venue.get_stop_order(uid, order_id=stop.id)
    assert done.status is OrderStatus.REJECTED and done.reason == "insufficient_funds"
    assert venue.done_orders(uid, BTC).items[0].id == stop.id


# ---------------------------------------------------------------- batch, subscriptions


def test_batch_place_reports_each_result(venue: Venue) -> None:
    uid = funded(venue)
    ok, bad = venue.place_orders(uid, [limit(BTC, "buy", "100", "0.01"), limit(BTC, "buy", "100.05", "0.01")])
    assert not isinstance(ok, Exception) and ok.active
    assert isinstance(bad, InvalidPrecision)


def test_subscribers_hear_orders_fills_and_trades(venue: Venue) -> None:
    heard: list[tuple[str, str]] = []
    unsubscribe = venue.subscribe(lambda ev: heard.append((ev.kind, ev.change)))
    maker = funded(venue)
    taker = funded(venue)
    venue.place_order(maker, limit(BTC, "sell", "60000", "0.1"))
    venue.place_order(taker, market(BTC, "buy", size="0.1"))
    assert ("order", "open") in heard and ("fill", "match") in heard and ("trade", "match") in heard
    assert ("order", "filled") in heard
    unsubscribe()
    count = len(heard)
    venue.place_order(maker, limit(BTC, "sell", "60000", "0.1"))
    assert len(heard) == count
