"""Finding out whether a placement whose answer was lost reached the venue.

Venues promise no read-after-write: right after a placement, a query by client order id can
answer "not found" for an order that exists. One such answer proves nothing. Absence is
concluded only from ``confirmations`` not-found answers, spaced out in time; a question that
cannot be answered within ``max_queries`` lookups or by ``deadline`` (a lookup can take long:
it waits out its own timeouts and retries) ends in :class:`OrderOutcomeUnknown`, which is not
retryable, because a retryable error invites exactly the blind resend that doubles an order.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable

import attrs

from exchanges import Clock, ExchangeError, NetworkError, Order, OrderOutcomeUnknown

__all__ = ["Finder", "Reconciler"]

#: Looks the order up once: the order, or ``None`` when the venue says it does not know it.
Finder = Callable[[], Awaitable[Order | None]]

_MAX_PAUSE_S = 2.0


@attrs.frozen(slots=True, kw_only=True)
class Reconciler:
    """How hard to look before concluding. ``delay`` is the first pause; each next one
    doubles (up to two seconds, or ``delay`` if that is longer). ``venue`` tags the errors;
    ``label`` and ``id_name`` word them as the venue does (``KuCoin``, ``clientOid``)."""

    clock: Clock
    delay: float
    confirmations: int
    max_queries: int
    venue: str
    label: str
    id_name: str
    #: Seconds from the first pause to the verdict, lookups included.
    deadline: float = math.inf

    def _pause(self, query: int) -> float:
        return float(min(self.delay * 2**query, max(self.delay, _MAX_PAUSE_S)))

    def _left(self, ends: float) -> float:
        """Seconds until ``ends``, to the microsecond (a clock's seconds since the epoch, as a
        float, carry noise below it)."""
        return round(ends - self.clock.monotonic(), 6)

    async def lookup(
        self,
        find: Finder,
        *,
        symbol: str,
        client_oid: str,
        cause: ExchangeError,
        exists: bool = False,
        order_id: str | None = None,
    ) -> Order | None:
        """The order if the venue holds it; ``None`` once ``confirmations`` answers said it
        does not. ``exists=True`` means the venue is known to hold it (it refused a resend
        as a duplicate, or said it placed it): then "not found" is only lag, and the lookup
        ends with the order or with :class:`OrderOutcomeUnknown`."""
        absent = 0
        last_failure: ExchangeError | None = None
        ends = self.clock.monotonic() + self.deadline
        expired = False
        for query in range(self.max_queries):
            if self.delay > 0:
                await self.clock.sleep(min(self._pause(query), max(self._left(ends), 0.0)))
            try:
                found = await _within(self.clock, find(), self._left(ends))
            except _Expired:
                expired = True
                break
            except NetworkError as exc:
                last_failure = exc
                continue
            except ExchangeError as exc:  # refused (a key that may not read...): asking again will not do
                last_failure = exc
                break
            if found is not None:
                return found
            absent += 1
            if not exists and absent >= self.confirmations:
                return None
        if order_id is not None:
            what = f"{self.label} placed it as order {order_id}, which could not be read back"
        elif exists:
            what = f"{self.label} holds an order with this {self.id_name}, which could not be read back"
        else:
            what = f"{absent} of {self.confirmations} not-found answers needed to conclude it was not placed"
        detail = f"; last query failed: {last_failure}" if last_failure is not None else ""
        if expired:
            detail += f"; no verdict within the lookups' deadline of {self.deadline:g} s"
        raise OrderOutcomeUnknown(
            f"placement of {self.id_name} {client_oid!r} on {symbol} has an unknown outcome "
            f"(after {type(cause).__name__}: {cause}); {what}{detail}",
            symbol=symbol,
            client_order_id=client_oid,
            order_id=order_id,
            venue=self.venue,
        ) from cause


class _Expired(Exception):
    pass


async def _within(clock: Clock, lookup: Awaitable[Order | None], seconds: float) -> Order | None:
    """``lookup``'s answer if it comes within ``seconds`` on ``clock``; else it is abandoned
    and :class:`_Expired` raised (a lookup may wait out long timeouts and retries)."""
    if seconds == math.inf:
        return await lookup
    if seconds <= 0:
        if asyncio.iscoroutine(lookup):
            lookup.close()
        raise _Expired
    task = asyncio.ensure_future(lookup)
    timer = asyncio.ensure_future(clock.sleep(seconds))
    try:
        await asyncio.wait((task, timer), return_when=asyncio.FIRST_COMPLETED)
    finally:
        timer.cancel()
        if not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    if task.cancelled():
        raise _Expired
    return task.result()
