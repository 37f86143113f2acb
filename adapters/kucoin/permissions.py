"""KuCoin's API key permission names and what each lets a key do (NOTES section 3).

``Transfer`` is KuCoin's withdrawal permission; ``InnerTransfer`` and ``FlexTransfers``
move funds between the user's own accounts and sub-accounts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from exchanges import KeyPermission

__all__ = ["PERMISSIONS", "grants"]

PERMISSIONS: Mapping[str, KeyPermission] = {
    "General": KeyPermission.READ,
    "Spot": KeyPermission.TRADE,
    "Margin": KeyPermission.MARGIN,
    "Futures": KeyPermission.FUTURES,
    "LeadtradeFutures": KeyPermission.FUTURES,
    "Earn": KeyPermission.EARN,
    "InnerTransfer": KeyPermission.TRANSFER,
    "FlexTransfers": KeyPermission.TRANSFER,
    "Transfer": KeyPermission.WITHDRAW,
    "Withdrawal": KeyPermission.WITHDRAW,
}


def grants(names: Iterable[str]) -> tuple[frozenset[KeyPermission], frozenset[str]]:
    """What KuCoin's ``names`` grant, and the names this table does not know."""
    names = list(names)
    return (
        frozenset(PERMISSIONS[n] for n in names if n in PERMISSIONS),
        frozenset(n for n in names if n not in PERMISSIONS),
    )
