"""Balances: total = available + hold; holds follow orders; fills move balances exactly."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from decimal import Decimal

import pytest

from conformance.helpers import limit_far, min_size, quote_for, require_trading, skip
from conformance.target import Target
from exchanges import Exchange, Fill, OrderRequest, OrderType, Side

pytestmark = [pytest.mark.conformance_area("balances"), pytest.mark.asyncio(loop_scope="function")]


async def test_total_is_available_plus_hold(
    conformance_target: Target, conformance_exchange: Exchange
) -> None:
    ex = conformance_exchange
    if conformance_target.trading:  # with something on hold, so the identity is not trivially true
        market, ticker = await quote_for(ex, conformance_target.symbol)
        await ex.place_order(limit_far(market, ticker, Side.BUY))
        await ex.place_order(limit_far(market, ticker, Side.SELL))
    balances = await ex.fetch_balances()
    if conformance_target.trading:
        assert any(b.hold > 0 for b in balances.values()), "open orders hold nothing"
    for currency, b in balances.items():
        assert b.currency == currency
        assert b.total == b.available + b.hold, b
        assert b.available >= 0, b
        assert b.hold >= 0, b


async def test_a_fresh_account_holds_the_declared_balances(
    conformance_target: Target, conformance_exchange: Exchange
) -> None:
    """``Target.balances`` is what a fresh client's account holds at least (the other
    tests size their orders on it)."""
    if not conformance_target.balances:
        skip(conformance_target, "the target declares no balances")
    held = await conformance_exchange.fetch_balances()
    for currency, amount in conformance_target.balances.items():
        total = held[currency].total if currency in held else Decimal(0)
        assert total >= amount, f"{currency}: {total} < the declared {amount}"


async def test_holds_follow_orders(conformance_target: Target, conformance_exchange: Exchange) -> None:
    require_trading(conformance_target)
    ex, symbol = conformance_exchange, conformance_target.symbol
    market, ticker = await quote_for(ex, symbol)
    before = await ex.fetch_balances()
    zero = Decimal(0)
    base_hold = before[market.base].hold if market.base in before else zero
    quote_hold = before[market.quote].hold if market.quote in before else zero
    buy = await ex.place_order(limit_far(market, ticker, Side.BUY))
    sell = await ex.place_order(limit_far(market, ticker, Side.SELL))
    during = await ex.fetch_balances()
    assert buy.price is not None
    assert buy.size is not None
    assert sell.size is not None
    assert during[market.quote].hold >= quote_hold + buy.price * buy.size, "a buy holds at least price x size"
    assert during[market.base].hold == base_hold + sell.size, "a sell holds its size"
    await ex.cancel_order(symbol, order_id=buy.id)
    await ex.cancel_order(symbol, order_id=sell.id)
    after = await ex.fetch_balances()
    assert after[market.quote].hold == quote_hold, "cancel releases exactly what was held"
    assert after[market.base].hold == base_hold
    assert after[market.quote].total == before[market.quote].total
    assert after[market.base].total == before[market.base].total


async def _fills_for(ex: Exchange, symbol: str, order_id: str, expect_size: Decimal) -> list[Fill]:
    """Fills can trail the order on a real venue: poll briefly until they add up."""
    fills: list[Fill] = []
    for _ in range(20):
        fills = await ex.fetch_fills(symbol, order_id=order_id)
        if sum((f.size for f in fills), Decimal(0)) >= expect_size:
            break
        await asyncio.sleep(0.25)
    return fills


async def test_fills_and_fees_move_balances_exactly(
    conformance_target: Target, conformance_exchange: Exchange
) -> None:
    require_trading(conformance_target)
    if not conformance_target.has_liquidity:
        skip(conformance_target, "no book to trade against")
    ex, symbol = conformance_exchange, conformance_target.symbol
    if OrderType.MARKET not in ex.capabilities.order_types:
        skip(conformance_target, "market orders not declared in capabilities")
    market, ticker = await quote_for(ex, symbol)
    price = ticker.ask or ticker.last
    assert price is not None
    before = await ex.fetch_balances()
    size = min_size(market, price)
    order = await ex.place_order(OrderRequest.market(symbol, Side.BUY, size=size))
    final = await ex.fetch_order(symbol, order_id=order.id)
    assert not final.is_open
    fills = await _fills_for(ex, symbol, order.id, final.filled_size)
    assert sum((f.size for f in fills), Decimal(0)) == final.filled_size, "fills add up to the filled size"
    assert sum((f.funds for f in fills), Decimal(0)) == final.filled_funds, "fills add up to the filled funds"
    after = await ex.fetch_balances()
    expected: dict[str, Decimal] = defaultdict(Decimal)
    for f in fills:
        assert f.order_id == order.id
        assert f.funds == f.price * f.size
        expected[market.base] += f.size
        expected[market.quote] -= f.funds
        expected[f.fee_currency] -= f.fee
    for currency, delta in expected.items():
        was = before[currency].total if currency in before else Decimal(0)
        assert after[currency].total - was == delta, f"{currency} moved by other than its fills and fees"
