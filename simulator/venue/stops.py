"""The stop-order layer of the venue: listing, lookup and cancelling of stop orders
(placing them is :meth:`~simulator.venue.placing.Placing.place_stop_order`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from exchanges import OrderNotFound, OrderType, Side
from simulator.engine import PENDING
from simulator.venue.cancels import Cancels
from simulator.venue.orders import VenueOrder, order_info
from simulator.venue.paging import order_filter
from simulator.venue.records import OrderInfo
from simulator.venue.state import UserState

__all__ = ["Stops"]


class Stops(Cancels):
    """KuCoin's stop-order endpoints."""

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
        user = self._user(uid)
        self.sync()
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
        user = self._user(uid)
        self.sync()
        if order_id is not None:
            order = self._lookup(order_id)
            if order is None or order.user is not user or not order.stop:
                raise self._error(OrderNotFound, "stop order not exist.", "400100")
            return order_info(order)
        found = self._find(user, None, None, client_oid)
        if not found.stop:
            raise self._error(OrderNotFound, "stop order not exist.", "400100")
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
        user = self._user(uid)
        now = self.sync()
        order = self._find_active(user, symbol, order_id, client_oid)
        if order.status != PENDING:
            raise self._error(OrderNotFound, "stop order not exist or already triggered", "400100")
        self._cancel(order, now)
        return order_info(order)

    def cancel_stop_orders(
        self, uid: str, *, symbol: str | None = None, order_ids: Iterable[str] | None = None
    ) -> list[str]:
        """Cancel waiting stop orders (all, one symbol's, or those listed); their ids."""
        now = self.sync()
        user = self._user(uid)
        waiting = self._waiting_stops(user, order_filter(symbol, order_ids=order_ids))
        for o in waiting:
            self._cancel(o, now)
        return [o.id for o in waiting]

