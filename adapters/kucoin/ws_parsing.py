"""KuCoin WebSocket ``data`` -> ``exchanges`` models (NOTES 9, ``ws/openapi-spot-*.json``).
Pure functions.

Times: ticker, book and balance frames carry ms; match ``time`` and order ``ts`` are ns;
a candle's start is in seconds. An order frame says what changed, not the whole order:
:func:`order_from_frame` lays it over what was known of the order before.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from exchanges import (
    Candle,
    Fill,
    Interval,
    Liquidity,
    Order,
    OrderBook,
    OrderStatus,
    OrderType,
    Side,
    StopKind,
    Ticker,
    Trade,
)

from .parsing import from_native, parse_candles, parse_order_book, parse_ticker, parse_trade

__all__ = [
    "book_from_depth",
    "candle_from_ws",
    "fill_from_frame",
    "order_from_frame",
    "stop_order_from_frame",
    "ticker_from_ws",
    "trade_from_ws",
]

ZERO = Decimal(0)
Json = Mapping[str, Any]


def _pos(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    found = Decimal(value) if isinstance(value, str) else Decimal(str(value))
    return found if found > 0 else None


def _ms_from_ns(value: Any) -> int:
    return int(value) // 1_000_000 if value not in (None, "") else 0


def ticker_from_ws(data: Json, symbol: str) -> Ticker:
    """``/market/ticker`` data (the spec's example spells the time ``Time``)."""
    stamp = data.get("time", data.get("Time"))
    return parse_ticker(data, symbol, int(stamp) if stamp not in (None, "") else 0)


def trade_from_ws(data: Json, symbol: str) -> Trade:
    """``/market/match`` data: the id is its ``sequence``, as in ``market/histories``."""
    return parse_trade(data, symbol)


def candle_from_ws(data: Json, symbol: str, interval: Interval) -> Candle:
    return parse_candles([data["candles"]], symbol, interval)[0]


def book_from_depth(data: Json, symbol: str, depth: int | None) -> OrderBook:
    """``level2Depth5``/``level2Depth50`` data: a whole top of book, ``timestamp`` in ms."""
    shaped = {"time": data.get("timestamp"), "bids": data.get("bids"), "asks": data.get("asks")}
    return parse_order_book(shaped, symbol, depth)


def _status(kind: str, status: str, size: Decimal | None, filled: Decimal) -> OrderStatus:
    if status == "done" or kind in ("filled", "canceled"):
        if kind == "filled" or (size is not None and filled >= size):
            return OrderStatus.FILLED
        return OrderStatus.CANCELED
    if status == "new" or kind == "received":
        return OrderStatus.NEW
    return OrderStatus.PARTIALLY_FILLED if filled > 0 else OrderStatus.OPEN


def order_from_frame(
    data: Json, before: Order | None, filled_funds: Decimal, filled_size: Decimal | None = None
) -> Order:
    """An ``orderChange`` (V2) laid over ``before`` (what was known; its static fields,
    time in force and flags, come through), with the ``filled_funds`` the caller counted
    and, for a frame that says nothing of fills (``received``), its ``filled_size``."""
    kind = str(data.get("type") or "")
    order_type = OrderType(data.get("orderType") or (before.type if before is not None else "limit"))
    by_funds = before is not None and before.type is OrderType.MARKET and before.size is None
    size = None if by_funds else (_pos(data.get("size")) or _pos(data.get("originSize")))
    if size is None and before is not None and not by_funds:
        size = before.size
    filled_text = data.get("filledSize")
    if filled_text not in (None, ""):
        filled = Decimal(filled_text)
    elif filled_size is not None:
        filled = filled_size
    else:
        filled = before.filled_size if before is not None else ZERO
    status = _status(kind, str(data.get("status") or ""), size, filled)
    price = _pos(data.get("price")) if order_type is OrderType.LIMIT else None
    updated = _ms_from_ns(data.get("ts"))
    if before is None:
        return Order(
            id=str(data["orderId"]),
            symbol=from_native(str(data["symbol"])),
            side=Side(data["side"]),
            type=order_type,
            status=status,
            client_order_id=data.get("clientOid") or None,
            price=price,
            size=size,
            funds=price * size if price is not None and size is not None else None,
            filled_size=filled,
            filled_funds=filled_funds,
            created_at=int(data.get("orderTime") or 0),
            updated_at=updated,
            raw=data,
        )
    return attrs.evolve(
        before,
        status=status,
        price=price if price is not None else before.price,
        size=size,
        filled_size=filled,
        filled_funds=filled_funds,
        client_order_id=data.get("clientOid") or before.client_order_id,
        updated_at=max(updated, before.updated_at),
        raw=data,
    )


def fill_from_frame(
    data: Json, *, maker_rate: Decimal | None, taker_rate: Decimal | None, fee_currency: str
) -> Fill:
    """A ``match`` event as one of our fills. KuCoin's frame has no fee: it is the
    executed funds times the account's rate for the side ``feeType`` names (the fee
    actually charged, which ``liquidity`` is not against a hidden counterparty)."""
    price = Decimal(data["matchPrice"])
    size = Decimal(data["matchSize"])
    fee_type = data.get("feeType")
    if fee_type in ("makerFee", "takerFee"):
        liquidity = Liquidity.MAKER if fee_type == "makerFee" else Liquidity.TAKER
    else:
        liquidity = Liquidity(data.get("liquidity") or "taker")
    rate = maker_rate if liquidity is Liquidity.MAKER else taker_rate
    funds = price * size
    trade_id = str(data["tradeId"])
    return Fill(
        id=trade_id,
        order_id=str(data["orderId"]),
        trade_id=trade_id,
        symbol=from_native(str(data["symbol"])),
        side=Side(data["side"]),
        price=price,
        size=size,
        funds=funds,
        fee=funds * rate if rate is not None else ZERO,
        fee_currency=fee_currency,
        liquidity=liquidity,
        timestamp=_ms_from_ns(data.get("ts")),
        fee_rate=rate,
        client_order_id=data.get("clientOid") or None,
        raw=data,
    )


_STOP_EVENTS = {
    "open": OrderStatus.PENDING,
    "triggered": OrderStatus.NEW,
    "cancel": OrderStatus.CANCELED,
    "canceled": OrderStatus.CANCELED,
}


def stop_order_from_frame(data: Json) -> Order | None:
    """A ``stopOrder`` event: placed (PENDING), triggered (NEW: it lives on as an order) or
    cancelled; ``None`` for the other types the spec lists, which say nothing we can read."""
    status = _STOP_EVENTS.get(str(data.get("type") or ""))
    if status is None:
        return None
    price = _pos(data.get("orderPrice"))
    stop = data.get("stop")
    stamp = int(data.get("createdAt") or 0)
    return Order(
        id=str(data["orderId"]),
        symbol=from_native(str(data["symbol"])),
        side=Side(data["side"]),
        type=OrderType.LIMIT if price is not None else OrderType.MARKET,
        status=status,
        client_order_id=data.get("clientOid") or None,
        price=price,
        size=_pos(data.get("size")),
        funds=_pos(data.get("funds")),
        stop=StopKind(stop) if stop in ("loss", "entry") else None,
        stop_price=_pos(data.get("stopPrice")),
        created_at=stamp,
        updated_at=_ms_from_ns(data.get("ts")) or stamp,
        raw=data,
    )
