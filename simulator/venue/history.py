"""Reading a user's orders and fills: one by id or client id, the open ones, and the
done-order and fill listings (newest first, ``lastId`` cursors)."""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter

from exchanges import OrderType, Side
from simulator.engine import FLAG_MARKET, PENDING
from simulator.venue.orders import A_DONE_ID, A_FLAGS, A_IS_BUY, A_UPDATED_AT, Archived, FillRecord
from simulator.venue.paging import below, newest_first, order_filter
from simulator.venue.records import FillInfo, OrderInfo, Page
from simulator.venue.registry import Markets, OrderIndex, Users
from simulator.venue.snapshots import fill_info, order_info
from simulator.venue.timeline import Timeline

__all__ = ["History"]


class History:
    """Reading a user's orders and fills."""

    def __init__(self, markets: Markets, users: Users, index: OrderIndex, time: Timeline) -> None:
        self._markets = markets
        self._users = users
        self._index = index
        self._time = time

    def get_order(
        self,
        uid: str,
        symbol: str | None = None,
        *,
        order_id: str | None = None,
        client_oid: str | None = None,
    ) -> OrderInfo:
        """One order by id, or the latest with that clientOid; ``OrderNotFound`` if none."""
        user = self._users.get(uid)
        self._time.sync()
        return order_info(self._index.find(user, symbol, order_id, client_oid))

    def active_orders(self, uid: str, symbol: str | None = None, *, stops: bool = False) -> list[OrderInfo]:
        """Open orders, newest first (waiting stop orders only with ``stops``)."""
        user = self._users.get(uid)
        self._time.sync()
        return [
            order_info(o)
            for o in reversed(list(user.active.values()))
            if (symbol is None or o.mkt.spec.symbol == symbol) and (stops or o.status != PENDING)
        ]

    def active_symbols(self, uid: str) -> list[str]:
        """Symbols where the user has open (non-stop) orders."""
        user = self._users.get(uid)
        self._time.sync()
        seen: dict[str, None] = {}
        for o in user.active.values():
            if o.status != PENDING:
                seen.setdefault(o.mkt.spec.symbol, None)
        return list(seen)

    def done_orders(
        self,
        uid: str,
        symbol: str,
        *,
        side: Side | str | None = None,
        type: OrderType | str | None = None,
        start: int | None = None,
        end: int | None = None,
        last_id: int | None = None,
        limit: int = 20,
    ) -> Page[OrderInfo]:
        """Done orders of ``symbol``, most recently done first. ``last_id`` (the previous
        page's) continues with older ones; ``start``/``end`` bound the done time."""
        user = self._users.get(uid)
        self._time.sync()
        self._markets.get(symbol)
        is_buy = None if side is None else Side(side) is Side.BUY
        market = None if type is None else OrderType(type) is OrderType.MARKET

        def keep(done: Archived) -> bool:
            return (is_buy is None or done[A_IS_BUY] is is_buy) and (
                market is None or bool(done[A_FLAGS] & FLAG_MARKET) is market
            )

        rows = newest_first(
            below(user.done.get(symbol, ()), last_id, _done_id),
            id_of=_done_id,
            time_of=_done_at,
            last_id=None,
            start=start,
            end=end,
            keep=keep,
            limit=limit,
        )
        return Page(
            items=tuple(order_info(self._index.revive(done)) for done in rows),
            last_id=rows[-1][A_DONE_ID] if rows else None,
        )

    def fills(
        self,
        uid: str,
        symbol: str | None = None,
        *,
        order_id: str | None = None,
        side: Side | str | None = None,
        type: OrderType | str | None = None,
        start: int | None = None,
        end: int | None = None,
        last_id: int | None = None,
        limit: int = 20,
    ) -> Page[FillInfo]:
        """The user's fills, newest first, with the same cursor rules as done orders."""
        user = self._users.get(uid)
        self._time.sync()
        if symbol is not None:
            self._markets.get(symbol)
        keep = order_filter(symbol, side, type, None if order_id is None else (order_id,))
        rows = newest_first(
            below(user.fills, last_id, _fill_id),
            id_of=_fill_id,
            time_of=_fill_time,
            last_id=None,
            start=start,
            end=end,
            keep=lambda f: keep(f.order),
            limit=limit,
        )
        return Page(items=tuple(map(fill_info, rows)), last_id=rows[-1].id if rows else None)


_done_id: Callable[[Archived], int] = itemgetter(A_DONE_ID)
_done_at: Callable[[Archived], int] = itemgetter(A_UPDATED_AT)


def _fill_id(f: FillRecord) -> int:
    return f.id


def _fill_time(f: FillRecord) -> int:
    return f.time
