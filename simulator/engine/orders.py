"""The engine's order: a slotted, mutable record in integer ticks and lots.

Everything inside the engine is an ``int``: prices in ticks of the pair's price increment,
sizes in lots of its base increment, funds in ``tick x lot`` units (so ``price x size`` is
exact), times in epoch ms. Decimal lives only at the boundary (:mod:`.scale`).

States, flags and STP modes are small ints rather than enums: the matching loop reads them
millions of times. :data:`STATUS_NAMES` and friends turn them into words for people.
"""

from __future__ import annotations

from collections.abc import Hashable

__all__ = [
    "CANCELED",
    "EXPIRED",
    "FILLED",
    "FLAG_BY_FUNDS",
    "FLAG_FOK",
    "FLAG_GTT",
    "FLAG_HIDDEN",
    "FLAG_ICEBERG",
    "FLAG_IOC",
    "FLAG_MARKET",
    "FLAG_POST_ONLY",
    "MAX_PRICE",
    "NEW",
    "OPEN",
    "PARTIAL",
    "PENDING",
    "REJECTED",
    "STATUS_NAMES",
    "STOP_ENTRY",
    "STOP_LOSS",
    "STOP_NONE",
    "STP_CB",
    "STP_CN",
    "STP_CO",
    "STP_DC",
    "STP_NONE",
    "UNLIMITED",
    "EngineOrder",
]

# States, in the only order an order may move through them (terminal ones last).
PENDING = 0  # a stop order waiting for its trigger
NEW = 1  # accepted, not yet resting
OPEN = 2  # resting, nothing filled
PARTIAL = 3  # resting (or matching), partly filled
FILLED = 4
CANCELED = 5
EXPIRED = 6  # GTT cancel-after elapsed
REJECTED = 7  # refused on entry (post-only would take, price band, failed trigger)
STATUS_NAMES = ("pending", "new", "open", "partially_filled", "filled", "canceled", "expired", "rejected")

# Flags (bits of ``EngineOrder.flags``).
FLAG_MARKET = 1
FLAG_BY_FUNDS = 2  # market order sized by funds (quote) rather than size
FLAG_IOC = 4
FLAG_FOK = 8
FLAG_GTT = 16
FLAG_POST_ONLY = 32
FLAG_HIDDEN = 64
FLAG_ICEBERG = 128

# Self-trade prevention on the taker.
STP_NONE = 0
STP_CN = 1  # cancel newest (the taker)
STP_CO = 2  # cancel oldest (the resting order) and keep matching
STP_CB = 3  # cancel both
STP_DC = 4  # decrease both by the smaller size; the smaller one ends

STOP_NONE = 0
STOP_LOSS = 1  # trigger when last price <= stop price
STOP_ENTRY = 2  # trigger when last price >= stop price

MAX_PRICE = 1 << 61  # a market buy's price limit: above any real price
UNLIMITED = 1 << 62  # "no size limit" for orders bounded by funds


class EngineOrder:
    """One order as the engine sees it. Subclasses (the venue's order record) add fields.

    ``size`` is the size asked for in lots (``UNLIMITED`` for market-by-funds orders);
    ``remaining`` is what may still fill; ``filled``/``filled_funds`` what did. Cancelled
    lots are ``size - filled - remaining`` for orders with a size. ``funds_limit`` caps
    ``filled_funds`` (market by funds, or the buying power of a market buy by size; 0 = no
    cap). Iceberg orders show ``shown`` lots (at most ``visible``) at a time.
    """

    __slots__ = (
        "expire_at",
        "filled",
        "filled_funds",
        "flags",
        "funds_limit",
        "id",
        "is_buy",
        "next",
        "owner",
        "prev",
        "price",
        "reason",
        "remaining",
        "shown",
        "size",
        "status",
        "stop",
        "stop_price",
        "stp",
        "visible",
    )

    def __init__(
        self,
        id: Hashable,
        owner: Hashable,
        is_buy: bool,
        price: int,
        size: int,
        flags: int = 0,
        funds_limit: int = 0,
        stp: int = STP_NONE,
        visible: int = 0,
        expire_at: int = 0,
        stop: int = STOP_NONE,
        stop_price: int = 0,
    ) -> None:
        self.id = id
        self.owner = owner
        self.is_buy = is_buy
        self.price = price
        self.size = size
        self.remaining = size
        self.filled = 0
        self.filled_funds = 0
        self.flags = flags
        self.funds_limit = funds_limit
        self.stp = stp
        self.visible = visible
        self.shown = 0
        self.expire_at = expire_at
        self.stop = stop
        self.stop_price = stop_price
        self.status = NEW
        self.reason: str | None = None
        self.prev: EngineOrder | None = None  # neighbours in its level's queue while resting
        self.next: EngineOrder | None = None

    @property
    def is_done(self) -> bool:
        return self.status >= FILLED

    @property
    def status_name(self) -> str:
        return STATUS_NAMES[self.status]

    def __repr__(self) -> str:
        side = "buy" if self.is_buy else "sell"
        return (
            f"EngineOrder(id={self.id!r}, {side}, price={self.price}, size={self.size}, "
            f"remaining={self.remaining}, filled={self.filled}, status={self.status_name})"
        )
