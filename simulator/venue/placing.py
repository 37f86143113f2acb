"""Placing: the active-order caps and the client-id rule, the hold, the registration, and the
hand-over to the engine (or, for an external symbol, to parking).

Every order goes through the same three steps, :meth:`Placement.check_limits`,
``Holds.take`` and :meth:`Placement.register`. :meth:`Placement.place_request` is also the
paper exchange's hot path for a plain limit order: there the three steps are written out in
line (a benchmark showed the calls cost a tenth of a place-and-cancel), in the same order
with the same outcomes, and ``tests/simulator/test_paper_fast_path.py`` holds the two paths
to each other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal

from exchanges import ExchangeError, InsufficientFunds, Order, OrderRequest, Side
from simulator.engine import FILLED, REJECTED, Accepted
from simulator.ledger.money import mul
from simulator.venue.holds import Holds
from simulator.venue.ids import IdSource
from simulator.venue.intake import Intake
from simulator.venue.orders import Archived, VenueOrder
from simulator.venue.params import OrderParams
from simulator.venue.parking import Parking
from simulator.venue.records import OrderInfo
from simulator.venue.refusals import Reason, Refusals
from simulator.venue.registry import Markets, OrderIndex, Users
from simulator.venue.rulebook import Rulebook
from simulator.venue.settlement import Settlement
from simulator.venue.snapshots import order_info
from simulator.venue.state import MarketState, UserState
from simulator.venue.timeline import Timeline
from simulator.venue.to_order import plain_limit, to_order

__all__ = ["Placement"]

ONE = Decimal(1)
_BUY = Side.BUY


class Placement:
    """Placing orders: single, batched, as a test, for a market agent, or plain and fast."""

    def __init__(
        self,
        rules: Rulebook,
        intake: Intake,
        ids: IdSource,
        markets: Markets,
        users: Users,
        index: OrderIndex,
        holds: Holds,
        settlement: Settlement,
        parking: Parking,
        time: Timeline,
        refuse: Refusals,
    ) -> None:
        self._rules = rules
        self._intake = intake
        self._ids = ids
        self._markets = markets
        self._users = users
        self._index = index
        self._holds = holds
        self._settlement = settlement
        self._parking = parking
        self._time = time
        self._refuse = refuse
        self._hold = holds.ledger.hold  # (the hot path's)
        self._by_id = index.by_id
        self.max_active_per_symbol = rules.max_active_per_symbol
        self.max_active_per_account = rules.max_active_per_account
        self._strict = rules.strict  # (no plain order skips the rulebook's own rules)
        #: The orders of order lists, and what to tell when one's stop triggers (see
        #: :mod:`.order_lists`).
        self.links: Mapping[str, object] = {}
        self.on_link_triggered: Callable[[VenueOrder], None] = _ignore

    # ---------------------------------------------------------------- the venue's API

    def place_order(self, uid: str, params: OrderParams) -> OrderInfo:
        """Place an order; returns it after matching. Raises the ``exchanges`` error of the
        rule it breaks (a refused order leaves no trace)."""
        user = self._users.get(uid)
        now = self._time.sync()
        order = self._intake.from_params(
            user, params, now, stop=params.stop is not None or params.stop_price is not None
        )
        self.submit(order)
        return order_info(order)

    def place_stop_order(self, uid: str, params: OrderParams) -> OrderInfo:
        """Place a stop order (``stop_price`` required; ``stop`` derived by the rulebook when
        absent); it holds nothing until triggered."""
        if params.stop_price is None:
            raise self._refuse.bad("stopPrice is required")
        return self.place_order(uid, params)

    def test_order(self, uid: str, params: OrderParams) -> str:
        """Validate everything (balance included) without placing; returns the order id it
        would have had (a placeholder)."""
        user = self._users.get(uid)
        now = self._time.sync()
        is_stop = params.stop is not None or params.stop_price is not None
        order = self._intake.from_params(user, params, now, stop=is_stop, test=True)
        self.check_limits(order)
        if not is_stop:
            currency, amount = self._holds.hold_for(order)
            wallet = user.account.trade.get(currency)
            available = wallet.available if wallet is not None else Decimal(0)
            if amount > available or (amount == 0 and available <= 0):
                raise self._refuse(Reason.BALANCE_INSUFFICIENT)
        return order.id

    def place_orders(self, uid: str, batch: Iterable[OrderParams]) -> list[OrderInfo | ExchangeError]:
        """Each order independently; a refusal is returned in its slot."""
        results: list[OrderInfo | ExchangeError] = []
        for params in batch:
            try:
                results.append(self.place_order(uid, params))
            except ExchangeError as err:
                results.append(err)
        return results

    # ---------------------------------------------------------------- the steps

    def check_limits(self, order: VenueOrder) -> None:
        """The active-order caps, and no other active order with the client id."""
        user = order.user
        symbol = order.mkt.spec.symbol
        if user.counts.get(symbol, 0) >= self.max_active_per_symbol:
            raise self._refuse(
                Reason.TOO_MANY_ORDERS_SYMBOL,
                f"at most {self.max_active_per_symbol} active orders on {symbol}",
                limit=self.max_active_per_symbol,
                symbol=symbol,
            )
        if len(user.active) >= self.max_active_per_account:
            raise self._refuse(
                Reason.TOO_MANY_ORDERS_ACCOUNT,
                f"at most {self.max_active_per_account} active orders in all",
                limit=self.max_active_per_account,
            )
        stops = self._rules.max_stops_per_symbol
        if stops is not None and order.stop:
            held = sum(1 for o in user.active.values() if o.stop and o.mkt.spec.symbol == symbol)
            if held >= stops:
                raise self._refuse(
                    Reason.TOO_MANY_STOP_ORDERS,
                    f"at most {stops} stop orders on {symbol}",
                    limit=stops,
                    symbol=symbol,
                )
        coid = order.client_oid
        if coid is not None and isinstance(user.by_coid.get(coid), VenueOrder):  # (an active one)
            raise self._refuse(Reason.DUPLICATE_CLIENT_ID)

    def register(self, o: VenueOrder) -> VenueOrder | Archived | None:
        """Make ``o`` known (by id, as active, counted, by client id); returns the order
        that had its client id before (to restore if ``o`` is refused)."""
        oid = o.id
        user = o.user
        self._index.by_id[oid] = o
        user.active[oid] = o
        counts = user.counts
        symbol = o.mkt.spec.symbol
        counts[symbol] = counts.get(symbol, 0) + 1
        coid = o.client_oid
        if coid is None:
            return None
        by_coid = user.by_coid
        earlier = by_coid.get(coid)
        by_coid[coid] = o
        return earlier

    def submit(self, o: VenueOrder) -> None:
        """Check, hold, register, and hand to the engine (or park it)."""
        self.check_limits(o)
        is_stop = bool(o.stop)
        if not is_stop:
            self._holds.take(o)
        earlier = self.register(o)
        mkt = o.mkt
        if mkt.external and not is_stop:
            self._settlement.on_accepted(Accepted(o, self._time.now))
            self._parking.park(o)
            return
        mkt.book.submit(o, self._time.now)
        if o.status == REJECTED and not is_stop:
            self._unregister_coid(o, earlier)
            self._raise_rejection(o)

    def place_request(
        self,
        user: UserState,
        mkt: MarketState,
        request: OrderRequest,
        ticks: int,
        lots: int,
        client_oid: str,
        now: int,
        plain: bool,
        no_options: bool,
        symbol: str,
        /,
    ) -> Order:
        """Place a typed request whose amounts the caller checked against the pair's rules
        (``ticks``, ``lots``) and whose client id it checked, at venue time ``now`` (after
        a sync); returns it as ``exchanges.Order`` (``symbol`` as the caller spells it).

        ``plain`` (a GTC limit order with no option: every bot's common case) takes the
        paper exchange's hot path, one call deep: :meth:`check_limits`,
        :meth:`Holds.take_limit` and :meth:`register` written out in line, in the same
        order and with the same outcomes (``tests/simulator/test_paper_fast_path.py`` holds
        the two paths to each other, state for state, on a matched market and on an
        external one, where it is parked as :meth:`submit` parks it). An order that meets
        a cap or an active client id goes through :meth:`submit` itself, which refuses it."""
        if not plain or self._strict:
            general = self._intake.from_request(user, now, mkt, request, ticks, lots, client_oid, no_options)
            self.submit(general)
            return to_order(general, symbol)
        spec = mkt.spec
        if not spec.enable_trading:
            raise self._refuse(Reason.SYMBOL_NOT_TRADING, f"{spec.symbol} is not trading")
        native = spec.symbol
        rates = user.rates.get(native)
        if rates is None:
            rates = self._users.rates(user, mkt)
        is_buy = request.side is _BUY
        oid = self._ids.order_id(now)
        order = VenueOrder(oid, user, mkt, is_buy, ticks, lots, 0, now, rates, client_oid)
        counts = user.counts
        active = user.active
        by_coid = user.by_coid
        earlier = by_coid.get(client_oid)
        if (
            counts.get(native, 0) >= self.max_active_per_symbol
            or len(active) >= self.max_active_per_account
            or isinstance(earlier, VenueOrder)  # (an active order has this client id)
        ):
            self.submit(order)  # (raises)
            return to_order(order, symbol)
        # Holds.take_limit, in line
        if is_buy:
            units = ticks * lots
            value = mkt.values.get(units)
            if value is None:
                value = mkt.value(units)
            need = mul(value, user.hold_factors[native])  # (its rates are the user's current ones)
            currency = spec.quote_currency
        else:
            size = mkt.sizes.get(lots)
            need = mkt.size(lots) if size is None else size
            currency = spec.base_currency
        account = user.account
        context = order.hold_context = (native, oid, "") if account.keep_ledger else None
        self._hold(account, currency, need, now, context)  # (InsufficientFunds: no trace left)
        order.hold_left = need
        # register, in line
        self._by_id[oid] = order
        active[oid] = order
        counts[native] = counts.get(native, 0) + 1
        by_coid[client_oid] = order
        if mkt.external:  # parked for a replay to fill, as submit parks it
            self._settlement.on_accepted(Accepted(order, now))
            self._parking.park(order)
            return plain_limit(order, symbol, request.side, ticks, lots, now)
        mkt.book.submit(order, now)
        if order.status == REJECTED:
            self._unregister_coid(order, earlier)
            self._raise_rejection(order)
        if order.status >= FILLED or order.filled:  # (done or touched: the general mapping)
            return to_order(order, symbol)
        return plain_limit(order, symbol, request.side, ticks, lots, now)

    @staticmethod
    def _unregister_coid(o: VenueOrder, earlier: object) -> None:
        """A refused order leaves no trace: not even as the latest with its client id."""
        coid = o.client_oid
        if earlier is not None and coid is not None:
            o.user.by_coid[coid] = earlier  # type: ignore[assignment]

    def _raise_rejection(self, o: VenueOrder) -> None:
        reason = o.reason
        if reason == "post_only":
            raise self._refuse(Reason.POST_ONLY_WOULD_TAKE)
        if reason == "price_band":
            mkt = o.mkt
            book = mkt.book
            rate = mkt.spec.price_limit_rate
            if o.is_buy:
                ref = book.best_ask if book.best()[1] is not None else book.last_price
                limit = mkt.scale.price(ref) * (ONE + rate)
                side = "buy"
            else:
                ref = book.best_bid if book.best()[0] is not None else book.last_price
                limit = mkt.scale.price(ref) * (ONE - rate)
                side = "sell"
            raise self._refuse(
                Reason.PRICE_OUT_OF_BAND,
                f"a {side} at that price is beyond the price band (limit {limit.normalize():f})",
                side=side,
                limit=limit.normalize(),
            )
        raise self._refuse(Reason.ORDER_REJECTED, f"order rejected: {reason}", engine_reason=reason)

    def admit(self, o: object) -> str | None:
        """A stop order triggered: hold for it now, or reject it (the books' ``admit``). A
        GTT stop's lifetime counts from here, when it enters the book as an ordinary order."""
        assert isinstance(o, VenueOrder)
        if self.links and o.id in self.links:
            self.on_link_triggered(o)
        try:
            self._holds.take(o)
        except InsufficientFunds:
            return "insufficient_funds"
        if o.cancel_after is not None:
            o.expire_at = self._time.now + o.cancel_after * 1000
        return None


def _ignore(_o: VenueOrder) -> None:
    return None
