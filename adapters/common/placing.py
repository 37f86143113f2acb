"""Sending one placement so that a lost answer never turns into a second order.

Every placement carries a client order id. What happens when its answer does not come back
depends on how it failed:

* no connection could be made (``RequestNotSent``): nothing reached the venue; resend;
* a rate-limit refusal (429, a ban): the venue refused it; the caller hears so;
* anything else (timeout, reset, 5xx, "execution status unknown"): the venue may have
  acted; the order is looked up by its client order id (:class:`Reconciler`) and resent,
  with the same id, only once the venue has said often enough that it does not know it.
  An unanswerable lookup ends in ``OrderOutcomeUnknown``, never in a retryable error; so
  does a placement whose every send lost its answer (a read lagging past the lookups says
  "not found" too).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from exchanges import (
    DuplicateClientOrderId,
    ExchangeError,
    NetworkError,
    Order,
    OrderOutcomeUnknown,
    RateLimitExceeded,
    RequestNotSent,
)

from .reconcile import Finder, Reconciler

__all__ = ["PlacementGuard", "unconfirmed"]

T = TypeVar("T")


class PlacementGuard:
    """Sends placements with ``max_attempts`` sends at most, reconciling lost answers."""

    def __init__(self, reconciler: Reconciler, max_attempts: int) -> None:
        self.reconciler = reconciler
        self._max_attempts = max_attempts

    @property
    def max_attempts(self) -> int:
        """Sends one request may take at most."""
        return self._max_attempts

    async def pause(self) -> None:
        if self.reconciler.delay > 0:
            await self.reconciler.clock.sleep(self.reconciler.delay)

    async def place(
        self, attempt: Callable[[], Awaitable[T]], *, symbol: str, client_oid: str, find: Finder
    ) -> tuple[T | None, Order | None]:
        """``(answer, None)`` when the venue answered ``attempt``; ``(None, order)`` when an
        answer was lost and the order was found by its client order id."""
        attempts = 0
        lost_before = False
        while True:
            attempts += 1
            try:
                return await attempt(), None
            except RequestNotSent:
                if attempts >= self._max_attempts:
                    raise
                await self.pause()
                continue
            except RateLimitExceeded:  # the venue refused it (the client already waited and retried)
                raise
            except DuplicateClientOrderId as exc:
                if not lost_before:  # the caller's own id is in use: their problem
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
                raise unconfirmed(self.reconciler, symbol, client_oid, attempts, lost)

    async def confirm(
        self, find: Finder, *, symbol: str, client_oid: str, order_id: str, cause: ExchangeError
    ) -> Order:
        """An order the venue said it placed, read back however long its reads lag; else
        ``OrderOutcomeUnknown`` carrying its order id."""
        found = await self.reconciler.lookup(
            find, symbol=symbol, client_oid=client_oid, order_id=order_id, cause=cause, exists=True
        )
        assert found is not None  # (exists=True: found, or OrderOutcomeUnknown)
        return found

    async def confirm_or_unknown(
        self, find: Finder, symbol: str, client_oid: str, cause: ExchangeError, *, exists: bool
    ) -> Order | ExchangeError:
        """The order, or the error saying what is known: refused only when the venue said
        often enough that it does not hold it."""
        try:
            found = await self.reconciler.lookup(
                find, symbol=symbol, client_oid=client_oid, cause=cause, exists=exists
            )
        except OrderOutcomeUnknown as unknown:
            return unknown
        return found if found is not None else cause


def unconfirmed(
    reconciler: Reconciler, symbol: str, client_oid: str, sends: int, cause: NetworkError
) -> OrderOutcomeUnknown:
    """Every send lost its answer, and each time the venue said it did not know the order.
    That is proof enough to resend, not to give up with a retryable error: a read lagging
    longer than the lookups waited hid the order each time, and the resends' duplicate
    refusals were lost too."""
    error = OrderOutcomeUnknown(
        f"placement of {reconciler.id_name} {client_oid!r} on {symbol} has an unknown outcome: "
        f"each of its {sends} sends lost its answer ({type(cause).__name__}: {cause}), and "
        f"{reconciler.label} said it did not know the order after each, which a read lagging "
        "long enough also says",
        symbol=symbol,
        client_order_id=client_oid,
        venue=reconciler.venue,
    )
    error.__cause__ = cause
    return error
