"""Account: balances (free and locked), commission rates, the unfilled order count."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from exchanges import Balance

from .client import BinanceClient
from .models import CommissionRates, OrderCount
from .parsing import parse_balances, parse_commission, parse_order_counts
from .routes import ACCOUNT, COMMISSION, ORDER_COUNT

__all__ = ["AccountData"]


class AccountData:
    """The account half of ``BinanceExchange``."""

    _client: BinanceClient

    async def native(self, symbol: str) -> str:
        raise NotImplementedError  # (MarketData's)

    async def fetch_account(self) -> Mapping[str, Any]:
        """``GET /api/v3/account`` as Binance gives it (permissions, commission in basis
        points, ``canTrade``...); :meth:`fetch_balances` is its balances."""
        data: Mapping[str, Any] = await self._client.call(ACCOUNT, {"omitZeroBalances": "false"})
        return data

    async def fetch_balances(self) -> dict[str, Balance]:
        """Every asset's balance: ``free`` is available, ``locked`` is on hold."""
        return parse_balances(await self.fetch_account())

    async def fetch_commission_rates(self, symbol: str) -> CommissionRates:
        """The account's standard, special and tax rates on ``symbol``, and its BNB discount."""
        data = await self._client.call(COMMISSION, {"symbol": await self.native(symbol)})
        return parse_commission(data, symbol)

    async def fetch_order_count(self) -> list[OrderCount]:
        """How many unfilled orders the account has placed in each ``ORDERS`` window."""
        return parse_order_counts(await self._client.call(ORDER_COUNT) or ())
