"""An ``Exchange`` wrapper that remembers the orders a strategy placed.

Runners hand this to the strategy so they know, without any hook into the venue, which
orders are the strategy's: to report their changes (``on_order``), find their fills, and
cancel what is still open at shutdown.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Self

from exchanges import (
    Balance,
    Candle,
    Capabilities,
    Exchange,
    Fill,
    Interval,
    Market,
    Order,
    OrderBook,
    OrderNotFound,
    OrderRequest,
    Ticker,
    Trade,
)

__all__ = ["TrackingExchange"]


class TrackingExchange:
    def __init__(self, inner: Exchange) -> None:
        self.inner = inner
        self.venue = inner.venue
        self.capabilities: Capabilities = inner.capabilities
        self.orders: dict[str, Order] = {}  # last known state of every order the strategy placed
        #: ids of those last seen open, oldest first (read it, never change it)
        self.open: dict[str, None] = {}
        self.placed = 0
        #: how many times the strategy asked to place or cancel (a runner that saw the same
        #: count knows its orders changed only by what the market did to them)
        self.acted = 0
        self._rank: dict[str, int] = {}  # placement order
        self._news: list[str] = []  # placed or cancelled by the strategy since take_pending()

    # --- what the runners use ---------------------------------------------------------------

    def remember(self, order: Order) -> bool:
        """Record ``order``'s state; True if it changed since last seen."""
        before = self.orders.get(order.id)
        self._store(order)
        return before is not order and before != order  # (the same object: unchanged, no field compared)

    def advance(self, order: Order) -> bool:
        """Record ``order``'s state unless the one known is further on (a stream and a REST
        read may disagree about which is newer); True if its status or filled size moved."""
        before = self.orders[order.id]
        if order.status.rank < before.status.rank or order.filled_size < before.filled_size:
            return False
        if not before.is_open and order.status is not before.status:
            return False  # (an order ends once)
        self._store(order)
        return (order.status, order.filled_size) != (before.status, before.filled_size)

    def _note(self, order: Order) -> None:
        """Store a state the strategy caused (its placement or cancel), for the runner to look at."""
        self._news.append(order.id)
        self._store(order)

    def _store(self, order: Order) -> None:
        self.orders[order.id] = order
        if order.is_open:
            self.open[order.id] = None
        else:
            self.open.pop(order.id, None)

    @property
    def has_open(self) -> bool:
        return bool(self.open)

    def open_ids(self, symbol: str | None = None) -> list[str]:
        return [i for i in self.open if symbol is None or self.orders[i].symbol == symbol]

    def take_pending(self) -> list[str]:
        """Ids of the orders that may have news since the last call, in placement order: the
        open ones, and those the strategy placed or cancelled since (closed at once, or
        filled before the cancel). A closed order never changes again, so a runner polling
        these never rereads the whole history."""
        news = self._news
        if not news:
            return list(self.open)
        self._news = []
        ids = dict.fromkeys(self.open)
        ids.update(dict.fromkeys(news))
        return sorted(ids, key=self._rank.__getitem__)

    def requeue(self, order_ids: list[str]) -> None:
        """Hand ids from :meth:`take_pending` back (a poll that failed part-way)."""
        self._news.extend(order_ids)

    async def cancel_open(self) -> list[Order]:
        """Cancel every order of the strategy still open; returns the states the cancels
        left. One that had ended meanwhile (filled, most likely) is left for the runner's
        next look (in :meth:`take_pending`), which tells the strategy how it ended."""
        done = []
        for order_id in self.open_ids():
            order = self.orders[order_id]
            try:
                final = await self.inner.cancel_order(order.symbol, order_id=order_id)
            except OrderNotFound:
                self._news.append(order_id)
                continue
            self._note(final)
            done.append(final)
        return done

    # --- the protocol, delegated ------------------------------------------------------------

    async def place_order(self, request: OrderRequest) -> Order:
        self.acted += 1
        order = await self.inner.place_order(request)
        self.placed += 1
        self._rank[order.id] = self.placed
        self._note(order)
        return order

    async def cancel_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order:
        self.acted += 1
        order = await self.inner.cancel_order(symbol, order_id=order_id, client_order_id=client_order_id)
        if order.id in self.orders:
            self._note(order)
        return order

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

    async def cancel_all_orders(self, symbol: str | None = None) -> None:
        self.acted += 1
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
