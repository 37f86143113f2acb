"""What a caller asks the venue to place: every KuCoin order field, loosely typed.

The venue, not this class, checks the values (and raises ``BadRequest`` with KuCoin's code
400100 and wording), because the facade passes what arrived on the wire: amounts may be
``Decimal``, ``str`` or ``int`` (floats are refused), enums their KuCoin strings.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from exchanges import STP, OrderRequest, OrderType, Side, StopKind, TimeInForce

__all__ = ["NO_STP", "Amount", "OrderParams"]

Amount = Decimal | str | int
#: ``OrderParams.stp`` for "no self-trade prevention", where the rulebook has a default mode.
NO_STP = "none"

_KUCOIN_KEYS = {
    "clientOid": "client_oid",
    "timeInForce": "time_in_force",
    "cancelAfter": "cancel_after",
    "postOnly": "post_only",
    "visibleSize": "visible_size",
    "stopPrice": "stop_price",
}
_KNOWN = frozenset(
    {
        "symbol",
        "side",
        "type",
        "client_oid",
        "price",
        "size",
        "funds",
        "time_in_force",
        "cancel_after",
        "post_only",
        "hidden",
        "iceberg",
        "visible_size",
        "stp",
        "remark",
        "tags",
        "stop",
        "stop_price",
    }
)


@attrs.frozen(slots=True, kw_only=True)
class OrderParams:
    """One order as KuCoin's place-order body has it (snake_case).

    ``cancel_after`` is seconds (GTT only; ``None`` or -1 mean never). ``stop`` and
    ``stop_price`` are for stop orders (``place_stop_order``); when ``stop`` is omitted (as
    KuCoin's current request omits it) the venue derives it from the last price, as KuCoin
    does: a stop price at or above it is an ``entry``, one below it a ``loss``, whatever the
    side. An old client's ``stop`` is taken as sent.
    """

    symbol: str
    side: Side | str
    type: OrderType | str = OrderType.LIMIT
    client_oid: str | None = None
    price: Amount | None = None
    size: Amount | None = None
    funds: Amount | None = None
    time_in_force: TimeInForce | str | None = None
    cancel_after: int | None = None
    post_only: bool = False
    hidden: bool = False
    iceberg: bool = False
    visible_size: Amount | None = None
    stp: STP | str | None = None
    remark: str | None = None
    tags: str | None = None
    stop: StopKind | str | None = None
    stop_price: Amount | None = None

    @classmethod
    def from_kucoin(cls, body: Mapping[str, Any]) -> OrderParams:
        """Build from a KuCoin JSON body (camelCase keys; unknown keys are ignored, as
        KuCoin ignores them; empty strings count as absent)."""
        data: dict[str, Any] = {}
        for key, value in body.items():
            name = _KUCOIN_KEYS.get(key, key)
            if name not in _KNOWN or value is None or value == "":
                continue
            data[name] = value
        for flag in ("post_only", "hidden", "iceberg"):
            if flag in data:
                data[flag] = _bool(data[flag])
        if "cancel_after" in data:
            data["cancel_after"] = _int(data["cancel_after"])
        data.setdefault("symbol", "")
        data.setdefault("side", "")
        return cls(**data)

    @classmethod
    def from_request(cls, request: OrderRequest, symbol: str) -> OrderParams:
        """From a venue-neutral ``OrderRequest`` (``symbol`` in the venue's spelling)."""
        return cls(
            symbol=symbol,
            side=request.side,
            type=request.type,
            client_oid=request.client_order_id,
            price=request.price,
            size=request.size,
            funds=request.funds,
            time_in_force=request.time_in_force,
            cancel_after=request.cancel_after,
            post_only=request.post_only,
            hidden=request.hidden,
            iceberg=request.iceberg,
            visible_size=request.visible_size,
            stp=request.stp,
            remark=request.remark,
            stop=request.stop,
            stop_price=request.stop_price,
        )


def _bool(value: object) -> bool | object:
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value  # the venue refuses anything that is not a bool


def _int(value: object) -> int | object:
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return value
    return value
