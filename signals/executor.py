"""Getting a decided order onto the venue exactly once, and following it afterwards.

Every send carries the signal's client order id. A retryable error means the venue did not
take the order (the ``exchanges`` contract): the same order is sent again after a pause
that doubles. An unknown outcome (``OrderOutcomeUnknown``, a call that outlived its
deadline, an adapter's surprise) is resolved by looking the order up by its client order id
until the venue shows it, or has said often enough that it does not know it; only then is
it sent again, and only while the signal is young and the bridge not halted.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from exchanges import (
    Clock,
    DuplicateClientOrderId,
    Exchange,
    ExchangeError,
    NetworkError,
    Order,
    OrderNotFound,
    OrderOutcomeUnknown,
    OrderRequest,
    OrderStatus,
    RateLimitExceeded,
)

from .config import BridgeConfig
from .errors import venue_error
from .store import AuditLog, Halt, SignalRecord, State

__all__ = ["Executor", "order_request", "request_json"]

log = logging.getLogger("signals")
T = TypeVar("T")
_MAX_LOOKUP_PAUSE_S = 2.0


def request_json(request: OrderRequest) -> dict[str, Any]:
    """The parts of an order the bridge sends, as JSON (amounts as strings)."""
    out: dict[str, Any] = {
        "symbol": request.symbol,
        "side": str(request.side),
        "type": str(request.type),
        "time_in_force": str(request.time_in_force),
        "client_order_id": request.client_order_id,
    }
    for name in ("price", "size", "funds"):
        value = getattr(request, name)
        if value is not None:
            out[name] = str(value)
    if request.remark is not None:
        out["remark"] = request.remark
    return out


def order_request(data: Any) -> OrderRequest:
    return OrderRequest(
        symbol=data["symbol"],
        side=data["side"],
        type=data["type"],
        price=data.get("price"),
        size=data.get("size"),
        funds=data.get("funds"),
        time_in_force=data["time_in_force"],
        client_order_id=data["client_order_id"],
        remark=data.get("remark"),
    )


_STATE_OF = {
    OrderStatus.FILLED: State.FILLED,
    OrderStatus.CANCELED: State.CANCELLED,
    OrderStatus.EXPIRED: State.CANCELLED,
    OrderStatus.REJECTED: State.REJECTED,
}


def _order_json(order: Order) -> dict[str, Any]:
    return {
        "order_id": order.id,
        "status": str(order.status),
        "filled_size": order.filled_size,
        "filled_funds": order.filled_funds,
        "fee": order.fee,
        "fee_currency": order.fee_currency,
    }


class Executor:
    """Sends, resolves, follows and cancels the bridge's orders on one exchange."""

    def __init__(
        self,
        exchange: Exchange,
        audit: AuditLog,
        config: BridgeConfig,
        clock: Clock,
        halt: Callable[[], Halt | None],
    ) -> None:
        self.exchange = exchange
        self.audit = audit
        self.config = config
        self.clock = clock
        self._halt = halt

    async def call(self, make: Callable[[], Awaitable[T]]) -> T:
        """A venue call with the bridge's deadline: a venue that hangs costs ``venue_timeout_s``."""
        return await asyncio.wait_for(make(), self.config.venue_timeout_s)

    def _update(self, record: SignalRecord, kind: str, data: dict[str, Any], **changes: Any) -> SignalRecord:
        new = self.audit.update(record, self.clock.now_ms(), kind, data, **changes)
        if "state" in changes and changes["state"] is not record.state:
            log.info(
                "signal %s/%s: %s%s",
                new.source,
                new.signal_id,
                new.state,
                f" ({new.reason})" * bool(new.reason),
            )
        return new

    def _stop_reason(self, record: SignalRecord) -> tuple[str, str] | None:
        """Why the order must not be sent now (a code and a reason), if it must not."""
        if self._halt() is not None:
            return "halted", "halted before the order reached the venue"
        age_s = (self.clock.now_ms() - record.received_at) / 1000
        if age_s > self.config.max_signal_age_s:
            return "expired", f"expired: not on the venue {age_s:.0f} s after it arrived (max_signal_age_s)"
        return None

    def _drop(self, record: SignalRecord, code: str, reason: str) -> SignalRecord:
        error = {"code": code, "message": reason, "status": 503}
        return self._update(record, "dropped", {}, state=State.REJECTED, reason=reason, error=error)

    # --- sending --------------------------------------------------------------------------------

    async def place(self, record: SignalRecord) -> SignalRecord:
        """Send the order until the venue takes it, refuses it, or its outcome is unknown."""
        assert record.request is not None
        request = order_request(record.request)
        pause = self.config.retry_backoff_s
        last: NetworkError | None = None
        for attempt in range(1, self.config.place_attempts + 1):
            stop = self._stop_reason(record)
            if stop is not None:
                return self._drop(record, *stop)
            try:
                order = await self.call(lambda: self.exchange.place_order(request))
            except TimeoutError:
                return self._unknown(
                    record, f"the venue did not answer within {self.config.venue_timeout_s:g} s"
                )
            except OrderOutcomeUnknown as err:
                return self._unknown(record, f"the venue's answer was lost: {err.message}", err)
            except DuplicateClientOrderId:
                # an earlier send of this order landed after all: find it
                return await self.resolve(
                    self._unknown(record, "the venue already holds this client order id")
                )
            except NetworkError as err:
                last = err
                data = {"attempt": attempt, "error": venue_error(err)}
                record = self._update(record, "retry", data, reason=f"attempt {attempt}: {err}")
                if attempt < self.config.place_attempts:
                    wait = max(pause, err.retry_after or 0.0) if isinstance(err, RateLimitExceeded) else pause
                    await self.clock.sleep(min(wait, self.config.retry_backoff_max_s))
                    pause *= 2
                continue
            except ExchangeError as err:
                reason = f"the venue refused the order: {err}"
                return self._update(
                    record,
                    "refused",
                    {"error": venue_error(err)},
                    state=State.REJECTED,
                    reason=reason,
                    error=venue_error(err),
                )
            except Exception as err:  # an adapter's bug: it may or may not have acted
                log.exception(
                    "signal %s/%s: unexpected error placing the order", record.source, record.signal_id
                )
                return self._unknown(record, f"unexpected {type(err).__name__} while placing")
            return await self._landed(record, order, "placed")
        assert last is not None
        return await self._after_retries(record, last)

    async def place_after_look(self, record: SignalRecord) -> SignalRecord:
        """Send an order refused before for a passing reason, after one look by its client
        order id: should an earlier send have landed after all, it is adopted, not doubled."""
        try:
            order = await self.call(
                lambda: self.exchange.fetch_order(record.symbol, client_order_id=record.client_order_id)
            )
        except (ExchangeError, TimeoutError):  # not there, or not to be told now: sending decides
            return await self.place(record)
        return await self._landed(record, order, "resolved")

    async def _after_retries(self, record: SignalRecord, last: NetworkError) -> SignalRecord:
        """Every send failed retryably, so the venue holds nothing (the ``exchanges``
        contract); one look to be sure. A venue that cannot be asked either is down whole:
        the signal is refused for now, a clear state, and nothing is sent later unasked (a
        re-delivery is judged afresh)."""
        try:
            order = await self.call(
                lambda: self.exchange.fetch_order(record.symbol, client_order_id=record.client_order_id)
            )
        except (ExchangeError, TimeoutError) as err:
            attempts = self.config.place_attempts
            reason = f"the venue was unavailable: {attempts} attempts failed, the last with {last}"
            if not isinstance(err, OrderNotFound):
                reason += f"; nor could it be asked afterwards ({err})"
            error = {
                "code": "venue_unavailable",
                "message": reason,
                "status": 503,
                "venue_error": venue_error(last),
            }
            return self._update(
                record, "unavailable", {"error": error}, state=State.REJECTED, reason=reason, error=error
            )
        return await self.adopt(record, order, "placed")

    def _unknown(self, record: SignalRecord, reason: str, err: ExchangeError | None = None) -> SignalRecord:
        error = venue_error(err) if err is not None else None
        return self._update(
            record, "unknown", {"error": error}, state=State.UNKNOWN, reason=reason, error=error
        )

    async def _landed(self, record: SignalRecord, order: Order, kind: str) -> SignalRecord:
        """An order now on the venue; cancelled at once if a halt asked for open orders to go
        while it was on its way."""
        record = await self.adopt(record, order, kind)
        halt = self._halt()
        if halt is not None and halt.cancel_open and record.state is State.PLACED:
            try:
                record = await self.cancel(record)
            except (ExchangeError, TimeoutError) as err:
                log.warning(
                    "signal %s/%s: not cancelled after the halt: %s", record.source, record.signal_id, err
                )
        return record

    # --- what the venue holds -------------------------------------------------------------------

    async def adopt(self, record: SignalRecord, order: Order, kind: str) -> SignalRecord:
        """The venue's order becomes the signal's state; its fills are recorded."""
        state = _STATE_OF.get(order.status, State.PLACED)
        changes: dict[str, Any] = {
            "state": state,
            "order_id": order.id,
            "filled_size": order.filled_size,
            "filled_funds": order.filled_funds,
        }
        if state is not record.state:
            changes["reason"] = None if state is not State.REJECTED else "the venue rejected the order"
            changes["error"] = None
        unchanged = all(getattr(record, k) == v for k, v in changes.items())
        if not unchanged:
            record = self._update(record, kind, _order_json(order), **changes)
        if order.filled_size > 0:
            await self.record_fills(record)
        return record

    async def record_fills(self, record: SignalRecord) -> None:
        if record.order_id is None:
            return
        order_id = record.order_id
        try:
            fills = await self.call(lambda: self.exchange.fetch_fills(record.symbol, order_id=order_id))
        except (ExchangeError, TimeoutError) as err:  # the next sync reads them
            log.warning("signal %s/%s: fills not read yet: %s", record.source, record.signal_id, err)
            return
        self.audit.add_fills(record, [f for f in fills if f.order_id == order_id])

    async def refresh(self, record: SignalRecord) -> SignalRecord:
        """Read back a live order (its state and fills)."""
        try:
            order = await self.call(
                lambda: self.exchange.fetch_order(record.symbol, client_order_id=record.client_order_id)
            )
        except (ExchangeError, TimeoutError) as err:
            log.warning("signal %s/%s: not refreshed: %s", record.source, record.signal_id, err)
            return record
        return await self.adopt(record, order, "update")

    async def resolve(self, record: SignalRecord) -> SignalRecord:
        """An order whose placement is unknown (or was cut short by a restart): found by its
        client order id, or, absent, sent again (same id) while that is still allowed."""
        absent = 0
        confirmations = self.config.reconcile_confirmations
        for query in range(confirmations * 3):
            delay = self.config.reconcile_delay_s
            if delay > 0:
                await self.clock.sleep(min(delay * 2**query, max(delay, _MAX_LOOKUP_PAUSE_S)))
            try:
                order = await self.call(
                    lambda: self.exchange.fetch_order(record.symbol, client_order_id=record.client_order_id)
                )
            except OrderNotFound:
                absent += 1
                if absent >= confirmations:
                    break
                continue
            except (NetworkError, TimeoutError):
                continue
            except ExchangeError as err:
                log.warning("signal %s/%s: cannot be looked up: %s", record.source, record.signal_id, err)
                return record
            return await self._landed(record, order, "resolved")
        if absent < confirmations:
            return record  # still unknown: the next sync asks again
        stop = self._stop_reason(record)
        if stop is not None:
            return self._drop(record, stop[0], f"not on the venue; {stop[1]}")
        if record.state is not State.RECEIVED:
            record = self._update(record, "resend", {"absent": absent}, state=State.RECEIVED, reason=None)
        return await self.place(record)

    async def cancel(self, record: SignalRecord) -> SignalRecord:
        order = await self.call(
            lambda: self.exchange.cancel_order(record.symbol, client_order_id=record.client_order_id)
        )
        return await self.adopt(record, order, "cancelled")
