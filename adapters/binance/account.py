"""Account: balances (free and locked), commission rates, the unfilled order count."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from exchanges import ApiKeyInfo, Balance, KeyPermission

from .client import BinanceClient
from .errors import VENUE
from .models import CommissionRates, OrderCount
from .parsing import parse_balances, parse_commission, parse_order_counts
from .routes import ACCOUNT, API_RESTRICTIONS, COMMISSION, ORDER_COUNT

__all__ = ["AccountData"]


#: ``apiRestrictions`` flags and what each lets a key do (NOTES 7.17).
PERMISSIONS: Mapping[str, KeyPermission] = {
    "enableReading": KeyPermission.READ,
    "enableSpotAndMarginTrading": KeyPermission.TRADE,
    "enableMargin": KeyPermission.MARGIN,
    "enablePortfolioMarginTrading": KeyPermission.MARGIN,
    "enableFutures": KeyPermission.FUTURES,
    "enableVanillaOptions": KeyPermission.FUTURES,
    "enableInternalTransfer": KeyPermission.TRANSFER,
    "permitsUniversalTransfer": KeyPermission.TRANSFER,
    "enableWithdrawals": KeyPermission.WITHDRAW,
}
_NOT_PERMISSIONS = frozenset({"ipRestrict", "createTime", "tradingAuthorityExpirationTime"})


def parse_api_restrictions(d: Mapping[str, Any]) -> ApiKeyInfo:
    """``apiRestrictions`` as an ``ApiKeyInfo``. Binance says whether the key is bound to IPs,
    not which: a restricted key's whitelist reads ``("restricted",)``."""
    granted = {name for name, value in d.items() if value is True and name not in _NOT_PERMISSIONS}
    created = d.get("createTime")
    return ApiKeyInfo(
        venue=VENUE,
        permissions=frozenset(PERMISSIONS[n] for n in granted if n in PERMISSIONS),
        venue_permissions=frozenset(granted),
        unrecognised_permissions=frozenset(n for n in granted if n not in PERMISSIONS),
        ip_whitelist=("restricted",) if d.get("ipRestrict") else (),
        created_at=int(created) if isinstance(created, int) else None,
        raw=dict(d),
    )


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

    async def fetch_api_key_info(self) -> ApiKeyInfo:
        """What the key in use may do (``/sapi/v1/account/apiRestrictions``: production only,
        the testnet has no ``/sapi``)."""
        return parse_api_restrictions(await self._client.call(API_RESTRICTIONS))

    async def fetch_order_count(self) -> list[OrderCount]:
        """How many unfilled orders the account has placed in each ``ORDERS`` window."""
        return parse_order_counts(await self._client.call(ORDER_COUNT) or ())
