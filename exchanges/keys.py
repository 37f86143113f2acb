"""What a venue says about the API key in use, in one vocabulary for every venue.

Venues name permissions their own way (KuCoin's ``General``/``Spot``/``Transfer``, Binance's
``enableSpotAndMarginTrading``/``enableWithdrawals``); a key check needs to know what each
lets the key do. Adapters map their names onto :class:`KeyPermission` and keep the venue's
own names alongside, so that a report can show both.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

import attrs

__all__ = ["ApiKeyInfo", "KeyInfoReading", "KeyPermission"]


class KeyPermission(StrEnum):
    """What a key may do, from least to most dangerous."""

    READ = "read"  # balances, orders, market data
    TRADE = "trade"  # spot orders
    MARGIN = "margin"  # borrowing and margin orders
    FUTURES = "futures"  # derivatives
    EARN = "earn"  # staking, savings
    TRANSFER = "transfer"  # moves between the user's own accounts
    WITHDRAW = "withdraw"  # sends funds off the venue


def _raw() -> Any:
    return attrs.field(default=None, eq=False, repr=False, hash=False)


@attrs.frozen(slots=True, kw_only=True)
class ApiKeyInfo:
    """One key's grants and restrictions. Never holds the key or its secret.

    ``venue_permissions`` are the venue's own names; ``permissions`` what they grant.
    Times are epoch ms, ``None`` where the venue does not say.
    """

    venue: str
    permissions: frozenset[KeyPermission]
    venue_permissions: frozenset[str] = frozenset()
    #: Venue permission names the adapter could not place: a check judges them by hand.
    unrecognised_permissions: frozenset[str] = frozenset()
    ip_whitelist: tuple[str, ...] = ()
    created_at: int | None = None
    last_used_at: int | None = None
    #: The account the key belongs to (KuCoin's uid), and the sub-account's name if not the master.
    account_id: str = ""
    sub_account: str = ""
    label: str = ""
    #: The key's format version where the venue has several (KuCoin's 1, 2, 3).
    key_version: int | None = None
    raw: Any = _raw()


@runtime_checkable
class KeyInfoReading(Protocol):
    """An exchange that can say what its own API key is allowed to do."""

    async def fetch_api_key_info(self) -> ApiKeyInfo: ...
