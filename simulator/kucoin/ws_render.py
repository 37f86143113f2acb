"""The venue's records as the ``data`` of KuCoin's WebSocket frames (``ws/openapi-spot-*.json``
of the spec, NOTES 9). Pure functions.

Units as KuCoin sends them: milliseconds for ticker, book, level-2 and balance times (the
balance's as a string), nanoseconds for a match's ``time`` (a string), an order event's
``ts`` and a candle frame's ``time``, seconds for a candle's start. Amounts are strings,
except in the market snapshot, whose statistics KuCoin sends as JSON numbers.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from exchanges import Liquidity, OrderType
from simulator.venue import (
    BookChange,
    BookSnapshot,
    CandleBar,
    FillInfo,
    LedgerEntry,
    Level1,
    OrderInfo,
    PublicTrade,
    Stats24h,
    SymbolSpec,
)

from .serialize import candle as candle_row
from .serialize import dec

__all__ = [
    "Change",
    "balance",
    "candle",
    "depth",
    "level1",
    "level2",
    "match",
    "order_change",
    "snapshot",
    "stop_order",
    "ticker",
]

Json = dict[str, Any]
#: (``open``, ``high``, ``low``, ``close``, ``vol``, ``volValue``) of a window, or None.
Change = tuple[Decimal, Decimal, Decimal, Decimal, Decimal, Decimal] | None


def ticker(t: Level1) -> Json:
    """``/market/ticker`` (and each row of ``/market/ticker:all``)."""
    return {
        "sequence": str(t.sequence),
        "price": dec(t.price),
        "size": dec(t.size),
        "bestAsk": dec(t.best_ask),
        "bestAskSize": dec(t.best_ask_size),
        "bestBid": dec(t.best_bid),
        "bestBidSize": dec(t.best_bid_size),
        "time": t.time,
    }


def level1(t: Level1) -> Json:
    """``/spotMarket/level1``: the best ask and bid as ``[price, size]`` (empty for an empty side)."""
    return {
        "asks": [dec(t.best_ask), dec(t.best_ask_size)] if t.best_ask is not None else [],
        "bids": [dec(t.best_bid), dec(t.best_bid_size)] if t.best_bid is not None else [],
        "timestamp": t.time,
    }


def depth(b: BookSnapshot) -> Json:
    """``/spotMarket/level2Depth5`` and ``level2Depth50``: the top of the book, whole."""
    return {
        "asks": [[dec(p), dec(s)] for p, s in b.asks],
        "bids": [[dec(p), dec(s)] for p, s in b.bids],
        "timestamp": b.time,
    }


def level2(c: BookChange) -> Json:
    """``/market/level2``: each changed price with its new size and the sequence of its last
    change (``"0"`` size: the price left the book)."""
    end = str(c.sequence_end)
    return {
        "changes": {
            "asks": [[dec(p), dec(s), end] for p, s in c.asks],
            "bids": [[dec(p), dec(s), end] for p, s in c.bids],
        },
        "sequenceEnd": c.sequence_end,
        "sequenceStart": c.sequence_start,
        "symbol": c.symbol,
        "time": c.time,
    }


def match(t: PublicTrade) -> Json:
    """``/market/match``: ``side`` is the taker's, ``time`` nanoseconds as a string."""
    return {
        "makerOrderId": t.maker_order_id,
        "price": dec(t.price),
        "sequence": str(t.sequence),
        "side": str(t.side),
        "size": dec(t.size),
        "symbol": t.symbol,
        "takerOrderId": t.taker_order_id,
        "time": str(t.time_ns),
        "tradeId": str(t.trade_id),
        "type": "match",
    }


def candle(bar: CandleBar, now_ns: int) -> Json:
    """``/market/candles``: the current candle, ``time`` the push's nanoseconds."""
    return {"symbol": bar.symbol, "candles": candle_row(bar), "time": now_ns}


def _number(value: Decimal | None) -> float | int:
    return 0 if value is None else float(value)


def _window(change: Change, last: Decimal | None) -> Json:
    if change is None:
        return {"changePrice": 0, "changeRate": 0, "high": 0, "low": 0, "open": 0, "vol": 0, "volValue": 0}
    open_, high, low, _close, vol, vol_value = change
    moved = (last - open_) if last is not None else Decimal(0)
    rate = (moved / open_).quantize(Decimal("0.0001")) if open_ else Decimal(0)
    return {
        "changePrice": float(moved),
        "changeRate": float(rate),
        "high": float(high),
        "low": float(low),
        "open": float(open_),
        "vol": float(vol),
        "volValue": float(vol_value),
    }


