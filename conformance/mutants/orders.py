"""Mutants of orders: each a bug an adapter's placing, cancelling, amending or reading of
orders and fills could have."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import attrs

from exchanges import (
    Amending,
    Exchange,
    ExchangeError,
    Fill,
    NetworkError,
    Order,
    OrderAck,
    OrderNotFound,
    OrderRequest,
    OrderStatus,
    TimeInForce,
)

from .base import PassThrough

__all__ = [
    "AmendByClientIdAmendsTheOldest",
    "AmendOfNothingAccepted",
    "BatchStopsAtItsFirstRefusal",
    "BothIdsAccepted",
    "CancelAllOfEverySymbol",
    "CancelAllWithoutSymbolDoesNothing",
    "CancelByClientIdCancelsTheOldest",
    "CancelForgetsFills",
    "CancelOfAFilledOrderSucceeds",
    "ClosedListHoldsOpenOrders",
    "ClosedOrdersOldestFirst",
    "FetchByClientIdReturnsTheOldest",
    "FillsIgnoreTheOrder",
    "FokPlacedAsIoc",
    "GttPlacedAsGtc",
    "HiddenFlagDropped",
    "IocRests",
    "MarketFundsWithAFeeMargin",
    "NegativeLimitSlices",
    "OffByOneTick",
    "OpenListIgnoresTheSymbol",
    "OpenOrdersOldestFirst",
    "OrderTimesInSeconds",
    "PartialFillReportedFilled",
    "PostOnlyFlagDropped",
    "StopPriceDropped",
]


class IocRests(PassThrough):
    async def place_order(self, request: OrderRequest) -> Order:
        if request.time_in_force is TimeInForce.IOC:
            request = attrs.evolve(request, time_in_force=TimeInForce.GTC)
        return await super().place_order(request)


class FokPlacedAsIoc(PassThrough):
    async def place_order(self, request: OrderRequest) -> Order:
        if request.time_in_force is TimeInForce.FOK:
            request = attrs.evolve(request, time_in_force=TimeInForce.IOC)
        return await super().place_order(request)


class PostOnlyFlagDropped(PassThrough):
    """Sends the order without its post-only flag, and answers as asked."""

    async def place_order(self, request: OrderRequest) -> Order:
        order = await super().place_order(attrs.evolve(request, post_only=False))
        return attrs.evolve(order, post_only=request.post_only)


class GttPlacedAsGtc(PassThrough):
    async def place_order(self, request: OrderRequest) -> Order:
        if request.time_in_force is TimeInForce.GTT:
            request = attrs.evolve(request, time_in_force=TimeInForce.GTC, cancel_after=None)
        return await super().place_order(request)


class HiddenFlagDropped(PassThrough):
    async def place_order(self, request: OrderRequest) -> Order:
        return await super().place_order(attrs.evolve(request, hidden=False))


class StopPriceDropped(PassThrough):
    async def place_order(self, request: OrderRequest) -> Order:
        return await super().place_order(attrs.evolve(request, stop_price=None, stop=None))


class MarketFundsWithAFeeMargin(PassThrough):
    """Adds 1% to the funds of a market order, "for the fee"."""

    async def place_order(self, request: OrderRequest) -> Order:
        market = (await self.load_markets()).get(request.symbol)
        if request.funds is not None and market is not None:
            funds = (request.funds * Decimal("1.01")).quantize(market.funds_increment)
            request = attrs.evolve(request, funds=funds)
        return await super().place_order(request)


class OffByOneTick(PassThrough):
    """Places every limit one tick below the price asked (and says so in what it returns)."""

    async def place_order(self, request: OrderRequest) -> Order:
        market = (await self.load_markets()).get(request.symbol)
        if request.price is not None and market is not None:
            request = attrs.evolve(request, price=request.price - market.price_increment)
        return await super().place_order(request)


def _filled_for_partial(order: Order) -> Order:
    if order.status is OrderStatus.PARTIALLY_FILLED:
        return attrs.evolve(order, status=OrderStatus.FILLED)
    return order


class PartialFillReportedFilled(PassThrough):
    async def place_order(self, request: OrderRequest) -> Order:
        return _filled_for_partial(await super().place_order(request))

    async def fetch_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order:
        return _filled_for_partial(
            await super().fetch_order(symbol, order_id=order_id, client_order_id=client_order_id)
        )


class CancelForgetsFills(PassThrough):
    """Answers a cancel with the order as placed: what filled before is forgotten."""

    async def cancel_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order:
        order = await super().cancel_order(symbol, order_id=order_id, client_order_id=client_order_id)
        return attrs.evolve(order, filled_size=0, filled_funds=0, fee=0)


class CancelOfAFilledOrderSucceeds(PassThrough):
    """Takes "already done" for success: the cancel of a filled order returns it."""

    async def cancel_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order:
        try:
            return await super().cancel_order(symbol, order_id=order_id, client_order_id=client_order_id)
        except OrderNotFound:
            try:
                order = await super().fetch_order(symbol, order_id=order_id, client_order_id=client_order_id)
            except OrderNotFound:
                order = None
            if order is None or order.status is not OrderStatus.FILLED:
                raise
            return order


class CancelAllOfEverySymbol(PassThrough):
    async def cancel_all_orders(self, symbol: str | None = None) -> None:
        await super().cancel_all_orders(None)


class CancelAllWithoutSymbolDoesNothing(PassThrough):
    async def cancel_all_orders(self, symbol: str | None = None) -> None:
        if symbol is not None:
            await super().cancel_all_orders(symbol)


async def _oldest_open(ex: Exchange, symbol: str) -> Order | None:
    """The last of the open list (most recently updated first): the order placed first."""
    orders = await ex.fetch_open_orders(symbol)
    return orders[-1] if orders else None


class FetchByClientIdReturnsTheOldest(PassThrough):
    """Looks a client order id up among the open orders, and takes the first it meets."""

    async def fetch_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order:
        if client_order_id is not None and order_id is None:
            oldest = await _oldest_open(self.inner, symbol)
            if oldest is not None:
                return oldest
        return await super().fetch_order(symbol, order_id=order_id, client_order_id=client_order_id)


class CancelByClientIdCancelsTheOldest(PassThrough):
    async def cancel_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order:
        if client_order_id is not None and order_id is None:
            oldest = await _oldest_open(self.inner, symbol)
            if oldest is not None:
                return await super().cancel_order(symbol, order_id=oldest.id)
        return await super().cancel_order(symbol, order_id=order_id, client_order_id=client_order_id)


class AmendByClientIdAmendsTheOldest(PassThrough):
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
        if client_order_id is not None and order_id is None:
            oldest = await _oldest_open(self.inner, symbol)
            if oldest is not None:
                order_id, client_order_id = oldest.id, None
        return await self.inner.amend_order(
            symbol, order_id=order_id, client_order_id=client_order_id, price=price, size=size
        )


class AmendOfNothingAccepted(PassThrough):
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
        if price is None and size is None:
            order = await self.fetch_order(symbol, order_id=order_id, client_order_id=client_order_id)
            return OrderAck(order_id=order.id, client_order_id=order.client_order_id)
        return await self.inner.amend_order(
            symbol, order_id=order_id, client_order_id=client_order_id, price=price, size=size
        )


class BothIdsAccepted(PassThrough):
    """Given both ids, uses the order id and ignores the other."""

    async def fetch_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order:
        if order_id is not None:
            client_order_id = None
        return await super().fetch_order(symbol, order_id=order_id, client_order_id=client_order_id)

    async def cancel_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order:
        if order_id is not None:
            client_order_id = None
        return await super().cancel_order(symbol, order_id=order_id, client_order_id=client_order_id)


class OpenOrdersOldestFirst(PassThrough):
    async def fetch_open_orders(self, symbol: str | None = None) -> list[Order]:
        return list(reversed(await super().fetch_open_orders(symbol)))


class OpenListIgnoresTheSymbol(PassThrough):
    async def fetch_open_orders(self, symbol: str | None = None) -> list[Order]:
        return await super().fetch_open_orders(None)


class ClosedOrdersOldestFirst(PassThrough):
    async def fetch_closed_orders(
        self, symbol: str, *, start: int | None = None, end: int | None = None, limit: int | None = None
    ) -> list[Order]:
        every = await super().fetch_closed_orders(symbol, start=start, end=end)
        await super().fetch_closed_orders(symbol, limit=limit)  # (the venue checks the limit)
        return list(reversed(every))[:limit]


class ClosedListHoldsOpenOrders(PassThrough):
    async def fetch_closed_orders(
        self, symbol: str, *, start: int | None = None, end: int | None = None, limit: int | None = None
    ) -> list[Order]:
        done = await super().fetch_closed_orders(symbol, start=start, end=end, limit=limit)
        return [*done, *await super().fetch_open_orders(symbol)][:limit]


class NegativeLimitSlices(PassThrough):
    """Slices the list by ``limit`` itself, so that -1 drops the last item."""

    async def fetch_closed_orders(
        self, symbol: str, *, start: int | None = None, end: int | None = None, limit: int | None = None
    ) -> list[Order]:
        every = await super().fetch_closed_orders(symbol, start=start, end=end)
        return every[:limit]

    async def fetch_fills(
        self,
        symbol: str,
        *,
        order_id: str | None = None,
        start: int | None = None,
        end: int | None = None,
        limit: int | None = None,
    ) -> list[Fill]:
        every = await super().fetch_fills(symbol, order_id=order_id, start=start, end=end)
        return every[:limit]


def _in_seconds(order: Order) -> Order:
    return attrs.evolve(order, created_at=order.created_at // 1000, updated_at=order.updated_at // 1000)


class OrderTimesInSeconds(PassThrough):
    async def place_order(self, request: OrderRequest) -> Order:
        return _in_seconds(await super().place_order(request))

    async def fetch_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order:
        return _in_seconds(
            await super().fetch_order(symbol, order_id=order_id, client_order_id=client_order_id)
        )


class FillsIgnoreTheOrder(PassThrough):
    """Lists every fill of the symbol whatever order was asked for."""

    async def fetch_fills(
        self,
        symbol: str,
        *,
        order_id: str | None = None,
        start: int | None = None,
        end: int | None = None,
        limit: int | None = None,
    ) -> list[Fill]:
        return await super().fetch_fills(symbol, start=start, end=end, limit=limit)


class BatchStopsAtItsFirstRefusal(PassThrough):
    """Places a batch one by one, and answers every order after a refusal with that refusal."""

    async def place_orders(self, requests: Sequence[OrderRequest]) -> list[Order | ExchangeError]:
        results: list[Order | ExchangeError] = []
        refusal: ExchangeError | None = None
        for request in requests:
            if refusal is not None:
                results.append(refusal)
                continue
            try:
                results.append(await self.place_order(request))
            except NetworkError as err:
                results.append(err)
            except ExchangeError as err:
                refusal = err
                results.append(err)
        return results
