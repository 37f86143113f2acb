"""What a caller asks the venue to place, loosely typed.

The venue, not this class, checks the values (and refuses with a neutral reason a dialect
words in its venue's code), because a wire facade passes what arrived: amounts may be
``Decimal``, ``str`` or ``int`` (floats are refused), enums their wire strings.
"""

from __future__ import annotations

from decimal import Decimal

import attrs

from exchanges import STP, OrderRequest, OrderType, Side, StopKind, TimeInForce

__all__ = ["NO_STP", "Amount", "OrderParams"]

Amount = Decimal | str | int
#: ``OrderParams.stp`` for "no self-trade prevention", where the rulebook has a default mode.
NO_STP = "none"


@attrs.frozen(slots=True, kw_only=True)
class OrderParams:
    """One order's fields, named as the venue's rulebook reads them (snake_case).

    ``cancel_after`` is seconds (GTT only; ``None`` or -1 mean never). ``stop`` and
    ``stop_price`` are for stop orders (``place_stop_order``); when ``stop`` is omitted (as
    KuCoin's current request omits it) the venue derives it from the last price: a stop price
    at or above it is an ``entry``, one below it a ``loss``, whatever the side. A ``stop`` sent
    is taken as sent.
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

