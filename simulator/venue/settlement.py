"""Settlement: what the engine reports becomes balances, ledger lines, order and fill
records, public prints, candles and subscriber events. It consumes the books' events and
touches no book."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from exchanges import Side
from simulator.engine import (
    FILLED,
    REJECTED,
    Accepted,
    Amended,
    Canceled,
    Event,
    Filled,
    Matched,
    Opened,
    Rejected,
    Triggered,
)
from simulator.ledger import Accounts
from simulator.ledger.money import add, mul, sub
from simulator.venue.broadcast import Broadcast
from simulator.venue.holds import Holds, ledger_context
from simulator.venue.ids import IdSource
from simulator.venue.orders import A_CLIENT_OID, A_ID, Archived, FillRecord, VenueOrder, archive, tidy
from simulator.venue.records import PublicTrade, VenueEvent
from simulator.venue.registry import OrderIndex
from simulator.venue.snapshots import fill_info, order_info
from simulator.venue.state import MarketState, UserState

__all__ = ["Settlement", "public_trade"]

ZERO = Decimal(0)
_t = tidy


class Settlement:
    """The books' listener (:meth:`on_event`) and the bookkeeping of trades.

    ``max_done_per_symbol`` done orders and at least ``max_fills_per_user`` fills are kept
    per user: once a user has half as many fills again, the older ones are dropped down to
    that (KuCoin, too, answers fill queries for a limited past only), so a long-running
    venue stays bounded.
    """

    __slots__ = (
        "_received",
        "broadcast",
        "holds",
        "ids",
        "index",
        "ledger",
        "links",
        "max_done_per_symbol",
        "max_fills_per_user",
        "on_link_closed",
        "on_link_matched",
    )

    def __init__(
        self,
        ledger: Accounts,
        holds: Holds,
        index: OrderIndex,
        ids: IdSource,
        broadcast: Broadcast,
        *,
        max_done_per_symbol: int,
        max_fills_per_user: int = 200_000,
    ) -> None:
        self.ledger = ledger
        self.holds = holds
        self.index = index
        self.ids = ids
        self.broadcast = broadcast
        self.max_done_per_symbol = max_done_per_symbol
        self.max_fills_per_user = max_fills_per_user
        #: "received" events held back until the engine's next word on their order (which
        #: follows at once): an order refused on entry never existed for its owner, so its
        #: subscribers never hear of it.
        self._received: dict[str, VenueEvent] = {}
        #: The orders of order lists (by id), and what to tell when one trades or ends
        #: (see :mod:`.order_lists`; empty and unused while the venue has no list).
        self.links: Mapping[str, object] = {}
        self.on_link_matched: Callable[[VenueOrder], None] = _ignore
        self.on_link_closed: Callable[[VenueOrder], None] = _ignore

    def on_event(self, event: Event) -> None:
        _HANDLERS[type(event)](self, event)

    def _emit_order(self, o: VenueOrder, change: str, time: int) -> None:
        if o.user.keep_history:
            if self._received:
                self._release(o)
            self.broadcast.emit(
                VenueEvent(kind="order", change=change, time=time, uid=o.uid, order=order_info(o))
            )

    def _release(self, o: VenueOrder) -> None:
        held = self._received.pop(o.id, None)
        if held is not None:
            self.broadcast.emit(held)

    def on_accepted(self, ev: Accepted) -> None:
        if self.broadcast.listeners:
            o = ev.order
            assert isinstance(o, VenueOrder)
            if not o.user.keep_history:
                return
            event = VenueEvent(kind="order", change="received", time=ev.time, uid=o.uid, order=order_info(o))
            if o.stop or o.mkt.external:  # (it waits for a trigger or a replayed print: it exists)
                self.broadcast.emit(event)
            else:
                self._received[o.id] = event

    def on_opened(self, ev: Opened) -> None:
        o = ev.order
        assert isinstance(o, VenueOrder)
        o.updated_at = ev.time
        if self.broadcast.listeners:
            self._emit_order(o, "open", ev.time)

    def on_triggered(self, ev: Triggered) -> None:
        o = ev.order
        assert isinstance(o, VenueOrder)
        o.trigger_time = ev.time
        o.updated_at = ev.time
        if self.broadcast.listeners:
            self._emit_order(o, "triggered", ev.time)

    def on_amended(self, ev: Amended) -> None:
        o = ev.order
        assert isinstance(o, VenueOrder)
        o.updated_at = ev.time
        o.view = None  # its price or size may have changed
        if o.status < FILLED and o.hold_left:
            self.holds.trim(o)
        if self.broadcast.listeners:
            self._emit_order(o, "update", ev.time)

    def on_done(self, ev: Filled | Canceled | Rejected) -> None:
        o = ev.order
        assert isinstance(o, VenueOrder)
        self.close(o, ev.time)

    def close(self, o: VenueOrder, now: int) -> None:
        """``o`` has ended (filled, cancelled, expired or rejected) at ``now``: release what
        it still holds, take it off the active lists, and file it in the history."""
        o.updated_at = now
        o.view = None  # (fills may keep the object: not its cached Order fields too)
        user = o.user
        if o.hold_left:
            spec = o.mkt.spec
            currency = spec.quote_currency if o.is_buy else spec.base_currency
            self.ledger.release(user.account, currency, o.hold_left, now, o.hold_context)
            o.hold_left = ZERO
        if user.active.pop(o.id, None) is not None:
            user.counts[o.mkt.spec.symbol] -= 1
        if not user.keep_history or (o.status == REJECTED and not o.stop):
            # refused on entry (the caller gets an error), or nobody keeps it: no trace
            self._forget(o)
            if self._received:
                self._received.pop(o.id, None)
            if self.links and o.status != REJECTED and o.id in self.links:
                self.on_link_closed(o)
            return
        o.done_id = next(self.ids.done_ids)
        # the lookups keep it archived from now on (see orders.Archived)
        done = archive(o)
        oid = o.id
        orders = self.index.by_id
        if orders.get(oid) is o:
            orders[oid] = done
        coid = o.client_oid
        if coid is not None and user.by_coid.get(coid) is o:
            user.by_coid[coid] = done
        history = user.done[o.mkt.spec.symbol]
        history.append(done)
        if len(history) > self.max_done_per_symbol:
            self._forget_done(user, history.popleft())  # (or the lookups would grow forever)
        if self.broadcast.listeners:
            change = "filled" if o.status == FILLED else ("rejected" if o.status == REJECTED else "canceled")
            self._emit_order(o, change, now)
        if self.links and oid in self.links:
            self.on_link_closed(o)

    def _forget(self, o: VenueOrder) -> None:
        """Drop a done order that leaves no history from the lookups (by id, and by
        clientOid if it is the latest)."""
        orders = self.index.by_id
        if orders.get(o.id) is o:
            del orders[o.id]
        coid = o.client_oid
        if coid is not None and o.user.by_coid.get(coid) is o:
            del o.user.by_coid[coid]

    def _forget_done(self, user: UserState, done: Archived) -> None:
        """Drop a done order the history no longer keeps (by id, and by clientOid if it is
        the latest done order with it)."""
        oid = done[A_ID]
        orders = self.index.by_id
        if orders.get(oid) is done:
            del orders[oid]
        coid = done[A_CLIENT_OID]
        if coid is not None and user.by_coid.get(coid) is done:
            del user.by_coid[coid]

    def on_matched(self, ev: Matched) -> None:
        taker = ev.order
        maker = ev.maker
        assert isinstance(taker, VenueOrder) and isinstance(maker, VenueOrder)
        mkt = taker.mkt
        scale = mkt.scale
        now = ev.time
        price = scale.price(ev.price)
        size = scale.size(ev.size)
        funds = scale.funds(ev.funds)
        t_rate = taker.maker_rate if ev.taker_is_maker else taker.taker_rate
        m_rate = maker.taker_rate if ev.maker_pays_taker else maker.maker_rate
        trade_id = ev.trade_id
        if mkt.fees_received:  # each pays in what it receives: the buyer in base, on the size
            t_fee = mul(size if taker.is_buy else funds, t_rate)
            m_fee = mul(size if maker.is_buy else funds, m_rate)
        else:
            t_fee = mul(funds, t_rate)
            m_fee = mul(funds, m_rate)
        self.settle(taker, price, size, funds, t_fee, t_rate, ev.taker_is_maker, False, trade_id, maker, now)
        self.settle(
            maker,
            price,
            size,
            funds,
            m_fee,
            m_rate,
            not ev.taker_is_maker,
            ev.maker_pays_taker,
            trade_id,
            taker,
            now,
        )
        if mkt.fees_received:
            self.collect_fees(mkt, t_fee, trade_id, now, taker.is_buy)
            self.collect_fees(mkt, m_fee, trade_id, now, maker.is_buy)
        else:
            self.collect_fees(mkt, add(t_fee, m_fee), trade_id, now)
        if ev.taker_is_maker:  # (a post-only order met hidden liquidity: it is the maker)
            public_buy, maker_id, taker_id = maker.is_buy, taker.id, maker.id
        else:
            public_buy, maker_id, taker_id = taker.is_buy, maker.id, taker.id
        self.record_print(
            mkt, trade_id, ev.price, ev.size, ev.funds, public_buy, now, maker_id=maker_id, taker_id=taker_id
        )
        links = self.links
        if links:
            if taker.id in links:
                self.on_link_matched(taker)
            if maker.id in links:
                self.on_link_matched(maker)

    def collect_fees(
        self, mkt: MarketState, fees: Decimal, trade_id: int, now: int, from_buyer: bool = False
    ) -> None:
        """The fee collector takes ``fees`` in the quote currency, or (fees paid in the
        asset received) in what the payer received: the base currency for a buyer."""
        if fees:
            ctx = (mkt.spec.symbol, "", str(trade_id))
            spec = mkt.spec
            currency = spec.base_currency if from_buyer and mkt.fees_received else spec.quote_currency
            self.ledger.collect_fee(currency, fees, now, ctx)

    def record_print(
        self,
        mkt: MarketState,
        trade_id: int,
        price: int,
        lots: int,
        units: int,
        taker_buy: bool,
        now: int,
        *,
        maker_id: str = "",
        taker_id: str = "",
    ) -> None:
        row = (trade_id, price, lots, taker_buy, now)
        mkt.add_print(row, units)
        if self.broadcast.listeners:
            trade = public_trade(mkt, row, maker_id, taker_id)
            self.broadcast.emit(VenueEvent(kind="trade", change="match", time=now, trade=trade))

    def settle(
        self,
        o: VenueOrder,
        price: Decimal,
        size: Decimal,
        funds: Decimal,
        fee: Decimal,
        rate: Decimal,
        is_maker: bool,
        force_taker: bool,
        trade_id: int,
        counter: VenueOrder,
        now: int,
    ) -> None:
        user = o.user
        account = user.account
        spec = o.mkt.spec
        accounts = self.ledger
        ctx = ledger_context(o, str(trade_id))
        if o.is_buy and o.mkt.fees_received:  # the fee comes out of the base received
            accounts.spend_held(account, spec.quote_currency, funds, ZERO, now, ctx)
            o.hold_left = sub(o.hold_left, funds)
            if o.remaining:  # a limit buy held for its own price (it may have paid less)
                self.holds.trim(o)
            accounts.receive(account, spec.base_currency, sub(size, fee), fee, now, ctx)
        elif o.is_buy:
            cost = add(funds, fee)
            accounts.spend_held(account, spec.quote_currency, cost, fee, now, ctx)
            o.hold_left = sub(o.hold_left, cost)
            if o.remaining:  # a limit buy held for the dearer fee rate and its own price
                self.holds.trim(o)  # (it may have paid less): it holds what the rest needs
            accounts.receive(account, spec.base_currency, size, ZERO, now, ctx)
        else:
            accounts.spend_held(account, spec.base_currency, size, ZERO, now, ctx)
            o.hold_left = sub(o.hold_left, size)
            accounts.receive(account, spec.quote_currency, sub(funds, fee), fee, now, ctx)
        o.fee = add(o.fee, fee)
        o.updated_at = now
        if user.keep_history:
            record = FillRecord(
                self.ids.fill_id(),
                o,
                counter.id,
                trade_id,
                price,
                size,
                funds,
                fee,
                rate,
                is_maker,
                force_taker,
                now,
            )
            fills = user.fills
            fills.append(record)
            keep = self.max_fills_per_user
            if len(fills) > keep + keep // 2:
                del fills[: len(fills) - keep]  # (once per keep / 2 fills: amortised O(1))
            if self.broadcast.listeners:
                if self._received:
                    self._release(o)
                fill = fill_info(record)
                self.broadcast.emit(VenueEvent(kind="fill", change="match", time=now, uid=o.uid, fill=fill))
                self._emit_order(o, "match", now)


def _ignore(_o: VenueOrder) -> None:
    return None


def public_trade(
    mkt: MarketState, row: tuple[int, int, int, bool, int], maker_id: str = "", taker_id: str = ""
) -> PublicTrade:
    """One public print ``(trade_id, ticks, lots, taker_buy, time)`` of ``mkt`` (with the
    ids of its maker and taker orders where known)."""
    trade_id, price, lots, taker_buy, time = row
    return PublicTrade(
        symbol=mkt.spec.symbol,
        sequence=trade_id,
        trade_id=trade_id,
        price=_t(mkt.scale.price(price)),
        size=_t(mkt.scale.size(lots)),
        side=Side.BUY if taker_buy else Side.SELL,
        time=time,
        time_ns=time * 1_000_000,
        maker_order_id=maker_id,
        taker_order_id=taker_id,
    )


_HANDLERS: dict[type[Event], Callable[[Settlement, Any], None]] = {
    Matched: Settlement.on_matched,
    Filled: Settlement.on_done,
    Canceled: Settlement.on_done,
    Rejected: Settlement.on_done,
    Amended: Settlement.on_amended,
    Triggered: Settlement.on_triggered,
    Opened: Settlement.on_opened,
    Accepted: Settlement.on_accepted,
}
