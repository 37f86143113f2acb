"""A random walk of placements, cancels and fetches, checked against a reference model after every step."""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Coroutine
from decimal import Decimal
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, Phase, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from conformance.helpers import client_id_for, far_price, min_size, require_trading
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
        self.placed: dict[str, Order] = {}
        self.baseline: dict[str, Balance] = {}

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.runner.run(coro)

    def pick(self, data: st.DataObject, ids: Collection[str]) -> str:
        """One of ``ids``, drawn by its place in the list newest first (so that a walk's
        picks are not mostly the oldest order, which a wrong answer about the oldest
        would pass for)."""
        newest_first = [i for i in reversed(self.placed) if i in ids]
        return newest_first[data.draw(st.integers(0, len(newest_first) - 1))]

    @initialize(sides=st.lists(st.sampled_from(Side), min_size=2, max_size=3))
    def start(self, sides: list[Side]) -> None:
        """Begin with several orders open: an answer about the wrong one shows at once."""
        self.run(self.exchange.cancel_all_orders(self.symbol))
        self.baseline = self.run(self.exchange.fetch_balances())
        for i, side in enumerate(sides):
            self.place(side, steps_away=i, lots=1)

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
        cid = client_id_for(self.exchange, "sm")
        request = OrderRequest.limit(self.symbol, side, size, price, client_order_id=cid)
        order = self.run(self.exchange.place_order(request))
        assert order.status in (OrderStatus.NEW, OrderStatus.OPEN), (
            f"a resting order was placed {order.status}"
        )
        assert order.id not in self.placed, f"a new order was given the id {order.id} of an earlier one"
        self.open[order.id] = order
        self.placed[order.id] = order

    @precondition(lambda self: bool(self.open))
    @rule(data=st.data(), by_client_id=st.booleans())
    def cancel(self, data: st.DataObject, by_client_id: bool) -> None:
        order_id = self.pick(data, self.open)
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
        assert final.id == order_id, f"cancelled order {order_id}, the answer is about {final.id}"
        assert final.status is OrderStatus.CANCELED, (
            f"a cancel returned the order {final.status}, not canceled"
        )
        self.done[order_id] = final.status

    @precondition(lambda self: bool(self.done))
    @rule(data=st.data())
    def cancel_again(self, data: st.DataObject) -> None:
        order_id = self.pick(data, self.done)
        try:
            self.run(self.exchange.cancel_order(self.symbol, order_id=order_id))
        except OrderNotFound:
            return
        raise AssertionError(
            f"a second cancel of order {order_id}, done already, must raise OrderNotFound"
        )

    @precondition(lambda self: len(self.open) >= 4)  # (else the walk rarely has several open)
    @rule()
    def cancel_all(self) -> None:
        self.run(self.exchange.cancel_all_orders(self.symbol))
        for order_id in self.open:
            self.done[order_id] = OrderStatus.CANCELED
        self.open.clear()

    @precondition(lambda self: bool(self.open) or bool(self.done))
    @rule(data=st.data())
    def fetch(self, data: st.DataObject) -> None:
        """Fetch one order by its id and by its client order id: both give it as placed."""
        order_id = self.pick(data, {*self.open, *self.done})
        known = self.placed[order_id]
        cid = known.client_order_id
        reads = {
            f"fetched by id {order_id}": self.run(
                self.exchange.fetch_order(self.symbol, order_id=order_id)
            )
        }
        if cid and self.exchange.capabilities.fetch_by_client_order_id:
            got = self.run(self.exchange.fetch_order(self.symbol, client_order_id=cid))
            reads[f"fetched by client order id {cid}"] = got
        for how, got in reads.items():
            self.check(how, got, known)

    def check(self, how: str, got: Order, known: Order) -> None:
        """``got`` is the order placed as ``known``, in the state the model holds."""
        order_id = known.id
        assert (got.id, got.client_order_id) == (order_id, known.client_order_id), (
            f"{how}, got order {got.id} (client order id {got.client_order_id}): another order"
        )
        assert (got.side, got.price, got.size) == (known.side, known.price, known.size), (
            f"{how}: {got.side} {got.size} at {got.price}, "
            f"placed as {known.side} {known.size} at {known.price}"
        )
        if order_id in self.open:
            assert got.is_open, f"{how}: an open order reads as {got.status}"
            assert got.status.rank >= self.open[order_id].status.rank, (
                f"{how}: its status went back from {self.open[order_id].status} to {got.status}"
            )
        else:
            assert got.status is self.done[order_id], (
                f"{how}: a {self.done[order_id]} order reads as {got.status}"
            )

    @invariant()
    def open_orders_match_the_model(self) -> None:
        listed = {o.id: o for o in self.run(self.exchange.fetch_open_orders(self.symbol))}
        assert set(listed) == set(self.open), (
            "the open list differs from the orders left open: "
            f"listed but not open {sorted(set(listed) - set(self.open))}, "
            f"open but not listed {sorted(set(self.open) - set(listed))}"
        )
        for order_id, order in listed.items():
            assert order.filled_size == 0, (
                f"order {order_id}, far from the market, filled {order.filled_size}"
            )
            assert order.size == self.open[order_id].size, (
                f"order {order_id} is listed of size {order.size}"
            )

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
            assert b.total == b.available + b.hold, (
                f"{currency}: total {b.total} is not available {b.available} + hold {b.hold}"
            )
            was = self.baseline.get(currency)
            assert b.total == (was.total if was else zero), f"{currency} total moved without a fill"
        base_was = self.baseline[base].hold if base in self.baseline else zero
        quote_was = self.baseline[quote].hold if quote in self.baseline else zero
        assert now[base].hold == base_was + need_base, (
            f"{base} hold {now[base].hold - base_was} is not the {need_base} the open sells hold"
        )
        assert now[quote].hold >= quote_was + need_quote, (
            f"{quote} hold {now[quote].hold - quote_was} is less than the {need_quote} the open buys hold"
        )
        if not self.open:
            assert now[quote].hold == quote_was, f"{quote} stays on hold with no order open"

    def teardown(self) -> None:
        try:
            self.run(self.exchange.cancel_all_orders(self.symbol))
            self.run(self.exchange.close())
        finally:
            self.runner.close()


def _machine(target: Target) -> type[RuleBasedStateMachine]:
    return type("ExchangeMachine", (ExchangeMachine,), {"target": target})


def test_state_machine(conformance_subject: Target, conformance_seed: int) -> None:
    """A random walk of placements, cancels (by id and by client order id, once and twice),
    cancel-alls and fetches (by both ids) agrees after every step with a model of the
    orders left open: the same orders, fetched as placed, listed open, and holding exactly
    their balances."""
    require_trading(conformance_subject)
    machine = seed(conformance_seed)(_machine(conformance_subject))
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=conformance_subject.state_machine_examples,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
            # (no shrinking: on a real venue it would replay the walk for minutes; the failing
            # walk is printed as found, its steps few)
            phases=(Phase.explicit, Phase.generate),
        ),
    )
