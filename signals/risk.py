"""The limits an order must fit before anything is sent. Pure: the bridge gathers the
exposure (from the audit log's fills and live orders) and asks.

Positions count what has filled, plus what open orders on the same side could still add:
a cap on position that ignored resting orders could be broken by fills alone.
"""

from __future__ import annotations

from decimal import Decimal

import attrs

from exchanges import Side

from .config import Limits, SourceConfig
from .errors import Refusal

__all__ = ["Exposure", "check_limits", "plain"]


def plain(amount: Decimal) -> str:
    """An amount as people write it: ``120``, not ``120.000000000`` or ``1.2E+2``."""
    return format(amount.normalize(), "f")


@attrs.frozen(slots=True, kw_only=True)
class Exposure:
    spent_today: Decimal  # all sources, since 00:00 UTC
    spent_today_by_source: Decimal
    open_orders: int
    position: Decimal  # base currency, from fills
    open_buys: Decimal  # base still to fill on live buys of the pair
    open_sells: Decimal


def _refuse(message: str) -> Refusal:
    return Refusal(422, "risk_limit", message)


def check_limits(
    *,
    symbol: str,
    side: Side,
    size: Decimal,
    notional: Decimal,
    limits: Limits,
    source: SourceConfig,
    exposure: Exposure,
) -> None:
    """Raise a 422 ``Refusal`` naming the first limit the order would break."""
    cur = limits.currency
    per_order = min(limits.max_order_notional, source.max_order_notional or limits.max_order_notional)
    if notional > per_order:
        raise _refuse(
            f"order notional {plain(notional)} {cur} is over the cap of {plain(per_order)} {cur} per order"
        )
    total = exposure.spent_today + notional
    if total > limits.max_daily_notional:
        raise _refuse(
            f"order notional {plain(notional)} {cur} would take today's total to {plain(total)} {cur}, "
            f"over the daily cap of {plain(limits.max_daily_notional)} {cur}"
        )
    if source.max_daily_notional is not None:
        total = exposure.spent_today_by_source + notional
        if total > source.max_daily_notional:
            raise _refuse(
                f"order notional {plain(notional)} {cur} would take source {source.name}'s total today to "
                f"{plain(total)} {cur}, over its daily cap of {plain(source.max_daily_notional)} {cur}"
            )
    if exposure.open_orders >= limits.max_open_orders:
        raise _refuse(f"{exposure.open_orders} orders are open: the cap is {limits.max_open_orders}")
    cap = limits.max_position[symbol]
    if side is Side.BUY:
        worst = exposure.position + exposure.open_buys + size
    else:
        worst = exposure.position - exposure.open_sells - size
    if abs(worst) > cap:
        raise _refuse(
            f"position on {symbol} is {plain(exposure.position)} from fills; with open orders and this one "
            f"it could reach {plain(worst)}, over the cap of {plain(cap)}"
        )
