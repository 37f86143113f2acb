"""The venue's order and fill records: the engine's order plus everything KuCoin shows."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from exchanges import EXACT, STP, Liquidity, Order, OrderStatus, OrderType, Side, StopKind, TimeInForce
from simulator.engine import (
    FILLED,
    FLAG_BY_FUNDS,
    FLAG_HIDDEN,
    FLAG_ICEBERG,
    FLAG_MARKET,
    FLAG_POST_ONLY,
    NEW,
    OPEN,
    PARTIAL,
    PENDING,
    STOP_ENTRY,
    STOP_LOSS,
    STOP_NONE,
    STP_NONE,
    UNLIMITED,
    EngineOrder,
)
from simulator.ledger.money import sub
from simulator.venue.builders import template_builder
from simulator.venue.records import FillInfo, OrderInfo

if TYPE_CHECKING:
    from simulator.venue.state import MarketState, UserState

__all__ = [
    "Archived",
    "FillRecord",
    "VenueOrder",
    "archive",
    "fill_info",
    "order_info",
    "revive",
    "tidy",
    "to_order",
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


def _tidy_opt(value: Decimal | None) -> Decimal | None:
    return None if value is None else tidy(value)


_STATUS = (
    OrderStatus.PENDING,
    OrderStatus.NEW,
    OrderStatus.OPEN,
    OrderStatus.PARTIALLY_FILLED,
    OrderStatus.FILLED,
    OrderStatus.CANCELED,
    OrderStatus.EXPIRED,
    OrderStatus.REJECTED,
)


class VenueOrder(EngineOrder):
    """An order with its owner, market, KuCoin fields, hold and fee bookkeeping.

    ``hold_left`` is what this order still holds of :attr:`hold_currency`; fills spend from
    it and the end of the order releases the rest, so the account's hold is always the sum
    of its open orders' ``hold_left``. ``hold_context`` is the context of its hold and
    release ledger lines (made once, ``None`` when the owner keeps no ledger).
    """

    id: str  # the engine takes any hashable id; the venue's are KuCoin-style strings
    owner: str

    __slots__ = (
        "cancel_after",
        "client_oid",
        "created_at",
        "done_id",
        "fee",
        "funds_req",
        "hold_context",
        "hold_left",
        "maker_rate",
        "mkt",
        "remark",
        "stp_req",
        "tags",
        "taker_rate",
        "tif",
        "trigger_time",
        "updated_at",
        "user",
        "view",
    )

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


#: A done order as the venue's history keeps it: a plain tuple of plain values (strings,
#: ints, bools, ``Decimal``, ``None``), written by :func:`archive` and read back by
#: :func:`revive`. CPython's garbage collector stops tracking such a tuple, where it walks
#: every live object on each full collection: a venue holding a hundred thousand done
#: orders as objects spent about a tenth of a paper place-and-cancel in those walks. The owner
#: and the pair are kept by name, the enums by value (an object in the tuple, an enum
#: member included, would keep it tracked).
Archived = tuple[Any, ...]

# Positions in an Archived tuple that the history reads without reviving the order.
A_ID = 0
A_OWNER = 1
A_SYMBOL = 2
A_IS_BUY = 3
A_FLAGS = 9
A_CLIENT_OID = 16
A_UPDATED_AT = 18
A_DONE_ID = 29


_STP_VALUES = {member: member.value for member in STP}
_TIF_VALUES = {member: member.value for member in TimeInForce}


def archive(o: VenueOrder) -> Archived:
    """``o`` (done, so never to change again) as the history keeps it."""
    stp_req = o.stp_req
    return (  # (the enums by value, looked up: their ``value`` property costs five times more)
        o.id,
        o.owner,
        o.mkt.spec.symbol,
        o.is_buy,
        o.price,
        o.size,
        o.remaining,
        o.filled,
        o.filled_funds,
        o.flags,
        o.stp,
        o.visible,
        o.stop,
        o.stop_price,
        o.status,
        o.reason,
        o.client_oid,
        o.created_at,
        o.updated_at,
        o.remark,
        o.tags,
        o.cancel_after,
        o.fee,
        o.funds_req,
        o.maker_rate,
        o.taker_rate,
        None if stp_req is None else _STP_VALUES[stp_req],
        _TIF_VALUES[o.tif],
        o.trigger_time,
        o.done_id,
    )


def revive(a: Archived, user: UserState, mkt: MarketState) -> VenueOrder:
    """The done order ``a`` as a ``VenueOrder`` again (a new object each time, equal in
    every field to the one archived; ``user`` and ``mkt`` are its owner and pair)."""
    o = VenueOrder.__new__(VenueOrder)
    (
        o.id,
        o.owner,
        _,
        o.is_buy,
        o.price,
        o.size,
        o.remaining,
        o.filled,
        o.filled_funds,
        o.flags,
        o.stp,
        o.visible,
        o.stop,
        o.stop_price,
        o.status,
        o.reason,
        o.client_oid,
        o.created_at,
        o.updated_at,
        o.remark,
        o.tags,
        o.cancel_after,
        o.fee,
        o.funds_req,
        o.maker_rate,
        o.taker_rate,
        stp_req,
        tif,
        o.trigger_time,
        o.done_id,
    ) = a
    o.funds_limit = o.shown = o.expire_at = 0  # (what only matters while an order lives:
    o.hold_left = ZERO  # its buying power, iceberg slice, expiry and hold)
    o.stp_req = None if stp_req is None else STP(stp_req)
    o.tif = TimeInForce(tif)
    o.user = user
    o.mkt = mkt
    o.prev = o.next = None
    o.hold_context = None
    o.view = None
    return o


def unspent_funds(o: VenueOrder) -> Decimal:
    """What a market order by funds has not spent of its ``funds``: a buy pays its fee out
    of them (dealt funds plus fee never exceed them), a sell receives ``funds`` before fees."""
    assert o.funds_req is not None
    left = sub(o.funds_req, o.mkt.scale.funds(o.filled_funds))
    return sub(left, o.fee) if o.is_buy else left


def order_status(order: VenueOrder) -> OrderStatus:
    return _STATUS[order.status]


def order_info(o: VenueOrder) -> OrderInfo:
    """A frozen KuCoin-shaped snapshot of ``o``."""
    mkt = o.mkt
    scale = mkt.scale
    flags = o.flags
    market = bool(flags & FLAG_MARKET)
    by_funds = bool(flags & FLAG_BY_FUNDS)
    deal_size = mkt.size(o.filled)
    deal_funds = tidy(scale.funds(o.filled_funds))
    status = o.status
    active = status < FILLED
    if by_funds or (market and o.size >= UNLIMITED):
        size = None
        remain_size = ZERO
        cancelled_size = ZERO
    else:
        size = mkt.size(o.size)
        remain_size = mkt.size(o.remaining) if active else ZERO
        cancelled_size = size - deal_size - remain_size
    price = None if market else mkt.price(o.price)
    if by_funds:
        funds = o.funds_req
    elif price is not None and size is not None:
        funds = price * size
    else:
        funds = None
    if funds is not None:
        if by_funds:
            remain = unspent_funds(o)
            remain_funds, cancelled_funds = (remain, ZERO) if active else (ZERO, remain)
        else:
            remain = funds - deal_funds
            # KuCoin keeps price x cancelled size (a partial cancel, an STP decrease, or the
            # end of the order) as cancelledFunds and the rest, with the price improvement of
            # what filled, in remainFunds (its example: a filled limit buy shows both).
            cancelled_funds = price * cancelled_size if price is not None else ZERO
            remain_funds = remain - cancelled_funds
    else:
        remain_funds = cancelled_funds = ZERO
    iceberg = bool(flags & FLAG_ICEBERG)
    stop = None
    if o.stop == STOP_LOSS:
        stop = StopKind.LOSS
    elif o.stop == STOP_ENTRY:
        stop = StopKind.ENTRY
    return OrderInfo(
        id=o.id,
        client_oid=o.client_oid,
        symbol=mkt.spec.symbol,
        type=o.otype,
        side=Side.BUY if o.is_buy else Side.SELL,
        price=price,
        size=size,
        funds=_tidy_opt(funds),
        deal_size=deal_size,
        deal_funds=deal_funds,
        remain_size=remain_size,
        remain_funds=tidy(remain_funds),
        cancelled_size=tidy(cancelled_size),
        cancelled_funds=tidy(cancelled_funds),
        fee=tidy(o.fee),
        fee_currency=mkt.spec.fee_currency,
        stp=o.stp_req,
        time_in_force=o.tif,
        post_only=bool(flags & FLAG_POST_ONLY),
        hidden=bool(flags & FLAG_HIDDEN),
        iceberg=iceberg,
        visible_size=mkt.size(o.visible) if iceberg else None,
        cancel_after=o.cancel_after,
        remark=o.remark,
        tags=o.tags,
        # (a market order by funds that ends filled has its dust cancelled all the same)
        cancel_exist=(not active and status != FILLED) or cancelled_size > 0 or cancelled_funds > 0,
        in_order_book=status in (OPEN, PARTIAL),
        active=active,
        created_at=o.created_at,
        last_updated_at=o.updated_at,
        uid=o.uid,
        status=_STATUS[status],
        reason=o.reason,
        stop=stop,
        stop_price=mkt.price(o.stop_price) if o.stop else None,
        stop_triggered=bool(o.stop) and status != PENDING and o.trigger_time is not None,
        stop_trigger_time=o.trigger_time,
        maker_fee_rate=o.maker_rate,
        taker_fee_rate=o.taker_rate,
        done_id=o.done_id,
    )


_ORDER_VARYING = ("status", "filled_size", "filled_funds", "fee", "updated_at")
_build_order = template_builder(Order, _ORDER_VARYING)


def to_order(o: VenueOrder, symbol: str) -> Order:
    """The venue-neutral ``exchanges.Order`` of ``o`` (``symbol`` unified), built directly:
    the paper exchange's hot path skips the KuCoin-shaped snapshot. What cannot change
    until the order is amended is computed once (:attr:`VenueOrder.view`), and let go
    once the order is done: the done-order history would otherwise keep one more object
    per order for the garbage collector to walk."""
    fixed = o.view
    if fixed is None or fixed[1] != symbol:
        fixed = o.view = _order_fixed(o, symbol)
    if o.status >= FILLED:
        o.view = None
    filled = o.filled
    if not filled:
        return _build_order(fixed, _STATUS[o.status], ZERO, ZERO, ZERO, o.updated_at)  # type: ignore[no-any-return]
    mkt = o.mkt
    return _build_order(  # type: ignore[no-any-return]
        fixed,
        _STATUS[o.status],
        mkt.size(filled),
        tidy(mkt.scale.funds(o.filled_funds)),
        tidy(o.fee),
        o.updated_at,
    )


def _order_fixed(o: VenueOrder, symbol: str) -> tuple[object, ...]:
    """The fields of ``o``'s ``Order`` other than :data:`_ORDER_VARYING`, in field order."""
    mkt = o.mkt
    flags = o.flags
    if flags & FLAG_MARKET:
        price = None
        size = None if flags & FLAG_BY_FUNDS else mkt.size(o.size)
        funds = o.funds_req
    else:
        price = mkt.price(o.price)
        size = mkt.size(o.size)
        funds = tidy(price * size)
    iceberg = bool(flags & FLAG_ICEBERG)
    return (
        o.id,
        symbol,
        Side.BUY if o.is_buy else Side.SELL,
        o.otype,
        o.client_oid,
        price,
        size,
        funds,
        mkt.spec.fee_currency,
        o.tif,
        bool(flags & FLAG_POST_ONLY),
        bool(flags & FLAG_HIDDEN),
        iceberg,
        mkt.size(o.visible) if iceberg else None,
        o.stp_req,
        o.cancel_after,
        _STOP_KINDS[o.stop],
        mkt.price(o.stop_price) if o.stop else None,
        o.remark,
        o.created_at,
        None,  # raw
    )


_STOP_KINDS = (None, StopKind.LOSS, StopKind.ENTRY)


def fill_info(f: FillRecord) -> FillInfo:
    o = f.order
    spec = o.mkt.spec
    return FillInfo(
        id=f.id,
        order_id=o.id,
        counter_order_id=f.counter_id,
        trade_id=f.trade_id,
        symbol=spec.symbol,
        side=Side.BUY if o.is_buy else Side.SELL,
        liquidity=Liquidity.MAKER if f.is_maker else Liquidity.TAKER,
        type=o.otype,
        force_taker=f.force_taker,
        price=tidy(f.price),
        size=tidy(f.size),
        funds=tidy(f.funds),
        fee=tidy(f.fee),
        fee_rate=tidy(f.fee_rate),
        fee_currency=spec.fee_currency,
        created_at=f.time,
        uid=o.uid,
        client_oid=o.client_oid,
        stop=_STOP_KINDS[o.stop],
    )
