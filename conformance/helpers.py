"""Small tools the contract tests share: sizing orders, skipping honestly, tidying up."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager, suppress
from decimal import Decimal
from typing import Any, NoReturn, TypeVar

import pytest

from exchanges import (
    Exchange,
    ExchangeError,
    Market,
    OrderRequest,
    Side,
    Ticker,
    ceil_to_increment,
    floor_to_increment,
    new_client_order_id,
)

from .target import Target, resolve

E = TypeVar("E", bound=BaseException)

__all__ = [
    "client_id_for",
    "cross_price",
    "expect_error",
    "far_price",
    "is_epoch_ms",
    "limit_far",
    "min_size",
    "opened",
    "quote_for",
    "require_trading",
    "resting",
    "skip",
    "tidy",
]

#: How far from the market a "resting" order is placed: far enough never to fill during a
#: test, near enough to pass price-protection bands.
FAR = Decimal("0.05")


def skip(target: Target, reason: str) -> NoReturn:
    pytest.skip(f"{target.name}: {reason}")


def require_trading(target: Target) -> None:
    if not target.trading:
        skip(target, "trading disabled for this target (read-only run)")


async def quote_for(exchange: Exchange, symbol: str) -> tuple[Market, Ticker]:
    markets = await exchange.load_markets()
    ticker = await exchange.fetch_ticker(symbol)
    return markets[symbol], ticker


def _reference(ticker: Ticker, side: Side) -> Decimal:
    ref = (ticker.bid if side is Side.BUY else ticker.ask) or ticker.last or ticker.bid or ticker.ask
    if ref is None:
        raise AssertionError(f"{ticker.symbol}: ticker has no bid, ask or last price to size orders from")
    return ref


def far_price(market: Market, ticker: Ticker, side: Side, distance: Decimal = FAR) -> Decimal:
    """A price ``distance`` away from the touch on the passive side."""
    ref = _reference(ticker, side)
    if side is Side.BUY:
        return max(floor_to_increment(ref * (1 - distance), market.price_increment), market.price_increment)
    return ceil_to_increment(ref * (1 + distance), market.price_increment)


def cross_price(market: Market, ticker: Ticker, side: Side, distance: Decimal = Decimal("0.02")) -> Decimal:
    """A price that crosses the book by ``distance`` (marketable), on the grid."""
    ref = _reference(ticker, side.opposite)
    if side is Side.BUY:
        return ceil_to_increment(ref * (1 + distance), market.price_increment)
    return max(floor_to_increment(ref * (1 - distance), market.price_increment), market.price_increment)


def min_size(market: Market, price: Decimal, factor: Decimal = Decimal("1.2")) -> Decimal:
    """The smallest size that passes min size and min funds at ``price``, with headroom."""
    size = market.min_size
    if market.min_funds is not None:
        size = max(size, market.min_funds / price)
    return ceil_to_increment(size * factor, market.size_increment)


def limit_far(market: Market, ticker: Ticker, side: Side, **kwargs: Any) -> OrderRequest:
    price = far_price(market, ticker, side)
    return OrderRequest.limit(market.symbol, side, min_size(market, price), price, **kwargs)


def resting(
    exchange: Exchange, market: Market, ticker: Ticker, side: Side, count: int, **kwargs: Any
) -> list[OrderRequest]:
    """``count`` limit orders far from the market, each at its own price and size and with
    its own client order id, so that an answer about the wrong one cannot pass for the
    right one."""
    out = []
    for i in range(count):
        price = far_price(market, ticker, side, FAR + Decimal(i) / 500)
        size = min_size(market, price) * (i + 1)
        cid = client_id_for(exchange)
        out.append(OrderRequest.limit(market.symbol, side, size, price, client_order_id=cid, **kwargs))
    return out


async def tidy(exchange: Exchange, symbols: list[str]) -> None:
    """Best effort: leave no open orders behind."""
    for symbol in symbols:
        with suppress(ExchangeError):
            await exchange.cancel_all_orders(symbol)


@asynccontextmanager
async def opened(target: Target, opener: object = None, *args: object) -> AsyncIterator[Exchange]:
    """Open an exchange with ``opener`` (default: the target's), close it afterwards."""
    exchange: Exchange = await resolve(opener or target.exchange, *args)  # type: ignore[arg-type]
    try:
        yield exchange
    finally:
        await exchange.close()


def client_id_for(exchange: Exchange, tag: str = "conf") -> str:
    """A fresh client order id valid by the rules of ``exchange.venue`` (KuCoin's, Gate's
    ``t-`` prefix, ...); for a venue the rules table does not know, 20 letters and digits,
    which every venue in it accepts."""
    try:
        return new_client_order_id(exchange.venue, tag=tag)
    except ValueError:
        return (tag + new_client_order_id("kucoin"))[-20:]


async def expect_error(kind: type[E], rule: str, call: Awaitable[object]) -> E:
    """Await ``call``, which the contract says must raise ``kind``; a failure says the rule
    in words and what happened instead."""
    try:
        result = await call
    except kind as err:
        return err
    except Exception as err:
        raise AssertionError(f"{rule}: raised {type(err).__name__} instead ({err})") from err
    raise AssertionError(f"{rule}: nothing was raised (returned {_short(result)})")


def _short(value: object, limit: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


#: How far from the server's clock a time may lie and still be taken for epoch milliseconds
#: (a time in seconds reads as January 1970; one in microseconds as the far future).
_YEAR_MS = 366 * 24 * 3600 * 1000


def is_epoch_ms(value: object, now: int) -> bool:
    """Whether ``value`` is a whole epoch time in milliseconds within a year of ``now``."""
    return isinstance(value, int) and not isinstance(value, bool) and abs(value - now) <= _YEAR_MS
