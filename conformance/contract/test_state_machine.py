"""A random walk of places, cancels and queries checked against a reference model after every step."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from decimal import Decimal
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from conformance.helpers import far_price, min_size, require_trading
from conformance.target import Target, resolve
from exchanges import Balance, Exchange, Market, Order, OrderNotFound, OrderRequest, OrderStatus, Side, Ticker

pytestmark = [pytest.mark.conformance_area("state machine")]

T = TypeVar("T")


class ExchangeMachine(RuleBasedStateMachine):
    """Model: our open orders (by id) and the balances they hold; nothing of ours fills,
    since every order rests far from the market."""

    target: Target  # set by the subclass :func:`_machine` makes for each target

    def __init__(self) -> None:
        super().__init__()
        self.runner = asyncio.Runner()
        self.exchange: Exchange = self.run(resolve(self.target.exchange))
        self.symbol = self.target.symbol
        markets = self.run(self.exchange.load_markets())
        self.market: Market = markets[self.symbol]
        self.ticker: Ticker = self.run(self.exchange.fetch_ticker(self.symbol))
        self.open: dict[str, Order] = {}
        self.done: dict[str, OrderStatus] = {}
        self.baseline: dict[str, Balance] = {}

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.runner.run(coro)

    @initialize()
    def start(self) -> None:
        self.run(self.exchange.cancel_all_orders(self.symbol))
        self.baseline = self.run(self.exchange.fetch_balances())

    @rule(
        side=st.sampled_from(Side),
        steps_away=st.integers(min_value=0, max_value=20),
        lots=st.integers(1, 3),
    )
    def place(self, side: Side, steps_away: int, lots: int) -> None:
        price = far_price(self.market, self.ticker, side)
        offset = self.market.price_increment * steps_away
        price = price - offset if side is Side.BUY else price + offset
        size = min_size(self.market, price) * lots
        order = self.run(self.exchange.place_order(OrderRequest.limit(self.symbol, side, size, price)))
        assert order.status in (OrderStatus.NEW, OrderStatus.OPEN)
        assert order.id not in self.open
        self.open[order.id] = order

    @precondition(lambda self: bool(self.open))
    @rule(data=st.data(), by_client_id=st.booleans())
    def cancel(self, data: st.DataObject, by_client_id: bool) -> None:
        order_id = data.draw(st.sampled_from(sorted(self.open)))
        order = self.open.pop(order_id)
        if (
            by_client_id
            and order.client_order_id
            and self.exchange.capabilities.cancel_by_client_order_id
        ):
            final = self.run(
                self.exchange.cancel_order(self.symbol, client_order_id=order.client_order_id)
            )
        else:
            final = self.run(self.exchange.cancel_order(self.symbol, order_id=order_id))
        assert final.id == order_id
        assert final.status is OrderStatus.CANCELED
        self.done[order_id] = final.status

    @precondition(lambda self: bool(self.done))
    @rule(data=st.data())
    def cancel_again(self, data: st.DataObject) -> None:
        order_id = data.draw(st.sampled_from(sorted(self.done)))
        try:
            self.run(self.exchange.cancel_order(self.symbol, order_id=order_id))
        except OrderNotFound:
            return
        raise AssertionError("cancelling a finished order must raise OrderNotFound")

    @rule()
    def cancel_all(self) -> None:
        self.run(self.exchange.cancel_all_orders(self.symbol))
        for order_id in self.open:
            self.done[order_id] = OrderStatus.CANCELED
        self.open.clear()

    @precondition(lambda self: bool(self.open) or bool(self.done))
    @rule(data=st.data())
    def fetch(self, data: st.DataObject) -> None:
        order_id = data.draw(st.sampled_from(sorted({*self.open, *self.done})))
        got = self.run(self.exchange.fetch_order(self.symbol, order_id=order_id))
        if order_id in self.open:
            assert got.is_open
            assert got.status.rank >= self.open[order_id].status.rank
        else:
            assert got.status is self.done[order_id]

    @invariant()
    def open_orders_match_the_model(self) -> None:
        listed = {o.id: o for o in self.run(self.exchange.fetch_open_orders(self.symbol))}
        assert set(listed) == set(self.open)
        for order_id, order in listed.items():
            assert order.filled_size == 0
            assert order.size == self.open[order_id].size

    @invariant()
    def balances_match_the_model(self) -> None:
        if not self.baseline:
            return
        now = self.run(self.exchange.fetch_balances())
        zero = Decimal(0)
        need_quote = sum(
            (o.price * o.size for o in self.open.values() if o.side is Side.BUY and o.price and o.size),
            zero,
        )
        need_base = sum((o.size for o in self.open.values() if o.side is Side.SELL and o.size), zero)
        base, quote = self.market.base, self.market.quote
        for currency, b in now.items():
            assert b.total == b.available + b.hold
            was = self.baseline.get(currency)
            assert b.total == (was.total if was else zero), f"{currency} total moved without a fill"
        base_was = self.baseline[base].hold if base in self.baseline else zero
        quote_was = self.baseline[quote].hold if quote in self.baseline else zero
        assert now[base].hold == base_was + need_base
        assert now[quote].hold >= quote_was + need_quote
        if not self.open:
            assert now[quote].hold == quote_was

    def teardown(self) -> None:
        try:
            self.run(self.exchange.cancel_all_orders(self.symbol))
            self.run(self.exchange.close())
        finally:
            self.runner.close()


def _machine(target: Target) -> type[RuleBasedStateMachine]:
    return type("ExchangeMachine", (ExchangeMachine,), {"target": target})


def test_state_machine(conformance_target: Target) -> None:
    require_trading(conformance_target)
    run_state_machine_as_test(
        _machine(conformance_target),
        settings=settings(
            max_examples=conformance_target.state_machine_examples,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
        ),
    )
