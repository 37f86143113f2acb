"""What amend keep-priority leaves behind (NOTES section 7.7): each order's amendments, for
``GET /api/v3/order/amendments`` and the ``MAX_NUM_ORDER_AMENDS`` cap, and the amend under
way whose ``executionReport`` (``x = "REPLACED"``) names its execution id."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import attrs

__all__ = ["MAX_AMENDS", "Amendment", "Amendments"]

#: Amendments an order may have (the ``MAX_NUM_ORDER_AMENDS`` filter's default).
MAX_AMENDS = 10


@attrs.frozen
class Amendment:
    symbol: str
    order_id: int
    execution_id: int
    orig_client_id: str
    new_client_id: str
    orig_qty: str
    new_qty: str
    time: int

    def row(self) -> dict[str, object]:
        return {
            "symbol": self.symbol,
            "orderId": self.order_id,
            "executionId": self.execution_id,
            "origClientOrderId": self.orig_client_id,
            "newClientOrderId": self.new_client_id,
            "origQty": self.orig_qty,
            "newQty": self.new_qty,
            "time": self.time,
        }


class Amendments:
    """Every account's amendments, by order; execution ids come from the dialect's one
    counter, so a REPLACED report's ``I`` is the amendment's ``executionId``."""

    def __init__(self, execution_ids: Iterator[int] | None = None) -> None:
        self.execution_ids = execution_ids if execution_ids is not None else itertools.count(1)
        self._by_order: dict[tuple[str, int], list[Amendment]] = {}
        #: Amends whose REPLACED report is still to be sent, by venue order id.
        self.replaced: dict[str, Amendment] = {}

    def count(self, uid: str, order_id: int) -> int:
        return len(self._by_order.get((uid, order_id), ()))

    def of(self, uid: str, order_id: int) -> list[Amendment]:
        return list(self._by_order.get((uid, order_id), ()))

    def add(self, uid: str, amendment: Amendment) -> None:
        self._by_order.setdefault((uid, amendment.order_id), []).append(amendment)
