"""External matching (backtest replay): orders of an external symbol are validated and held
as usual, then parked for the replay to fill or end, as the engine would fill or end them."""

from __future__ import annotations

from decimal import Decimal
from heapq import heappop, heappush

from exchanges import Liquidity, TimeInForce
from simulator.engine import (
    CANCELED,
    EXPIRED,
    FILLED,
    FLAG_BY_FUNDS,
    FLAG_GTT,
    FLAG_ICEBERG,
    FLAG_MARKET,
    NEW,
    OPEN,
    PARTIAL,
    PENDING,
    Amended,
    Opened,
)
from simulator.ledger import Accounts
from simulator.ledger.money import add, mul, sub
from simulator.venue.amounts import Amounts
from simulator.venue.holds import Holds
from simulator.venue.ids import IdSource
from simulator.venue.orders import VenueOrder
from simulator.venue.records import FillInfo, OrderInfo
from simulator.venue.refusals import Reason, Refusals
from simulator.venue.registry import Markets, OrderIndex, Users
from simulator.venue.settlement import Settlement
from simulator.venue.snapshots import fill_info, order_info
from simulator.venue.state import MarketState
from simulator.venue.timeline import Timeline

__all__ = ["Parking"]

ZERO = Decimal(0)
_REPLAY_USER = "replay-market"


