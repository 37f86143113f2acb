"""Binance's JSON shapes of the venue's records (NOTES sections 6-8 and 11): amounts as
decimal strings with eight decimals (more only when a fee needs them), ids and times as
integers, Binance's order types, statuses and STP mode names."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from exchanges import OrderStatus, OrderType, Side, StopKind
from simulator.venue import (
    PENDING_REASON,
    BookSnapshot,
    CandleBar,
    FillInfo,
    OrderInfo,
    PublicTrade,
    SymbolSpec,
)

from .rulebook import STP_NAMES

__all__ = [
    "binance_status",
    "binance_type",
    "dec",
    "expiry_reason",
    "fill_row",
    "kline",
    "list_id",
    "order_object",
]

_EIGHT = Decimal("0.00000001")
ZERO = Decimal(0)


def dec(value: Decimal | None) -> str:
    """``value`` with eight decimals (``"0.01000000"``), or every decimal it has past eight;
    ``None`` is ``"0.00000000"``."""
    if value is None:
        return "0.00000000"
    if value == value.quantize(_EIGHT):
        return format(value.quantize(_EIGHT), "f")
    return format(value, "f")


def binance_type(o: OrderInfo) -> str:
    """The order's Binance type: the stop kind and side tell a stop-loss from a take-profit
    (a sell that triggers on a fall, or a buy on a rise, stops a loss)."""
    market = o.type is OrderType.MARKET
    if o.stop is None:
        if market:
            return "MARKET"
        return "LIMIT_MAKER" if o.post_only else "LIMIT"
    loss = (o.stop is StopKind.LOSS) == (o.side is Side.SELL)
    kind = "STOP_LOSS" if loss else "TAKE_PROFIT"
    return kind if market else kind + "_LIMIT"


_ENDED = {
    "stp": "EXPIRED_IN_MATCH",
    "oco": "EXPIRED",
    "oto": "EXPIRED",
    "rejected": "EXPIRED",
    "ioc": "EXPIRED",
    "fok": "EXPIRED",
    "no_liquidity": "EXPIRED",
    "insufficient_funds": "EXPIRED",
    "price_band": "EXPIRED",
    "amended": "EXPIRED",  # (amended down to what had filled)
}
_REASONS = {
    "oco": "OCO_TRIGGER",
    "oto": "OTO_PHASE_ONE_EXPIRED",
    "rejected": "REJECTED",
    "ioc": "UNFILLED_IOC_QUANTITY_EXPIRED",
    "fok": "UNFILLED_FOK_ORDER_EXPIRED",
    "no_liquidity": "INSUFFICIENT_LIQUIDITY",
    "insufficient_funds": "INSUFFICIENT_LIQUIDITY",
    "price_band": "EXCHANGE_CANCELED",
    "expired": "EXCHANGE_CANCELED",
}


def binance_status(o: OrderInfo) -> str:
    status = o.status
    if status in (OrderStatus.PENDING, OrderStatus.NEW, OrderStatus.OPEN):
        return "PENDING_NEW" if o.reason == PENDING_REASON else "NEW"
    if status is OrderStatus.PARTIALLY_FILLED:
        return "PARTIALLY_FILLED"
    if status is OrderStatus.FILLED:
        return "FILLED"
    if status is OrderStatus.REJECTED:
        return "REJECTED"
    if status is OrderStatus.EXPIRED:
        return "EXPIRED"
    return _ENDED.get(o.reason or "", "CANCELED")


def expiry_reason(o: OrderInfo) -> str | None:
    """Why an expired order expired (``None`` unless its status is an expiry)."""
    status = binance_status(o)
    if status == "EXPIRED_IN_MATCH":
        return "NONE"
    if status == "EXPIRED":
        return _REASONS.get(o.reason or "", "EXCHANGE_CANCELED")
    return None


def list_id(o: OrderInfo | FillInfo) -> int:
    """The order's ``orderListId``: its list's, or -1."""
    return -1 if o.list_id is None else o.list_id


def _orig_qty(o: OrderInfo) -> Decimal:
    return o.size if o.size is not None else (o.deal_size if not o.active else ZERO)


def working_time(o: OrderInfo) -> int:
    if o.reason == PENDING_REASON:
        return -1
    if o.stop is not None:
        return o.stop_trigger_time if o.stop_triggered and o.stop_trigger_time is not None else -1
    return o.created_at


def _base(o: OrderInfo, name: str) -> dict[str, Any]:
    return {
        "symbol": name,
        "orderId": int(o.id),
        "orderListId": list_id(o),
        "clientOrderId": o.client_oid or "",
    }


def _state(o: OrderInfo) -> tuple[dict[str, Any], bool]:
    by_funds = o.type is OrderType.MARKET and o.size is None and o.funds is not None
    return {
        "price": dec(o.price),
        "origQty": dec(_orig_qty(o)),
        "executedQty": dec(o.deal_size),
        "cummulativeQuoteQty": dec(o.deal_funds),
        "status": binance_status(o),
        "timeInForce": o.time_in_force.value if o.type is not OrderType.MARKET else "GTC",
        "type": binance_type(o),
        "side": o.side.value.upper(),
    }, by_funds


def order_object(o: OrderInfo, name: str) -> dict[str, Any]:
    """``GET /api/v3/order`` (and open/all orders): the full order object."""
    state, by_funds = _state(o)
    out = {
        **_base(o, name),
        **state,
        "stopPrice": dec(o.stop_price),
        "icebergQty": dec(o.visible_size),
        "time": o.created_at,
        "updateTime": o.last_updated_at,
        "isWorking": working_time(o) != -1,
        "workingTime": working_time(o),
        "origQuoteOrderQty": dec(o.funds if by_funds else ZERO),
        "selfTradePreventionMode": STP_NAMES[o.stp],
    }
    _conditional(o, out)
    return out


def _conditional(o: OrderInfo, out: dict[str, Any]) -> None:
    reason = expiry_reason(o)
    if reason is not None:
        out["expiryReason"] = reason
    if out["status"] == "EXPIRED_IN_MATCH":
        out["preventedMatchId"] = int(o.id)
        out["preventedQuantity"] = dec(o.cancelled_size)


def placed(o: OrderInfo, name: str, kind: str, fills: Sequence[FillInfo], now: int) -> dict[str, Any]:
    """``POST /api/v3/order``'s answer by ``newOrderRespType`` (``ACK``, ``RESULT``, ``FULL``)."""
    out = {**_base(o, name), "transactTime": now}
    if kind == "ACK":
        return out
    state, by_funds = _state(o)
    out.update(state)
    out["workingTime"] = working_time(o)
    out["origQuoteOrderQty"] = dec(o.funds if by_funds else ZERO)
    out["selfTradePreventionMode"] = STP_NAMES[o.stp]
    if o.stop is not None:
        out["stopPrice"] = dec(o.stop_price)
    if o.iceberg:
        out["icebergQty"] = dec(o.visible_size)
    _conditional(o, out)
    if kind == "FULL":
        out["fills"] = [
            {
                "price": dec(f.price),
                "qty": dec(f.size),
                "commission": dec(f.fee),
                "commissionAsset": f.fee_currency,
                "tradeId": f.trade_id,
            }
            for f in fills
        ]
    return out


