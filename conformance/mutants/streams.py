"""Mutants of streams: each a bug an adapter's reading of pushed frames could have."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from decimal import Decimal

import attrs

from exchanges import Fill, Liquidity, Order, OrderBook, StreamGap, Streaming

from .base import PassThrough

__all__ = ["BookStreamBidsWorstFirst", "OrderStreamWithoutFilledSize", "StreamedFillsAsMaker"]


def _streaming(exchange: PassThrough) -> Streaming:
    inner = exchange.inner
    assert isinstance(inner, Streaming)
    return inner


class BookStreamBidsWorstFirst(PassThrough):
    """Applies the book's increments but lists the streamed bids worst first."""

    async def watch_order_book(
        self, symbol: str, depth: int | None = 20
    ) -> AsyncGenerator[OrderBook | StreamGap, None]:
        async with aclosing(_streaming(self).watch_order_book(symbol, depth)) as books:
            async for item in books:
                yield item if isinstance(item, StreamGap) else attrs.evolve(item, bids=item.bids[::-1])


class OrderStreamWithoutFilledSize(PassThrough):
    """Reads the filled size of a pushed order from a field the frame does not have."""

    async def watch_orders(self, symbol: str | None = None) -> AsyncGenerator[Order, None]:
        async with aclosing(_streaming(self).watch_orders(symbol)) as orders:
            async for order in orders:
                yield attrs.evolve(order, filled_size=Decimal(0))


class StreamedFillsAsMaker(PassThrough):
    """Takes every pushed fill for the maker's side of its trade."""

    async def watch_fills(self, symbol: str | None = None) -> AsyncGenerator[Fill, None]:
        async with aclosing(_streaming(self).watch_fills(symbol)) as fills:
            async for fill in fills:
                yield attrs.evolve(fill, liquidity=Liquidity.MAKER)
