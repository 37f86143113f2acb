"""Mutants of balances and fills: each a bug an adapter's reading of accounts or fills
could have."""

from __future__ import annotations

from decimal import Decimal

import attrs

from exchanges import Balance, Exchange, Fill, Order, Side

from .base import PassThrough

__all__ = ["FeeInTheBaseCurrency", "FillPriceThroughAFloat", "HoldlessBalances", "HoldsKeptAfterCancel"]


class HoldlessBalances(PassThrough):
    """Reports the available amount as the total."""

    async def fetch_balances(self) -> dict[str, Balance]:
        return {k: attrs.evolve(b, total=b.available) for k, b in (await super().fetch_balances()).items()}


class HoldsKeptAfterCancel(PassThrough):
    """Keeps its own record of holds, and forgets to release the hold of a cancelled order."""

    def __init__(self, inner: Exchange) -> None:
        super().__init__(inner)
        self._stale: dict[str, Decimal] = {}

    async def cancel_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order:
        order = await super().cancel_order(symbol, order_id=order_id, client_order_id=client_order_id)
        market = (await self.load_markets()).get(symbol)
        left = (order.size or Decimal(0)) - order.filled_size
        if market is None:
            pass
        elif order.side is Side.SELL:
            self._stale[market.base] = self._stale.get(market.base, Decimal(0)) + left
        elif order.price is not None:
            self._stale[market.quote] = self._stale.get(market.quote, Decimal(0)) + left * order.price
        return order

    async def fetch_balances(self) -> dict[str, Balance]:
        out = await super().fetch_balances()
        for currency, stale in self._stale.items():
            if currency in out and stale:
                b = out[currency]
                out[currency] = attrs.evolve(b, available=b.available - stale, hold=b.hold + stale)
        return out


class FeeInTheBaseCurrency(PassThrough):
    """Reports every fee in the base currency, whatever the venue charged it in."""

    async def fetch_fills(
        self,
        symbol: str,
        *,
        order_id: str | None = None,
        start: int | None = None,
        end: int | None = None,
        limit: int | None = None,
    ) -> list[Fill]:
        fills = await super().fetch_fills(symbol, order_id=order_id, start=start, end=end, limit=limit)
        base = (await self.load_markets())[symbol].base
        return [attrs.evolve(f, fee_currency=base) for f in fills]


class FillPriceThroughAFloat(PassThrough):
    """Parses a fill's price through a float."""

    async def fetch_fills(
        self,
        symbol: str,
        *,
        order_id: str | None = None,
        start: int | None = None,
        end: int | None = None,
        limit: int | None = None,
    ) -> list[Fill]:
        fills = await super().fetch_fills(symbol, order_id=order_id, start=start, end=end, limit=limit)
        return [attrs.evolve(f, price=Decimal(float(f.price))) for f in fills]
