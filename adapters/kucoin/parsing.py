"""KuCoin JSON -> ``exchanges`` models. Pure functions over decoded payloads.

Amounts become ``Decimal`` straight from KuCoin's strings; empty strings, ``null`` and
the ``"0"`` KuCoin writes for absent prices or sizes become ``None`` where the model
allows it. Every model keeps its source dict in ``raw``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Any

from exchanges import (
    EXACT,
    STP,
    ApiKeyInfo,
    BadSymbol,
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

from .errors import VENUE
from .models import (
    Account,
    CancelAllResult,
    Currency,
    DeadCancelStatus,
    LedgerEntry,
    TradeFee,
)
from .permissions import grants

__all__ = [
    "from_native",
    "order_status",
    "parse_account",
    "parse_api_key_info",
    "parse_balances",
    "parse_cancel_all",
    "parse_candles",
    "parse_currency",
    "parse_dead_cancel",
    "parse_fill",
    "parse_ledger_entry",
    "parse_market",
    "parse_order",
    "parse_order_book",
    "parse_stop_order",
    "parse_ticker",
    "parse_trade",
    "parse_trade_fee",
    "to_native",
]

ZERO = Decimal(0)
Json = Mapping[str, Any]


@lru_cache(maxsize=4096)
def from_native(native: str) -> str:
    """``BTC-USDT`` -> ``BTC/USDT`` (cached: the same few symbols come back all day)."""
    if not isinstance(native, str):
        raise BadSymbol(f"symbol must be a str, got {type(native).__name__}", venue="kucoin")
    base, sep, quote = native.partition("-")
    if not sep or not base or not quote or "-" in quote:
        raise BadSymbol(f"bad kucoin symbol {native!r}: expected BASE-QUOTE", venue="kucoin")
    return f"{base}/{quote}"


@lru_cache(maxsize=4096)
def to_native(symbol: str) -> str:
    """``BTC/USDT`` -> ``BTC-USDT``."""
    if not isinstance(symbol, str):
        raise BadSymbol(f"symbol must be a str, got {type(symbol).__name__}", venue="kucoin")
    base, sep, quote = symbol.partition("/")
    if not sep or not base or not quote or "/" in quote or base == quote:
        raise BadSymbol(f"bad symbol {symbol!r}: expected BASE/QUOTE, e.g. BTC/USDT", venue="kucoin")
    return f"{base}-{quote}"


def _dec(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(value) if isinstance(value, str) else Decimal(str(value))


def _dec0(value: Any) -> Decimal:
    found = _dec(value)
    return ZERO if found is None else found


def _pos(value: Any) -> Decimal | None:
    """A positive amount, or ``None`` for absent / zero (KuCoin writes "0" for 'not set')."""
    found = _dec(value)
    return found if found else None


def _int(value: Any, default: int = 0) -> int:
    if value is None or value == "":
        return default
    return int(value)


# --- market data -----------------------------------------------------------------------------------


def parse_market(d: Json) -> Market:
    """One ``/api/v2/symbols`` row."""
    native = d["symbol"]
    return Market(
        symbol=f"{d['baseCurrency']}/{d['quoteCurrency']}",
        base=d["baseCurrency"],
        quote=d["quoteCurrency"],
        id=native,
        price_increment=d["priceIncrement"],
        size_increment=d["baseIncrement"],
        funds_increment=d["quoteIncrement"],
        min_size=d["baseMinSize"],
        max_size=_pos(d.get("baseMaxSize")),
        min_funds=_pos(d.get("minFunds")) or _pos(d.get("quoteMinSize")),
        max_funds=_pos(d.get("quoteMaxSize")),
        enabled=bool(d.get("enableTrading", True)),
        price_limit_rate=_pos(d.get("priceLimitRate")),
        raw=d,
    )


def parse_ticker(d: Json, symbol: str | None = None, timestamp: int | None = None) -> Ticker:
    """A ticker from ``market/stats``, an ``allTickers`` row, or ``orderbook/level1``."""
    native = d.get("symbol")
    unified = symbol or (from_native(native) if native else None)
    if unified is None:
        raise BadSymbol("ticker without a symbol", venue="kucoin")
    last = _dec(d.get("last", d.get("price")))
    change = _dec(d.get("changePrice"))
    return Ticker(
        symbol=unified,
        timestamp=_int(d.get("time"), timestamp or 0),
        bid=_dec(d.get("buy", d.get("bestBid"))),
        bid_size=_dec(d.get("bestBidSize")),
        ask=_dec(d.get("sell", d.get("bestAsk"))),
        ask_size=_dec(d.get("bestAskSize")),
        last=last,
        last_size=_dec(d.get("size")),
        open=(last - change) if last is not None and change is not None else None,
        high=_dec(d.get("high")),
        low=_dec(d.get("low")),
        volume=_dec(d.get("vol")),
        quote_volume=_dec(d.get("volValue")),
        change=change,
        change_rate=_dec(d.get("changeRate")),
        average_price=_dec(d.get("averagePrice")),
        raw=d,
    )


def _levels(rows: Iterable[list[str]], depth: int | None) -> tuple[OrderBookLevel, ...]:
    levels = tuple(OrderBookLevel(Decimal(price), Decimal(size)) for price, size, *_ in rows)
    return levels if depth is None else levels[:depth]


def parse_order_book(d: Json, symbol: str, depth: int | None = None) -> OrderBook:
    sequence = d.get("sequence")
    return OrderBook(
        symbol=symbol,
        timestamp=_int(d.get("time")),
        bids=_levels(d.get("bids") or (), depth),
        asks=_levels(d.get("asks") or (), depth),
        sequence=int(sequence) if sequence not in (None, "") else None,
        raw=d,
    )


def parse_trade(d: Json, symbol: str) -> Trade:
    """One ``market/histories`` row; its ``time`` is in nanoseconds."""
    return Trade(
        id=str(d["sequence"]),
        symbol=symbol,
        price=Decimal(d["price"]),
        size=Decimal(d["size"]),
        side=Side(d["side"]),
        timestamp=int(d["time"]) // 1_000_000,
        raw=d,
    )


def parse_candles(rows: Iterable[list[str]], symbol: str, interval: Interval) -> list[Candle]:
    """Kline rows ``[start (s), open, close, high, low, volume, turnover]`` (close before high)."""
    return [
        Candle(
            start=int(row[0]) * 1000,
            open=Decimal(row[1]),
            close=Decimal(row[2]),
            high=Decimal(row[3]),
            low=Decimal(row[4]),
            volume=Decimal(row[5]),
            quote_volume=Decimal(row[6]) if len(row) > 6 else ZERO,
            symbol=symbol,
            interval=interval,
            raw=row,
        )
        for row in rows
    ]


def parse_currency(d: Json) -> Currency:
    chains = d.get("chains") or ()
    return Currency(
        code=d["currency"],
        name=d.get("name") or d["currency"],
        full_name=d.get("fullName") or "",
        precision=_int(d.get("precision")),
        margin_enabled=bool(d.get("isMarginEnabled")),
        debit_enabled=bool(d.get("isDebitEnabled")),
        chains=tuple(str(c.get("chainName") or c.get("chainId") or "") for c in chains),
        raw=d,
    )


# --- account ---------------------------------------------------------------------------------------


def parse_account(d: Json, account_id: str | None = None) -> Account:
    return Account(
        id=str(d.get("id") or account_id or ""),
        currency=d["currency"],
        type=str(d.get("type") or ""),
        balance=_dec0(d.get("balance")),
        available=_dec0(d.get("available")),
        holds=_dec0(d.get("holds")),
        raw=d,
    )


def parse_balances(rows: Iterable[Json]) -> dict[str, Balance]:
    """Account rows -> one balance per currency (rows of one currency are added up)."""
    out: dict[str, Balance] = {}
    for row in rows:
        currency = row["currency"]
        total = _dec0(row.get("balance"))
        available = _dec0(row.get("available"))
        hold = _dec0(row.get("holds"))
        prev = out.get(currency)
        if prev is not None:
            total, available, hold = prev.total + total, prev.available + available, prev.hold + hold
            raw: Any = [*(prev.raw if isinstance(prev.raw, list) else [prev.raw]), row]
        else:
            raw = row
        out[currency] = Balance(currency=currency, total=total, available=available, hold=hold, raw=raw)
    return out


def parse_ledger_entry(d: Json) -> LedgerEntry:
    context = d.get("context")
    return LedgerEntry(
        id=str(d["id"]),
        currency=d["currency"],
        amount=_dec0(d.get("amount")),
        fee=_dec0(d.get("fee")),
        balance=_dec0(d.get("balance")),
        account_type=str(d.get("accountType") or ""),
        biz_type=str(d.get("bizType") or ""),
        direction=str(d.get("direction") or ""),
        timestamp=_int(d.get("createdAt")),
        context=context if isinstance(context, str) else json.dumps(context or ""),
        raw=d,
    )


def parse_trade_fee(d: Json) -> TradeFee:
    return TradeFee(
        symbol=from_native(d["symbol"]),
        maker_fee_rate=Decimal(d["makerFeeRate"]),
        taker_fee_rate=Decimal(d["takerFeeRate"]),
        raw=d,
    )


def _mask(value: str) -> str:
    return "****" + value[-4:] if len(value) > 8 else "****"


def parse_api_key_info(d: Json) -> ApiKeyInfo:
    """The key itself is masked in ``raw`` too: nothing this adapter returns holds a credential."""
    raw = dict(d)
    if "apiKey" in raw:
        raw["apiKey"] = _mask(str(raw["apiKey"]))
    names = [p.strip() for p in str(d.get("permission") or "").split(",") if p.strip()]
    whitelist = str(d.get("ipWhitelist") or "")
    granted, unknown = grants(names)
    created = _int(d.get("createdAt"))
    return ApiKeyInfo(
        venue=VENUE,
        permissions=granted,
        venue_permissions=frozenset(names),
        unrecognised_permissions=unknown,
        ip_whitelist=tuple(ip.strip() for ip in whitelist.split(",") if ip.strip()),
        created_at=created or None,
        account_id=str(d.get("uid") or ""),
        sub_account="" if d.get("isMaster", True) else str(d.get("subName") or ""),
        label=str(d.get("remark") or ""),
        key_version=_int(d.get("apiVersion")) or None,
        raw=raw,
    )


def parse_cancel_all(d: Json) -> CancelAllResult:
    failed: dict[str, str] = {}
    for item in d.get("failedSymbols") or ():
        failed[from_native(item["symbol"])] = str(item.get("error") or "")
    return CancelAllResult(
        succeeded=tuple(from_native(s) for s in d.get("succeedSymbols") or ()), failed=failed, raw=d
    )


def parse_dead_cancel(d: Json) -> DeadCancelStatus:
    """Times come in seconds; the model says milliseconds."""
    symbols = d.get("symbols") or ""
    if isinstance(symbols, str):
        symbols = [s for s in symbols.split(",") if s]
    timeout = d.get("timeout")
    return DeadCancelStatus(
        timeout=None if timeout is None else int(timeout),
        symbols=tuple(from_native(s) for s in symbols),
        current_time=_int(d.get("currentTime")) * 1000,
        trigger_time=_int(d.get("triggerTime")) * 1000,
        raw=d,
    )


# --- orders and fills ------------------------------------------------------------------------------


def order_status(
    *,
    active: bool,
    size: Decimal | None,
    funds: Decimal | None,
    filled_size: Decimal,
    filled_funds: Decimal,
    cancelled: bool,
    size_increment: Decimal | None = None,
    fee_from_funds: Decimal = ZERO,
) -> OrderStatus:
    """Open orders are OPEN or PARTIALLY_FILLED by fills; done ones FILLED when everything asked
    for was dealt (size, or funds for a market order by funds), else CANCELED.

    A market order by funds spends ``filled_funds`` plus ``fee_from_funds`` (a buy's fee:
    KuCoin holds the funds and no more, so the fee comes out of them). It counts as filled
    when what is left could not buy one ``size_increment`` at its average cost: KuCoin
    cancels that dust, nothing was refused. One that dealt nothing was cancelled.
    """
    if active:
        return OrderStatus.PARTIALLY_FILLED if filled_size > 0 else OrderStatus.OPEN
    if size is not None:
        return OrderStatus.FILLED if filled_size >= size else OrderStatus.CANCELED
    if funds is None or filled_size <= 0:
        return OrderStatus.CANCELED
    paid = EXACT.add(filled_funds, fee_from_funds)
    left = EXACT.subtract(funds, paid)
    if left <= 0 or not cancelled:
        return OrderStatus.FILLED
    if size_increment is None:
        return OrderStatus.CANCELED
    # (left < paid / filled_size x size_increment, without rounding a quotient)
    dust = EXACT.multiply(left, filled_size) < EXACT.multiply(paid, size_increment)
    return OrderStatus.FILLED if dust else OrderStatus.CANCELED


def parse_order(d: Json, size_increment: Decimal | None = None) -> Order:
    """An HF or classic order object (``size_increment``: the market's, to judge dust)."""
    order_type = OrderType(d.get("type") or "limit")
    size = _pos(d.get("size"))
    funds = _pos(d.get("funds"))
    filled_size = _dec0(d.get("dealSize"))
    filled_funds = _dec0(d.get("dealFunds"))
    active = d["active"] if "active" in d else d.get("isActive")
    cancelled = (
        bool(d.get("cancelExist"))
        or bool(_pos(d.get("cancelledSize")))
        or bool(_pos(d.get("cancelledFunds")))
    )
    if order_type is OrderType.MARKET and size is not None and funds is not None:
        funds = None  # a market order is by size or by funds; KuCoin may echo both
    tif = TimeInForce(d.get("timeInForce") or "GTC")
    stp = d.get("stp")
    stop = d.get("stop")
    iceberg = bool(d.get("iceberg"))
    cancel_after = _int(d.get("cancelAfter"))
    symbol = from_native(d["symbol"])
    side = Side(d["side"])
    fee = _dec0(d.get("fee"))
    fee_currency = d.get("feeCurrency") or None
    quote_fee = fee_currency is None or symbol.endswith("/" + fee_currency)
    return Order(
        id=str(d["id"]),
        symbol=symbol,
        side=side,
        type=order_type,
        status=order_status(
            active=bool(active),
            size=size,
            funds=funds if order_type is OrderType.MARKET else None,
            filled_size=filled_size,
            filled_funds=filled_funds,
            cancelled=cancelled,
            size_increment=size_increment,
            fee_from_funds=fee if side is Side.BUY and quote_fee else ZERO,
        ),
        client_order_id=d.get("clientOid") or None,
        price=_pos(d.get("price")) if order_type is OrderType.LIMIT else None,
        size=size,
        funds=funds,
        filled_size=filled_size,
        filled_funds=filled_funds,
        fee=fee,
        fee_currency=fee_currency,
        time_in_force=tif,
        post_only=bool(d.get("postOnly")),
        hidden=bool(d.get("hidden")),
        iceberg=iceberg,
        visible_size=_pos(d.get("visibleSize")) if iceberg else None,
        stp=STP(stp) if stp else None,
        cancel_after=cancel_after if tif is TimeInForce.GTT and cancel_after > 0 else None,
        stop=StopKind(stop) if stop in ("loss", "entry") else None,
        stop_price=_pos(d.get("stopPrice")) if stop else None,
        remark=d.get("remark") or None,
        created_at=_int(d.get("createdAt")),
        updated_at=_int(d.get("lastUpdatedAt"), _int(d.get("createdAt"))),
        raw=d,
    )


_STOP_STATUS = {"NEW": OrderStatus.PENDING, "TRIGGERED": OrderStatus.NEW}


def parse_stop_order(d: Json) -> Order:
    """A stop order: PENDING until triggered (then it lives on as a regular order)."""
    order_type = OrderType(d.get("type") or "limit")
    tif = TimeInForce(d.get("timeInForce") or "GTC")
    stp = d.get("stp")
    stop = d.get("stop")
    iceberg = bool(d.get("iceberg"))
    cancel_after = _int(d.get("cancelAfter"))
    size = _pos(d.get("size"))
    funds = _pos(d.get("funds"))
    return Order(
        id=str(d["id"]),
        symbol=from_native(d["symbol"]),
        side=Side(d["side"]),
        type=order_type,
        status=_STOP_STATUS.get(str(d.get("status") or "NEW").upper(), OrderStatus.CANCELED),
        client_order_id=d.get("clientOid") or None,
        price=_pos(d.get("price")) if order_type is OrderType.LIMIT else None,
        size=size,
        funds=None if size is not None and order_type is OrderType.MARKET else funds,
        fee_currency=d.get("feeCurrency") or None,
        time_in_force=tif,
        post_only=bool(d.get("postOnly")),
        hidden=bool(d.get("hidden")),
        iceberg=iceberg,
        visible_size=_pos(d.get("visibleSize")) if iceberg else None,
        stp=STP(stp) if stp else None,
        cancel_after=cancel_after if tif is TimeInForce.GTT and cancel_after > 0 else None,
        stop=StopKind(stop) if stop in ("loss", "entry") else None,
        stop_price=_pos(d.get("stopPrice")),
        remark=d.get("remark") or None,
        created_at=_int(d.get("createdAt")),
        updated_at=_int(d.get("createdAt")),
        raw=d,
    )


def parse_fill(d: Json) -> Fill:
    """An HF or classic fill."""
    trade_id = str(d["tradeId"])
    return Fill(
        id=str(d.get("id") or trade_id),
        order_id=str(d["orderId"]),
        trade_id=trade_id,
        symbol=from_native(d["symbol"]),
        side=Side(d["side"]),
        price=Decimal(d["price"]),
        size=Decimal(d["size"]),
        funds=_dec0(d.get("funds")),
        fee=_dec0(d.get("fee")),
        fee_currency=str(d.get("feeCurrency") or ""),
        liquidity=Liquidity(d.get("liquidity") or "taker"),
        timestamp=_int(d.get("createdAt")),
        fee_rate=_dec(d.get("feeRate")),
        counter_order_id=d.get("counterOrderId") or None,
        raw=d,
    )
