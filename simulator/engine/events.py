"""What the engine tells its listener, in the order things happen.

Events hold a reference to the live :class:`~.orders.EngineOrder`, not a copy: a listener
reads what it needs at once (the engine calls it synchronously). Events are only built when
a listener is attached, so an engine nobody listens to pays nothing for them.
"""

from __future__ import annotations

from collections.abc import Callable

from simulator.engine.orders import EngineOrder

__all__ = [
    "Accepted",
    "Amended",
    "Canceled",
    "Event",
    "Filled",
    "Listener",
    "Matched",
    "Opened",
    "Rejected",
    "Triggered",
]


class Event:
    """Base of all engine events: ``order`` is the order the event is about, ``time`` ms."""

    __slots__ = ("order", "time")
    kind = "event"

    def __init__(self, order: EngineOrder, time: int) -> None:
        self.order = order
        self.time = time

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.order!r}, time={self.time})"


class Accepted(Event):
    """The engine took the order in (limit, market, or a stop order now waiting)."""

    __slots__ = ()
    kind = "accepted"


class Opened(Event):
    """The order now rests in the book (first time, or again after an amend)."""

    __slots__ = ()
    kind = "opened"


class Matched(Event):
    """One trade. ``order`` is the taker (the incoming order), ``maker`` the resting one.

    ``funds`` = ``price x size`` in funds units. ``taker_is_maker`` marks a post-only
    order executing against hidden/iceberg liquidity: it pays the maker rate and the resting
    side the taker rate. ``maker_pays_taker`` marks hidden and iceberg resting orders, which
    KuCoin always charges the taker rate.
    """

    __slots__ = ("funds", "maker", "maker_pays_taker", "price", "size", "taker_is_maker", "trade_id")
    kind = "matched"

    def __init__(
        self,
        order: EngineOrder,
        time: int,
        maker: EngineOrder,
        trade_id: int,
        price: int,
        size: int,
        funds: int,
        taker_is_maker: bool,
        maker_pays_taker: bool,
    ) -> None:
        self.order = order
        self.time = time
        self.maker = maker
        self.trade_id = trade_id
        self.price = price
        self.size = size
        self.funds = funds
        self.taker_is_maker = taker_is_maker
        self.maker_pays_taker = maker_pays_taker

    @property
    def taker(self) -> EngineOrder:
        return self.order

    def __repr__(self) -> str:
        return (
            f"Matched(trade={self.trade_id}, taker={self.order.id!r}, maker={self.maker.id!r}, "
            f"price={self.price}, size={self.size})"
        )


class Filled(Event):
    """The order is completely filled (done)."""

    __slots__ = ()
    kind = "filled"


class Canceled(Event):
    """The order ended with something unfilled: by request, IOC/FOK remainder, STP, GTT
    expiry (status ``EXPIRED``), price band, or a market order that ran out of book or
    buying power. ``reason`` says which; the order's status is terminal."""

    __slots__ = ("reason",)
    kind = "canceled"

    def __init__(self, order: EngineOrder, time: int, reason: str) -> None:
        self.order = order
        self.time = time
        self.reason = reason


class Rejected(Event):
    """The order was refused on entry and never traded (post-only would take, price band,
    a triggered stop the venue could not fund)."""

    __slots__ = ("reason",)
    kind = "rejected"

    def __init__(self, order: EngineOrder, time: int, reason: str) -> None:
        self.order = order
        self.time = time
        self.reason = reason


class Triggered(Event):
    """A stop order's condition was met; it now enters the book as a limit or market order."""

    __slots__ = ()
    kind = "triggered"


class Amended(Event):
    """A resting order changed in place: size reduced (partial cancel, STP DC; priority kept)
    or price/size changed by an amend (priority lost). ``canceled`` is the lots removed."""

    __slots__ = ("canceled", "old_price", "reason")
    kind = "amended"

    def __init__(self, order: EngineOrder, time: int, canceled: int, old_price: int, reason: str) -> None:
        self.order = order
        self.time = time
        self.canceled = canceled
        self.old_price = old_price
        self.reason = reason


Listener = Callable[[Event], None]
