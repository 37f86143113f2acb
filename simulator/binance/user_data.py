"""User data (NOTES section 13): each account's order changes as ``executionReport`` events
and its balances as ``outboundAccountPosition``, delivered to the WebSocket API
subscriptions of that account.

The venue tells its subscribers synchronously, in the middle of a call; the feed gathers
what one call told and sends it when the call is over (the event loop's next turn), so a
trade's report knows whether it filled the order, and the balances sent are those the call
left: one ``executionReport`` per order change (``NEW``, one ``TRADE`` per fill,
``CANCELED``/``EXPIRED``, ``REPLACED`` for an amend), then one ``outboundAccountPosition`` of
the assets touched. A stop order is ``NEW`` once when placed (not working); when it
triggers, a stop-limit is ``NEW`` again, now working on the book, and a stop-market, which
never rests, is heard of next by its trades.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from exchanges import OrderType
from simulator.venue import FillInfo, OrderInfo, VenueEvent

from . import serialize as ser
from .list_shapes import list_event
from .rulebook import STP_NAMES

if TYPE_CHECKING:
    from .app import BinanceFacade

__all__ = ["UserFeed", "execution_report"]

#: A subscriber: called with each event for its account.
Deliver = Callable[[dict[str, Any]], None]


class UserFeed:
    """Who hears which account, and the events of the venue call under way."""

    def __init__(self, facade: BinanceFacade) -> None:
        self.facade = facade
        self.venue = facade.venue
        self.subscribers: dict[str, set[Deliver]] = {}
        self.pending: list[VenueEvent] = []
        self.exec_ids = facade.amendments.execution_ids
        self._unsubscribe: Callable[[], None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def add(self, uid: str, deliver: Deliver) -> None:
        """``deliver`` hears ``uid``'s events (called on the serving event loop)."""
        self._loop = asyncio.get_running_loop()
        self.subscribers.setdefault(uid, set()).add(deliver)
        if self._unsubscribe is None:
            self._unsubscribe = self.venue.subscribe(self._on_event)

    def remove(self, uid: str, deliver: Deliver) -> None:
        subscribers = self.subscribers.get(uid)
        if subscribers is not None:
            subscribers.discard(deliver)
            if not subscribers:
                del self.subscribers[uid]
        if not self.subscribers and self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _on_event(self, event: VenueEvent) -> None:
        if event.kind == "trade" or event.uid not in self.subscribers:
            return
        if not self.pending and self._loop is not None:
            self._loop.call_soon_threadsafe(self.flush)
        self.pending.append(event)

    def flush(self) -> None:
        events, self.pending = self.pending, []
        touched: dict[str, set[str]] = {}
        fills: dict[str, FillInfo] = {}
        for i, event in enumerate(events):
            uid = event.uid
            assert uid is not None
            if event.kind == "fill" and event.fill is not None:
                fills[event.fill.order_id] = event.fill
                continue
            if event.order_list is not None:
                info = event.order_list
                name = self.facade.names.binance[info.symbol]
                self._deliver(uid, list_event(info, name, event.change, event.time))
                continue
            order = event.order
            if order is None:
                continue
            report = self._report(event, order, fills, events[i + 1 :])
            if report is None:
                continue
            self._deliver(uid, report)
            spec = self.venue.symbol(order.symbol)
            touched.setdefault(uid, set()).update((spec.base_currency, spec.quote_currency))
        for uid, assets in touched.items():
            self._deliver(uid, self._position(uid, assets))

    def _deliver(self, uid: str, event: dict[str, Any]) -> None:
        for deliver in list(self.subscribers.get(uid, ())):
            deliver(event)

    def _report(
        self, event: VenueEvent, order: OrderInfo, fills: dict[str, FillInfo], later: list[VenueEvent]
    ) -> dict[str, Any] | None:
        change = event.change
        if change == "received":
            return execution_report(self, order, "NEW", event.time)
        if change == "triggered":  # (a stop-limit starts working on the book; a stop-market trades)
            return execution_report(self, order, "NEW", event.time) if order.type is OrderType.LIMIT else None
        if change == "match":
            fill = fills.pop(order.id, None)
            filled = _ends_filled(order.id, later)
            return execution_report(self, order, "TRADE", event.time, fill, filled)
        if change == "update":
            amended = self.facade.amendments.replaced.pop(order.id, None)
            if amended is None:
                return None
            return execution_report(self, order, "REPLACED", event.time, exec_id=amended.execution_id)
        if change in ("canceled", "rejected"):
            status = ser.binance_status(order)
            kind = {"CANCELED": "CANCELED", "REJECTED": "REJECTED"}.get(status, "EXPIRED")
            cancel_id = self.facade.cancel_ids.pop(order.id, None)
            return execution_report(self, order, kind, event.time, cancel_id=cancel_id)
        return None

    def _position(self, uid: str, assets: set[str]) -> dict[str, Any]:
        rows = {r.currency: r for r in self.venue.accounts_of(uid, account_type="trade")}
        now = self.venue.now
        balances = [
            {"a": asset, "f": ser.dec(rows[asset].available), "l": ser.dec(rows[asset].holds)}
            for asset in sorted(assets)
            if asset in rows
        ]
        return {"e": "outboundAccountPosition", "E": now, "u": now, "B": balances}


