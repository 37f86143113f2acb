"""Errors: each kind of bad request raises the matching ``exchanges`` error, before or after
reaching the venue, and a closed client says so."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conformance.helpers import expect_error, far_price, min_size, opened, quote_for, require_trading, skip
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


async def test_unknown_symbol(conformance_subject: Target, conformance_exchange: Exchange) -> None:
    """A symbol the venue does not list, or one that is no symbol at all, raises
    ``BadSymbol`` from market data and order calls alike."""
    ex = conformance_exchange
    await expect_error(
        BadSymbol, "a ticker of an unknown symbol must raise BadSymbol", ex.fetch_ticker("NOSUCHCOIN/USDT")
    )
    await expect_error(
        BadSymbol, "a book of 'not a symbol' must raise BadSymbol", ex.fetch_order_book("not a symbol")
    )
    if conformance_subject.trading:
        await expect_error(
            BadSymbol,
            "an order of an unknown symbol must raise BadSymbol",
            ex.place_order(OrderRequest.limit("NOSUCHCOIN/USDT", "buy", "1", "1")),
        )


async def test_below_minimum_size(conformance_subject: Target, conformance_exchange: Exchange) -> None:
    """An order smaller than the market's minimum size raises ``BelowMinimumSize``."""
    require_trading(conformance_subject)
    ex, symbol = conformance_exchange, conformance_subject.symbol
    market, ticker = await quote_for(ex, symbol)
    if market.min_size <= market.size_increment:
        skip(conformance_subject, f"{symbol}'s minimum size is one increment: nothing smaller is on the grid")
    price = far_price(market, ticker, Side.BUY)
    size = floor_to_increment(market.min_size - market.size_increment, market.size_increment)
    await expect_error(
        BelowMinimumSize,
        f"an order of {size}, below the minimum size {market.min_size}, must raise BelowMinimumSize",
        ex.place_order(OrderRequest.limit(symbol, Side.BUY, size, price)),
    )


async def test_below_minimum_funds_or_size_is_an_invalid_order(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """An order of one size increment (below the minimum size or funds) is an ``InvalidOrder``."""
    require_trading(conformance_subject)
    ex, symbol = conformance_exchange, conformance_subject.symbol
    market, ticker = await quote_for(ex, symbol)
    price = far_price(market, ticker, Side.BUY)
    await expect_error(
        InvalidOrder,
        "an order of one size increment must be refused as an InvalidOrder",
        ex.place_order(OrderRequest.limit(symbol, Side.BUY, market.size_increment, price)),
    )


async def test_bad_increment(conformance_subject: Target, conformance_exchange: Exchange) -> None:
    """A price or size off the market's increments raises ``InvalidPrecision``: it is
    never rounded silently."""
    require_trading(conformance_subject)
    ex, symbol = conformance_exchange, conformance_subject.symbol
    market, ticker = await quote_for(ex, symbol)
    price = far_price(market, ticker, Side.BUY)
    size = min_size(market, price)
    off_price = price + market.price_increment / 2
    await expect_error(
        InvalidPrecision,
        f"a price of {off_price}, off the increment {market.price_increment}, must raise InvalidPrecision",
        ex.place_order(OrderRequest.limit(symbol, Side.BUY, size, off_price)),
    )
    off_size = size + market.size_increment / 2
    await expect_error(
        InvalidPrecision,
        f"a size of {off_size}, off the increment {market.size_increment}, must raise InvalidPrecision",
        ex.place_order(OrderRequest.limit(symbol, Side.BUY, off_size, price)),
    )


async def test_insufficient_funds(conformance_subject: Target, conformance_exchange: Exchange) -> None:
    """An order the balance cannot pay for raises ``InsufficientFunds``, and is not placed."""
    require_trading(conformance_subject)
    ex, symbol = conformance_exchange, conformance_subject.symbol
    market, ticker = await quote_for(ex, symbol)
    price = far_price(market, ticker, Side.BUY)
    balances = await ex.fetch_balances()
    available = balances[market.quote].available if market.quote in balances else Decimal(0)
    size = floor_to_increment(available / price * 2, market.size_increment) + min_size(market, price)
    if market.max_size is not None and size > market.max_size:
        skip(
            conformance_subject,
            "the balance exceeds what one order may be; cannot provoke insufficient funds",
        )
    await expect_error(
        InsufficientFunds,
        f"a buy costing twice the available {market.quote} must raise InsufficientFunds",
        ex.place_order(OrderRequest.limit(symbol, Side.BUY, size, price)),
    )
    assert not await ex.fetch_open_orders(symbol), (
        "an order refused for insufficient funds exists all the same"
    )


async def test_bad_credentials(conformance_subject: Target) -> None:
    """A wrong key raises an ``AuthenticationError`` on the first private call."""
    if conformance_subject.bad_credentials is None:
        skip(conformance_subject, "no credentials to get wrong")
    async with opened(conformance_subject, conformance_subject.bad_credentials) as ex:
        await expect_error(
            AuthenticationError,
            "balances read with a wrong key must raise an AuthenticationError",
            ex.fetch_balances(),
        )


async def test_calls_after_close_are_a_clear_error(conformance_subject: Target) -> None:
    """A closed client says so (an ``ExchangeError`` saying "closed"), never a transport's
    own exception; closing twice is harmless."""
    exchange: Exchange = await resolve(conformance_subject.exchange)
    await exchange.server_time()
    await exchange.close()
    await exchange.close()
    err = await expect_error(
        ExchangeError,
        "a call on a closed client must raise an ExchangeError",
        exchange.fetch_ticker(conformance_subject.symbol),
    )
    assert "closed" in str(err), f"the error of a call on a closed client does not say it is closed: {err}"
