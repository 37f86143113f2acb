"""The private topics' feeds (NOTES 9): an account's order events as ``orderChange`` frames
(``/spotMarket/tradeOrdersV2``, and ``/spotMarket/tradeOrders``, the same without
``received``), its stop orders as ``stopOrder`` frames (placed, triggered, cancelled while
waiting), and every change of its trade account as an ``account.balance`` frame.

Order frames are queued as the venue reports the event. Balance frames are read from the
account's ledger once the venue call that caused them has returned: one frame per ledger
line (a hold, a release, a trade, a fee), each with the balance after it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import orjson

from simulator.venue import FillInfo, LedgerEntry, OrderInfo, VenueEvent

from . import ws_render as render
from .ws_topics import BALANCE, ORDERS_V1, ORDERS_V2, STOP_ORDERS, TopicKind

if TYPE_CHECKING:
    from .ws_hub import WsHub

__all__ = ["PrivateFeeds"]

#: How often subscribed accounts are looked at for balance changes no order event announced.
BALANCE_CHECK_S = 0.5
_PAGE = 200


def _frame(topic: str, subject: str, uid: int, data: object, frame_id: str | None = None) -> str:
    out: dict[str, object] = {"type": "message", "topic": topic, "subject": subject}
    if frame_id is not None:
        out["id"] = frame_id
    out.update(userId=str(uid), channelType="private", data=data)
    return orjson.dumps(out).decode()


class PrivateFeeds:
    def __init__(self, hub: WsHub) -> None:
        self._hub = hub
        self._venue = hub.venue
        self._fills: dict[str, FillInfo] = {}  # order id -> its latest fill, for the match frame
        self._sizes: dict[str, Decimal] = {}  # order id -> its size before an update
        self._ledgers: dict[int, int] = {}  # uid -> the newest ledger line published
        self._dirty: set[int] = set()
        self._next_check = 0.0

    def joined(self, kind: TopicKind, uid: int, first: bool) -> None:
        if kind is BALANCE and first:
            self._ledgers[uid] = self._newest_line(uid)

    def left(self, prefix: str, uid: int) -> None:
        if prefix == BALANCE.prefix:
            self._ledgers.pop(uid, None)
            self._dirty.discard(uid)

    # --- orders ----------------------------------------------------------------------------------

    def on_event(self, event: VenueEvent) -> None:
        try:
            uid = int(event.uid or "")
        except ValueError:  # (a user of the venue that is no account of this facade)
            return
        if uid in self._ledgers:
            self._dirty.add(uid)
        hub = self._hub
        v2 = f"{ORDERS_V2.prefix}#{uid}"
        v1 = f"{ORDERS_V1.prefix}#{uid}"
        stops = f"{STOP_ORDERS.prefix}#{uid}"
        if not (hub.subscribed(v2) or hub.subscribed(v1) or hub.subscribed(stops)):
            return
        if event.fill is not None:
            self._fills[event.fill.order_id] = event.fill
        elif event.order is not None:
            self._order(uid, event.order, event.change, event.time, v2, v1, stops)

    def _order(self, uid: int, o: OrderInfo, change: str, time: int, v2: str, v1: str, stops: str) -> None:
        hub = self._hub
        waiting = o.stop is not None and not o.stop_triggered
        if waiting or change == "triggered":
            kind = {"received": "open", "triggered": "triggered"}.get(change, "cancel")
            stop = render.stop_order(o, kind, time)
            hub.publish(stops, _frame(STOP_ORDERS.prefix, STOP_ORDERS.subject, uid, stop))
            if change != "triggered":
                return
            change = "received"  # (it enters the matcher now, as a new order)
        fill = self._fills.pop(o.id, None) if change == "match" else None
        old = self._sizes.get(o.id)
        data = render.order_change(o, change, time, fill, old)
        if data is not None:
            text = _frame(ORDERS_V2.prefix, ORDERS_V2.subject, uid, data)
            hub.publish(v2, text)
            if change != "received":
                hub.publish(v1, _frame(ORDERS_V1.prefix, ORDERS_V1.subject, uid, data))
        if o.active:
            self._sizes[o.id] = o.deal_size + o.remain_size
        else:
            self._sizes.pop(o.id, None)
            self._fills.pop(o.id, None)

    # --- balances --------------------------------------------------------------------------------

    def tick(self, now: float) -> None:
        if self._ledgers and now >= self._next_check:
            self._next_check = now + BALANCE_CHECK_S
            self._dirty.update(self._ledgers)

    def flush(self) -> None:
        if not self._dirty:
            return
        dirty, self._dirty = self._dirty, set()
        for uid in dirty:
            if uid in self._ledgers:
                self._publish_lines(uid)

    def _newest_line(self, uid: int) -> int:
        lines = self._venue.ledger(str(uid), account_type="trade", include_holds=True, limit=1)
        return lines[0].id if lines else 0

    def _publish_lines(self, uid: int) -> None:
        mark = self._ledgers[uid]
        venue = self._venue
        lines: list[LedgerEntry] = []  # newest first
        last_id: int | None = None
        while True:
            page = venue.ledger(
                str(uid), account_type="trade", include_holds=True, limit=_PAGE, last_id=last_id
            )
            fresh = [e for e in page if e.id > mark]
            lines.extend(fresh)
            if len(fresh) < len(page) or len(page) < _PAGE:
                break
            last_id = page[-1].id
        if not lines:
            return
        self._ledgers[uid] = lines[0].id
        holds: dict[str, Decimal] = {}
        after: list[tuple[LedgerEntry, Decimal]] = []
        for line in lines:
            hold = holds.get(line.currency)
            if hold is None:
                hold = venue.balance(str(uid), line.currency).holds
            after.append((line, hold))
            holds[line.currency] = hold - line.hold_delta
        key = f"{BALANCE.prefix}#{uid}"
        for line, hold in reversed(after):
            data = render.balance(line, hold)
            self._hub.publish(key, _frame(BALANCE.prefix, BALANCE.subject, uid, data, str(line.id)))
