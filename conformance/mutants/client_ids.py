"""Mutants of client order ids: each a bug an adapter's handling of the idempotency key
could have."""

from __future__ import annotations

import attrs

from exchanges import (
    DuplicateClientOrderId,
    Exchange,
    Order,
    OrderNotFound,
    OrderRequest,
    new_client_order_id,
)

from .base import PassThrough

__all__ = [
    "ClientIdsForgottenOnRestart",
    "DuplicateIdReplaced",
    "GeneratedIdNotReported",
    "InvalidIdsCleanedUp",
]


class DuplicateIdReplaced(PassThrough):
    """Meets a duplicate client order id by placing the order again under a fresh one."""

    async def place_order(self, request: OrderRequest) -> Order:
        try:
            return await super().place_order(request)
        except DuplicateClientOrderId:
            fresh = new_client_order_id("kucoin")[-20:]
            return await super().place_order(attrs.evolve(request, client_order_id=fresh))


class InvalidIdsCleanedUp(PassThrough):
    """Drops the characters a venue would refuse and cuts the id short, instead of refusing it."""

    async def place_order(self, request: OrderRequest) -> Order:
        cid = request.client_order_id
        if cid is not None:
            clean = "".join(c for c in cid if c.isalnum() or c in "-_")[:32]
            request = attrs.evolve(request, client_order_id=clean or None)
        return await super().place_order(request)


class GeneratedIdNotReported(PassThrough):
    """Lets the venue make up a client order id, and does not report it."""

    async def place_order(self, request: OrderRequest) -> Order:
        order = await super().place_order(request)
        return order if request.client_order_id else attrs.evolve(order, client_order_id=None)


class ClientIdsForgottenOnRestart(PassThrough):
    """Keeps a map of the client order ids it placed, and finds orders by client id in it
    alone: a restarted client knows none of them."""

    def __init__(self, inner: Exchange) -> None:
        super().__init__(inner)
        self._ids: dict[str, str] = {}

    async def place_order(self, request: OrderRequest) -> Order:
        order = await super().place_order(request)
        if order.client_order_id:
            self._ids[order.client_order_id] = order.id
        return order

    def _known(self, client_order_id: str) -> str:
        try:
            return self._ids[client_order_id]
        except KeyError:
            raise OrderNotFound(
                f"no order with client order id {client_order_id}", venue=self.venue
            ) from None

    async def fetch_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order:
        if client_order_id is not None and order_id is None:
            return await super().fetch_order(symbol, order_id=self._known(client_order_id))
        return await super().fetch_order(symbol, order_id=order_id, client_order_id=client_order_id)

    async def cancel_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order:
        if client_order_id is not None and order_id is None:
            return await super().cancel_order(symbol, order_id=self._known(client_order_id))
        return await super().cancel_order(symbol, order_id=order_id, client_order_id=client_order_id)