def snapshot(s: Stats24h, spec: SymbolSpec, sequence: int, hour: Change, four_hours: Change) -> Json:
    """``/market/snapshot``: the pair's statistics (numbers, not strings), with the windows
    of the last hour and four hours beside the 24 hours'."""
    day: Change = None
    if s.open is not None and s.high is not None and s.low is not None:
        day = (s.open, s.high, s.low, s.last or s.open, s.vol, s.vol_value)
    return {
        "sequence": str(sequence),
        "data": {
            "askSize": _number(s.best_ask_size),
            "averagePrice": _number(s.average_price),
            "baseCurrency": spec.base_currency,
            "bidSize": _number(s.best_bid_size),
            "board": 0,
            "buy": _number(s.buy),
            "changePrice": _number(s.change_price),
            "changeRate": _number(s.change_rate),
            "close": _number(s.last),
            "datetime": s.time,
            "high": _number(s.high),
            "lastTradedPrice": _number(s.last),
            "low": _number(s.low),
            "makerCoefficient": float(s.maker_coefficient),
            "makerFeeRate": float(s.maker_fee_rate),
            "marginTrade": spec.is_margin_enabled,
            "mark": 0,
            "market": spec.market,
            "marketChange1h": _window(hour, s.last),
            "marketChange24h": _window(day, s.last),
            "marketChange4h": _window(four_hours, s.last),
            "markets": [spec.market],
            "open": _number(s.open),
            "quoteCurrency": spec.quote_currency,
            "sell": _number(s.sell),
            "siteTypes": ["global"],
            "sort": 100,
            "symbol": s.symbol,
            "symbolCode": s.symbol,
            "takerCoefficient": float(s.taker_coefficient),
            "takerFeeRate": float(s.taker_fee_rate),
            "trading": spec.enable_trading,
            "vol": float(s.vol),
            "volValue": float(s.vol_value),
        },
    }


#: venue change -> (KuCoin's ``type``, its ``status``; None: by the order's state).
_ORDER_TYPES: dict[str, tuple[str, str | None]] = {
    "received": ("received", "new"),
    "open": ("open", "open"),
    "match": ("match", None),
    "update": ("update", None),
    "filled": ("filled", "done"),
    "canceled": ("canceled", "done"),
    "rejected": ("canceled", "done"),
}


def order_change(
    o: OrderInfo, change: str, time_ms: int, fill: FillInfo | None = None, old_size: Decimal | None = None
) -> Json | None:
    """``/spotMarket/tradeOrdersV2`` (``orderChange``) for one of the venue's order events;
    None for an event KuCoin reports on the stop-order topic only."""
    found = _ORDER_TYPES.get(change)
    if found is None:
        return None
    kind, status = found
    if status is None:
        status = "done" if not o.active else ("open" if o.in_order_book else "match")
        if kind == "match" and fill is not None:
            status = "open" if fill.liquidity is Liquidity.MAKER and o.in_order_book else "match"
    data: Json = {
        "symbol": o.symbol,
        "orderType": str(o.type),
        "side": str(o.side),
        "orderId": o.id,
        "type": kind,
        "orderTime": o.created_at,
        "originSize": dec(o.size, ""),
        "status": status,
        "ts": time_ms * 1_000_000,
        "clientOid": o.client_oid or "",
    }
    if o.type is OrderType.LIMIT:
        data["price"] = dec(o.price)
    if o.size is not None:
        data["size"] = dec(o.size)
    if o.funds is not None and o.type is OrderType.MARKET:
        data["funds"] = dec(o.funds)
    if kind != "received":
        data["filledSize"] = dec(o.deal_size)
        data["remainSize"] = dec(o.remain_size)
        data["canceledSize"] = dec(o.cancelled_size)
        if o.funds is not None and o.size is None:
            data["remainFunds"] = dec(o.remain_funds)
    if kind == "update":
        data["oldSize"] = dec(old_size if old_size is not None else o.size)
    if kind == "match" and fill is not None:
        data["matchPrice"] = dec(fill.price)
        data["matchSize"] = dec(fill.size)
        data["tradeId"] = str(fill.trade_id)
        data["liquidity"] = str(fill.liquidity)
        taker_rate = fill.liquidity is Liquidity.TAKER or fill.force_taker
        data["feeType"] = "takerFee" if taker_rate else "makerFee"
    return data


def stop_order(o: OrderInfo, kind: str, time_ms: int) -> Json:
    """``/spotMarket/advancedOrders`` (``stopOrder``): ``kind`` ``open`` (placed),
    ``triggered`` or ``cancel`` (NOTES 9: KuCoin's older docs' words)."""
    data: Json = {
        "createdAt": o.created_at,
        "orderId": o.id,
        "orderPrice": dec(o.price, ""),
        "orderType": "stop",
        "side": str(o.side),
        "size": dec(o.size, ""),
        "stop": str(o.stop) if o.stop is not None else "",
        "stopPrice": dec(o.stop_price),
        "symbol": o.symbol,
        "tradeType": "TRADE",
        "ts": time_ms * 1_000_000,
        "type": kind,
    }
    if o.client_oid:
        data["clientOid"] = o.client_oid
    if o.size is None and o.funds is not None:
        data["funds"] = dec(o.funds)
    return data


_RELATION = {
    "hold": "trade.hold",
    "release": "trade.hold",
    "trade": "trade.setted",
    "fee": "trade.setted",
    "transfer": "trade.transfer",
    "deposit": "main.deposit",
}


def balance(e: LedgerEntry, hold_after: Decimal) -> Json:
    """``/account/balance``: one change of the trade account (a ledger line), with the
    balance after it."""
    total = e.balance
    hold_change = e.hold_delta
    context: Json = {}
    if "symbol" in e.context:
        context = {"symbol": e.context["symbol"], "orderId": e.context.get("orderId", "")}
        if e.context.get("tradeId"):
            context["tradeId"] = e.context["tradeId"]
    return {
        "accountId": e.account_id,
        "currency": e.currency,
        "total": dec(total),
        "available": dec(total - hold_after),
        "hold": dec(hold_after),
        "availableChange": dec(e.signed_amount - hold_change),
        "holdChange": dec(hold_change),
        "relationContext": context,
        "relationEvent": _RELATION.get(e.kind, "other"),
        "relationEventId": str(e.id),
        "time": str(e.created_at),
    }
