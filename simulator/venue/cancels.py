"""Ending and changing orders: cancel, partial cancel, cancel all, amend in place, and alter
(cancel and replace), on the engine's book or on parked orders alike."""

from __future__ import annotations

from decimal import Decimal

from exchanges import Order, OrderStatus, OrderType, Side
from simulator.engine import CANCELED, FILLED, FLAG_HIDDEN, FLAG_ICEBERG, FLAG_POST_ONLY, PENDING
from simulator.ledger import Accounts
from simulator.ledger.money import add, mul, sub
from simulator.venue.amounts import Amounts
from simulator.venue.holds import Holds, limit_need
from simulator.venue.intake import Intake
from simulator.venue.orders import VenueOrder
from simulator.venue.params import OrderParams
from simulator.venue.parking import Parking
from simulator.venue.placing import Placement
from simulator.venue.records import CancelAllResult, OrderInfo
from simulator.venue.refusals import Reason, Refusals
from simulator.venue.registry import Markets, OrderIndex, Users
from simulator.venue.settlement import Settlement
from simulator.venue.snapshots import order_info
from simulator.venue.state import UserState
from simulator.venue.timeline import Timeline
from simulator.venue.to_order import build_order, to_order

__all__ = ["Cancels"]

ONE = Decimal(1)
ZERO = Decimal(0)
_CANCELED = OrderStatus.CANCELED


