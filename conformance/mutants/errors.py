"""Mutants of errors: each a bug an adapter's mapping of a venue's errors, or of its own
checks, could have."""

from __future__ import annotations

import attrs

from exchanges import (
    BadSymbol,
    BelowMinimumSize,
    ExchangeError,
    InsufficientFunds,
    InvalidOrder,
    Order,
    OrderRequest,
    Ticker,
    round_to_increment,
)

from .base import PassThrough

__all__ = [
    "ClosedClientRaisesRuntimeError",
    "IncrementsRoundedSilently",
    "InsufficientFundsUntyped",
    "MinimumSizeUntyped",
    "VagueErrors",
]


class VagueErrors(PassThrough):
    """Raises every error of a ticker as a bare ``ExchangeError``."""

    async def fetch_ticker(self, symbol: str) -> Ticker:
        try:
            return await super().fetch_ticker(symbol)
        except BadSymbol as err:
            raise ExchangeError(str(err), venue=self.venue) from None


class InsufficientFundsUntyped(PassThrough):
    async def place_order(self, request: OrderRequest) -> Order:
        try:
            return await super().place_order(request)
        except InsufficientFunds as err:
            raise InvalidOrder(str(err), venue=self.venue, code=err.code) from None


class MinimumSizeUntyped(PassThrough):
    async def place_order(self, request: OrderRequest) -> Order:
        try:
            return await super().place_order(request)
        except BelowMinimumSize as err:
            raise InvalidOrder(str(err), venue=self.venue, code=err.code) from None


class IncrementsRoundedSilently(PassThrough):
    """Rounds a price or size to the market's increments instead of refusing it."""

    async def place_order(self, request: OrderRequest) -> Order:
        market = (await self.load_markets()).get(request.symbol)
        if market is not None and request.price is not None and request.size is not None:
            price = round_to_increment(request.price, market.price_increment)
            size = round_to_increment(request.size, market.size_increment)
            request = attrs.evolve(request, price=price, size=size)
        return await super().place_order(request)


class ClosedClientRaisesRuntimeError(PassThrough):
    """Lets its HTTP client's own error through once closed."""

    _closed = False

    async def close(self) -> None:
        self._closed = True
        await super().close()

    async def fetch_ticker(self, symbol: str) -> Ticker:
        if self._closed:
            raise RuntimeError("Cannot send a request, as the client has been closed.")
        return await super().fetch_ticker(symbol)
