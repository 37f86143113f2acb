"""Values for the KuCoin operations the ``Exchange`` protocol does not cover.

Same conventions as :mod:`exchanges.models`: frozen attrs, ``Decimal`` amounts, epoch-ms
times, the venue payload in ``raw`` (out of equality and repr).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

__all__ = [
    "Account",
    "CancelAllResult",
    "Currency",
    "DeadCancelStatus",
    "LedgerEntry",
    "PartialCancel",
    "ServiceStatus",
    "TradeFee",
]


def _raw() -> Any:
    return attrs.field(default=None, eq=False, repr=False, hash=False)


@attrs.frozen(slots=True, kw_only=True)
class ServiceStatus:
    status: str  # open | close | cancelonly
    message: str = ""
    raw: Any = _raw()

    @property
    def trading(self) -> bool:
        return self.status == "open"


@attrs.frozen(slots=True, kw_only=True)
class Currency:
    code: str
    name: str
    full_name: str
    precision: int
    margin_enabled: bool = False
    debit_enabled: bool = False
    chains: tuple[str, ...] = ()
    raw: Any = _raw()


@attrs.frozen(slots=True, kw_only=True)
class Account:
    id: str
    currency: str
    type: str  # main | trade | ...
    balance: Decimal
    available: Decimal
    holds: Decimal
    raw: Any = _raw()


@attrs.frozen(slots=True, kw_only=True)
class LedgerEntry:
    id: str
    currency: str
    amount: Decimal
    fee: Decimal
    balance: Decimal
    account_type: str
    biz_type: str
    direction: str  # in | out
    timestamp: int
    context: str = ""
    raw: Any = _raw()


@attrs.frozen(slots=True, kw_only=True)
class TradeFee:
    symbol: str
    maker_fee_rate: Decimal
    taker_fee_rate: Decimal
    raw: Any = _raw()


@attrs.frozen(slots=True, kw_only=True)
class PartialCancel:
    order_id: str
    cancel_size: Decimal
    raw: Any = _raw()


@attrs.frozen(slots=True, kw_only=True)
class CancelAllResult:
    succeeded: tuple[str, ...]  # unified symbols
    failed: Mapping[str, str] = attrs.field(factory=dict)  # symbol -> reason
    raw: Any = _raw()


@attrs.frozen(slots=True, kw_only=True)
class DeadCancelStatus:
    """The dead-man switch: cancel ``symbols`` (all when empty) at ``trigger_time`` (ms)."""

    timeout: int | None
    symbols: tuple[str, ...]
    current_time: int
    trigger_time: int
    raw: Any = _raw()
