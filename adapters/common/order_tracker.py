"""What the order stream has told about each order, so that orders only move forward and
each fill is told once. Pure.

Frames (of any venue), REST reads after a reconnect and the final read of a done order all
arrive here; one that would take an order back (an earlier state, less filled) or repeats
what is known is not told again.
"""

from __future__ import annotations

from collections import OrderedDict
from decimal import Decimal

from exchanges import Order

__all__ = ["OrderTracker"]


def _progress(order: Order) -> tuple[int, Decimal]:
    return order.status.rank, order.filled_size


class OrderTracker:
    """Orders by id (open ones always; done ones while there is room) and fills seen."""

    def __init__(self, *, limit: int = 10_000) -> None:
        self._orders: OrderedDict[str, Order] = OrderedDict()
        self._fills: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._limit = limit

    def __len__(self) -> int:
        return len(self._orders)

    def get(self, order_id: str) -> Order | None:
        return self._orders.get(order_id)

    def open_orders(self) -> list[Order]:
        return [o for o in self._orders.values() if o.is_open]

    def advance(self, order: Order) -> bool:
        """Keep ``order`` if it moves its order on (or refines a final state with what a
        REST read adds, such as the fee); whether it did."""
        known = self._orders.get(order.id)
        if known is not None:
            if _progress(order) < _progress(known):
                return False
            if known.status.is_done and not order.status.is_done:
                return False
            if (order.status, order.filled_size, order.filled_funds, order.size, order.fee) == (
                known.status,
                known.filled_size,
                known.filled_funds,
                known.size,
                known.fee,
            ):
                return False
        self._orders[order.id] = order
        self._orders.move_to_end(order.id)
        self._trim()
        return True

    def seed(self, order: Order) -> None:
        """Know ``order`` (from a REST read) without telling anyone."""
        self.advance(order)

    def first_fill(self, trade_id: str, order_id: str) -> bool:
        """True the first time a fill is seen."""
        key = (trade_id, order_id)
        if key in self._fills:
            return False
        self._fills[key] = None
        if len(self._fills) > self._limit:
            self._fills.popitem(last=False)
        return True

    def _trim(self) -> None:
        orders = self._orders
        if len(orders) <= self._limit:
            return
        for order_id in [k for k, o in orders.items() if not o.is_open][: len(orders) - self._limit]:
            del orders[order_id]
