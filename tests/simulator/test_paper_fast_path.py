"""The paper exchange's fused path for plain limit orders against the venue's general one.

``PaperExchange`` places a plain GTC limit order through ``Placing._place_plain`` and
builds its ``Order`` directly; the venue's ``place_order`` (what the KuCoin facade calls)
takes the general path. Driven with the same orders on two venues of the same seed, both
must leave the same state: ids, balances, ledger lines, the archive of done orders, the
book, and the same refusals (short balance, a reused client id, the active-order cap).
"""

from __future__ import annotations

import asyncio
import random
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from exchanges import (
    DuplicateClientOrderId,
    ExchangeError,
    InsufficientFunds,
    InvalidOrder,
    ManualClock,
    OrderNotFound,
    OrderRequest,
    TooManyOpenOrders,
)
from simulator import PaperExchange, Venue
from simulator.engine import EngineOrder
from simulator.venue.orders import VenueOrder, archive, revive
from simulator.venue.snapshots import order_info
from tests.simulator.helpers import START_MS, limit

SYM, NATIVE = "BTC/USDT", "BTC-USDT"
BALANCES = {"USDT": "1200", "BTC": "0.025"}

place = st.tuples(
    st.just("place"),
    st.integers(0, 1),  # user
    st.booleans(),  # buy
    st.integers(-3, 3),  # price: 50,000 plus this many dollars (the two sides often cross)
    st.sampled_from(["0.001", "0.002", "0.01", "0.02", "0.00001", "0.000001"]),  # the last: too small
    st.integers(0, 5),  # client id
)
cancel = st.tuples(st.just("cancel"), st.integers(0, 1), st.integers(0, 5), st.booleans())
advance = st.tuples(st.just("advance"), st.integers(1, 3000))
actions = st.lists(st.one_of(place, place, place, cancel, advance), min_size=10, max_size=80)


def outcome(error: ExchangeError | None) -> str:
    """What both paths must agree on (their validation messages differ in wording)."""
    for kind in (DuplicateClientOrderId, TooManyOpenOrders, InvalidOrder, InsufficientFunds, OrderNotFound):
        if isinstance(error, kind):
            return kind.__name__
    return "ok" if error is None else repr(error)


async def drive(steps: list[tuple[object, ...]], *, external: bool = False) -> set[str]:
    """Run ``steps`` on both paths, checking each outcome and the final state; returns the
    outcomes seen. ``external``: the pair is replayed (orders are parked, as in a backtest)."""
    seen: set[str] = set()
    fast_venue = Venue(seed=3, clock=ManualClock(START_MS), max_active_per_symbol=4)
    slow_venue = Venue(seed=3, clock=ManualClock(START_MS), max_active_per_symbol=4)
    if external:
        fast_venue.set_external(NATIVE)
        slow_venue.set_external(NATIVE)
    papers = [PaperExchange(BALANCES, venue=fast_venue) for _ in range(2)]
    uids = [slow_venue.create_user(balances=BALANCES) for _ in range(2)]
    assert uids == [p.uid for p in papers]
    for step in steps:
        if step[0] == "advance":
            for venue in (fast_venue, slow_venue):
                clock = venue.clock
                assert isinstance(clock, ManualClock)
                clock.advance(int(step[1]))  # type: ignore[call-overload]
            continue
        user = int(step[1])  # type: ignore[call-overload]
        fast: ExchangeError | None = None
        slow: ExchangeError | None = None
        if step[0] == "place":
            _, _, buy, dollars, size, coid = step
            side = "buy" if buy else "sell"
            price = str(50_000 + int(dollars))  # type: ignore[call-overload]
            cid = f"u{user}c{coid}"
            try:
                request = OrderRequest.limit(SYM, side, size, price, client_order_id=cid)
                placed = await papers[user].place_order(request)
                assert placed == await papers[user].fetch_order(SYM, order_id=placed.id)
            except ExchangeError as err:
                fast = err
            try:
                slow_venue.place_order(uids[user], limit(NATIVE, side, price, str(size), client_oid=cid))
            except ExchangeError as err:
                slow = err
        else:
            _, _, coid, by_id = step
            cid = f"u{user}c{coid}"
            oid = None
            if by_id:  # (the latest order with that client id, or an id nobody has)
                try:
                    oid = slow_venue.get_order(uids[user], NATIVE, client_oid=cid).id
                except OrderNotFound:
                    oid = "0" * 24
            try:
                await papers[user].cancel_order(SYM, order_id=oid, client_order_id=None if oid else cid)
            except ExchangeError as err:
                fast = err
            try:
                slow_venue.cancel_order(uids[user], NATIVE, order_id=oid, client_oid=None if oid else cid)
            except ExchangeError as err:
                slow = err
        assert outcome(fast) == outcome(slow), (step, fast, slow)
        seen.add(f"{step[0]}: {outcome(slow)}")
    if slow_venue.trades(NATIVE):
        seen.add("traded")
    assert_same_state(fast_venue, slow_venue, uids)
    return seen


def assert_same_state(a: Venue, b: Venue, uids: list[str]) -> None:
    assert a.audit() == [] and b.audit() == []
    assert a._index.by_id.keys() == b._index.by_id.keys()
    for oid, order in a._index.by_id.items():
        other = b._index.by_id[oid]
        if isinstance(order, tuple):
            assert order == other
        else:
            assert isinstance(other, VenueOrder) and archive(order) == archive(other)
    for uid in uids:
        assert a.accounts_of(uid) == b.accounts_of(uid)
        assert a.accounts.get(uid).rows == b.accounts.get(uid).rows  # type: ignore[union-attr]
        assert list(a.trader(uid).done[NATIVE]) == list(b.trader(uid).done[NATIVE])
        assert a.trader(uid).by_coid.keys() == b.trader(uid).by_coid.keys()
        assert a.trader(uid).counts == b.trader(uid).counts
        assert [o.id for o in a.active_orders(uid)] == [o.id for o in b.active_orders(uid)]
    assert a.order_book(NATIVE, None) == b.order_book(NATIVE, None)
    assert a.parked_orders(NATIVE) == b.parked_orders(NATIVE)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(actions)
