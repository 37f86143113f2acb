"""Binance stream payloads (NOTES 11.3, 13.2) -> ``exchanges`` models. Pure.

Market payloads carry Binance's symbol; the caller passes the unified one. User-data events
are ``executionReport`` (an order's change, and a fill when ``x`` is TRADE) and
``outboundAccountPosition`` (balances that may have changed).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from exchanges import (
    Balance,
    Candle,
    Fill,
    Interval,
    Liquidity,
    Order,
    OrderType,
    Side,
    Ticker,
    TimeInForce,
    Trade,
)

from .parsing import STP_FROM_BINANCE, order_status, stop_kind

__all__ = [
    "balances_from_position",
    "candle_from_ws",
    "fill_from_report",
    "order_from_report",
    "stream_of",
    "ticker_from_ws",
    "trade_from_ws",
]

ZERO = Decimal(0)
Json = Mapping[str, Any]
_LIMIT_TYPES = frozenset({"LIMIT", "LIMIT_MAKER", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"})


def stream_of(payload: Json) -> str | None:
    """The stream a raw (unwrapped) market payload belongs to, from its own fields."""
    kind, symbol = payload.get("e"), payload.get("s")
    if not isinstance(symbol, str):
        return None
    low = symbol.lower()
    if kind == "trade":
        return f"{low}@trade"
    if kind == "depthUpdate":
        return f"{low}@depth"
    if kind == "kline":
        return f"{low}@kline_{payload['k']['i']}"
    if kind == "24hrTicker":
        return f"{low}@ticker"
    return None


def trade_from_ws(d: Json, symbol: str) -> Trade:
    return Trade(
        id=str(d["t"]),
        symbol=symbol,
        price=Decimal(d["p"]),
        size=Decimal(d["q"]),
        side=Side.SELL if d.get("m") else Side.BUY,
        timestamp=int(d["T"]),
        raw=d,
    )


def ticker_from_ws(d: Json, symbol: str) -> Ticker:
    """A ``24hrTicker`` event: the last trade, the best bid and ask, 24 h statistics."""
    rate = Decimal(d["P"]) if d.get("P") is not None else None
    return Ticker(
        symbol=symbol,
        timestamp=int(d.get("E") or 0),
        bid=Decimal(d["b"]),
        bid_size=Decimal(d["B"]),
        ask=Decimal(d["a"]),
        ask_size=Decimal(d["A"]),
        last=Decimal(d["c"]),
        last_size=Decimal(d["Q"]) if d.get("Q") is not None else None,
        open=Decimal(d["o"]),
        high=Decimal(d["h"]),
        low=Decimal(d["l"]),
        volume=Decimal(d["v"]),
        quote_volume=Decimal(d["q"]),
        change=Decimal(d["p"]) if d.get("p") is not None else None,
        change_rate=rate / 100 if rate is not None else None,
        average_price=Decimal(d["w"]) if d.get("w") is not None else None,
        raw=d,
    )


def candle_from_ws(d: Json, symbol: str, interval: Interval) -> Candle:
    k = d["k"]
    return Candle(
        start=int(k["t"]),
        open=Decimal(k["o"]),
        high=Decimal(k["h"]),
        low=Decimal(k["l"]),
        close=Decimal(k["c"]),
        volume=Decimal(k["v"]),
        quote_volume=Decimal(k.get("q") or 0),
        symbol=symbol,
        interval=interval,
        raw=d,
    )


def _pos(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    found = Decimal(value)
    return found if found > 0 else None


def _working(d: Json, kind: str) -> bool:
    """Whether the order is on the book: ``w`` says so; a non-stop order that has left the
    matcher's hands (``w`` false on a TRADE report of a market order) is not pending."""
    if stop_kind(kind, Side.BUY) is None:
        return True
    return bool(d.get("w", False))


def order_from_report(d: Json, symbol: str, fee: Decimal = ZERO, fee_currency: str | None = None) -> Order:
    """An ``executionReport`` as the order it describes (``fee``: what its fills charged so
    far, which the report does not add up). After a cancel ``c`` is the cancel's id and ``C``
    the order's."""
    kind = str(d.get("o") or "LIMIT")
    side = Side(str(d["S"]).lower())
    is_limit = kind in _LIMIT_TYPES
    size = _pos(d.get("q"))
    quote = _pos(d.get("Q"))
    price = _pos(d.get("p")) if is_limit else None
    filled = Decimal(d.get("z") or 0)
    iceberg = _pos(d.get("F"))
    stop = stop_kind(kind, side)
    if is_limit:
        funds = price * size if price is not None and size is not None else None
    else:
        funds = quote
        size = None if quote is not None else size
    tif = str(d.get("f") or "GTC")
    created = int(d.get("O") or d.get("T") or 0)
    return Order(
        id=str(d["i"]),
        symbol=symbol,
        side=side,
        type=OrderType.LIMIT if is_limit else OrderType.MARKET,
        status=order_status(str(d.get("X") or "NEW"), filled=filled, working=_working(d, kind)),
        client_order_id=str(d.get("C") or d.get("c") or "") or None,
        price=price,
        size=size,
        funds=funds,
        filled_size=filled,
        filled_funds=max(Decimal(d.get("Z") or 0), ZERO),
        fee=fee,
        fee_currency=fee_currency,
        time_in_force=TimeInForce(tif) if tif in ("GTC", "IOC", "FOK") else TimeInForce.GTC,
        post_only=kind == "LIMIT_MAKER",
        iceberg=iceberg is not None,
        visible_size=iceberg,
        stp=STP_FROM_BINANCE.get(str(d.get("V") or "NONE")),
        stop=stop,
        stop_price=_pos(d.get("P")) if stop is not None else None,
        created_at=created,
        updated_at=int(d.get("T") or d.get("E") or created),
        raw=d,
    )


def fill_from_report(d: Json, symbol: str) -> Fill:
    """The fill a ``TRADE`` report announces (its id is the trade id)."""
    price, size = Decimal(d["L"]), Decimal(d["l"])
    quote = d.get("Y")
    return Fill(
        id=str(d["t"]),
        order_id=str(d["i"]),
        trade_id=str(d["t"]),
        symbol=symbol,
        side=Side(str(d["S"]).lower()),
        price=price,
        size=size,
        funds=Decimal(quote) if quote not in (None, "") else price * size,
        fee=Decimal(d.get("n") or 0),
        fee_currency=str(d.get("N") or ""),
        liquidity=Liquidity.MAKER if d.get("m") else Liquidity.TAKER,
        timestamp=int(d.get("T") or 0),
        client_order_id=str(d.get("C") or d.get("c") or "") or None,
        raw=d,
    )


def balances_from_position(d: Json) -> list[Balance]:
    """An ``outboundAccountPosition``'s assets."""
    out = []
    for row in d.get("B") or ():
        free, locked = Decimal(row["f"]), Decimal(row["l"])
        out.append(Balance(currency=str(row["a"]), total=free + locked, available=free, hold=locked, raw=row))
    return out
