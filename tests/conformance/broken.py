"""Deliberately broken exchanges: each wraps a working PaperExchange and breaks one promise.

The conformance suite must catch every one of them, and for the right reason.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import attrs

from conformance import Target
from exchanges import (
    Balance,
    Exchange,
    ExchangeError,
    Order,
    OrderBook,
    OrderNotFound,
    OrderRequest,
    OrderStatus,
    OrderType,
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


BREAKAGES: dict[str, tuple[Callable[[], Exchange], str]] = {
    # name: (opener, the contract test that must fail)
    "unsorted_book": (UnsortedBook, "test_order_book_sorted_and_not_crossed"),
    "resting_ioc": (RestingIoc, "test_ioc_never_rests"),
    "silent_cancel": (SilentCancel, "test_cancel_of_unknown_or_filled_order_raises_order_not_found"),
    "holdless_balances": (HoldlessBalances, "test_total_is_available_plus_hold"),
    "forgets_client_ids": (ForgetsClientIds, "test_fetch_and_cancel_by_client_id"),
    "greedy_cancel_all": (GreedyCancelAll, "test_cancel_all_cancels_only_what_it_should"),
    "vague_errors": (VagueErrors, "test_unknown_symbol"),
    "off_by_one_tick": (OffByOneTick, "test_resting_limit_is_open_then_cancelled"),
}


def target(name: str) -> Target:
    opener, _ = BREAKAGES[name]
    return Target(
        name=f"broken-{name}", exchange=opener, symbol="BTC/USDT", other_symbol="ETH/USDT", balances=BALANCES
    )
