"""Deliberately broken exchanges: each wraps a working PaperExchange and breaks one promise.

The conformance suite must catch every one of them, and for the right reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import attrs

from adapters.kucoin import KucoinExchange
from conformance import Target
from conformance.targets import kucoin_sim
from exchanges import (
    Balance,
    Exchange,
    ExchangeError,
    NetworkError,
    Order,
    OrderBook,
    OrderNotFound,
    OrderOutcomeUnknown,
    OrderRequest,
    OrderStatus,
    OrderType,
    RequestTimeout,
    Side,
    Ticker,
    TimeInForce,
)
from simulator import PaperExchange
from simulator.backtest import TrackingExchange

BALANCES = {"USDT": Decimal(100_000), "BTC": Decimal(2), "ETH": Decimal(30)}


class _Broken(TrackingExchange):
    """A pass-through ``Exchange`` to override one method at a time."""

    def __init__(self) -> None:
        super().__init__(PaperExchange(BALANCES, seed=3))


class UnsortedBook(_Broken):
    async def fetch_order_book(self, symbol: str, depth: int | None = 20) -> OrderBook:
        book = await super().fetch_order_book(symbol, depth)
        return attrs.evolve(book, bids=tuple(reversed(book.bids)))


class RestingIoc(_Broken):
    async def place_order(self, request: OrderRequest) -> Order:
        if request.time_in_force is TimeInForce.IOC:
            request = attrs.evolve(request, time_in_force=TimeInForce.GTC)
        return await super().place_order(request)


class SilentCancel(_Broken):
    async def cancel_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order:
        try:
            return await super().cancel_order(symbol, order_id=order_id, client_order_id=client_order_id)
        except OrderNotFound:
            return await super().fetch_order(symbol, order_id=order_id) if order_id else _ghost(symbol)


def _ghost(symbol: str) -> Order:
    return Order(id="0", symbol=symbol, side=Side.BUY, type=OrderType.LIMIT, status=OrderStatus.CANCELED)


class HoldlessBalances(_Broken):
    async def fetch_balances(self) -> dict[str, Balance]:
        return {k: attrs.evolve(b, total=b.available) for k, b in (await super().fetch_balances()).items()}


class ForgetsClientIds(_Broken):
    async def place_order(self, request: OrderRequest) -> Order:
        return await super().place_order(attrs.evolve(request, client_order_id=None))


class GreedyCancelAll(_Broken):
    async def cancel_all_orders(self, symbol: str | None = None) -> None:
        await super().cancel_all_orders(None)


class VagueErrors(_Broken):
    async def fetch_ticker(self, symbol: str) -> Ticker:
        try:
            return await super().fetch_ticker(symbol)
        except ExchangeError as err:
            raise ExchangeError(str(err)) from None


class OffByOneTick(_Broken):
    """Places every limit one tick below the price asked (and says so in what it returns)."""

    async def place_order(self, request: OrderRequest) -> Order:
        if request.price is not None:
            request = attrs.evolve(request, price=request.price - Decimal("0.1"))
        return await super().place_order(request)


# --- the KuCoin adapter, broken in its placing path (run against the in-process simulator) -------


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
    """A broken exchange, the contract test that must catch it, and words its failure must
    say; ``base`` is what it is broken from (the paper exchange, or the KuCoin adapter on the
    in-process simulator)."""

    make: Callable[[str], Target]
    must_fail: str
    reason: str = ""
    base: str = "paper"


def _paper(opener: Callable[[], Exchange], must_fail: str) -> Breakage:
    def make(name: str) -> Target:
        return Target(
            name=f"broken-{name}",
            exchange=opener,
            symbol="BTC/USDT",
            other_symbol="ETH/USDT",
            balances=BALANCES,
        )

    return Breakage(make, must_fail)


def _kucoin(
    must_fail: str, reason: str, kind: type[KucoinExchange] | None = None, **options: Any
) -> Breakage:
    return Breakage(
        lambda name: kucoin_sim(f"broken-{name}", kind=kind, **options), must_fail, reason, "kucoin-sim"
    )


DOUBLED = "placed twice under one client order id"
RETRYABLE_BUT_PLACED = "retryable errors raised for orders the venue had placed"

BREAKAGES: dict[str, Breakage] = {
    "unsorted_book": _paper(UnsortedBook, "test_order_book_sorted_and_not_crossed"),
    "resting_ioc": _paper(RestingIoc, "test_ioc_never_rests"),
    "silent_cancel": _paper(SilentCancel, "test_cancel_of_unknown_or_filled_order_raises_order_not_found"),
    "holdless_balances": _paper(HoldlessBalances, "test_total_is_available_plus_hold"),
    "forgets_client_ids": _paper(ForgetsClientIds, "test_fetch_and_cancel_by_client_id"),
    "greedy_cancel_all": _paper(GreedyCancelAll, "test_cancel_all_cancels_only_what_it_should"),
    "vague_errors": _paper(VagueErrors, "test_unknown_symbol"),
    "off_by_one_tick": _paper(OffByOneTick, "test_resting_limit_is_open_then_cancelled"),
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
