"""Sending placements so that a lost answer never turns into a second order.

Every placement carries a clientOid. What happens when its answer does not come back
depends on how it failed:

* no connection could be made (``RequestNotSent``): nothing reached KuCoin; resend;
* a 429: KuCoin refused it; the client waits for the pool and resends (a refusal, not a loss);
* anything else (timeout, reset, 5xx): KuCoin may have acted; the order is looked up by
  clientOid (:class:`~.reconcile.Reconciler`) and resent, with the same clientOid, only
  once KuCoin has said often enough that it does not know it. An unanswerable lookup
  ends in ``OrderOutcomeUnknown``, never in a retryable error; so does a placement whose
  every send lost its answer (a read lagging past the lookups says "not found" too).

A batch is the same, order by order: each order of a batch ends placed, refused or
unknown on its own, whatever happened to the others.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import attrs

from adapters.common.placing import PlacementGuard, unconfirmed
from exchanges import (
    DuplicateClientOrderId,
    ExchangeError,
    NetworkError,
    Order,
    OrderOutcomeUnknown,
    OrderRequest,
    RateLimitExceeded,
    RequestNotSent,
)

from .client import KucoinClient
from .endpoints import Endpoint
from .errors import VENUE, error_from_response
from .reconcile import Finder, Reconciler

__all__ = ["Outcome", "Pending", "Placer"]

Outcome = Order | ExchangeError


@attrs.frozen(slots=True)
class Pending:
    """One order of a batch: where its result goes, what was asked, and what is sent."""

    index: int
    request: OrderRequest
    client_oid: str
    body: Mapping[str, Any]


#: Turns a batch row KuCoin accepted (orderId, maybe status and dealSize) into the order.
Settle = Callable[[Pending, Mapping[str, Any]], Awaitable[Order]]


class Placer(PlacementGuard):
    """Sends placements through ``client`` and reconciles lost answers with ``reconciler``
    (the shared :class:`~adapters.common.PlacementGuard`, plus KuCoin's batches)."""

    def __init__(self, client: KucoinClient, reconciler: Reconciler, max_attempts: int) -> None:
        super().__init__(reconciler, max_attempts)
        self._client = client

    async def _pause(self) -> None:
        await self.pause()

    async def send(
        self, ep: Endpoint, body: Mapping[str, Any], *, symbol: str, client_oid: str, find: Finder
    ) -> tuple[Any, Order | None]:
        """``(answer, None)`` when KuCoin answered the placement; ``(None, order)`` when the
        answer was lost and the order was found by its clientOid."""

        async def attempt() -> Any:
            return await self._client.call(ep, ep.path, body=body, retry_rate_limit=True)

        return await self.place(attempt, symbol=symbol, client_oid=client_oid, find=find)

    async def send_batch(
        self,
        ep: Endpoint,
        make_body: Callable[[Sequence[Pending]], Mapping[str, Any]],
        items: Sequence[Pending],
        find: Callable[[Pending], Finder],
        settle: Settle,
    ) -> dict[int, Outcome]:
        """One batch, resent (what is still unplaced of it) after a lost answer; every
        order's own outcome by its index."""
        outcomes: dict[int, Outcome] = {}
        pending = list(items)
        resent = False
        for attempt in range(1, self._max_attempts + 1):
            try:
                data = await self._client.call(ep, ep.path, body=make_body(pending), retry_rate_limit=True)
            except RateLimitExceeded as exc:  # refused, not lost
                outcomes.update((item.index, exc) for item in pending)
                break
            except RequestNotSent as exc:
                if attempt == self._max_attempts:
                    outcomes.update((item.index, exc) for item in pending)
                    break
                await self._pause()
                continue
            except NetworkError as exc:
                pending = await self._reconcile_each(pending, find, exc, outcomes)
                if pending and attempt == self._max_attempts:
                    for item in pending:
                        outcomes[item.index] = unconfirmed(
                            self.reconciler, item.request.symbol, item.client_oid, attempt, exc
                        )
                    pending = []
                if not pending:
                    break
                resent = True
                continue
            await self._read_rows(data, pending, find, settle, outcomes, resent)
            break
        return outcomes

    async def _reconcile_each(
        self,
        pending: list[Pending],
        find: Callable[[Pending], Finder],
        cause: NetworkError,
        outcomes: dict[int, Outcome],
    ) -> list[Pending]:
        """Look every order of a lost batch up at once; those KuCoin does not know remain."""

        async def one(item: Pending) -> Outcome | None:
            try:
                return await self.reconciler.lookup(
                    find(item), symbol=item.request.symbol, client_oid=item.client_oid, cause=cause
                )
            except OrderOutcomeUnknown as unknown:
                return unknown

        found = await asyncio.gather(*(one(item) for item in pending))
        still = []
        for item, outcome in zip(pending, found, strict=True):
            if outcome is None:
                still.append(item)
            else:
                outcomes[item.index] = outcome
        return still

    async def _read_rows(
        self,
        data: Any,
        pending: list[Pending],
        find: Callable[[Pending], Finder],
        settle: Settle,
        outcomes: dict[int, Outcome],
        resent: bool,
    ) -> None:
        """Each row of an answered batch, matched to its order by position (KuCoin answers
        in the order asked; a refused row names no clientOid), or by clientOid when the
        answer has a different number of rows. An order the answer leaves out may still
        have been placed: it is looked up, never reported as refused."""
        rows = data.get("data") if isinstance(data, Mapping) else data
        rows = [row for row in rows or () if isinstance(row, Mapping)] if isinstance(rows, list) else []
        if len(rows) == len(pending):
            matched: dict[str, Mapping[str, Any]] = {
                item.client_oid: row for item, row in zip(pending, rows, strict=True)
            }
        else:
            matched = {str(row["clientOid"]): row for row in rows if row.get("clientOid")}

        async def one(item: Pending) -> Outcome:
            row = matched.get(item.client_oid)
            symbol, coid = item.request.symbol, item.client_oid
            if row is None:
                missing = ExchangeError("the batch answer left this order out", venue=VENUE)
                return await self.confirm_or_unknown(find(item), symbol, coid, missing, exists=False)
            ok = row.get("success") if "success" in row else row.get("status") == "success"
            if not ok:
                refusal = error_from_response(None, str(row.get("failMsg") or "order refused"))
                if resent and isinstance(refusal, DuplicateClientOrderId):  # an earlier send landed
                    return await self.confirm_or_unknown(find(item), symbol, coid, refusal, exists=True)
                return refusal
            try:
                return await settle(item, row)
            except ExchangeError as exc:
                return exc

        results = await asyncio.gather(*(one(item) for item in pending))
        outcomes.update((item.index, result) for item, result in zip(pending, results, strict=True))
