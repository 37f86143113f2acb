"""Linked orders (order lists): one-cancels-the-other pairs, and a working order whose
fill places pending ones (one-triggers-the-other), venue-neutral.

An OCO pair ends together: once either leg trades (even in part), its stop triggers or it
ends, the other leg ends at once, inside the same matching step, before the call returns
(``oco``: expired by its sibling; ``canceled`` when the owner cancelled a leg). An OTO list's
pending orders are placed once the working order has filled whole (after the matching that
filled it, before the call returns: the matcher is never entered while it walks a book),
and end with it when it ends otherwise (``oto``). An OTO whose pending orders are an OCO pair
is the OTOCO. Pending orders hold nothing until placed.

Settlement, placement and the venue's cancels call in only for orders of a list
(:attr:`OrderLists.by_order`), so a venue with no list pays nothing for them.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import attrs

from exchanges import ExchangeError
from simulator.engine import CANCELED, FILLED, NEW
from simulator.venue.broadcast import Broadcast
from simulator.venue.cancels import Cancels
from simulator.venue.intake import Intake
from simulator.venue.orders import VenueOrder
from simulator.venue.params import OrderParams
from simulator.venue.placing import Placement
from simulator.venue.records import ListInfo, VenueEvent
from simulator.venue.refusals import Reason, Refusals
from simulator.venue.registry import OrderIndex, Users
from simulator.venue.settlement import Settlement
from simulator.venue.snapshots import order_info
from simulator.venue.state import UserState
from simulator.venue.timeline import Timeline

__all__ = ["OCO", "OTO", "PENDING_REASON", "OrderLists"]

OCO = "OCO"
OTO = "OTO"
#: The ``reason`` of a pending order not yet placed (it shows as waiting, not as working).
PENDING_REASON = "pending"
_EXECUTING = "executing"
_ALL_DONE = "all_done"


@attrs.define(eq=False)
class _List:
    id: int
    user: UserState
    symbol: str
    contingency: str
    client_id: str
    created_at: int
    updated_at: int
    members: list[VenueOrder]  # every order, in the list's order
    pair: list[VenueOrder]  # the live one-cancels-the-other legs (none yet, or none left)
    working: VenueOrder | None = None
    pending: list[VenueOrder] = attrs.Factory(list)  # not placed yet
    done: bool = False
    placing: bool = True  # (its events wait until the placement has answered)


class OrderLists:
    """The venue's order lists: placing, cancelling, reading, and the links that end or
    place one order when another trades, triggers or ends."""

    def __init__(
        self,
        users: Users,
        index: OrderIndex,
        intake: Intake,
        placement: Placement,
        cancels: Cancels,
        settlement: Settlement,
        broadcast: Broadcast,
        time: Timeline,
        refuse: Refusals,
        max_per_symbol: int | None,
    ) -> None:
        self._users = users
        self._index = index
        self._intake = intake
        self._placement = placement
        self._cancels = cancels
        self._settlement = settlement
        self._broadcast = broadcast
        self._time = time
        self._refuse = refuse
        self.max_per_symbol = max_per_symbol
        self._ids = itertools.count(1)
        #: Every list order's list, by order id (the links' hooks look here first).
        self.by_order: dict[str, _List] = {}
        self._lists: dict[int, _List] = {}
        self._open: dict[str, dict[int, _List]] = {}  # uid -> open lists by id
        self._by_client: dict[tuple[str, str], _List] = {}  # (uid, list client id) -> latest
        settlement.links = self.by_order
        settlement.on_link_matched = self.matched
        settlement.on_link_closed = self.closed
        placement.links = self.by_order
        placement.on_link_triggered = self.triggered

    # ---------------------------------------------------------------- placing

    def place_oco(self, uid: str, legs: Sequence[OrderParams], client_id: str) -> ListInfo:
        """Two orders, one cancelling the other; both checked before either is placed."""
        if len(legs) != 2:
            raise self._refuse.bad("an OCO has two orders")
        return self._place(uid, OCO, [], legs, client_id)

    def place_oto(
        self, uid: str, working: OrderParams, pending: Sequence[OrderParams], client_id: str
    ) -> ListInfo:
        """A working order and pending orders placed once it fills whole (two pending orders
        are an OCO pair)."""
        if len(pending) not in (1, 2):
            raise self._refuse.bad("an OTO has one pending order or an OCO pair")
        return self._place(uid, OTO, [working], pending, client_id)

    def _place(
        self,
        uid: str,
        contingency: str,
        working: Sequence[OrderParams],
        rest: Sequence[OrderParams],
        client_id: str,
    ) -> ListInfo:
        user = self._users.get(uid)
        now = self._time.sync()
        orders = [
            self._intake.from_params(user, p, now, stop=p.stop is not None or p.stop_price is not None)
            for p in (*working, *rest)
        ]
        symbol = orders[0].mkt.spec.symbol
        if any(o.mkt.spec.symbol != symbol for o in orders):
            raise self._refuse.bad("every order of a list is on one symbol")
        self._check_room(user, symbol, orders, client_id)
        lst = _List(next(self._ids), user, symbol, contingency, client_id, now, now, orders, [])
        for o in orders:
            o.list_id = lst.id
        if working:
            lst.working = orders[0]
            lst.pending = orders[1:]
            live = [orders[0]]
        else:
            lst.pair = orders
            live = orders
        for o in live:
            self._placement.check_limits(o)  # (raises before anything is placed)
        for o in lst.pending:
            o.reason = PENDING_REASON
            self._index.by_id[o.id] = o  # (found by id while it waits; never active)
        self._file(lst)
        placed: list[VenueOrder] = []
        try:
            for o in sorted(live, key=lambda o: bool(o.stop)):  # (what holds first: it may fail)
                if o.status != NEW:  # (ended already, by a sibling placed before it)
                    continue
                self._placement.submit(o)
                placed.append(o)
        except ExchangeError:
            self._unfile(lst, placed, now)
            raise
        finally:
            lst.placing = False
        self._emit(lst, "exec_started")
        if lst.done:  # (it ran its course while placed: an OTO's working order filled, say)
            self._emit(lst, "all_done")
        elif lst.working is not None and lst.pair:
            self._emit(lst, "updated")
        return self.info(lst)

    def _check_room(self, user: UserState, symbol: str, orders: list[VenueOrder], client_id: str) -> None:
        """Room for the list's live orders and for one more list; no open list with its
        client id; no two orders with one client id."""
        cap = self.max_per_symbol
        mine = self._open.get(user.uid, {})
        if cap is not None and sum(1 for lst in mine.values() if lst.symbol == symbol) >= cap:
            raise self._refuse(
                Reason.TOO_MANY_ORDER_LISTS,
                f"at most {cap} open order lists on {symbol}",
                limit=cap,
                symbol=symbol,
            )
        if any(lst.client_id == client_id for lst in mine.values()):
            raise self._refuse(Reason.DUPLICATE_CLIENT_ID, "an open order list has this client id")
        coids = [o.client_oid for o in orders if o.client_oid is not None]
        if len(set(coids)) != len(coids):
            raise self._refuse(Reason.DUPLICATE_CLIENT_ID)
        limit = self._placement.max_active_per_symbol
        if user.counts.get(symbol, 0) + len(orders) > limit:
            raise self._refuse(
                Reason.TOO_MANY_ORDERS_SYMBOL,
                f"at most {limit} active orders on {symbol}",
                limit=limit,
                symbol=symbol,
            )

    def _file(self, lst: _List) -> None:
        self._lists[lst.id] = lst
        self._open.setdefault(lst.user.uid, {})[lst.id] = lst
        self._by_client[(lst.user.uid, lst.client_id)] = lst
        for o in lst.members:
            self.by_order[o.id] = lst

    def _unfile(self, lst: _List, placed: list[VenueOrder], now: int) -> None:
        """A list refused part-way: what was placed ends, the rest is forgotten."""
        lst.done = True
        for o in placed:
            if o.status < FILLED:
                self._cancels.cancel(o, now)
        for o in lst.members:
            if o.reason == PENDING_REASON and self._index.by_id.get(o.id) is o:
                del self._index.by_id[o.id]
            if o not in placed:
                self.by_order.pop(o.id, None)
        self._open[lst.user.uid].pop(lst.id, None)
        if not placed:
            del self._lists[lst.id]
            self._by_client.pop((lst.user.uid, lst.client_id), None)

    # ---------------------------------------------------------------- cancelling and reading

    def cancel(self, uid: str, list_id: int | None = None, client_id: str | None = None) -> ListInfo:
        """Cancel an open list: every order of it still live or waiting ends cancelled."""
        now = self._time.sync()
        lst = self._find(uid, list_id, client_id)
        if lst.done:
            raise self._refuse(Reason.ORDER_LIST_NOT_FOUND)
        self._end_all(lst, now, "canceled")
        return self.info(lst)

    def get(self, uid: str, list_id: int | None = None, client_id: str | None = None) -> ListInfo:
        self._time.sync()
        return self.info(self._find(uid, list_id, client_id))

    def lists(self, uid: str, *, open_only: bool = False) -> list[ListInfo]:
        """``uid``'s lists (open ones only, if asked), oldest first."""
        self._time.sync()
        if open_only:
            rows = list(self._open.get(uid, {}).values())
        else:
            rows = [lst for lst in self._lists.values() if lst.user.uid == uid]
        return [self.info(lst) for lst in sorted(rows, key=lambda lst: lst.id)]

    def _find(self, uid: str, list_id: int | None, client_id: str | None) -> _List:
        user = self._users.get(uid)
        if list_id is not None:
            lst = self._lists.get(list_id)
        elif client_id is not None:
            lst = self._by_client.get((uid, client_id))
        else:
            raise self._refuse.bad("pass an order list id or its client id")
        if lst is None or lst.user is not user:
            raise self._refuse(Reason.ORDER_LIST_NOT_FOUND)
        return lst

    def info(self, lst: _List) -> ListInfo:
        orders = []
        for o in lst.members:
            live = self._index.lookup(o.id)
            orders.append(order_info(live if live is not None else o))
        return ListInfo(
            id=lst.id,
            client_id=lst.client_id,
            uid=lst.user.uid,
            symbol=lst.symbol,
            contingency=lst.contingency,
            status=_ALL_DONE if lst.done else _EXECUTING,
            created_at=lst.created_at,
            updated_at=lst.updated_at,
            orders=tuple(orders),
        )

    # ---------------------------------------------------------------- the links

    def matched(self, o: VenueOrder) -> None:
        """``o`` (of a list) traded: an OCO sibling ends at once."""
        lst = self.by_order[o.id]
        if not lst.done and o in lst.pair:
            self._end_pair(lst, o, "oco")

    def triggered(self, o: VenueOrder) -> None:
        """``o``'s stop triggered, before it holds anything: an OCO sibling ends first (its
        hold released for the triggered leg)."""
        lst = self.by_order[o.id]
        if not lst.done and o in lst.pair:
            self._end_pair(lst, o, "oco")

    def closed(self, o: VenueOrder) -> None:
        """``o`` (of a list) ended."""
        lst = self.by_order[o.id]
        if lst.done:
            return
        now = self._time.now
        if o in lst.pair:
            self._end_pair(lst, o, "canceled" if o.reason == "canceled" else "oco")
        elif o in lst.pending:  # (cancelled before it was placed)
            self._end_all(lst, now, "canceled")
        elif o is lst.working:
            if o.status == FILLED:
                book = o.mkt.book
                if o.mkt.external:
                    self._activate(lst)
                else:
                    book.defer(lambda: self._activate(lst))
            else:
                self._end_all(lst, now, "canceled" if o.reason == "canceled" else "oto")

    def _end_pair(self, lst: _List, trigger: VenueOrder, reason: str) -> None:
        now = self._time.now
        lst.done = True  # (first: the siblings' own ends come back here)
        for sibling in lst.pair:
            if sibling is not trigger:
                self._end(sibling, now, reason)
        self._finish(lst, now)

    def _end_all(self, lst: _List, now: int, reason: str) -> None:
        lst.done = True
        for o in lst.members:
            self._end(o, now, reason)
        self._finish(lst, now)

    def _end(self, o: VenueOrder, now: int, reason: str) -> None:
        if o.reason == PENDING_REASON:  # never placed: it ends where it waits
            o.status = CANCELED
            o.reason = reason
            o.remaining = 0
            self._settlement.close(o, now)
        elif o.id in o.user.active and o.status < FILLED:
            self._cancels.cancel(o, now, reason)

    def _finish(self, lst: _List, now: int) -> None:
        """The list has ended (once: a second call finds it no longer open)."""
        lst.updated_at = now
        lst.pending = []
        if self._open.get(lst.user.uid, {}).pop(lst.id, None) is not None:
            self._emit(lst, "all_done")

    def _activate(self, lst: _List) -> None:
        """The working order filled whole: its pending orders are placed (an OCO pair's
        legs linked from now on)."""
        if lst.done:
            return
        now = self._time.now
        pending, lst.pending = lst.pending, []
        if len(pending) == 2:
            lst.pair = pending
        else:
            lst.done = True
        for o in pending:
            if o.status != NEW:  # (ended by a sibling that triggered on entry, or refused)
                continue
            o.reason = None
            try:
                self._placement.submit(o)
            except ExchangeError:  # (funds, caps): it ends at once, and its sibling with it
                o.status = CANCELED
                o.reason = "rejected"
                o.remaining = 0
                self._settlement.close(o, now)
        lst.updated_at = now
        if lst.done:
            self._finish(lst, now)
        else:
            self._emit(lst, "updated")

    def _emit(self, lst: _List, change: str) -> None:
        if self._broadcast.listeners and lst.user.keep_history and not lst.placing:
            info = self.info(lst)
            self._broadcast.emit(
                VenueEvent(kind="list", change=change, time=self._time.now, uid=info.uid, order_list=info)
            )
