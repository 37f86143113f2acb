"""Random orders, cancels, amends and clock moves across accounts; the books must hold.

After every step: every currency is conserved across accounts plus the fee collector;
holds equal what open orders hold and cover what they still need; ledgers explain every
balance; no book is crossed at rest; no order fills more than its size; states only move
forward; FOK fills all or nothing; IOC and market orders never rest; post-only never takes.
"""

from __future__ import annotations

from decimal import Decimal

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from exchanges import (
    DuplicateClientOrderId,
    ExchangeError,
    InsufficientFunds,
    InvalidOrder,
    Liquidity,
    ManualClock,
    OrderNotFound,
    OrderStatus,
    PostOnlyWouldTake,
    PriceOutOfBand,
    TooManyOpenOrders,
)
from simulator.kucoin.words import kucoin_error
from simulator.venue import OrderInfo, OrderParams, Venue
from tests.simulator.helpers import START_MS

SYMBOLS = {
    # symbol: (centre price, price step used by the test, size unit)
    "BTC-USDT": (Decimal("60000"), Decimal("10"), Decimal("0.01")),
    "ETH-BTC": (Decimal("0.05"), Decimal("0.0001"), Decimal("0.1")),
}
USERS = ("u1", "u2", "u3", "u4")
FUNDED = {"USDT": Decimal("200000"), "BTC": Decimal("4"), "ETH": Decimal("40")}
# u4 has dust: less than one unit of funds (price step x size step) or one lot anywhere,
# so its market orders must be refused rather than trade without limit
DUST = {"USDT": Decimal("5E-10"), "BTC": Decimal("5E-13"), "ETH": Decimal("1E-9")}
DEPOSITS = {"u1": FUNDED, "u2": FUNDED, "u3": FUNDED, "u4": DUST}
EXPECTED = (InsufficientFunds, PostOnlyWouldTake, PriceOutOfBand, TooManyOpenOrders, DuplicateClientOrderId)


class VenueMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock(START_MS)
        self.venue = Venue(seed=0, clock=self.clock, max_active_per_symbol=25)
        # fee rates differ per user, and maker from taker, so holds sized for the dearer
        # rate must be trimmed as orders fill (the audit wants them exact)
        rates = {
            "u1": ("0.001", "0.001"),
            "u2": ("0.0002", "0.001"),
            "u3": ("0", "0.0025"),
            "u4": ("0.001", "0.001"),
        }
        for uid in USERS:
            maker, taker = rates[uid]
            self.venue.create_user(uid, DEPOSITS[uid], maker_fee_rate=maker, taker_fee_rate=taker)
        self.orders: dict[str, tuple[str, str]] = {}  # id -> (uid, symbol)
        self.rank: dict[str, int] = {}
        self.kind: dict[str, OrderParams] = {}

    # ------------------------------------------------------------------ rules

    @initialize()
    def seed_the_books(self) -> None:
        """A few resting orders each side, so that takers have something to take."""
        for symbol, (centre, step, unit) in SYMBOLS.items():
            for k in range(1, 4):
                for side, price in (("buy", centre - step * k), ("sell", centre + step * k)):
                    params = OrderParams(symbol=symbol, side=side, price=price, size=unit * 5 * k)
                    self._place("u3", params)

    @rule(
        uid=st.sampled_from(USERS),
        symbol=st.sampled_from(sorted(SYMBOLS)),
        side=st.sampled_from(["buy", "sell"]),
        offset=st.integers(-6, 6),
        units=st.integers(1, 30),
        tif=st.sampled_from(["GTC", "GTC", "GTT", "IOC", "FOK"]),
        flag=st.sampled_from([None, None, "post_only", "hidden", "iceberg"]),
        stp=st.sampled_from([None, None, "CN", "CO", "CB", "DC"]),
        coid=st.sampled_from([None, None, "a", "b"]),
    )
    def place_limit(
        self,
        uid: str,
        symbol: str,
        side: str,
        offset: int,
        units: int,
        tif: str,
        flag: str | None,
        stp: str | None,
        coid: str | None,
    ) -> None:
        self._limit(uid, symbol, side, offset, units, tif, flag, stp, coid)

    def _limit(
        self,
        uid: str,
        symbol: str,
        side: str,
        offset: int,
        units: int,
        tif: str,
        flag: str | None,
        stp: str | None,
        coid: str | None,
    ) -> None:
        centre, step, unit = SYMBOLS[symbol]
        size = unit * units
        params = OrderParams(
            symbol=symbol,
            side=side,
            type="limit",
            price=centre + step * offset,
            size=size,
            time_in_force=tif,
            cancel_after=20 if tif == "GTT" else None,
            post_only=flag == "post_only",
            hidden=flag == "hidden",
            iceberg=flag == "iceberg",
            visible_size=size / 2 if flag == "iceberg" else None,
            stp=stp,
            client_oid=coid,
        )
        self._place(uid, params)

    @rule(
        uid=st.sampled_from(USERS),
        symbol=st.sampled_from(sorted(SYMBOLS)),
        side=st.sampled_from(["buy", "sell"]),
        offset=st.integers(-4, 4),
        units=st.integers(1, 30),
        tif=st.sampled_from(["GTC", "IOC", "FOK"]),
    )
    def place_plain_limit(self, uid: str, symbol: str, side: str, offset: int, units: int, tif: str) -> None:
        """More of the common case, so the books fill up and trade."""
        self._limit(uid, symbol, side, offset, units, tif, None, None, None)

    @rule(
        uid=st.sampled_from(USERS),
        symbol=st.sampled_from(sorted(SYMBOLS)),
        side=st.sampled_from(["buy", "sell"]),
        units=st.integers(1, 40),
        by_funds=st.booleans(),
        stp=st.sampled_from([None, "CN", "CO", "CB"]),
    )
    def place_market(
        self, uid: str, symbol: str, side: str, units: int, by_funds: bool, stp: str | None
    ) -> None:
        centre, _, unit = SYMBOLS[symbol]
        if by_funds:
            params = OrderParams(
                symbol=symbol, side=side, type="market", funds=centre * unit * units, stp=stp
            )
        else:
            params = OrderParams(symbol=symbol, side=side, type="market", size=unit * units, stp=stp)
        self._place(uid, params)

    @rule(
        uid=st.sampled_from(USERS),
        symbol=st.sampled_from(sorted(SYMBOLS)),
        side=st.sampled_from(["buy", "sell"]),
        offset=st.integers(-4, 4),
        units=st.integers(1, 10),
        as_market=st.booleans(),
    )
    def place_stop(self, uid: str, symbol: str, side: str, offset: int, units: int, as_market: bool) -> None:
        centre, step, unit = SYMBOLS[symbol]
        stop_price = centre + step * offset
        params = OrderParams(
            symbol=symbol,
            side=side,
            type="market" if as_market else "limit",
            price=None if as_market else stop_price,
            size=unit * units,
            stop_price=stop_price,
        )
        self._place(uid, params)

    def _place(self, uid: str, params: OrderParams) -> None:
        refused: InvalidOrder | None = None
        try:
            info = self.venue.place_order(uid, params)
        except EXPECTED:
            return
        except InvalidOrder as err:  # e.g. below minimum funds for tiny ETH-BTC orders
            refused = err
        if refused is not None:
            assert kucoin_error(refused).code == "400100", refused
            return
        self.orders[info.id] = (uid, params.symbol)
        self.kind[info.id] = params
        self.rank[info.id] = info.status.rank
        self._check_entry(info, params)

    def _check_entry(self, info: OrderInfo, params: OrderParams) -> None:
        if params.stop_price is not None and info.status is OrderStatus.PENDING:
            return
        if info.type.value == "market":
            assert not info.active, "a market order rested"
        elif params.time_in_force == "IOC":
            assert not info.active and not info.in_order_book, "an IOC order rested"
        elif params.time_in_force == "FOK":
            assert not info.active
            assert info.deal_size in (0, info.size), f"FOK filled {info.deal_size} of {info.size}"
            assert (info.status is OrderStatus.FILLED) == (info.deal_size == info.size)

    @precondition(lambda self: bool(self.orders))
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        order_id = data.draw(st.sampled_from(sorted(self.orders)))
        uid, symbol = self.orders[order_id]
        try:
            info = self.venue.cancel_order(uid, symbol, order_id=order_id)
        except OrderNotFound:
            assert not self.venue.get_order(uid, symbol, order_id=order_id).active
            return
        assert not info.active

    @precondition(lambda self: bool(self.orders))
    @rule(data=st.data(), units=st.integers(1, 10))
    def partial_cancel(self, data: st.DataObject, units: int) -> None:
        order_id = data.draw(st.sampled_from(sorted(self.orders)))
        uid, symbol = self.orders[order_id]
        try:
            before = self.venue.get_order(uid, symbol, order_id=order_id)
            info = self.venue.cancel_partial(uid, symbol, order_id, SYMBOLS[symbol][2] * units)
        except (OrderNotFound, ExchangeError):
            return
        assert info.deal_size == before.deal_size  # a cancel fills nothing

    @precondition(lambda self: bool(self.orders))
    @rule(data=st.data(), offset=st.integers(-6, 6), units=st.integers(1, 30), in_place=st.booleans())
    def amend(self, data: st.DataObject, offset: int, units: int, in_place: bool) -> None:
        order_id = data.draw(st.sampled_from(sorted(self.orders)))
        uid, symbol = self.orders[order_id]
        centre, step, unit = SYMBOLS[symbol]
        price, size = centre + step * offset, unit * units
        try:
            if in_place:
                self.venue.amend_order(uid, symbol, order_id, new_price=price, new_size=size)
            else:
                info = self.venue.alter_order(uid, symbol, order_id=order_id, new_price=price, new_size=size)
                if info.id != order_id:
                    self.orders[info.id] = (uid, symbol)
                    self.rank[info.id] = info.status.rank
                    self.kind[info.id] = self.kind[order_id]
        except (OrderNotFound, InsufficientFunds, PostOnlyWouldTake, PriceOutOfBand, TooManyOpenOrders):
            return
        except ExchangeError as err:  # bad values, or a stop or market order (not amendable)
            refused = err
        else:
            return
        assert kucoin_error(refused).code == "400100", refused

    @rule(seconds=st.sampled_from([0.001, 1, 5, 19, 25]))
    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.venue.sync()

    @precondition(lambda self: bool(self.orders))
    @rule(uid=st.sampled_from(USERS))
    def cancel_all(self, uid: str) -> None:
        self.venue.cancel_all(uid)
        assert self.venue.active_orders(uid, stops=True) == []

    # ------------------------------------------------------------------ invariants

    @invariant()
    def books_and_balances_hold(self) -> None:
        assert self.venue.audit() == []

    @invariant()
    def states_move_forward_and_fills_fit(self) -> None:
        for order_id, (uid, symbol) in self.orders.items():
            info = self.venue.get_order(uid, symbol, order_id=order_id)
            rank = info.status.rank
            assert rank >= self.rank[order_id], f"{order_id} went back to {info.status}"
            if self.rank[order_id] == 4:
                assert rank == 4 and not info.active
            self.rank[order_id] = rank
            if info.size is not None:
                assert info.deal_size <= info.size
                assert info.deal_size + info.remain_size + info.cancelled_size == info.size
            params = self.kind[order_id]
            if params.post_only and params.time_in_force in (None, "GTC", "GTT"):
                fills = self.venue.fills(uid, symbol, order_id=order_id, limit=1000).items
                assert all(f.liquidity is Liquidity.MAKER for f in fills), "a post-only order took"

    @invariant()
    def each_currency_is_conserved(self) -> None:
        venue = self.venue
        for currency in ("USDT", "BTC", "ETH"):
            deposited = sum(DEPOSITS[uid][currency] for uid in USERS)
            assert venue.accounts.total(currency) == deposited


VenueMachine.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestVenueMachine = VenueMachine.TestCase
