"""KuCoin's history listings: newest first, filtered, paged by a ``lastId`` cursor."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import TypeVar

from exchanges import OrderType, Side
from simulator.venue.orders import VenueOrder

__all__ = ["below", "newest_first", "order_filter"]

T = TypeVar("T")


def newest_first(
    rows: Iterable[T],
    *,
    id_of: Callable[[T], int],
    time_of: Callable[[T], int],
    last_id: int | None,
    start: int | None,
    end: int | None,
    skip: Callable[[T], bool] | None = None,
    keep: Callable[[T], bool] | None = None,
    limit: int | None,
) -> list[T]:
    """One page of ``rows`` (given newest first): those with an id at or above ``last_id``
    belong to earlier pages; rows ``skip`` names are passed over; the listing stops at the
    first row older than ``start``, leaves out those newer than ``end``, and keeps what
    ``keep`` accepts; at most ``limit`` rows."""
    out: list[T] = []
    for row in rows:
        if last_id is not None and id_of(row) >= last_id:
            continue
        if skip is not None and skip(row):
            continue
        time = time_of(row)
        if start is not None and time < start:
            break
        if end is not None and time > end:
            continue
        if keep is not None and not keep(row):
            continue
        out.append(row)
        if limit is not None and len(out) >= limit:
            break
    return out


def below(rows: Sequence[T], last_id: int | None, id_of: Callable[[T], int]) -> Iterator[T]:
    """``rows`` (oldest first, ids ascending) with an id below ``last_id``, newest first.
    The cursor's place is found by bisection and the newer rows are skipped in C: paging
    through a long history costs O(n) in all, not O(n) a page."""
    end = len(rows) if last_id is None else bisect_left(rows, last_id, key=id_of)
    return islice(reversed(rows), len(rows) - end, None)


def order_filter(
    symbol: str | None = None,
    side: Side | str | None = None,
    type: OrderType | str | None = None,
    order_ids: Iterable[str] | None = None,
) -> Callable[[VenueOrder], bool]:
    """KuCoin's order filters as one predicate (``None`` matches anything)."""
    is_buy = None if side is None else Side(side) is Side.BUY
    otype = None if type is None else OrderType(type)
    wanted = None if order_ids is None else set(order_ids)

    def keep(o: VenueOrder) -> bool:
        return (
            (symbol is None or o.mkt.spec.symbol == symbol)
            and (is_buy is None or o.is_buy == is_buy)
            and (otype is None or o.otype is otype)
            and (wanted is None or o.id in wanted)
        )

    return keep
