"""Deliberately broken KuCoin adapters: each breaks one promise of its placing path under
faults (the broken exchanges of the protocol itself are the catalogue, ``conformance.mutants``).

The conformance suite must catch every one of them, and for the right reason.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from adapters.kucoin import KucoinExchange
from conformance import Target
from conformance.fault_run import (
    DOUBLED_AFTER_LAG,
    DOUBLED_UNHIDDEN,
    RETRYABLE_AFTER_LOSS,
    RETRYABLE_ANSWERED,
    RETRYABLE_UNREADABLE,
)
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
    """When one order of a batch meets trouble, reports the others as failed too (retryable),
    dropping the orders it had found placed (the troubled one keeps its own result)."""

    async def place_orders(self, requests: Sequence[OrderRequest]) -> list[Order | ExchangeError]:
        results = await super().place_orders(requests)
        trouble = next((r for r in results if _troubled(r)), None)
        if trouble is None:
            return results
        dropped = RequestTimeout(f"batch failed: {trouble}", venue="kucoin")
        return [r if _troubled(r) else dropped for r in results]


def _troubled(result: Order | ExchangeError) -> bool:
    return isinstance(result, NetworkError | OrderOutcomeUnknown)


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


#: Orders of the longest fault test on a broken exchange (a tenth in each focused test):
#: enough for every flaw to show, few enough that every fault test can run on every breakage.
ATTEMPTS = 2000


@attrs.frozen
class Breakage:
    """A broken exchange (the KuCoin adapter on the in-process simulator, broken so), the
    fault test named for its flaw with the words its failure must say, and the other fault
    tests its flaw must fail too, each with why. Every other fault test must pass."""

    make: Callable[[str], Target]
    must_fail: str
    reason: str
    also_fails: Mapping[str, str] = attrs.field(factory=dict)


def _kucoin(
    must_fail: str,
    reason: str,
    kind: type[KucoinExchange] | None = None,
    also_fails: Mapping[str, str] | None = None,
    **options: Any,
) -> Breakage:
    def make(name: str) -> Target:
        return attrs.evolve(kucoin_sim(f"broken-{name}", kind=kind, **options), fault_attempts=ATTEMPTS)

    return Breakage(make, must_fail, reason, also_fails or {})


#: Every fault test but the one with all faults at once, which every flaw fails.
FAULT_TESTS = (
    "test_lost_answers_never_lose_or_double_an_order",
    "test_lagging_reads_never_double_an_order",
    "test_reads_lagging_past_the_lookups_patience_leave_one_resting_order",
    "test_orders_done_before_reconcile_asks_are_found",
    "test_lost_stop_placements_leave_one_stop_order_or_an_unknown_outcome",
    "test_failed_reads_after_placing_are_no_retryable_errors",
    "test_unanswerable_reconciles_report_unknown_outcomes",
    "test_partly_applied_batches_keep_every_order",
)

_DONE_ORDERS_WITH_LOST_ANSWERS = (
    "it places IOC, FOK and market orders (or batches with IOC orders) and loses their answers"
)
_UNKNOWN_OUTCOMES = "its faults leave some outcomes unknown, which this exchange reports as retryable"

BREAKAGES: dict[str, Breakage] = {
    # faults: each fault family has a broken reconcile that its own test catches
    "trusts_one_not_found": _kucoin(
        "test_lagging_reads_never_double_an_order", DOUBLED_AFTER_LAG, reconcile_confirmations=1
    ),
    "finds_open_orders_only": _kucoin(
        "test_orders_done_before_reconcile_asks_are_found",
        DOUBLED_UNHIDDEN,
        FindsOpenOrdersOnly,
        also_fails=dict.fromkeys(
            (
                "test_lost_answers_never_lose_or_double_an_order",
                "test_lagging_reads_never_double_an_order",
                "test_failed_reads_after_placing_are_no_retryable_errors",
                "test_unanswerable_reconciles_report_unknown_outcomes",
                "test_partly_applied_batches_keep_every_order",
            ),
            _DONE_ORDERS_WITH_LOST_ANSWERS,
        ),
    ),
    "lets_read_errors_escape": _kucoin(
        "test_failed_reads_after_placing_are_no_retryable_errors", RETRYABLE_ANSWERED, LetsReadErrorsEscape
    ),
    "gives_up_retryable": _kucoin(
        "test_unanswerable_reconciles_report_unknown_outcomes",
        RETRYABLE_UNREADABLE,
        GivesUpRetryable,
        also_fails={
            "test_reads_lagging_past_the_lookups_patience_leave_one_resting_order": _UNKNOWN_OUTCOMES
            + " (every send's answer lost behind a lag longer than the lookups)",
            "test_lost_stop_placements_leave_one_stop_order_or_an_unknown_outcome": _UNKNOWN_OUTCOMES
            + " (black-outs)",
            "test_partly_applied_batches_keep_every_order": _UNKNOWN_OUTCOMES + " (black-outs)",
        },
    ),
    "drops_found_orders_of_a_batch": _kucoin(
        "test_partly_applied_batches_keep_every_order",
        RETRYABLE_AFTER_LOSS,
        DropsFoundOrdersOfABatch,
        also_fails={
            "test_unanswerable_reconciles_report_unknown_outcomes": "it places batches and blacks out "
            "the lookups of some of their orders, which leaves the others' found orders dropped",
        },
    ),
}


def target(name: str) -> Target:
    return BREAKAGES[name].make(name)