class Cancels:
    """Changing or ending a user's orders."""

    def __init__(
        self,
        markets: Markets,
        users: Users,
        index: OrderIndex,
        ledger: Accounts,
        holds: Holds,
        intake: Intake,
        placement: Placement,
        settlement: Settlement,
        parking: Parking,
        time: Timeline,
        amounts: Amounts,
        refuse: Refusals,
    ) -> None:
        self._markets = markets
        self._users = users
        self._index = index
        self._ledger = ledger
        self._holds = holds
        self._intake = intake
        self._placement = placement
        self._settlement = settlement
        self._close = settlement.close
        self._parking = parking
        self._time = time
        self._amounts = amounts
        self._refuse = refuse

    def cancel_order(
        self,
        uid: str,
        symbol: str | None = None,
        *,
        order_id: str | None = None,
        client_oid: str | None = None,
    ) -> OrderInfo:
        """Cancel an open order (or a waiting stop order) and return its final state.
        ``OrderNotFound`` (400100) if it is unknown, already done, or not this user's."""
        user = self._users.get(uid)
        now = self._time.sync()
        order = self._index.find_active(user, symbol, order_id, client_oid)
        self.cancel(order, now)
        return order_info(order)

    def cancel_partial(
        self, uid: str, symbol: str, order_id: str, cancel_size: Decimal | str | int
    ) -> OrderInfo:
        """Cancel ``cancel_size`` of an open order, keeping its place in the queue (all of
        what remains, or more, cancels the order)."""
        user = self._users.get(uid)
        now = self._time.sync()
        order = self._index.find_active(user, symbol, order_id, None)
        size = self._amounts.amount("cancelSize", cancel_size)
        lots = order.mkt.rules.lots(size, "cancelSize", check_limits=False)
        if order.status == PENDING:
            raise self._refuse.bad("partial cancel does not apply to stop orders")
        self._reduce(order, lots, now)
        return order_info(order)

    def cancel_all(
        self, uid: str, symbol: str | None = None, *, include_stops: bool = True
    ) -> CancelAllResult:
        """Cancel every open order of the user (on one symbol, or all); waiting stop
        orders too unless ``include_stops`` is false (KuCoin's HF cancel-all leaves them)."""
        user = self._users.get(uid)
        now = self._time.sync()
        if symbol is not None:
            self._markets.get(symbol)
        cancelled: list[str] = []
        touched: list[str] = []
        for order in list(user.active.values()):
            sym = order.mkt.spec.symbol
            if symbol is not None and sym != symbol:
                continue
            if order.status == PENDING and not include_stops:
                continue
            if order.status < FILLED:
                self.cancel(order, now)
                cancelled.append(order.id)
                if sym not in touched:
                    touched.append(sym)
        succeeded = (symbol,) if symbol is not None else tuple(touched)
        return CancelAllResult(succeeded=succeeded, cancelled_ids=tuple(cancelled))

    def alter_order(
        self,
        uid: str,
        symbol: str,
        *,
        order_id: str | None = None,
        client_oid: str | None = None,
        new_price: Decimal | str | int | None = None,
        new_size: Decimal | str | int | None = None,
    ) -> OrderInfo:
        """KuCoin's modify (``/api/v1/hf/orders/alter``): cancel the order and place a new
        one with the new price and/or size, keeping the other fields and the clientOid.
        ``new_size`` is the new total: the replacement's size is ``new_size`` minus what
        already filled; at or below that, the order simply ends. Returns the replacement
        (its ``id`` is KuCoin's ``newOrderId``), or the ended order."""
        user = self._users.get(uid)
        now = self._time.sync()
        old = self._index.find_active(user, symbol, order_id, client_oid)
        if old.otype is not OrderType.LIMIT or old.status == 0:
            raise self._refuse.bad("only open limit orders can be modified")
        if new_price is None and new_size is None:
            raise self._refuse.bad("newPrice or newSize is required")
        amount = self._amounts.amount
        scale = old.mkt.scale
        price = amount("newPrice", new_price) if new_price is not None else scale.price(old.price)
        # the total so far: what filled plus what still rests (a partial cancel or an STP
        # decrement took the rest away for good; a price-only modify must not bring it back)
        total = (
            amount("newSize", new_size) if new_size is not None else scale.size(old.filled + old.remaining)
        )
        filled = scale.size(old.filled)
        params = OrderParams(
            symbol=symbol,
            side=Side.BUY if old.is_buy else Side.SELL,
            type=OrderType.LIMIT,
            client_oid=old.client_oid,
            price=price,
            size=total - filled if total > filled else total,
            time_in_force=old.tif,
            cancel_after=old.cancel_after,
            post_only=bool(old.flags & FLAG_POST_ONLY),
            hidden=bool(old.flags & FLAG_HIDDEN),
            iceberg=bool(old.flags & FLAG_ICEBERG),
            visible_size=scale.size(old.visible) if old.flags & FLAG_ICEBERG else None,
            stp=old.stp_req,
            remark=old.remark,
            tags=old.tags,
        )
        if total <= filled:
            self.cancel(old, now, "amended")
            return order_info(old)
        replacement = self._intake.from_params(user, params, now)  # validate before cancelling
        self.cancel(old, now, "amended")
        self._placement.submit(replacement)
        return order_info(replacement)

    def amend_order(
        self,
        uid: str,
        symbol: str,
        order_id: str,
        *,
        new_price: Decimal | str | int | None = None,
        new_size: Decimal | str | int | None = None,
        client_oid: str | None = None,
    ) -> OrderInfo:
        """Amend an open limit order in place (same id): a smaller size keeps its queue
        priority; a larger size or a new price loses it (and may trade at once). Holds are
        adjusted first, so a costlier amend the balance cannot cover raises
        ``InsufficientFunds`` and leaves the order untouched. ``client_oid`` renames the
        order (Binance's amend gives it a new client id); another open order's is refused."""
        user = self._users.get(uid)
        now = self._time.sync()
        order = self._index.find_active(user, symbol, order_id, None)
        if order.otype is not OrderType.LIMIT or order.status == PENDING:
            raise self._refuse.bad("only open limit orders can be amended")
        if client_oid is not None and client_oid != order.client_oid:
            holder = user.by_coid.get(client_oid)
            if isinstance(holder, VenueOrder) and holder.id in user.active:
                raise self._refuse(Reason.DUPLICATE_CLIENT_ID)
        mkt = order.mkt
        price_ticks = None
        size_lots = None
        amount = self._amounts.amount
        if new_price is not None:
            price_ticks = mkt.rules.ticks(amount("newPrice", new_price), "newPrice")
        if new_size is not None:
            size_lots = mkt.rules.lots(amount("newSize", new_size), "newSize")
        remaining = order.remaining if size_lots is None else size_lots - order.filled
        if remaining > 0:
            price = mkt.scale.price(order.price if price_ticks is None else price_ticks)
            value = mul(price, mkt.scale.size(remaining + order.filled))
            if value < mkt.spec.min_funds:
                raise self._refuse(
                    Reason.FUNDS_BELOW_MIN,
                    f"funds {value} is below {mkt.spec.min_funds}",
                    limit=mkt.spec.min_funds,
                    currency=mkt.spec.quote_currency,
                )
            need = limit_need(order, order.price if price_ticks is None else price_ticks, remaining)
            extra = sub(need, order.hold_left)
            if extra > 0:
                self._ledger.hold(user.account, order.hold_currency, extra, now, order.hold_context)
                order.hold_left = add(order.hold_left, extra)
        if client_oid is not None and client_oid != order.client_oid:
            self._rename(user, order, client_oid)
        self._amend(order, now, price_ticks, size_lots)
        if order.status < FILLED:
            self._holds.trim(order)
        return order_info(order)

    @staticmethod
    def _rename(user: UserState, order: VenueOrder, client_oid: str) -> None:
        old = order.client_oid
        if old is not None and user.by_coid.get(old) is order:
            del user.by_coid[old]
        order.client_oid = client_oid
        order.view = None
        user.by_coid[client_oid] = order

    def cancel_request(
        self,
        user: UserState,
        native: str,
        order_id: str | None,
        client_oid: str | None,
        symbol: str,
        now: int,
        /,
    ) -> Order:
        """Cancel ``user``'s live order of ``native`` at venue time ``now`` (after a sync),
        and return it as ``exchanges.Order`` (``symbol`` as the caller spells it): the paper
        exchange's hot path, where :meth:`cancel` is written out in line."""
        order = None if order_id is None else user.active.get(order_id)
        if order is None or order.mkt.spec.symbol != native:
            order = self._index.find_active(user, native, order_id, client_oid)
        fixed = order.view  # (the fixed Order fields it cached, which its end lets go of)
        mkt = order.mkt  # (cancel, in line)
        if order.id in mkt.parked:
            self._parking.end(order, now, CANCELED, "canceled")
        else:
            book = mkt.book
            if book.cancel(order.id, now, "canceled", quiet=True) is not None:
                self._close(order, book.now)
        if fixed is not None and order.status == CANCELED and not order.filled:  # (untouched)
            return build_order(fixed, _CANCELED, ZERO, ZERO, ZERO, order.updated_at)
        return to_order(order, symbol)

    def cancel(self, o: VenueOrder, now: int, reason: str = "canceled") -> None:
        """End the live order ``o`` (in its book, parked, or waiting unplaced in an order
        list), settled at once."""
        mkt = o.mkt
        if o.id in mkt.parked:
            self._parking.end(o, now, CANCELED, reason)
        else:
            book = mkt.book
            if book.cancel(o.id, now, reason, quiet=True) is not None:
                self._settlement.close(o, book.now)
            elif o.status < FILLED and o.user.active.get(o.id) is not o:  # (a list's pending order)
                o.status = CANCELED
                o.reason = reason
                o.remaining = 0
                self._settlement.close(o, now)

    def _reduce(self, o: VenueOrder, lots: int, now: int) -> None:
        if o.id in o.mkt.parked:
            self._parking.reduce(o, lots, now)
        else:
            o.mkt.book.reduce(o.id, lots, now)

    def _amend(self, o: VenueOrder, now: int, price: int | None, size: int | None) -> None:
        if o.id in o.mkt.parked:
            self._parking.amend(o, now, price, size)
        else:
            o.mkt.book.amend(o.id, now, price=price, size=size)
