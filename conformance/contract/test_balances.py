"""Balances: total = available + hold; holds follow orders; fills move balances exactly."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from decimal import Decimal

import pytest

from conformance.helpers import limit_far, min_size, quote_for, require_trading, resting, skip
from conformance.target import Target
from exchanges import Balance, Exchange, Fill, OrderRequest, OrderType, Side

pytestmark = [pytest.mark.conformance_area("balances"), pytest.mark.asyncio(loop_scope="function")]

ZERO = Decimal(0)


async def test_total_is_available_plus_hold(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """Every balance's total is its available amount plus its hold, none negative; open
    orders put something on hold."""
    ex = conformance_exchange
    if conformance_subject.trading:  # with something on hold, so the identity is not trivially true
        market, ticker = await quote_for(ex, conformance_subject.symbol)
        await ex.place_order(limit_far(market, ticker, Side.BUY))
        await ex.place_order(limit_far(market, ticker, Side.SELL))
    balances = await ex.fetch_balances()
    if conformance_subject.trading:
        assert any(b.hold > 0 for b in balances.values()), "open orders hold nothing"
    for currency, b in balances.items():
        assert b.currency == currency, f"the balance listed as {currency} is of {b.currency}"
        assert b.total == b.available + b.hold, (
            f"{currency}: total {b.total} is not available {b.available} + hold {b.hold}"
        )
        assert b.available >= 0, f"{currency}: negative available {b.available}"
        assert b.hold >= 0, f"{currency}: negative hold {b.hold}"


async def test_a_fresh_account_holds_the_declared_balances(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """A fresh client's account holds at least ``Target.balances`` (the other tests size
    their orders on it)."""
    if not conformance_subject.balances:
        skip(conformance_subject, "the target declares no balances")
    held = await conformance_exchange.fetch_balances()
    for currency, amount in conformance_subject.balances.items():
        total = held[currency].total if currency in held else ZERO
        assert total >= amount, f"{currency}: the account holds {total}, less than the declared {amount}"


def _hold(balances: dict[str, Balance], currency: str) -> Decimal:
    return balances[currency].hold if currency in balances else ZERO


async def test_holds_follow_orders(conformance_subject: Target, conformance_exchange: Exchange) -> None:
    """A buy holds at least its price x size of the quote, a sell its size of the base;
    each cancel releases exactly what its order held, and totals do not move."""
    require_trading(conformance_subject)
    ex, symbol = conformance_exchange, conformance_subject.symbol
    market, ticker = await quote_for(ex, symbol)
    before = await ex.fetch_balances()
    buys = [await ex.place_order(r) for r in resting(ex, market, ticker, Side.BUY, 2)]
    sells = [await ex.place_order(r) for r in resting(ex, market, ticker, Side.SELL, 2)]
    during = await ex.fetch_balances()
    need = sum((o.price * o.size for o in buys if o.price and o.size), ZERO)
    assert _hold(during, market.quote) >= _hold(before, market.quote) + need, (
        f"two buys hold {_hold(during, market.quote) - _hold(before, market.quote)} {market.quote}, "
        f"less than their price x size {need}"
    )
    sold = sum((o.size for o in sells if o.size), ZERO)
    assert _hold(during, market.base) == _hold(before, market.base) + sold, (
        f"two sells of {sold} {market.base} hold {_hold(during, market.base) - _hold(before, market.base)}"
    )
    for order in (*sells, *buys):
        held = await ex.fetch_balances()
        await ex.cancel_order(symbol, order_id=order.id)
        now = await ex.fetch_balances()
        if order.side is Side.SELL:
            released = _hold(held, market.base) - _hold(now, market.base)
            assert released == order.size, (
                "a cancel must release exactly what its order held: "
                f"a sell of {order.size} released {released}"
            )
    after = await ex.fetch_balances()
    for currency in (market.quote, market.base):
        assert _hold(after, currency) == _hold(before, currency), (
            f"a cancel must release exactly what its order held: {currency} hold {_hold(after, currency)} "
            f"after every cancel, {_hold(before, currency)} before the orders"
        )
        was = before[currency].total if currency in before else ZERO
        assert after[currency].total == was, (
            f"{currency} total moved from {was} to {after[currency].total} with no fill"
        )


async def _fills_for(ex: Exchange, symbol: str, order_id: str, expect_size: Decimal) -> list[Fill]:
    """Fills can trail the order on a real venue: poll briefly until they add up."""
    fills: list[Fill] = []
    for _ in range(20):
        fills = await ex.fetch_fills(symbol, order_id=order_id)
        if sum((f.size for f in fills), ZERO) >= expect_size:
            break
        await asyncio.sleep(0.25)
    return fills


async def test_fills_and_fees_move_balances_exactly(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """A fill moves the balances by exactly its size, its funds (price x size) and its fee
    in the fee's currency, and the fills add up to the order's filled size and funds."""
    require_trading(conformance_subject)
    if not conformance_subject.has_liquidity:
        skip(conformance_subject, "no book to trade against")
    ex, symbol = conformance_exchange, conformance_subject.symbol
    if OrderType.MARKET not in ex.capabilities.order_types:
        skip(conformance_subject, "market orders not declared in capabilities")
    market, ticker = await quote_for(ex, symbol)
    price = ticker.ask or ticker.last
    assert price is not None, "the ticker has neither an ask nor a last price"
    before = await ex.fetch_balances()
    size = min_size(market, price)
    order = await ex.place_order(OrderRequest.market(symbol, Side.BUY, size=size))
    final = await ex.fetch_order(symbol, order_id=order.id)
    assert not final.is_open, f"a market order rests: status {final.status}"
    fills = await _fills_for(ex, symbol, order.id, final.filled_size)
    total = sum((f.size for f in fills), ZERO)
    assert total == final.filled_size, f"the fills add up to {total}, the order filled {final.filled_size}"
    funds = sum((f.funds for f in fills), ZERO)
    assert funds == final.filled_funds, f"the fills cost {funds}, the order says {final.filled_funds}"
    after = await ex.fetch_balances()
    expected: dict[str, Decimal] = defaultdict(Decimal)
    for f in fills:
        assert f.funds == f.price * f.size, (
            f"a fill's funds {f.funds} are not its price x size {f.price * f.size}"
        )
        expected[market.base] += f.size
        expected[market.quote] -= f.funds
        expected[f.fee_currency] -= f.fee
    for currency, delta in expected.items():
        was = before[currency].total if currency in before else ZERO
        moved = after[currency].total - was
        assert moved == delta, (
            f"{currency} moved by {moved}, but the fills and their fees (as reported) move it by {delta}"
        )
