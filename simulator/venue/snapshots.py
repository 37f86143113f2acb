"""Frozen snapshots of the venue's records, as its public API returns them."""

from __future__ import annotations

from decimal import Decimal

from exchanges import Liquidity, OrderStatus, Side, StopKind
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
)
from simulator.venue.orders import STATUS, FillRecord, VenueOrder, tidy, unspent_funds
from simulator.venue.records import FillInfo, OrderInfo

__all__ = ["STOP_KINDS", "fill_info", "order_info", "order_status"]

ZERO = Decimal(0)
STOP_KINDS = (None, StopKind.LOSS, StopKind.ENTRY)


def _tidy_opt(value: Decimal | None) -> Decimal | None:
    return None if value is None else tidy(value)


def order_status(order: VenueOrder) -> OrderStatus:
    return STATUS[order.status]


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
        fee_currency=mkt.buy_fee_currency if o.is_buy else mkt.sell_fee_currency,
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
        status=STATUS[status],
        reason=o.reason,
        stop=stop,
        stop_price=mkt.price(o.stop_price) if o.stop else None,
        stop_triggered=bool(o.stop) and status != PENDING and o.trigger_time is not None,
        stop_trigger_time=o.trigger_time,
        maker_fee_rate=o.maker_rate,
        taker_fee_rate=o.taker_rate,
        done_id=o.done_id,
        list_id=o.list_id,
    )


def fill_info(f: FillRecord) -> FillInfo:
    o = f.order
    mkt = o.mkt
    spec = mkt.spec
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
        fee_currency=mkt.buy_fee_currency if o.is_buy else mkt.sell_fee_currency,
        created_at=f.time,
        uid=o.uid,
        client_oid=o.client_oid,
        stop=STOP_KINDS[o.stop],
        list_id=o.list_id,
    )
