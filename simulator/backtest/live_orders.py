"""The strategy's own orders and fills in a live run, by stream and by REST: each fill told
once, each order's states told in order and only forward, whichever way they came.

A live order stream covers every order from the moment it is subscribed, which is not known:
an order placed before (in ``on_start``, or on the first book while the private feed is
still connecting) may end unseen. So an order the stream has not spoken of by the look
after the one that first saw it is read by REST, as is an order whose fills the fill
stream still owes; everything else comes by stream. What is not streamed is read each look.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from exchanges import ExchangeError, Fill, NetworkError, Order, StreamKind

from .strategy import Strategy
from .tracking import TrackingExchange

__all__ = ["OwnOrders"]

ZERO = Decimal(0)


class OwnOrders:
    """``fills``: those told, in order."""

    def __init__(self, exchange: TrackingExchange, strategy: Strategy, say: Callable[[str], None]) -> None:
        self.exchange = exchange
        self.strategy = strategy
        self.fills: list[Fill] = []
        self._say = say
        self._seen: set[str] = set()
        self._told: dict[str, Decimal] = {}  # size of the fills told, per order
        self._heard: set[str] = set()  # orders the order stream has spoken of
        self._owed: set[str] = set()  # orders known to have filled more than their fills told
        self._due: dict[str, None] = {}  # waiting on a stream at the last look: read at the next

    async def streamed_order(self, order: Order) -> None:
        if order.id in self.exchange.orders:
            self._heard.add(order.id)
            await self._tell(order)

    async def streamed_fill(self, fill: Fill) -> None:
        if fill.order_id in self.exchange.orders:
            await self._fill(fill)

    async def look(self, streamed: frozenset[StreamKind], errors: list[str] | None = None) -> int:
        """Read by REST what the streams have not said (everything, with none); returns the
        number of reads. A ``NetworkError`` leaves what was not looked at for the next look;
        another error of one order goes to ``errors`` when given (else it is raised)."""
        pending = dict.fromkeys(self.exchange.take_pending())
        due, self._due = self._due, {}
        ids = [*pending, *(i for i in due if i not in pending)]
        ids += sorted(self._owed.difference(ids))
        reads = 0
        for n, order_id in enumerate(ids):
            try:
                reads += await self._look_at(order_id, streamed, order_id in due)
            except NetworkError:
                self.exchange.requeue([i for i in ids[n:] if i in pending])
                self._due.update(dict.fromkeys(i for i in ids[n:] if i in due))
                raise
            except ExchangeError as err:
                if errors is None:
                    raise
                errors.append(f"order {order_id}: {err}")
        return reads

    async def _look_at(self, order_id: str, streamed: frozenset[StreamKind], due: bool) -> int:
        order = self.exchange.orders[order_id]
        by_stream = StreamKind.ORDERS in streamed
        unheard = by_stream and order_id not in self._heard
        reads = 0
        if order.is_open and (not by_stream or (due and unheard)):
            order = await self.exchange.fetch_order(order.symbol, order_id=order_id)
            reads += 1
        if order.filled_size > self._told.get(order_id, ZERO) and (StreamKind.FILLS not in streamed or due):
            fills = await self.exchange.fetch_fills(order.symbol, order_id=order_id)
            reads += 1
            for fill in sorted(fills, key=lambda f: f.timestamp):
                await self._fill(fill)
        await self._tell(order)
        waiting = unheard and (order.is_open or not due)  # (one that ended was read whole)
        if waiting or (StreamKind.FILLS in streamed and order_id in self._owed):
            self._due[order_id] = None
        return reads

    async def _tell(self, order: Order) -> None:
        moved = self.exchange.advance(order)
        self._owe(order.id)
        if moved:
            await self.strategy.on_order(self.exchange.orders[order.id])

    def _owe(self, order_id: str) -> None:
        if self.exchange.orders[order_id].filled_size > self._told.get(order_id, ZERO):
            self._owed.add(order_id)
        else:
            self._owed.discard(order_id)

    async def _fill(self, fill: Fill) -> None:
        key = f"{fill.order_id}/{fill.trade_id or fill.id}"  # (a streamed fill's id may be its trade's)
        if key in self._seen:
            return
        self._seen.add(key)
        self._told[fill.order_id] = self._told.get(fill.order_id, ZERO) + fill.size
        self._owe(fill.order_id)
        self.fills.append(fill)
        self._say(f"fill: {fill.side} {fill.size} @ {fill.price} ({fill.liquidity})")
        await self.strategy.on_fill(fill)

    async def settle(self) -> list[str]:
        """At stop, with the streams closed: read by REST whatever may have moved since the
        streams last spoke (the cancels' outcomes, orders placed in ``on_stop``, fills not
        yet told); returns the errors met."""
        errors: list[str] = []
        for _ in range(3):  # (a network error leaves the rest for another try)
            try:
                await self.look(frozenset(), errors)
            except NetworkError as err:
                errors.append(str(err))
                continue
            break
        return errors
