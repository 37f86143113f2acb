"""Binance JSON -> ``exchanges`` models. Pure functions over decoded payloads.

Amounts become ``Decimal`` straight from Binance's strings. Binance writes ``"0.00000000"``
for a price or stop price that does not apply; those become ``None`` where the model allows
it. Symbols arrive in Binance's spelling (``BTCUSDT``); the caller passes the unified one.
Every model keeps its source in ``raw``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from exchanges import (
    STP,
    Balance,
    Candle,
    Fill,
    Interval,
    Liquidity,
    Market,
    Order,
    OrderBook,
    OrderBookLevel,
    OrderStatus,
    OrderType,
    Side,
    StopKind,
    Ticker,
    TimeInForce,
    Trade,
)

from .models import CommissionRates, OrderCount, OrderList, SymbolFilter, SymbolInfo

__all__ = [
    "STP_FROM_BINANCE",
    "order_status",
    "parse_balances",
    "parse_book",
    "parse_candles",
    "parse_commission",
    "parse_fill",
    "parse_filter",
    "parse_market",
    "parse_order",
    "parse_order_counts",
    "parse_order_list",
    "parse_symbol_info",
    "parse_ticker",
    "parse_trade",
    "stop_kind",
]

ZERO = Decimal(0)
Json = Mapping[str, Any]

STP_FROM_BINANCE: Mapping[str, STP] = {
    "EXPIRE_TAKER": STP.CN,
    "EXPIRE_MAKER": STP.CO,
    "EXPIRE_BOTH": STP.CB,
    "DECREMENT": STP.DC,
}
_LIMIT_TYPES = frozenset({"LIMIT", "LIMIT_MAKER", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"})


def _dec(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(value) if isinstance(value, str) else Decimal(str(value))


def _dec0(value: Any) -> Decimal:
    found = _dec(value)
    return ZERO if found is None else found


def _pos(value: Any) -> Decimal | None:
    """A positive amount, or ``None`` for absent / zero (Binance writes zero for 'not set')."""
    found = _dec(value)
    return found if found is not None and found > 0 else None


def _int(value: Any, default: int = 0) -> int:
    if value is None or value == "" or isinstance(value, bool):
        return default
    return int(value)


# --- exchange information ----------------------------------------------------------------------


def parse_filter(d: Json) -> SymbolFilter:
    """One filter: numbers written as strings become ``Decimal``, JSON numbers ``int``."""
    values: dict[str, Decimal | int | bool | str] = {}
    for name, value in d.items():
        if name == "filterType":
            continue
        if isinstance(value, bool | int):
            values[name] = value
        elif isinstance(value, str):
            try:
                values[name] = Decimal(value)
            except ArithmeticError:
                values[name] = value
        elif isinstance(value, float):
            values[name] = Decimal(str(value))
    return SymbolFilter(type=str(d["filterType"]), values=values)


def parse_symbol_info(d: Json, unified: str) -> SymbolInfo:
    filters = {f.type: f for f in (parse_filter(row) for row in d.get("filters") or ())}
    return SymbolInfo(
        symbol=unified,
        id=str(d["symbol"]),
        status=str(d.get("status") or ""),
        base_precision=_int(d.get("baseAssetPrecision"), 8),
        quote_precision=_int(d.get("quoteAssetPrecision", d.get("quotePrecision")), 8),
        order_types=frozenset(str(t) for t in d.get("orderTypes") or ()),
        iceberg_allowed=bool(d.get("icebergAllowed")),
        oco_allowed=bool(d.get("ocoAllowed")),
        oto_allowed=bool(d.get("otoAllowed")),
        quote_order_qty_market_allowed=bool(d.get("quoteOrderQtyMarketAllowed")),
        trailing_stop_allowed=bool(d.get("allowTrailingStop")),
        cancel_replace_allowed=bool(d.get("cancelReplaceAllowed")),
        amend_allowed=bool(d.get("amendAllowed")),
        spot_trading_allowed=bool(d.get("isSpotTradingAllowed", True)),
        stp_default=str(d.get("defaultSelfTradePreventionMode") or "NONE"),
        stp_allowed=frozenset(str(m) for m in d.get("allowedSelfTradePreventionModes") or ()),
        filters=filters,
        raw=d,
    )


def _step(found: Decimal | None, precision: int) -> Decimal:
    """A grid step: the filter's, or the asset precision's when the filter leaves it at 0."""
    return found if found is not None and found > 0 else Decimal(1).scaleb(-precision)


def parse_market(info: SymbolInfo) -> Market:
    """The protocol's view of a symbol: its grid (PRICE_FILTER, LOT_SIZE), the quantity bounds
    (LOT_SIZE), and the order value bounds (NOTIONAL, or the older MIN_NOTIONAL)."""
    price = info.filter("PRICE_FILTER")
    lot = info.filter("LOT_SIZE")
    notional = info.filter("NOTIONAL") or info.filter("MIN_NOTIONAL")
    base, quote = info.symbol.split("/")
    return Market(
        symbol=info.symbol,
        base=base,
        quote=quote,
        id=info.id,
        price_increment=_step(price.decimal("tickSize") if price else None, info.quote_precision),
        size_increment=_step(lot.decimal("stepSize") if lot else None, info.base_precision),
        funds_increment=Decimal(1).scaleb(-info.quote_precision),
        min_size=(lot.decimal("minQty") if lot else None) or ZERO,
        max_size=_pos(lot.decimal("maxQty")) if lot else None,
        min_funds=_pos(notional.decimal("minNotional")) if notional else None,
        max_funds=_pos(notional.decimal("maxNotional")) if notional else None,
        enabled=info.status == "TRADING" and info.spot_trading_allowed,
        raw=info.raw,
    )


# --- market data ---------------------------------------------------------------------------------


def _levels(rows: Iterable[Sequence[Any]], depth: int | None) -> tuple[OrderBookLevel, ...]:
    levels = tuple(OrderBookLevel(Decimal(price), Decimal(size)) for price, size, *_ in rows)
    return levels if depth is None else levels[:depth]


def parse_book(d: Json, symbol: str, timestamp: int, depth: int | None = None) -> OrderBook:
    """``GET /api/v3/depth`` (its ``lastUpdateId`` is the book's sequence)."""
    update_id = d.get("lastUpdateId")
    return OrderBook(
        symbol=symbol,
        timestamp=timestamp,
        bids=_levels(d.get("bids") or (), depth),
        asks=_levels(d.get("asks") or (), depth),
        sequence=int(update_id) if update_id is not None else None,
        raw=d,
    )


def parse_trade(d: Json, symbol: str) -> Trade:
    """A ``trades`` row; the side is the taker's (a buyer who is maker means a sell took)."""
    return Trade(
        id=str(d["id"]),
        symbol=symbol,
        price=Decimal(d["price"]),
        size=Decimal(d["qty"]),
        side=Side.SELL if d.get("isBuyerMaker") else Side.BUY,
        timestamp=int(d["time"]),
        raw=d,
    )


def parse_candles(rows: Iterable[Sequence[Any]], symbol: str, interval: Interval) -> list[Candle]:
    """Kline rows ``[open time, open, high, low, close, volume, close time, quote volume, ...]``."""
    return [
        Candle(
            start=int(row[0]),
            open=Decimal(row[1]),
            high=Decimal(row[2]),
            low=Decimal(row[3]),
            close=Decimal(row[4]),
            volume=Decimal(row[5]),
            quote_volume=Decimal(row[7]) if len(row) > 7 else ZERO,
            symbol=symbol,
            interval=interval,
            raw=list(row),
        )
        for row in rows
    ]


def parse_ticker(d: Json, symbol: str) -> Ticker:
    """A ``ticker/24hr`` object (FULL), or a ``ticker/bookTicker`` one (bid and ask only)."""
    last = _dec(d.get("lastPrice"))
    opened = _dec(d.get("openPrice"))
    rate = _dec(d.get("priceChangePercent"))
    return Ticker(
        symbol=symbol,
        timestamp=_int(d.get("closeTime")),
        bid=_dec(d.get("bidPrice")),
        bid_size=_dec(d.get("bidQty")),
        ask=_dec(d.get("askPrice")),
        ask_size=_dec(d.get("askQty")),
        last=last,
        last_size=_dec(d.get("lastQty")),
        open=opened,
        high=_dec(d.get("highPrice")),
        low=_dec(d.get("lowPrice")),
        volume=_dec(d.get("volume")),
        quote_volume=_dec(d.get("quoteVolume")),
        change=_dec(d.get("priceChange")),
        change_rate=rate / 100 if rate is not None else None,
        average_price=_dec(d.get("weightedAvgPrice")),
        raw=d,
    )


# --- account ---------------------------------------------------------------------------------


def parse_balances(d: Json) -> dict[str, Balance]:
    """``GET /api/v3/account``'s ``balances``: free is available, locked is on hold."""
    out: dict[str, Balance] = {}
    for row in d.get("balances") or ():
        free, locked = _dec0(row.get("free")), _dec0(row.get("locked"))
        out[str(row["asset"])] = Balance(
            currency=str(row["asset"]), total=free + locked, available=free, hold=locked, raw=row
        )
    return out


def _family(d: Any) -> dict[str, Decimal]:
    if not isinstance(d, Mapping):
        return {}
    return {str(k): Decimal(str(v)) for k, v in d.items() if v is not None}


def parse_commission(d: Json, symbol: str) -> CommissionRates:
    discount = d.get("discount") or {}
    return CommissionRates(
        symbol=symbol,
        standard=_family(d.get("standardCommission")),
        special=_family(d.get("specialCommission")),
        tax=_family(d.get("taxCommission")),
        discount_enabled=bool(discount.get("enabledForAccount")) and bool(discount.get("enabledForSymbol")),
        discount_asset=str(discount.get("discountAsset") or ""),
        discount=_dec0(discount.get("discount")),
        raw=d,
    )


def parse_order_counts(rows: Iterable[Json]) -> list[OrderCount]:
    units = {"SECOND": "S", "MINUTE": "M", "HOUR": "H", "DAY": "D"}
    return [
        OrderCount(
            interval=f"{_int(r.get('intervalNum'), 1)}{units.get(str(r.get('interval')), '?')}",
            limit=_int(r.get("limit")),
            count=_int(r.get("count")),
            raw=r,
        )
        for r in rows
    ]


# --- orders and fills --------------------------------------------------------------------------


def stop_kind(order_type: str, side: Side) -> StopKind | None:
    """Which way the price must cross the stop: a stop-loss sell and a take-profit buy fire on
    a fall (``loss``); a stop-loss buy and a take-profit sell on a rise (``entry``)."""
    if order_type.startswith("STOP_LOSS"):
        return StopKind.LOSS if side is Side.SELL else StopKind.ENTRY
    if order_type.startswith("TAKE_PROFIT"):
        return StopKind.ENTRY if side is Side.SELL else StopKind.LOSS
    return None


def order_status(status: str, *, filled: Decimal, working: bool) -> OrderStatus:
    """Binance's ``status`` in the protocol's states. A ``NEW`` stop that has not triggered
    (not working) is PENDING; ``EXPIRED_IN_MATCH`` (self-trade prevention) is EXPIRED."""
    if status in ("NEW", "PENDING_CANCEL"):
        if filled > 0:
            return OrderStatus.PARTIALLY_FILLED
        return OrderStatus.OPEN if working else OrderStatus.PENDING
    if status == "PARTIALLY_FILLED":
        return OrderStatus.PARTIALLY_FILLED
    if status == "PENDING_NEW":
        return OrderStatus.PENDING
    if status == "FILLED":
        return OrderStatus.FILLED
    if status == "CANCELED":
        return OrderStatus.CANCELED
    if status == "REJECTED":
        return OrderStatus.REJECTED
    return OrderStatus.EXPIRED  # EXPIRED, EXPIRED_IN_MATCH


def _fees(fills: Iterable[Json]) -> tuple[Decimal, str | None]:
    """The commission of a FULL answer's fills, when they were paid in one asset."""
    total, assets = ZERO, set()
    for fill in fills:
        commission = _dec0(fill.get("commission"))
        if commission:
            total += commission
            assets.add(str(fill.get("commissionAsset")))
    if len(assets) > 1:
        return ZERO, None  # (several assets: the fills say which, the order cannot)
    return total, next(iter(assets), None)


def _client_id(d: Json, amended: bool) -> str | None:
    first, then = (
        ("clientOrderId", "origClientOrderId") if amended else ("origClientOrderId", "clientOrderId")
    )
    return str(d.get(first) or d.get(then) or "") or None


def parse_order(d: Json, symbol: str, *, amended: bool = False) -> Order:
    """A query, placement (ACK excepted), cancel or amend answer's order object.

    A cancel answer's ``clientOrderId`` is the cancel's own id: the order's is
    ``origClientOrderId``. An amend answer (``amended``) says ``qty`` and
    ``cumulativeQuoteQty``, and its ``clientOrderId`` is the order's id from now on
    (``origClientOrderId`` the one it had before)."""
    kind = str(d.get("type") or "LIMIT")
    side = Side(str(d["side"]).lower())
    is_limit = kind in _LIMIT_TYPES
    size = _pos(d.get("origQty", d.get("qty")))
    funds_asked = _pos(d.get("origQuoteOrderQty"))
    filled = _dec0(d.get("executedQty"))
    filled_funds = _dec0(d.get("cummulativeQuoteQty", d.get("cumulativeQuoteQty")))
    price = _pos(d.get("price")) if is_limit else None
    iceberg = _pos(d.get("icebergQty"))
    stp = STP_FROM_BINANCE.get(str(d.get("selfTradePreventionMode") or "NONE"))
    stop = stop_kind(kind, side)
    # (only a stop waits off the book: NEW and not working is an untriggered one)
    working_time = d.get("workingTime")
    working = stop is None or bool(
        d.get("isWorking", working_time is not None and _int(working_time, -1) >= 0)
    )
    fee, fee_currency = _fees(d.get("fills") or ())
    if is_limit:
        funds = price * size if price is not None and size is not None else None
    else:
        funds = funds_asked if size is None or funds_asked else None
        size = None if funds_asked else size
    created = _int(d.get("time"), _int(d.get("transactTime")))
    tif = str(d.get("timeInForce") or "GTC")
    return Order(
        id=str(d["orderId"]),
        symbol=symbol,
        side=side,
        type=OrderType.LIMIT if is_limit else OrderType.MARKET,
        status=order_status(str(d.get("status") or "NEW"), filled=filled, working=working),
        client_order_id=_client_id(d, amended),
        price=price,
        size=size,
        funds=funds,
        filled_size=max(filled, ZERO),
        filled_funds=max(filled_funds, ZERO),  # (negative for some old orders: unknown)
        fee=fee,
        fee_currency=fee_currency,
        time_in_force=TimeInForce(tif) if tif in ("GTC", "IOC", "FOK") else TimeInForce.GTC,
        post_only=kind == "LIMIT_MAKER",
        iceberg=iceberg is not None,
        visible_size=iceberg,
        stp=stp,
        stop=stop,
        stop_price=_pos(d.get("stopPrice")) if stop is not None else None,
        created_at=created,
        updated_at=_int(d.get("updateTime"), _int(d.get("transactTime"), created)),
        raw=d,
    )


def parse_fill(d: Json, symbol: str) -> Fill:
    """A ``myTrades`` row."""
    price, size = Decimal(d["price"]), Decimal(d["qty"])
    trade_id = str(d["id"])
    return Fill(
        id=trade_id,
        order_id=str(d["orderId"]),
        trade_id=trade_id,
        symbol=symbol,
        side=Side.BUY if d.get("isBuyer") else Side.SELL,
        price=price,
        size=size,
        funds=_dec(d.get("quoteQty")) or price * size,
        fee=_dec0(d.get("commission")),
        fee_currency=str(d.get("commissionAsset") or ""),
        liquidity=Liquidity.MAKER if d.get("isMaker") else Liquidity.TAKER,
        timestamp=_int(d.get("time")),
        raw=d,
    )


def parse_order_list(d: Json, symbol: str) -> OrderList:
    """An order list answer (place, cancel or query); ``orderReports`` become orders."""
    reports = tuple(
        parse_order(r, symbol) for r in d.get("orderReports") or () if isinstance(r, Mapping) and "side" in r
    )
    return OrderList(
        id=str(d["orderListId"]),
        client_list_id=str(d.get("listClientOrderId") or ""),
        symbol=symbol,
        contingency_type=str(d.get("contingencyType") or ""),
        list_status=str(d.get("listStatusType") or ""),
        list_order_status=str(d.get("listOrderStatus") or ""),
        order_ids=tuple(str(o["orderId"]) for o in d.get("orders") or ()),
        orders=reports,
        timestamp=_int(d.get("transactionTime")),
        raw=d,
    )
