"""History queries: KuCoin's cursor and page paging, and its per-query time windows."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any, TypeVar

from .client import KucoinClient
from .endpoints import Endpoint

__all__ = ["CLOCK_ERROR_MS", "cursor", "pages", "unique", "windows"]

_T = TypeVar("_T")

#: How far KuCoin's clock may run ahead of the client's estimate of it (the offset is
#: measured now and then; the local clock drifts): a history read with an open end reaches
#: that far past the estimate, so that the newest orders, fills and ledger lines are never
#: cut off.
CLOCK_ERROR_MS = 10_000


def windows(start: int | None, end: int | None, span: int, now: int) -> list[tuple[int | None, int | None]]:
    """Split ``[start, end]`` into windows KuCoin answers in one query, newest first."""
    if span <= 0:
        raise ValueError(f"window span must be positive, got {span}")
    if start is None and end is None:
        return [(None, None)]
    if end is None:
        end = now
    if start is None:
        start = end - span
    if end <= start:
        return []
    out: list[tuple[int | None, int | None]] = []
    hi = end
    while hi > start:
        lo = max(start, hi - span)
        out.append((lo, hi))
        hi = lo
    return out


async def cursor(
    client: KucoinClient,
    ep: Endpoint,
    path: str,
    query: Mapping[str, object],
    limit: int | None,
    page_max: int,
) -> list[Mapping[str, Any]]:
    """HF cursor paging: ``lastId`` from each page asks for the next older one."""
    items: list[Mapping[str, Any]] = []
    last_id: object = None
    while True:
        page = page_max if limit is None else max(1, min(page_max, limit - len(items)))
        data = await client.call(ep, path, query={**query, "lastId": last_id, "limit": page})
        if isinstance(data, list):  # HF ledgers: a bare array, the cursor is the last id
            batch: list[Mapping[str, Any]] = data
            next_id: object = batch[-1].get("id") if batch else None
        else:
            batch = (data or {}).get("items") or []
            next_id = (data or {}).get("lastId")
        items.extend(batch)
        if limit is not None and len(items) >= limit:
            return items
        if len(batch) < page or not next_id or next_id == last_id:
            return items
        last_id = next_id


async def pages(
    client: KucoinClient,
    ep: Endpoint,
    path: str,
    query: Mapping[str, object],
    limit: int | None,
    page_size: int = 500,
) -> list[Mapping[str, Any]]:
    """Classic page paging (``currentPage`` / ``pageSize``)."""
    items: list[Mapping[str, Any]] = []
    page = 1
    while True:
        data = await client.call(ep, path, query={**query, "currentPage": page, "pageSize": page_size})
        batch = (data or {}).get("items") or []
        items.extend(batch)
        if limit is not None and len(items) >= limit:
            return items
        if not batch or page >= int((data or {}).get("totalPage") or 1):
            return items
        page += 1


def unique(values: Iterable[_T], key: Callable[[_T], Hashable]) -> list[_T]:
    seen: set[Hashable] = set()
    out = []
    for value in values:
        k = key(value)
        if k not in seen:
            seen.add(k)
            out.append(value)
    return out