class Parking:
    """Parked orders of external symbols: parking, fills and ends decided outside the
    engine, and the GTT expiries of parked orders (a :class:`Deadlines` source)."""

    def __init__(
        self,
        markets: Markets,
        users: Users,
        index: OrderIndex,
        ledger: Accounts,
        holds: Holds,
        settlement: Settlement,
        ids: IdSource,
        time: Timeline,
        amounts: Amounts,
        refuse: Refusals,
    ) -> None:
        self._markets = markets
        self._users = users
        self._index = index
        self._ledger = ledger
        self._holds = holds
        self._settlement = settlement
        self._ids = ids
        self._time = time
        self._amounts = amounts
        self._refuse = refuse

    def set_external(self, symbol: str, external: bool = True) -> None:
        """Switch ``symbol`` to external matching: orders are validated and their holds
        taken as usual, then parked (never matched by the engine, market and crossing
        orders included) until :meth:`external_fill` / :meth:`external_end` settle them.
        A replay decides the fills; :meth:`record_trade` / :meth:`record_candle` feed the
        public data. Only allowed while the symbol has no resting or parked orders."""
        mkt = self._markets.get(symbol)
        self._time.sync()
        if mkt.book.resting_count or mkt.parked:
            raise self._refuse.bad(f"{symbol} has live orders; cancel them first")
        mkt.external = external
        mkt.book.divert = self.park if external else None

    def parked_orders(self, symbol: str) -> list[OrderInfo]:
        """External mode: live orders of ``symbol`` in time priority (oldest first); their
        ``created_at`` (or ``stop_trigger_time`` for triggered stops) is when they arrived."""
        mkt = self._markets.get(symbol)
        self._time.sync()
        return [order_info(o) for o in mkt.parked.values()]

    def parked_quotes(self, symbol: str) -> list[tuple[str, bool, Decimal | None]]:
        """:meth:`parked_orders` at a glance, for a matcher that runs on every replayed
        event: ``(id, is_buy, limit price or None for a market order)``, oldest first. It
        builds no snapshot; :meth:`parked_order` gives one for the orders that need it."""
        mkt = self._markets.get(symbol)
        self._time.sync()
        price = mkt.price
        return [
            (o.id, o.is_buy, None if o.flags & FLAG_MARKET else price(o.price)) for o in mkt.parked.values()
        ]

    def parked_order(self, order_id: str) -> OrderInfo:
        """The snapshot of one parked order (``OrderNotFound`` if it is not parked)."""
        return order_info(self._parked(order_id))

    def parked_arrival(self, order_id: str) -> tuple[int, TimeInForce]:
        """When a parked order reached the venue (its stop's trigger for a triggered stop,
        else its placing) and its time in force: what a replay needs of an order it sees
        for the first time, without building its snapshot."""
        o = self._parked(order_id)
        triggered = o.trigger_time if o.stop and o.status != PENDING else None
        tif = o.tif
        return triggered or o.created_at, tif if type(tif) is TimeInForce else TimeInForce(tif)

    def park(self, o: object) -> None:
        """Park ``o`` (its hold taken) instead of matching it: the books' ``divert``."""
        assert isinstance(o, VenueOrder)
        mkt = o.mkt
        now = self._time.now
        oid = o.id
        mkt.parked[oid] = o
        if o.flags & FLAG_MARKET:
            o.status = NEW
            return
        o.status = OPEN if not o.filled else PARTIAL
        if o.flags & FLAG_ICEBERG:
            o.shown = min(o.visible, o.remaining)
        if o.flags & FLAG_GTT and o.expire_at:
            heappush(mkt.parked_gtt, (o.expire_at, oid))
        self._settlement.on_opened(Opened(o, now))

    def _parked(self, order_id: str) -> VenueOrder:
        o = self._index.by_id.get(order_id)
        if not isinstance(o, VenueOrder) or o.id not in o.mkt.parked:
            raise self._refuse(Reason.ORDER_NOT_FOUND)
        return o

    def expire(self, mkt: MarketState, now: int) -> None:
        """End the parked GTT orders of ``mkt`` due at ``now``."""
        heap = mkt.parked_gtt
        while heap and heap[0][0] <= now:
            at, oid = heappop(heap)
            o = mkt.parked.get(oid)
            if o is not None and o.expire_at == at:
                self.end(o, now, EXPIRED, "expired")

    def end(self, o: VenueOrder, now: int, status: int, reason: str | None) -> None:
        """End the parked order ``o`` with ``status`` (settled as any order's end)."""
        del o.mkt.parked[o.id]
        o.status = status
        o.reason = reason
        if status != FILLED:
            o.remaining = 0
            o.shown = 0
        self._settlement.close(o, now)

    def reduce(self, o: VenueOrder, lots: int, now: int) -> None:
        """Partial cancel of a parked order (its place in time priority is kept)."""
        if lots >= o.remaining:
            self.end(o, now, CANCELED, "partial_cancel")
            return
        o.remaining -= lots
        if o.flags & FLAG_ICEBERG:
            o.shown = min(o.shown, o.remaining)
        self._settlement.on_amended(Amended(o, now, lots, o.price, "partial_cancel"))

    def amend(self, o: VenueOrder, now: int, price: int | None, size: int | None) -> None:
        """Amend a parked order as the engine would a resting one (a new price or a larger
        size moves it to the back of the time priority)."""
        new_price = o.price if price is None else price
        new_remaining = o.remaining if size is None else size - o.filled
        if new_remaining <= 0:
            self.end(o, now, CANCELED, "amended")
            return
        loses_priority = new_price != o.price or new_remaining > o.remaining
        cut = max(o.remaining - new_remaining, 0)
        old_price = o.price
        o.price = new_price
        o.remaining = new_remaining
        if size is not None:
            o.size = size
        if o.flags & FLAG_ICEBERG:
            o.shown = min(o.visible, o.remaining)
        if loses_priority:
            parked = o.mkt.parked
            del parked[o.id]
            parked[o.id] = o
        self._settlement.on_amended(Amended(o, now, cut, old_price, "amended"))

    def external_fill(
        self,
        order_id: str,
        price: Decimal | str | int,
        size: Decimal | str | int,
        liquidity: Liquidity | str,
        *,
        time: int | None = None,
    ) -> FillInfo | None:
        """Book a fill of a parked order decided outside the engine, exactly as an engine
        fill: balances, the maker or taker fee, ledger, order state, fill record, events.
        The counterparty is the replay's market (a system user funded as needed). An order
        that becomes completely filled ends. Returns the fill (``None`` for users that keep
        no history)."""
        self._time.sync()
        o = self._parked(order_id)
        mkt = o.mkt
        now = self._time.now if time is None else time
        liq = Liquidity(liquidity)
        p = self._amounts.amount("price", price)
        q = self._amounts.amount("size", size)
        ticks = mkt.rules.ticks(p, "price")
        lots = mkt.rules.lots(q, check_limits=False)
        if lots > o.remaining:
            raise self._refuse.bad(f"fill of {q} exceeds the order's remaining size")
        if not o.flags & FLAG_MARKET and (ticks > o.price if o.is_buy else ticks < o.price):
            raise self._refuse.bad(f"fill price {p} is beyond the order's limit")
        units = ticks * lots
        if o.funds_limit and o.filled_funds + units > o.funds_limit:
            raise self._refuse.bad("fill exceeds the order's funds")
        is_maker = liq is Liquidity.MAKER
        rate = o.maker_rate if is_maker else o.taker_rate
        scale = mkt.scale
        price_d, size_d, funds = scale.price(ticks), scale.size(lots), scale.funds(units)
        received = mkt.fees_received
        fee = mul(size_d if o.is_buy and received else funds, rate)
        if o.is_buy and (funds if received else add(funds, fee)) > o.hold_left:
            raise self._refuse(Reason.BALANCE_INSUFFICIENT, "fill costs more than the order holds")
        o.remaining -= lots
        o.filled += lots
        o.filled_funds += units
        if o.flags & FLAG_ICEBERG:
            o.shown = min(o.visible, o.remaining)
        if o.status < PARTIAL:
            o.status = PARTIAL
        counter = self._market_counterparty(mkt, o.is_buy, size_d, funds)
        trade_id = next(self._ids.trade_ids)
        fills = o.user.fills
        last_before = fills[-1] if fills else None
        self._settlement.settle(o, price_d, size_d, funds, fee, rate, is_maker, False, trade_id, counter, now)
        self._settlement.collect_fees(mkt, fee, trade_id, now, o.is_buy)
        if o.remaining == 0:
            self._end_spent(o, now)
        fill = fills[-1] if fills and fills[-1] is not last_before else None
        return fill_info(fill) if fill is not None else None

    def external_end(
        self, order_id: str, reason: str = "canceled", *, filled: bool = False, time: int | None = None
    ) -> OrderInfo:
        """End a parked order's remainder (IOC/FOK/market leftovers, releasing holds):
        ``filled=True`` ends it as filled. A market order by funds ends as the engine ends
        one, whatever is asked: filled if it dealt something and spent its funds (see
        :meth:`_funds_spent`), else cancelled (``reason``, or ``insufficient_funds`` when
        the replay found its funds spent)."""
        self._time.sync()
        o = self._parked(order_id)
        now = self._time.now if time is None else time
        if o.flags & FLAG_BY_FUNDS:
            self._end_by_funds(o, now, "insufficient_funds" if filled else reason)
        elif filled:
            self.end(o, now, FILLED, None)
        elif o.remaining == 0:
            self._end_spent(o, now)
        else:
            self.end(o, now, CANCELED, reason)
        return order_info(o)

    def _end_by_funds(self, o: VenueOrder, now: int, reason: str) -> None:
        if o.filled and self._holds.funds_spent(o):
            self.end(o, now, FILLED, None)
        else:
            self.end(o, now, CANCELED, reason)

    def _end_spent(self, o: VenueOrder, now: int) -> None:
        """End an order with nothing left: filled, or (part of it cancelled before, by a
        partial cancel) cancelled, as the matching engine ends a maker. A sell by funds
        that sold all it held ends as one by funds does."""
        if o.flags & FLAG_BY_FUNDS:
            self._end_by_funds(o, now, "insufficient_funds")
        elif o.filled == o.size:
            self.end(o, now, FILLED, None)
        else:
            self.end(o, now, CANCELED, "canceled")

    def _market_counterparty(
        self, mkt: MarketState, user_buys: bool, size: Decimal, funds: Decimal
    ) -> VenueOrder:
        """The replay's side of an external fill: a system user that delivers what the
        user buys (deposited as needed, so every currency stays accounted for)."""
        user = self._users.system(_REPLAY_USER)
        spec = mkt.spec
        account = user.account
        now = self._time.now
        if user_buys:
            give, get = spec.base_currency, spec.quote_currency
            amount, proceeds = size, funds
        else:
            give, get = spec.quote_currency, spec.base_currency
            amount, proceeds = funds, size
        ledger = self._ledger
        wallet = ledger.wallet(account, give)
        if wallet.available < amount:
            ledger.deposit(account, give, sub(amount, wallet.available), now)
        ledger.hold(account, give, amount, now)
        ledger.spend_held(account, give, amount, ZERO, now, None)
        ledger.receive(account, get, proceeds, ZERO, now, None)
        return VenueOrder("", user, mkt, not user_buys, 0, 0, FLAG_MARKET, now)

    # ---------------------------------------------------------------- deadlines

    def next_due(self) -> int | None:
        """The earliest expiry of a parked GTT order, or of a book's GTT order."""
        due: int | None = None
        for mkt in self._markets.by_symbol.values():
            nx = mkt.book.next_expiry()
            if nx is not None and (due is None or nx < due):
                due = nx
            if mkt.parked_gtt and (due is None or mkt.parked_gtt[0][0] < due):
                due = mkt.parked_gtt[0][0]
        return due

    def run_due(self, now: int) -> None:
        """Expire, market by market, the GTT orders due: in the book, then parked."""
        for mkt in self._markets.by_symbol.values():
            nx = mkt.book.next_expiry()
            if nx is not None and nx <= now:
                mkt.book.expire(now)
            if mkt.parked_gtt and mkt.parked_gtt[0][0] <= now:
                self.expire(mkt, now)