def cancelled(o: OrderInfo, name: str, cancel_id: str, now: int) -> dict[str, Any]:
    """``DELETE /api/v3/order``'s answer: the order as cancelled, under the cancel's id."""
    state, by_funds = _state(o)
    out = {
        "symbol": name,
        "origClientOrderId": o.client_oid or "",
        "orderId": int(o.id),
        "orderListId": list_id(o),
        "clientOrderId": cancel_id,
        "transactTime": now,
        **state,
        "origQuoteOrderQty": dec(o.funds if by_funds else ZERO),
        "selfTradePreventionMode": STP_NAMES[o.stp],
    }
    if o.stop is not None:
        out["stopPrice"] = dec(o.stop_price)
    if o.iceberg:
        out["icebergQty"] = dec(o.visible_size)
    return out


def fill_row(f: FillInfo, name: str) -> dict[str, Any]:
    """One ``GET /api/v3/myTrades`` item."""
    return {
        "symbol": name,
        "id": f.trade_id,
        "orderId": int(f.order_id),
        "orderListId": list_id(f),
        "price": dec(f.price),
        "qty": dec(f.size),
        "quoteQty": dec(f.funds),
        "commission": dec(f.fee),
        "commissionAsset": f.fee_currency,
        "time": f.created_at,
        "isBuyer": f.side is Side.BUY,
        "isMaker": f.liquidity.value == "maker",
        "isBestMatch": True,
    }


def levels(rows: Iterable[tuple[Decimal, Decimal]]) -> list[list[str]]:
    return [[dec(p), dec(q)] for p, q in rows]


def depth(snap: BookSnapshot) -> dict[str, Any]:
    return {"lastUpdateId": snap.sequence, "bids": levels(snap.bids), "asks": levels(snap.asks)}


def trade(t: PublicTrade) -> dict[str, Any]:
    return {
        "id": t.trade_id,
        "price": dec(t.price),
        "qty": dec(t.size),
        "quoteQty": dec(t.price * t.size),
        "time": t.time,
        "isBuyerMaker": t.side is Side.SELL,
        "isBestMatch": True,
    }


def agg_trade(t: PublicTrade) -> dict[str, Any]:
    return {
        "a": t.trade_id,
        "p": dec(t.price),
        "q": dec(t.size),
        "f": t.trade_id,
        "l": t.trade_id,
        "T": t.time,
        "m": t.side is Side.SELL,
        "M": True,
    }


def kline(bar: CandleBar, length_ms: int, trades: int = 0) -> list[Any]:
    return [
        bar.start,
        dec(bar.open),
        dec(bar.high),
        dec(bar.low),
        dec(bar.close),
        dec(bar.volume),
        bar.start + length_ms - 1,
        dec(bar.turnover),
        trades,
        "0.00000000",
        "0.00000000",
        "0",
    ]


def precision(increment: Decimal) -> int:
    """Decimal places of an increment (``0.01`` -> 2)."""
    exponent = increment.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 8


def spec_assets(spec: SymbolSpec) -> tuple[str, str]:
    return spec.base_currency, spec.quote_currency
