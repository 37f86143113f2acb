"""Stop orders: listing, lookup and cancelling (placing them is
:meth:`~simulator.venue.placing.Placement.place_stop_order`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from exchanges import OrderType, Side
from simulator.engine import PENDING
from simulator.venue.cancels import Cancels
from simulator.venue.orders import VenueOrder
from simulator.venue.paging import order_filter
from simulator.venue.records import OrderInfo
from simulator.venue.refusals import Reason, Refusals
from simulator.venue.registry import OrderIndex, Users
from simulator.venue.snapshots import order_info
from simulator.venue.state import UserState
from simulator.venue.timeline import Timeline

__all__ = ["Stops"]


class Stops:
    """Waiting stop orders."""

    def __init__(
        self, users: Users, index: OrderIndex, cancels: Cancels, time: Timeline, refuse: Refusals
    ) -> None:
        self._users = users
        self._index = index
        self._cancels = cancels
        self._time = time
        self._refuse = refuse

    def stop_orders(
        self,
        uid: str,
        *,
        symbol: str | None = None,
        side: Side | str | None = None,
        type: OrderType | str | None = None,
        start: int | None = None,
        end: int | None = None,
        order_ids: Iterable[str] | None = None,
    ) -> list[OrderInfo]:
        """Waiting (untriggered) stop orders, newest first."""
        user = self._users.get(uid)
        self._time.sync()
        keep = order_filter(symbol, side, type, order_ids)
        return [
            order_info(o)
            for o in reversed(self._waiting_stops(user, keep))
            if (start is None or o.created_at >= start) and (end is None or o.created_at <= end)
        ]

    @staticmethod
    def _waiting_stops(user: UserState, keep: Callable[[VenueOrder], bool]) -> list[VenueOrder]:
        """The user's untriggered stop orders that ``keep`` accepts, oldest first."""
        return [o for o in user.active.values() if o.status == PENDING and keep(o)]

    def get_stop_order(
        self, uid: str, *, order_id: str | None = None, client_oid: str | None = None
    ) -> OrderInfo:
        """A stop order (waiting, triggered or done) by id or clientOid."""
        user = self._users.get(uid)
        self._time.sync()
        if order_id is not None:
            order = self._index.lookup(order_id)
            if order is None or order.user is not user or not order.stop:
                raise self._refuse(Reason.STOP_ORDER_NOT_FOUND)
            return order_info(order)
        found = self._index.find(user, None, None, client_oid)
        if not found.stop:
            raise self._refuse(Reason.STOP_ORDER_NOT_FOUND)
        return order_info(found)

    def cancel_stop_order(
        self,
        uid: str,
        *,
        order_id: str | None = None,
        client_oid: str | None = None,
        symbol: str | None = None,
    ) -> OrderInfo:
        """Cancel a waiting stop order; ``OrderNotFound`` once triggered or done."""
        user = self._users.get(uid)
        now = self._time.sync()
        order = self._index.find_active(user, symbol, order_id, client_oid)
        if order.status != PENDING:
            raise self._refuse(Reason.STOP_ORDER_NOT_CANCELLABLE)
        self._cancels.cancel(order, now)
        return order_info(order)

    def cancel_stop_orders(
        self, uid: str, *, symbol: str | None = None, order_ids: Iterable[str] | None = None
    ) -> list[str]:
        """Cancel waiting stop orders (all, one symbol's, or those listed); their ids."""
        now = self._time.sync()
        user = self._users.get(uid)
        waiting = self._waiting_stops(user, order_filter(symbol, order_ids=order_ids))
        for o in waiting:
            self._cancels.cancel(o, now)
        return [o.id for o in waiting]