def _ends_filled(order_id: str, later: list[VenueEvent]) -> bool:
    """Whether ``order_id`` is filled by this trade: its next event is its end as filled."""
    for event in later:
        if event.order is not None and event.order.id == order_id and event.kind == "order":
            return event.change == "filled"
    return False


def execution_report(
    feed: UserFeed,
    o: OrderInfo,
    kind: str,
    time: int,
    fill: FillInfo | None = None,
    filled: bool = False,
    cancel_id: str | None = None,
    exec_id: int | None = None,
) -> dict[str, Any]:
    """One ``executionReport`` of ``o`` (``kind``: NEW, TRADE, CANCELED, EXPIRED, REJECTED,
    REPLACED)."""
    dec = ser.dec
    name = feed.facade.names.binance[o.symbol]
    if kind == "NEW":
        status = "NEW"
    elif kind == "REPLACED":
        status = "PARTIALLY_FILLED" if o.deal_size else "NEW"
    elif kind == "TRADE":
        status = "FILLED" if filled else "PARTIALLY_FILLED"
    else:
        status = ser.binance_status(o)
    by_funds = o.type is OrderType.MARKET and o.size is None
    working = ser.working_time(o)
    report: dict[str, Any] = {
        "e": "executionReport",
        "E": time,
        "s": name,
        "c": cancel_id or o.client_oid or "",
        "S": o.side.value.upper(),
        "o": ser.binance_type(o),
        "f": o.time_in_force.value if o.type is not OrderType.MARKET else "GTC",
        "q": dec(o.size if o.size is not None else o.deal_size),
        "p": dec(o.price),
        "P": dec(o.stop_price),
        "F": dec(o.visible_size),
        "g": ser.list_id(o),
        "C": (o.client_oid or "") if cancel_id else "",
        "x": kind,
        "X": status,
        "r": "NONE",
        "i": int(o.id),
        "l": dec(fill.size if fill else None),
        "z": dec(o.deal_size),
        "L": dec(fill.price if fill else None),
        "n": dec(fill.fee) if fill else "0",
        "N": fill.fee_currency if fill else None,
        "T": time,
        "t": fill.trade_id if fill else -1,
        "I": exec_id if exec_id is not None else next(feed.exec_ids),
        "w": status in ("NEW", "PARTIALLY_FILLED") and working >= 0 and o.type is OrderType.LIMIT,
        "m": bool(fill and fill.liquidity.value == "maker"),
        "M": False,
        "O": o.created_at,
        "Z": dec(o.deal_funds),
        "Y": dec(fill.funds if fill else None),
        "Q": dec(o.funds if by_funds else None),
        "W": working,
        "V": STP_NAMES[o.stp],
    }
    if working < 0:  # (only once on the book)
        del report["W"]
    reason = ser.expiry_reason(o)
    if kind in ("EXPIRED", "CANCELED") and reason is not None:
        report["eR"] = reason
    return report
