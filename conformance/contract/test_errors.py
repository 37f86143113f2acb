"""Errors: each kind of bad request raises the matching ``exchanges`` error."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conformance.helpers import far_price, min_size, opened, quote_for, require_trading, skip
from conformance.target import Target, resolve
from exchanges import (
    AuthenticationError,
    BadSymbol,
    BelowMinimumSize,
    Exchange,
    ExchangeError,
    InsufficientFunds,
    InvalidOrder,
    InvalidPrecision,
    OrderRequest,
    Side,
    floor_to_increment,
)

pytestmark = [pytest.mark.conformance_area("errors"), pytest.mark.asyncio(loop_scope="function")]


async def test_unknown_symbol(conformance_target: Target, conformance_exchange: Exchange) -> None:
    with pytest.raises(BadSymbol):
        await conformance_exchange.fetch_ticker("NOSUCHCOIN/USDT")
    with pytest.raises(BadSymbol):
        await conformance_exchange.fetch_order_book("not a symbol")
    if conformance_target.trading:
        with pytest.raises(BadSymbol):
            await conformance_exchange.place_order(OrderRequest.limit("NOSUCHCOIN/USDT", "buy", "1", "1"))


async def test_below_minimum_size(conformance_target: Target, conformance_exchange: Exchange) -> None:
    require_trading(conformance_target)
    ex, symbol = conformance_exchange, conformance_target.symbol
    market, ticker = await quote_for(ex, symbol)
    if market.min_size <= market.size_increment:
        skip(conformance_target, f"{symbol}'s minimum size is one increment: nothing smaller is on the grid")
    price = far_price(market, ticker, Side.BUY)
    size = floor_to_increment(market.min_size - market.size_increment, market.size_increment)
    with pytest.raises(BelowMinimumSize):
        await ex.place_order(OrderRequest.limit(symbol, Side.BUY, size, price))


async def test_below_minimum_funds_or_size_is_an_invalid_order(
    conformance_target: Target, conformance_exchange: Exchange
) -> None:
    require_trading(conformance_target)
    ex, symbol = conformance_exchange, conformance_target.symbol
    market, ticker = await quote_for(ex, symbol)
    price = far_price(market, ticker, Side.BUY)
    with pytest.raises(InvalidOrder):
        await ex.place_order(OrderRequest.limit(symbol, Side.BUY, market.size_increment, price))


async def test_bad_increment(conformance_target: Target, conformance_exchange: Exchange) -> None:
    require_trading(conformance_target)
    ex, symbol = conformance_exchange, conformance_target.symbol
    market, ticker = await quote_for(ex, symbol)
    price = far_price(market, ticker, Side.BUY)
    size = min_size(market, price)
    with pytest.raises(InvalidPrecision):
        await ex.place_order(OrderRequest.limit(symbol, Side.BUY, size, price + market.price_increment / 2))
    with pytest.raises(InvalidPrecision):
        await ex.place_order(OrderRequest.limit(symbol, Side.BUY, size + market.size_increment / 2, price))


async def test_insufficient_funds(conformance_target: Target, conformance_exchange: Exchange) -> None:
    require_trading(conformance_target)
    ex, symbol = conformance_exchange, conformance_target.symbol
    market, ticker = await quote_for(ex, symbol)
    price = far_price(market, ticker, Side.BUY)
    balances = await ex.fetch_balances()
    available = balances[market.quote].available if market.quote in balances else Decimal(0)
    size = floor_to_increment(available / price * 2, market.size_increment) + min_size(market, price)
    if market.max_size is not None and size > market.max_size:
        skip(
            conformance_target, "the balance exceeds what one order may be; cannot provoke insufficient funds"
        )
    with pytest.raises(InsufficientFunds):
        await ex.place_order(OrderRequest.limit(symbol, Side.BUY, size, price))
    assert not await ex.fetch_open_orders(symbol)


async def test_bad_credentials(conformance_target: Target) -> None:
    if conformance_target.bad_credentials is None:
        skip(conformance_target, "no credentials to get wrong")
    async with opened(conformance_target, conformance_target.bad_credentials) as ex:
        with pytest.raises(AuthenticationError):
            await ex.fetch_balances()


async def test_calls_after_close_are_a_clear_error(conformance_target: Target) -> None:
    """A closed client says so (an ``ExchangeError``), never a transport's own exception;
    closing twice is harmless."""
    exchange: Exchange = await resolve(conformance_target.exchange)
    await exchange.server_time()
    await exchange.close()
    await exchange.close()
    with pytest.raises(ExchangeError, match="closed"):
        await exchange.fetch_ticker(conformance_target.symbol)
