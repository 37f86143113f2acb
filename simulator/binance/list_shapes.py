"""Binance's JSON shapes of order lists (NOTES 7.6, 7.9, 13.2): the list object of
placements, cancels and queries (``transactionTime``, ``listStatusType``,
``listOrderStatus``, ``orders``, and ``orderReports`` where the answer carries them) and
the user stream's ``listStatus`` event."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from simulator.venue import ListInfo, OrderInfo

__all__ = ["list_event", "list_object", "with_reports"]

_STATUS_TYPES = {"exec_started": "EXEC_STARTED", "updated": "EXEC_STARTED", "all_done": "ALL_DONE"}


def _done(info: ListInfo) -> bool:
    return info.status == "all_done"


def list_object(info: ListInfo, name: str, time: int | None = None) -> dict[str, Any]:
    """The list without its reports (queries): ``time`` is the answer's ``transactionTime``
    (the list's last change when not given)."""
    done = _done(info)
    return {
        "orderListId": info.id,
        "contingencyType": info.contingency,
        "listStatusType": "ALL_DONE" if done else "EXEC_STARTED",
        "listOrderStatus": "ALL_DONE" if done else "EXECUTING",
        "listClientOrderId": info.client_id,
        "transactionTime": info.updated_at if time is None else time,
        "symbol": name,
        "orders": [
            {"symbol": name, "orderId": int(o.id), "clientOrderId": o.client_oid or ""} for o in info.orders
        ],
    }


def with_reports(
    info: ListInfo, name: str, time: int, report: Callable[[OrderInfo], dict[str, Any]]
) -> dict[str, Any]:
    """The list as a placement or a cancel answers it, each order shaped by ``report``."""
    out = list_object(info, name, time)
    out["orderReports"] = [report(o) for o in info.orders]
    return out


def list_event(info: ListInfo, name: str, change: str, time: int) -> dict[str, Any]:
    """The ``listStatus`` event of a change of the list (after its orders' reports)."""
    orders: Sequence[OrderInfo] = info.orders
    return {
        "e": "listStatus",
        "E": time,
        "s": name,
        "g": info.id,
        "c": info.contingency,
        "l": _STATUS_TYPES.get(change, "EXEC_STARTED"),
        "L": "ALL_DONE" if _done(info) else "EXECUTING",
        "r": "NONE",
        "C": info.client_id,
        "T": time,
        "O": [{"s": name, "i": int(o.id), "c": o.client_oid or ""} for o in orders],
    }
