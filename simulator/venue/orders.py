"""The venue's order and fill records: the engine's order plus everything KuCoin shows."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from exchanges import STP, Liquidity, Order, OrderStatus, OrderType, Side, StopKind, TimeInForce
from simulator.engine import (
    FILLED,
    FLAG_BY_FUNDS,
    FLAG_HIDDEN,
    FLAG_ICEBERG,
    FLAG_MARKET,
    FLAG_POST_ONLY,
    OPEN,
    PARTIAL,
    PENDING,
    STOP_ENTRY,
    STOP_LOSS,
    UNLIMITED,
    EngineOrder,
)
from simulator.venue.records import FillInfo, OrderInfo

if TYPE_CHECKING:
    from simulator.venue.venue import _Market, _User

__all__ = ["FillRecord", "VenueOrder", "fill_info", "order_info", "tidy", "to_order"]

ZERO = Decimal(0)
ONE = Decimal(1)


def tidy(value: Decimal) -> Decimal:
    """Drop trailing zeros (``650.000000000`` -> ``650``, ``0E-8`` -> ``0``) without
    turning integers into exponent form; the value is unchanged."""
    if not value:
        return ZERO
    if value == value.to_integral_value():
        return value.quantize(ONE)
    return value.normalize()


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

    ``hold_left`` is what this order still holds of ``hold_currency``; fills spend from it
    and the end of the order releases the rest, so the account's hold is always the sum of
    its open orders' ``hold_left``.
    """

    __slots__ = (
        "cancel_after",
        "client_oid",
        "created_at",
        "done_id",
        "fee",
        "funds_req",
        "hold_currency",
        "hold_left",
        "maker_rate",
        "mkt",
        "otype",
        "remark",
        "stp_req",
        "tags",
        "taker_rate",
        "tif",
        "trigger_time",
        "uid",
        "updated_at",
        "user",
    )

    def __init__(
        self,
        order_id: str,
        user: _User,
        mkt: _Market,
        is_buy: bool,
        price: int,
        size: int,
        flags: int,
        now: int,
    ) -> None:
        EngineOrder.__init__(self, order_id, user.uid, is_buy, price, size, flags)
        self.user = user
        self.uid = user.uid
        self.mkt = mkt
        self.client_oid: str | None = None
        self.created_at = now
        self.updated_at = now
        self.remark: str | None = None
        self.tags: str | None = None
        self.cancel_after: int | None = None
        self.hold_currency = ""
        self.hold_left = ZERO
        self.fee = ZERO
        self.funds_req: Decimal | None = None
        self.done_id: int | None = None
        self.maker_rate = ZERO
        self.taker_rate = ZERO
        self.stp_req: STP | None = None
        self.tif = TimeInForce.GTC
        self.otype = OrderType.MARKET if flags & FLAG_MARKET else OrderType.LIMIT
        self.trigger_time: int | None = None


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
        remain = funds - deal_funds
        if active:
            remain_funds, cancelled_funds = remain, ZERO
        elif by_funds:
            remain_funds, cancelled_funds = ZERO, remain
        else:
            # KuCoin keeps price x unfilled size as cancelledFunds and the price improvement
            # of what filled in remainFunds (its example: a filled limit buy shows both).
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
        id=str(o.id),
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
        cancel_exist=(not active) and status != FILLED,
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


def to_order(o: VenueOrder, symbol: str) -> Order:
    """The venue-neutral ``exchanges.Order`` of ``o`` (``symbol`` unified), built directly:
    the paper exchange's hot path skips the KuCoin-shaped snapshot."""
    mkt = o.mkt
    flags = o.flags
    status = o.status
    if flags & FLAG_MARKET:
        price = None
        size = None if flags & FLAG_BY_FUNDS else mkt.size(o.size)
        funds = o.funds_req
    else:
        price = mkt.price(o.price)
        size = mkt.size(o.size)
        funds = tidy(price * size)
    filled = o.filled
    return Order(
        id=o.id,  # type: ignore[arg-type]
        symbol=symbol,
        side=Side.BUY if o.is_buy else Side.SELL,
        type=o.otype,
        status=_STATUS[status],
        client_order_id=o.client_oid,
        price=price,
        size=size,
        funds=funds,
        filled_size=mkt.size(filled) if filled else ZERO,
        filled_funds=tidy(mkt.scale.funds(o.filled_funds)) if filled else ZERO,
        fee=tidy(o.fee) if filled else ZERO,
        fee_currency=mkt.spec.fee_currency,
        time_in_force=o.tif,
        post_only=bool(flags & FLAG_POST_ONLY),
        hidden=bool(flags & FLAG_HIDDEN),
        iceberg=bool(flags & FLAG_ICEBERG),
        visible_size=mkt.size(o.visible) if flags & FLAG_ICEBERG else None,
        stp=o.stp_req,
        cancel_after=o.cancel_after,
        stop=_STOP_KINDS[o.stop],
        stop_price=mkt.price(o.stop_price) if o.stop else None,
        remark=o.remark,
        created_at=o.created_at,
        updated_at=o.updated_at,
    )


_STOP_KINDS = (None, StopKind.LOSS, StopKind.ENTRY)


def fill_info(f: FillRecord) -> FillInfo:
    o = f.order
    spec = o.mkt.spec
    return FillInfo(
        id=f.id,
        order_id=str(o.id),
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
    )
