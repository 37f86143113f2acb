"""The caller's own feeds, venue-neutral: orders and fills, balances.

Messages are handled one at a time, in arrival order, by a task of the feed's own, since some
need a REST read first. After a reconnect (once the venue has taken the subscriptions again)
a feed re-reads by REST what the socket may have missed: the open orders (and each order it
knew open that is no longer, in its final state, with the fills between), or the balances.
Nothing is dropped: the mailboxes of these streams keep every event. What a message says is
the venue's: each venue's feeds read their own.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from decimal import Decimal
from typing import Any, Generic, Protocol, TypeVar

from exchanges import Backlog, Balance, Clock, ExchangeError, Fill, Latest, Order, OrderNotFound

from .order_tracker import OrderTracker

__all__ = ["BalanceFeed", "OrderFeed", "OrderReads", "SerialFeed"]

ZERO = Decimal(0)
_RESTART = object()
#: How long before the last event heard a reconnect's read of done orders starts (the
#: socket may have been dead a while before anyone noticed).
_REREAD_MARGIN_MS = 60_000
_MALFORMED = (KeyError, TypeError, ValueError, ArithmeticError, IndexError, AttributeError)


class OrderReads(Protocol):
    """The REST reads the order feed falls back on."""

    async def fetch_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order: ...

    async def fetch_open_orders(self, symbol: str | None = None) -> list[Order]: ...

    async def fetch_closed_orders(self, symbol: str, *, start: int | None = None) -> list[Order]: ...

    async def fetch_fills(self, symbol: str, *, order_id: str | None = None) -> list[Fill]: ...


R = TypeVar("R")
Q = TypeVar("Q", bound=OrderReads)


class SerialFeed(Generic[R]):
    """Messages and restarts in a queue, handled in order by one task; ``start`` seeds by
    REST first, so messages that arrive meanwhile wait for it."""

    def __init__(self, rest: R, clock: Clock, venue: str) -> None:
        self._rest = rest
        self._clock = clock
        self.venue = venue
        self.log = logging.getLogger(f"adapters.{venue}")
        self._queue: deque[object] = deque()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.ready: asyncio.Future[None] | None = None

    async def start(self) -> None:
        await self._seed()
        self._task = asyncio.get_running_loop().create_task(self._run())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def on_message(self, message: Mapping[str, Any]) -> None:
        self._queue.append(message)
        self._wake.set()

    def on_restart(self) -> None:
        if not self._queue or self._queue[-1] is not _RESTART:  # (one per reconnect, not per topic)
            self._queue.append(_RESTART)
        self._wake.set()

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._queue:
                item = self._queue.popleft()
                try:
                    if item is _RESTART:
                        await self._reread()
                    else:
                        assert isinstance(item, Mapping)
                        await self._message(item)
                except asyncio.CancelledError:
                    raise
                except (ExchangeError, *_MALFORMED) as exc:
                    name, venue = type(exc).__name__, self.venue
                    self.log.warning("%s ws: a private event could not be read (%s: %s)", venue, name, exc)

    async def _retrying(self, what: str, read: Callable[[], Awaitable[Any]]) -> Any:
        """A REST read that must succeed (nothing may be lost): retried on network errors."""
        pause = 0.25
        while True:
            try:
                return await read()
            except ExchangeError as exc:
                if not exc.retryable:
                    raise
                self.log.debug("%s ws: %s failed, retrying: %s", self.venue, what, exc)
            await self._clock.sleep(pause)
            pause = min(pause * 2, 5.0)

    async def _seed(self) -> None:
        raise NotImplementedError

    async def _reread(self) -> None:
        raise NotImplementedError

    async def _message(self, message: Mapping[str, Any]) -> None:
        raise NotImplementedError


class OrderFeed(SerialFeed[Q]):
    """Orders and fills of every symbol; each stream filters its own."""

    #: Whether a stop order known open that no open list has any more is read back.
    final_of_stops = True

    def __init__(
        self, rest: Q, clock: Clock, venue: str, *, placed_symbols: Callable[[], set[str]]
    ) -> None:
        super().__init__(rest, clock, venue)
        self.tracker = OrderTracker()
        self._placed_symbols = placed_symbols
        self._heard = 0  # local time of the last event: a reconnect re-reads from a little before
        self._seeded = False
        self._orders: list[tuple[str | None, Backlog[Order]]] = []
        self._fills: list[tuple[str | None, Backlog[Fill]]] = []
        self.rereads = 0

    @property
    def boxes(self) -> list[Backlog[Order] | Backlog[Fill]]:
        return [b for _, b in self._orders] + [b for _, b in self._fills]

    def attach_orders(self, box: Backlog[Order], symbol: str | None) -> None:
        """A stream starts with the open orders as they stand (a later one, as the feed
        knows them), then hears every change."""
        self._orders.append((symbol, box))
        if self._seeded:
            for order in self._open(symbol):
                box.put(order)

    def attach_fills(self, box: Backlog[Fill], symbol: str | None) -> None:
        self._fills.append((symbol, box))

    def detach(self, box: object) -> None:
        self._orders = [(s, b) for s, b in self._orders if b is not box]
        self._fills = [(s, b) for s, b in self._fills if b is not box]

    def on_error(self, error: ExchangeError) -> None:
        for box in self.boxes:
            box.fail(error)

    def _open(self, symbol: str | None) -> list[Order]:
        found = [o for o in self.tracker.open_orders() if symbol is None or o.symbol == symbol]
        return sorted(found, key=lambda o: (o.updated_at, o.created_at))

    def _tell(self, order: Order) -> None:
        if self.tracker.advance(order):
            for symbol, box in self._orders:
                if symbol is None or symbol == order.symbol:
                    box.put(order)

    def _tell_fill(self, fill: Fill) -> None:
        if self.tracker.first_fill(fill.trade_id, fill.order_id):
            self._put_fill(fill)

    def _put_fill(self, fill: Fill) -> None:
        """A fill first seen goes to every stream watching its symbol."""
        for symbol, box in self._fills:
            if symbol is None or symbol == fill.symbol:
                box.put(fill)

    async def _seed(self) -> None:
        self._heard = self._clock.now_ms()
        for order in await self._retrying("reading open orders", self._rest.fetch_open_orders):
            self.tracker.seed(order)
        self._seeded = True
        for symbol, box in self._orders:
            for order in self._open(symbol):
                box.put(order)

    async def _reread(self) -> None:
        """After a reconnect: every open order as REST has it; each order known open that
        no longer is, in its final state; the orders done since shortly before the socket
        went quiet, of every symbol the stream has seen, watches or this exchange placed
        on (an order placed and done while away is in no open list); and the fills of the
        orders that moved meanwhile."""
        self.rereads += 1
        since = max(self._heard - _REREAD_MARGIN_MS, 0)
        before = {o.id: o for o in self.tracker.open_orders()}
        now = await self._retrying("reading open orders", self._rest.fetch_open_orders)
        moved: dict[str, Order] = {o.id: o for o in now}
        symbols = {o.symbol for o in before.values()} | self._placed_symbols()
        symbols |= {s for s, _ in self._orders + self._fills if s is not None}
        for symbol in sorted(symbols):
            done = await self._retrying(
                f"reading {symbol} orders done",
                lambda s=symbol: self._rest.fetch_closed_orders(s, start=since),  # type: ignore[misc]
            )
            for order in done:
                moved.setdefault(order.id, order)
        for order in before.values():
            if order.id not in moved and (self.final_of_stops or order.stop is None):
                final = await self._retrying(
                    f"reading order {order.id}", lambda o=order: self._final(o)  # type: ignore[misc]
                )
                if final is not None:
                    moved[final.id] = final
        for order in sorted(moved.values(), key=lambda o: o.updated_at):
            old = self.tracker.get(order.id)
            if order.filled_size > (old.filled_size if old is not None else ZERO):
                fills = await self._retrying(
                    f"reading fills of {order.id}",
                    lambda o=order: self._rest.fetch_fills(o.symbol, order_id=o.id),  # type: ignore[misc]
                )
                for fill in sorted(fills, key=lambda f: (f.timestamp, f.trade_id)):
                    self._tell_fill(fill)
            self._tell(order)
        self._heard = self._clock.now_ms()

    async def _final(self, order: Order) -> Order | None:
        try:
            return await self._rest.fetch_order(order.symbol, order_id=order.id)
        except OrderNotFound:
            return None


class BalanceFeed(SerialFeed[R]):
    """Balances per currency, as ``fetch_balances`` gives them; ``_reread`` reads them all
    (the seed, and after a reconnect)."""

    def __init__(self, rest: R, clock: Clock, venue: str) -> None:
        super().__init__(rest, clock, venue)
        self.boxes: list[Latest[Balance]] = []
        self._told: dict[str, Balance] = {}

    def attach(self, box: Latest[Balance]) -> None:
        """A stream starts with every balance as it stands, then hears each change."""
        self.boxes.append(box)
        for currency in sorted(self._told):
            box.put(self._told[currency], key=currency)

    def detach(self, box: object) -> None:
        self.boxes = [b for b in self.boxes if b is not box]

    def on_error(self, error: ExchangeError) -> None:
        for box in self.boxes:
            box.fail(error)

    def _tell(self, balance: Balance) -> None:
        if balance == self._told.get(balance.currency):
            return
        self._told[balance.currency] = balance
        for box in self.boxes:
            box.put(balance, key=balance.currency)

    async def _seed(self) -> None:
        await self._reread()
