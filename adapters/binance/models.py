"""Values for what Binance has and the ``Exchange`` protocol does not: every symbol filter,
commission rates, order lists, cancel-replace and amend results, the unfilled order count.

Same conventions as :mod:`exchanges.models`: frozen attrs, ``Decimal`` amounts, epoch-ms
times, the venue payload in ``raw`` (out of equality and repr).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from exchanges import ExchangeError, Order

__all__ = [
    "AmendResult",
    "CancelReplaceResult",
    "CommissionRates",
    "OrderCount",
    "OrderList",
    "SymbolFilter",
    "SymbolInfo",
]


def _raw() -> Any:
    return attrs.field(default=None, eq=False, repr=False, hash=False)


@attrs.frozen(slots=True, kw_only=True)
class SymbolFilter:
    """One entry of a symbol's (or the exchange's) ``filters``: its ``filterType`` and every
    other field, decimals as ``Decimal``, counts as ``int``, flags as ``bool``."""

    type: str
    values: Mapping[str, Decimal | int | bool | str]

    def decimal(self, name: str) -> Decimal | None:
        value = self.values.get(name)
        return value if isinstance(value, Decimal) else None

    def integer(self, name: str) -> int | None:
        value = self.values.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def flag(self, name: str) -> bool | None:
        value = self.values.get(name)
        return value if isinstance(value, bool) else None


@attrs.frozen(slots=True, kw_only=True)
class SymbolInfo:
    """A symbol of ``exchangeInfo`` as Binance describes it (``Market`` holds what the
    protocol needs of it)."""

    symbol: str  # unified
    id: str  # Binance's spelling
    status: str
    base_precision: int
    quote_precision: int
    order_types: frozenset[str]
    iceberg_allowed: bool
    oco_allowed: bool
    oto_allowed: bool
    quote_order_qty_market_allowed: bool
    trailing_stop_allowed: bool
    cancel_replace_allowed: bool
    amend_allowed: bool
    spot_trading_allowed: bool
    stp_default: str
    stp_allowed: frozenset[str]
    filters: Mapping[str, SymbolFilter]
    raw: Any = _raw()

    def filter(self, kind: str) -> SymbolFilter | None:
        return self.filters.get(kind)


@attrs.frozen(slots=True, kw_only=True)
class CommissionRates:
    """``GET /api/v3/account/commission``: fractions (``0.001`` is 0.1 %) per family."""

    symbol: str
    standard: Mapping[str, Decimal]  # maker, taker, buyer, seller
    special: Mapping[str, Decimal]
    tax: Mapping[str, Decimal]
    discount_enabled: bool
    discount_asset: str
    discount: Decimal
    raw: Any = _raw()

    def rate(self, *, maker: bool, buyer: bool) -> Decimal:
        """What one fill pays: (maker or taker) + (buyer or seller) of every family."""
        role, side = ("maker" if maker else "taker"), ("buyer" if buyer else "seller")
        return sum(
            (
                family.get(role, Decimal(0)) + family.get(side, Decimal(0))
                for family in (self.standard, self.special, self.tax)
            ),
            Decimal(0),
        )


@attrs.frozen(slots=True, kw_only=True)
class OrderList:
    """An OCO, OTO, OTOCO, OPO or OPOCO list: its id, state and its orders (as far as the
    answer reports them; query each by id for the rest)."""

    id: str
    client_list_id: str
    symbol: str
    contingency_type: str
    list_status: str  # RESPONSE, EXEC_STARTED, UPDATED, ALL_DONE
    list_order_status: str  # EXECUTING, ALL_DONE, REJECT
    order_ids: tuple[str, ...]
    orders: tuple[Order, ...] = ()
    timestamp: int = 0
    raw: Any = _raw()

    @property
    def is_open(self) -> bool:
        return self.list_order_status == "EXECUTING"


@attrs.frozen(slots=True, kw_only=True)
class CancelReplaceResult:
    """``cancelReplace``: what happened to each half. ``cancelled`` and ``placed`` are the
    orders where their half succeeded; ``*_error`` say why a half failed (``placed_error`` is
    ``None`` and ``placed`` too when the placement was not attempted)."""

    cancel_result: str  # SUCCESS, FAILURE
    new_order_result: str  # SUCCESS, FAILURE, NOT_ATTEMPTED
    cancelled: Order | None = None
    placed: Order | None = None
    cancel_error: ExchangeError | None = None
    placed_error: ExchangeError | None = None
    raw: Any = _raw()


@attrs.frozen(slots=True, kw_only=True)
class AmendResult:
    """Amend keep-priority: the order with its smaller quantity, and the amendment's id."""

    order: Order
    execution_id: int
    timestamp: int
    raw: Any = _raw()


@attrs.frozen(slots=True, kw_only=True)
class OrderCount:
    """One ``ORDERS`` window of ``GET /api/v3/rateLimit/order``."""

    interval: str  # "10S", "1D"
    limit: int
    count: int
    raw: Any = _raw()
