"""The venue's order record (the engine's order plus what a venue shows and keeps), its fill
record, and the archived form of a done order. The record's fields are declared once
(:data:`RECORD`); its slots, :func:`archive`, :func:`revive` and the archive's field
positions derive from that declaration."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from exchanges import EXACT, STP, OrderStatus, OrderType, TimeInForce
from simulator.engine import FLAG_MARKET, NEW, STOP_NONE, STP_NONE, EngineOrder
from simulator.ledger.money import sub
from simulator.venue.builders import compile_function

if TYPE_CHECKING:
    from simulator.venue.state import MarketState, UserState

__all__ = [
    "A_CLIENT_OID",
    "A_DONE_ID",
    "A_FLAGS",
    "A_ID",
    "A_IS_BUY",
    "A_OWNER",
    "A_SYMBOL",
    "A_UPDATED_AT",
    "RECORD",
    "STATUS",
    "Archived",
    "Field",
    "FillRecord",
    "VenueOrder",
    "archive",
    "revive",
    "tidy",
    "unspent_funds",
]

ZERO = Decimal(0)
ONE = Decimal(1)


def tidy(value: Decimal) -> Decimal:
    """Drop trailing zeros (``650.000000000`` -> ``650``, ``0E-8`` -> ``0``) without
    turning integers into exponent form; the value is unchanged."""
    if not value:
        return ZERO
    if value == value.to_integral_value():
        return value.quantize(ONE, context=EXACT)
    return value.normalize(EXACT)  # (in the thread's context it would round past 28 digits)


#: ``exchanges.OrderStatus`` by the engine's state number.
STATUS = (
    OrderStatus.PENDING,
    OrderStatus.NEW,
    OrderStatus.OPEN,
    OrderStatus.PARTIALLY_FILLED,
    OrderStatus.FILLED,
    OrderStatus.CANCELED,
    OrderStatus.EXPIRED,
    OrderStatus.REJECTED,
)


#: A done order as the venue's history keeps it: a plain tuple of plain values (strings,
#: ints, bools, ``Decimal``, ``None``), written by :func:`archive` and read back by
#: :func:`revive`. CPython's garbage collector stops tracking such a tuple, where it walks
#: every live object on each full collection: a venue holding a hundred thousand done
#: orders as objects spent about a tenth of a paper place-and-cancel in those walks. The owner
#: and the pair are kept by name, the enums by value (an object in the tuple, an enum
#: member included, would keep it tracked).
Archived = tuple[Any, ...]


@attrs.frozen
class Field:
    """One field of the order record. ``kept``: a done order keeps it (in its archive);
    otherwise a revived order holds ``reset`` (what only matters while an order lives)."""

    name: str
    kept: bool = True
    reset: object = None


#: The order record, declared once: the engine's fields, then the venue's. The record's
#: slots, its archived form (:func:`archive`, :func:`revive`) and the archive's field
#: positions (``A_*``) all derive from this.
RECORD: tuple[Field, ...] = (
    Field("id"),
    Field("owner"),
    Field("is_buy"),
    Field("price"),
    Field("size"),
    Field("remaining"),
    Field("filled"),
    Field("filled_funds"),
    Field("flags"),
    Field("stp"),
    Field("visible"),
    Field("stop"),
    Field("stop_price"),
    Field("status"),
    Field("reason"),
    Field("funds_limit", kept=False, reset=0),  # (its buying power,
    Field("shown", kept=False, reset=0),  # iceberg slice,
    Field("expire_at", kept=False, reset=0),  # and expiry)
    Field("prev", kept=False),
    Field("next", kept=False),
    Field("symbol"),  # (archived only: revived as ``mkt``)
    Field("client_oid"),
    Field("created_at"),
    Field("updated_at"),
    Field("remark"),
    Field("tags"),
    Field("cancel_after"),
    Field("fee"),
    Field("funds_req"),
    Field("maker_rate"),
    Field("taker_rate"),
    Field("stp_req"),  # (by value)
    Field("tif"),  # (by value)
    Field("trigger_time"),
    Field("done_id"),
    Field("list_id"),  # (the order list it belongs to, if any)
    Field("hold_left", kept=False, reset=ZERO),
    Field("hold_context", kept=False),
    Field("view", kept=False),
    Field("user", kept=False),  # (revived from ``owner``)
    Field("mkt", kept=False),  # (revived from ``symbol``)
)
_ARCHIVED = tuple(f.name for f in RECORD if f.kept)
_SLOTS = tuple(f.name for f in RECORD if f.name != "symbol")
#: Positions in an Archived tuple that the history reads without reviving the order.
A_ID = _ARCHIVED.index("id")
A_OWNER = _ARCHIVED.index("owner")
A_SYMBOL = _ARCHIVED.index("symbol")
A_IS_BUY = _ARCHIVED.index("is_buy")
A_FLAGS = _ARCHIVED.index("flags")
A_CLIENT_OID = _ARCHIVED.index("client_oid")
A_UPDATED_AT = _ARCHIVED.index("updated_at")
A_DONE_ID = _ARCHIVED.index("done_id")


class VenueOrder(EngineOrder):
    """An order with its owner, market, the fields a venue shows, hold and fee bookkeeping
    (its fields are :data:`RECORD`'s).

    ``hold_left`` is what this order still holds of :attr:`hold_currency`; fills spend from
    it and the end of the order releases the rest, so the account's hold is always the sum
    of its open orders' ``hold_left``. ``hold_context`` is the context of its hold and
    release ledger lines (made once, ``None`` when the owner keeps no ledger).
    """

    id: str  # the engine takes any hashable id; the venue's are KuCoin-style strings
    owner: str

    __slots__ = tuple(name for name in _SLOTS if name not in EngineOrder.__slots__)

    def __init__(
        self,
        order_id: str,
        user: UserState,
        mkt: MarketState,
        is_buy: bool,
        price: int,
        size: int,
        flags: int,
        now: int,
        rates: tuple[Decimal, Decimal] = (ZERO, ZERO),
        client_oid: str | None = None,
        tif: TimeInForce = TimeInForce.GTC,
    ) -> None:
        # (EngineOrder.__init__ inlined: every order placed builds one of these)
        self.id = order_id
        self.owner = user.uid
        self.is_buy = is_buy
        self.price = price
        self.size = size
        self.remaining = size
        self.filled = 0
        self.filled_funds = 0
        self.flags = flags
        self.funds_limit = 0
        self.stp = STP_NONE
        self.visible = 0
        self.shown = 0
        self.expire_at = 0
        self.stop = STOP_NONE
        self.stop_price = 0
        self.status = NEW
        self.reason = None
        self.prev = None
        self.next = None
        self.user = user
        self.mkt = mkt
        self.client_oid = client_oid
        self.created_at = now
        self.updated_at = now
        self.remark: str | None = None
        self.tags: str | None = None
        self.cancel_after: int | None = None
        self.hold_context: tuple[str, str, str] | None = None
        self.hold_left = ZERO
        self.fee = ZERO
        self.funds_req: Decimal | None = None
        self.done_id: int | None = None
        self.list_id: int | None = None
        self.maker_rate, self.taker_rate = rates  # actual rates on this pair
        self.stp_req: STP | None = None
        self.tif = tif
        self.trigger_time: int | None = None
        self.view: tuple[object, ...] | None = None  # see to_order; None after an amend

    @property
    def uid(self) -> str:
        return self.owner

    @property
    def otype(self) -> OrderType:
        return OrderType.MARKET if self.flags & FLAG_MARKET else OrderType.LIMIT

    @property
    def hold_currency(self) -> str:
        """Buys hold the quote currency, sells the base."""
        spec = self.mkt.spec
        return spec.quote_currency if self.is_buy else spec.base_currency


class FillRecord:
    """One side of one trade, kept for the user's fill history."""

    __slots__ = (
        "counter_id",
        "fee",
        "fee_rate",
        "force_taker",
        "funds",
        "id",
        "is_maker",
        "order",
        "price",
        "size",
        "time",
        "trade_id",
    )

    def __init__(
        self,
        fill_id: int,
        order: VenueOrder,
        counter_id: str,
        trade_id: int,
        price: Decimal,
        size: Decimal,
        funds: Decimal,
        fee: Decimal,
        fee_rate: Decimal,
        is_maker: bool,
        force_taker: bool,
        time: int,
    ) -> None:
        self.id = fill_id
        self.order = order
        self.counter_id = counter_id
        self.trade_id = trade_id
        self.price = price
        self.size = size
        self.funds = funds
        self.fee = fee
        self.fee_rate = fee_rate
        self.is_maker = is_maker
        self.force_taker = force_taker
        self.time = time


_STP_VALUES = {member: member.value for member in STP}
_TIF_VALUES = {member: member.value for member in TimeInForce}


def _archive_source() -> str:
    """``archive``, written out from :data:`RECORD` (a tuple display: no loop, no calls)."""
    special = {
        "symbol": "o.mkt.spec.symbol",
        "stp_req": "None if o.stp_req is None else _STP_VALUES[o.stp_req]",
        "tif": "_TIF_VALUES[o.tif]",
    }
    items = "".join(f"        {special.get(name, 'o.' + name)},\n" for name in _ARCHIVED)
    return f"def archive(o):\n    return (\n{items}    )\n"


def _revive_source() -> str:
    """``revive``, written out from :data:`RECORD` (one tuple unpacking, then the rest)."""
    targets = "".join(f"        {'_' if name == 'symbol' else 'o.' + name},\n" for name in _ARCHIVED)
    resets = [f"    o.{f.name} = _RESET_{f.name}\n" for f in RECORD if not f.kept and f.name not in _REVIVED]
    return (
        "def revive(a, user, mkt):\n"
        "    o = _new(VenueOrder)\n"
        f"    (\n{targets}    ) = a\n"
        "    o.stp_req = None if o.stp_req is None else STP(o.stp_req)\n"
        "    o.tif = TimeInForce(o.tif)\n"
        "    o.user = user\n"
        "    o.mkt = mkt\n"
        f"{''.join(resets)}"
        "    return o\n"
    )


_REVIVED = frozenset({"user", "mkt"})


def _compile(source: str, name: str) -> Callable[..., Any]:
    namespace = {
        "_new": object.__new__,
        "VenueOrder": VenueOrder,
        "STP": STP,
        "TimeInForce": TimeInForce,
        "_STP_VALUES": _STP_VALUES,
        "_TIF_VALUES": _TIF_VALUES,
        **{f"_RESET_{f.name}": f.reset for f in RECORD if not f.kept},
    }
    return compile_function(source, name, namespace)  # (generated from RECORD)


#: ``o`` (done, so never to change again) as the history keeps it.
archive: Callable[[VenueOrder], Archived] = _compile(_archive_source(), "archive")
#: The done order ``a`` as a ``VenueOrder`` again (a new object each time, equal in every
#: kept field to the one archived; ``user`` and ``mkt`` are its owner and pair).
revive: Callable[[Archived, UserState, MarketState], VenueOrder] = _compile(_revive_source(), "revive")


def unspent_funds(o: VenueOrder) -> Decimal:
    """What a market order by funds has not spent of its ``funds``: a buy pays its fee out
    of them (dealt funds plus fee never exceed them), a sell receives ``funds`` before fees;
    where fees are paid in the asset received, a buy's fee is not paid out of its funds."""
    assert o.funds_req is not None
    left = sub(o.funds_req, o.mkt.scale.funds(o.filled_funds))
    return sub(left, o.fee) if o.is_buy and not o.mkt.fees_received else left
