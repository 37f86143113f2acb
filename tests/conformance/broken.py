"""Deliberately broken KuCoin adapters: each breaks one promise of its placing path under
faults (the broken exchanges of the protocol itself are the catalogue, ``conformance.mutants``).

The conformance suite must catch every one of them, and for the right reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import attrs

from adapters.kucoin import KucoinExchange
from conformance import Target
from conformance.targets import kucoin_sim
from exchanges import (
    ExchangeError,
    NetworkError,
    Order,
    OrderNotFound,
    OrderOutcomeUnknown,
    OrderRequest,
    RequestTimeout,
)


class DropsFoundOrdersOfABatch(KucoinExchange):
    """When one order of a batch meets trouble, reports the whole batch as failed (retryable),
    dropping the orders it had found placed."""

    async def place_orders(self, requests: Sequence[OrderRequest]) -> list[Order | ExchangeError]:
        results = await super().place_orders(requests)
        trouble = next((r for r in results if isinstance(r, NetworkError | OrderOutcomeUnknown)), None)
        if trouble is None:
            return results
        return [RequestTimeout(f"batch failed: {trouble}", venue="kucoin") for _ in results]


class LetsReadErrorsEscape(KucoinExchange):
    """Refreshes a filled order after placing it and lets that read's network error escape,
    so an order that exists is reported with a retryable error."""

    async def place_order(self, request: OrderRequest) -> Order:
        order = await super().place_order(request)
        if order.filled_size > 0:
            return await self.fetch_order(order.symbol, order_id=order.id)
        return order


class GivesUpRetryable(KucoinExchange):
    """A reconcile that cannot find out raises the network error that started it (retryable)
    instead of saying that the outcome is unknown."""

    async def place_order(self, request: OrderRequest) -> Order:
        try:
            return await super().place_order(request)
        except OrderOutcomeUnknown as exc:
            raise _retryable(exc) from None

    async def place_orders(self, requests: Sequence[OrderRequest]) -> list[Order | ExchangeError]:
        results = await super().place_orders(requests)
        return [_retryable(r) if isinstance(r, OrderOutcomeUnknown) else r for r in results]


def _retryable(error: ExchangeError) -> ExchangeError:
    return RequestTimeout(str(error), venue="kucoin")


class FindsOpenOrdersOnly(KucoinExchange):
    """Looks orders up by client id among the open ones only: an IOC, FOK or market order is
    done by the time a lost answer is reconciled, and is placed a second time."""

    async def fetch_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order:
        order = await super().fetch_order(symbol, order_id=order_id, client_order_id=client_order_id)
        if client_order_id is not None and not order.is_open:
            raise OrderNotFound(f"no open order with client id {client_order_id}", venue="kucoin")
        return order


@attrs.frozen
class Breakage:
    """A broken exchange (the KuCoin adapter on the in-process simulator, broken so), the
    contract test that must catch it, and words its failure must say."""

    make: Callable[[str], Target]
    must_fail: str
    reason: str


def _kucoin(
    must_fail: str, reason: str, kind: type[KucoinExchange] | None = None, **options: Any
) -> Breakage:
    return Breakage(lambda name: kucoin_sim(f"broken-{name}", kind=kind, **options), must_fail, reason)


DOUBLED = "placed twice under one client order id"
RETRYABLE_BUT_PLACED = "retryable errors raised for orders the venue had placed"

BREAKAGES: dict[str, Breakage] = {
    # faults: each fault family has a broken reconcile that its own test catches
    "trusts_one_not_found": _kucoin(
        "test_lagging_reads_never_double_an_order", DOUBLED, reconcile_confirmations=1
    ),
    "finds_open_orders_only": _kucoin(
        "test_orders_done_before_reconcile_asks_are_found", DOUBLED, FindsOpenOrdersOnly
    ),
    "lets_read_errors_escape": _kucoin(
        "test_failed_reads_after_placing_are_no_retryable_errors", RETRYABLE_BUT_PLACED, LetsReadErrorsEscape
    ),
    "gives_up_retryable": _kucoin(
        "test_unanswerable_reconciles_report_unknown_outcomes", RETRYABLE_BUT_PLACED, GivesUpRetryable
    ),
    "drops_found_orders_of_a_batch": _kucoin(
        "test_partly_applied_batches_keep_every_order", RETRYABLE_BUT_PLACED, DropsFoundOrdersOfABatch
    ),
}


def target(name: str) -> Target:
    return BREAKAGES[name].make(name)
