"""A pass-through ``Exchange``: every mutant overrides one promise of the exchange it wraps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from types import TracebackType
from typing import Self

from exchanges import (
    Amending,
    Balance,
    BatchPlacing,
    Candle,
    Capabilities,
    Exchange,
    ExchangeError,
    Fill,
    Interval,
    Market,
    Order,
    OrderAck,
    OrderBook,
    OrderRequest,
    Ticker,
    Trade,
)

__all__ = ["PassThrough", "wrap"]


class PassThrough:
    """Forwards the protocol to ``inner``; :func:`wrap` adds batches and amends where the
    inner exchange has them."""

    def __init__(self, inner: Exchange) -> None:
        self.inner = inner
        self.venue = inner.venue
        self.capabilities: Capabilities = inner.capabilities

    async def load_markets(self, reload: bool = False) -> Mapping[str, Market]:
        return await self.inner.load_markets(reload)

    async def fetch_ticker(self, symbol: str) -> Ticker:
        return await self.inner.fetch_ticker(symbol)

    async def fetch_order_book(self, symbol: str, depth: int | None = 20) -> OrderBook:
        return await self.inner.fetch_order_book(symbol, depth)

    async def fetch_trades(self, symbol: str, limit: int | None = None) -> list[Trade]:
        return await self.inner.fetch_trades(symbol, limit)

    async def fetch_candles(
        self, symbol: str, interval: Interval | str, start: int | None = None, end: int | None = None
    ) -> list[Candle]:
        return await self.inner.fetch_candles(symbol, interval, start, end)

    async def fetch_balances(self) -> dict[str, Balance]:
        return await self.inner.fetch_balances()

    async def place_order(self, request: OrderRequest) -> Order:
        return await self.inner.place_order(request)

    async def cancel_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order:
        return await self.inner.cancel_order(symbol, order_id=order_id, client_order_id=client_order_id)

    async def cancel_all_orders(self, symbol: str | None = None) -> None:
        await self.inner.cancel_all_orders(symbol)

    async def fetch_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order:
        return await self.inner.fetch_order(symbol, order_id=order_id, client_order_id=client_order_id)

    async def fetch_open_orders(self, symbol: str | None = None) -> list[Order]:
        return await self.inner.fetch_open_orders(symbol)

    async def fetch_closed_orders(
        self, symbol: str, *, start: int | None = None, end: int | None = None, limit: int | None = None
    ) -> list[Order]:
        return await self.inner.fetch_closed_orders(symbol, start=start, end=end, limit=limit)

    async def fetch_fills(
        self,
        symbol: str,
        *,
        order_id: str | None = None,
        start: int | None = None,
        end: int | None = None,
        limit: int | None = None,
    ) -> list[Fill]:
        return await self.inner.fetch_fills(symbol, order_id=order_id, start=start, end=end, limit=limit)

    async def server_time(self) -> int:
        return await self.inner.server_time()

    async def close(self) -> None:
        await self.inner.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()


class _Batches(PassThrough):
    async def place_orders(self, requests: Sequence[OrderRequest]) -> list[Order | ExchangeError]:
        assert isinstance(self.inner, BatchPlacing)
        return await self.inner.place_orders(requests)


class _Amends(PassThrough):
    async def amend_order(
        self,
        symbol: str,
        *,
        order_id: str | None = None,
        client_order_id: str | None = None,
        price: Decimal | str | None = None,
        size: Decimal | str | None = None,
    ) -> OrderAck:
        assert isinstance(self.inner, Amending)
        return await self.inner.amend_order(
            symbol, order_id=order_id, client_order_id=client_order_id, price=price, size=size
        )


def wrap(kind: type[PassThrough], inner: Exchange) -> PassThrough:
    """``kind`` around ``inner``, forwarding batches and amends where ``inner`` offers them
    and ``kind`` does not break them itself (what a batch or an amend does inside the inner
    exchange is not broken by a mutant of ``place_order`` or ``fetch_order``)."""
    extra: list[type[PassThrough]] = []
    if isinstance(inner, BatchPlacing) and not hasattr(kind, "place_orders"):
        extra.append(_Batches)
    if isinstance(inner, Amending) and not hasattr(kind, "amend_order"):
        extra.append(_Amends)
    if extra:
        kind = type(kind.__name__, (kind, *extra), {})
    return kind(inner)