def test_the_fused_path_leaves_what_the_general_path_leaves(steps: list[tuple[object, ...]]) -> None:
    for seen in asyncio.run(drive(steps)):
        event(seen)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(actions)
def test_the_fused_path_parks_what_the_general_path_parks(steps: list[tuple[object, ...]]) -> None:
    """On a replayed pair (a backtest's), orders are parked instead of matched."""
    for seen in asyncio.run(drive(steps, external=True)):
        event(seen)


@pytest.mark.parametrize("external", [False, True], ids=["matched", "parked"])
def test_a_long_random_session_on_both_paths(external: bool) -> None:
    """A seeded session long enough to reach every outcome (and checked to)."""
    rng = random.Random(7)
    sizes = ["0.001", "0.002", "0.01", "0.02", "0.00001", "0.000001"]
    steps: list[tuple[object, ...]] = []
    for _ in range(1500):
        roll = rng.random()
        if roll < 0.6:
            buy, dollars, size = rng.random() < 0.5, rng.randint(-3, 3), rng.choice(sizes)
            steps.append(("place", rng.randint(0, 1), buy, dollars, size, rng.randint(0, 5)))
        elif roll < 0.9:
            steps.append(("cancel", rng.randint(0, 1), rng.randint(0, 5), rng.random() < 0.5))
        else:
            steps.append(("advance", rng.randint(1, 3000)))
    seen = asyncio.run(drive(steps, external=external))
    assert seen | ({"traded"} if external else set()) >= {
        "place: ok",
        "place: InvalidOrder",
        "place: DuplicateClientOrderId",
        "place: TooManyOpenOrders",
        "place: InsufficientFunds",
        "cancel: ok",
        "cancel: OrderNotFound",
        "traded",
    }, seen


def test_a_revived_order_equals_the_one_archived() -> None:
    """Every field survives the archive (the engine's live-only ones come back at rest)."""
    venue = Venue(seed=1, clock=ManualClock(START_MS))
    uid = venue.create_user(balances={"USDT": "100000", "BTC": "2"})
    other = venue.create_user(balances={"USDT": "100000", "BTC": "2"})
    ids = [
        venue.place_order(uid, limit(NATIVE, "sell", "50000", "0.01", client_oid="a", remark="r")).id,
        venue.place_order(uid, limit(NATIVE, "sell", "50100", "0.02", iceberg=True, visible_size="0.001")).id,
        venue.place_order(
            uid, limit(NATIVE, "buy", "49000", "0.01", stp="DC", time_in_force="GTT", cancel_after=60)
        ).id,
        venue.place_stop_order(uid, limit(NATIVE, "sell", "40000", "0.01", stop_price="41000")).id,
    ]
    live = {oid: venue._index.by_id[oid] for oid in ids}
    venue.place_order(other, limit(NATIVE, "buy", "50000", "0.005"))  # part of the first fills
    for oid in ids:
        venue.cancel_order(uid, NATIVE, order_id=oid)
    for oid, order in live.items():
        assert isinstance(order, VenueOrder)
        done = venue._index.by_id[oid]
        assert isinstance(done, tuple)
        again = revive(done, order.user, order.mkt)
        for name in (*VenueOrder.__slots__, *EngineOrder.__slots__):
            expected = getattr(order, name)
            if name in ("prev", "next", "view", "hold_context"):
                expected = None
            elif name in ("funds_limit", "shown", "expire_at"):
                expected = 0
            elif name == "hold_left":
                assert expected == 0
            assert getattr(again, name) == expected, name
        assert venue.get_order(uid, order_id=oid) == order_info(order)


def test_a_venue_order_starts_as_an_engine_order_does() -> None:
    """``VenueOrder.__init__`` sets the engine's fields itself (it is on the hot path):
    the same values as ``EngineOrder.__init__`` would."""
    venue = Venue(seed=1, clock=ManualClock(START_MS))
    uid = venue.create_user(balances={"USDT": "1000"})
    user, mkt = venue.trader(uid), venue.market_state(NATIVE)
    order = VenueOrder("x", user, mkt, True, 7, 9, 0, START_MS, (Decimal(0), Decimal(0)), None)
    engine = EngineOrder("x", uid, True, 7, 9, 0)
    for name in engine.__slots__:
        assert getattr(order, name) == getattr(engine, name), name


async def test_a_buy_holds_at_the_rates_of_its_time() -> None:
    """The fused path keeps 1 + the larger rate per user and pair: a change of rates must
    reach the next order's hold (and the audit, which sums what open orders hold)."""
    venue = Venue(seed=1, clock=ManualClock(START_MS))
    paper = PaperExchange({"USDT": "10000"}, venue=venue)
    first = await paper.place_order(OrderRequest.limit(SYM, "buy", "0.01", "50000"))
    venue.set_fee_rates(paper.uid, "0.001", "0.004")
    second = await paper.place_order(OrderRequest.limit(SYM, "buy", "0.01", "50000"))
    assert venue.audit() == []
    holds = {
        o.id: e.hold_delta
        for o in (first, second)
        for e in venue.accounts.get(paper.uid).ledger()  # type: ignore[union-attr]
        if e.kind == "hold" and e.context is not None and e.context[1] == o.id
    }
    assert holds == {first.id: Decimal("500.5"), second.id: Decimal("502")}
