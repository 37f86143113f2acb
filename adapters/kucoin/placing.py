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


class Placer:
    """Sends placements through ``client`` and reconciles lost answers with ``reconciler``."""

    def __init__(self, client: KucoinClient, reconciler: Reconciler, max_attempts: int) -> None:
        self._client = client
        self.reconciler = reconciler
        self._max_attempts = max_attempts

    async def _pause(self) -> None:
        if self.reconciler.delay > 0:
            await self._client.clock.sleep(self.reconciler.delay)

    async def send(
        self, ep: Endpoint, body: Mapping[str, Any], *, symbol: str, client_oid: str, find: Finder
    ) -> tuple[Any, Order | None]:
        """``(answer, None)`` when KuCoin answered the placement; ``(None, order)`` when the
        answer was lost and the order was found by its clientOid."""
        attempts = 0
        lost_before = False
        while True:
            attempts += 1
            try:
                return await self._client.call(ep, ep.path, body=body, retry_rate_limit=True), None
            except RequestNotSent:
                if attempts >= self._max_attempts:
                    raise
                await self._pause()
                continue
            except RateLimitExceeded:  # KuCoin refused it (the client already waited and retried)
                raise
            except DuplicateClientOrderId as exc:
                if not lost_before:  # the caller's own clientOid is in use: their problem
                    raise
                # an earlier send did land after all, and the order is active
                found = await self.reconciler.lookup(
                    find, symbol=symbol, client_oid=client_oid, cause=exc, exists=True
                )
                return None, found
            except NetworkError as exc:
                lost = exc
            lost_before = True
            found = await self.reconciler.lookup(find, symbol=symbol, client_oid=client_oid, cause=lost)
            if found is not None:
                return None, found
            if attempts >= self._max_attempts:
                raise _unconfirmed(symbol, client_oid, attempts, lost)

    async def confirm(
        self, find: Finder, *, symbol: str, client_oid: str, order_id: str, cause: ExchangeError
    ) -> Order:
        """An order KuCoin said it placed, read back however long its reads lag; else
        ``OrderOutcomeUnknown`` carrying its order id."""
        found = await self.reconciler.lookup(
            find, symbol=symbol, client_oid=client_oid, order_id=order_id, cause=cause, exists=True
        )
        assert found is not None  # (exists=True: found, or OrderOutcomeUnknown)
        return found

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
                    outcomes.update(
                        (item.index, _unconfirmed(item.request.symbol, item.client_oid, attempt, exc))
                        for item in pending
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

    async def confirm_or_unknown(
        self, find: Finder, symbol: str, client_oid: str, cause: ExchangeError, *, exists: bool
    ) -> Outcome:
        """The order, or the error saying what is known: refused only when KuCoin said often
        enough that it does not hold it."""
        try:
            found = await self.reconciler.lookup(
                find, symbol=symbol, client_oid=client_oid, cause=cause, exists=exists
            )
        except OrderOutcomeUnknown as unknown:
            return unknown
        return found if found is not None else cause


def _unconfirmed(symbol: str, client_oid: str, sends: int, cause: NetworkError) -> OrderOutcomeUnknown:
    """Every send lost its answer, and each time KuCoin said it did not know the order. That
    is proof enough to resend, not to give up with a retryable error: a read lagging longer
    than the lookups waited hid the order each time, and the resends' duplicate refusals
    were lost too."""
    error = OrderOutcomeUnknown(
        f"placement of clientOid {client_oid!r} on {symbol} has an unknown outcome: each of its "
        f"{sends} sends lost its answer ({type(cause).__name__}: {cause}), and KuCoin said it did not "
        "know the order after each, which a read lagging long enough also says",
        symbol=symbol,
        client_order_id=client_oid,
        venue=VENUE,
    )
    error.__cause__ = cause
    return error
