"""Public market data (security ``NONE``): connectivity, exchange information with every
filter, book, trades, klines, average price and tickers (NOTES section 6)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from exchanges import Interval
from simulator.venue import Stats24h, SymbolSpec
from simulator.venue.filters import NotionalWindow, PriceBandBySide, PriceCeiling, average_price

from . import errors
from . import serialize as ser
from .amendments import MAX_AMENDS
from .app import Ctx
from .endpoints import Registry
from .params import Params
from .rulebook import AVERAGE_PRICE_MINUTES, STP_MODES, STP_NAMES

__all__ = ["registry"]

registry = Registry()
route = registry.route

ORDER_TYPES = [
    "LIMIT",
    "LIMIT_MAKER",
    "MARKET",
    "STOP_LOSS",
    "STOP_LOSS_LIMIT",
    "TAKE_PROFIT",
    "TAKE_PROFIT_LIMIT",
]
_MINUTE = 60_000
_DAY = 86_400_000
_EIGHT = Decimal("0.00000001")


@route("GET", "/api/v3/ping")
def ping(_ctx: Ctx) -> dict[str, Any]:
    return {}


@route("GET", "/api/v3/time")
def server_time(ctx: Ctx) -> dict[str, Any]:
    return {"serverTime": ctx.now()}


def rate_limits(ctx: Ctx) -> list[dict[str, Any]]:
    config = ctx.facade.config
    return [
        {
            "rateLimitType": "REQUEST_WEIGHT",
            "interval": "MINUTE",
            "intervalNum": 1,
            "limit": config.weight_limit,
        },
        {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": config.orders_per_10s},
        {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": config.orders_per_day},
        {"rateLimitType": "RAW_REQUESTS", "interval": "MINUTE", "intervalNum": 5, "limit": 300000},
    ]


def symbol_filters(ctx: Ctx, spec: SymbolSpec) -> list[dict[str, Any]]:
    """The filters of ``spec`` as the venue's rulebook enforces them."""
    rules = ctx.venue.rulebook
    dec = ser.dec
    filters: list[dict[str, Any]] = []
    ceiling = next((f for f in rules.filters if isinstance(f, PriceCeiling)), None)
    top = ceiling.ceiling(ctx.venue.market_state(spec.symbol)) if ceiling is not None else Decimal(0)
    filters.append(
        {
            "filterType": "PRICE_FILTER",
            "minPrice": dec(spec.price_increment),
            "maxPrice": dec(top),
            "tickSize": dec(spec.price_increment),
        }
    )
    lot = {
        "minQty": dec(spec.base_min_size),
        "maxQty": dec(spec.base_max_size),
        "stepSize": dec(spec.base_increment),
    }
    filters.append({"filterType": "LOT_SIZE", **lot})
    filters.append({"filterType": "ICEBERG_PARTS", "limit": rules.iceberg_parts})
    filters.append({"filterType": "MARKET_LOT_SIZE", **lot})
    for f in rules.filters:
        if isinstance(f, PriceBandBySide):
            filters.append(
                {
                    "filterType": "PERCENT_PRICE_BY_SIDE",
                    "bidMultiplierUp": str(f.bid_up),
                    "bidMultiplierDown": str(f.bid_down),
                    "askMultiplierUp": str(f.ask_up),
                    "askMultiplierDown": str(f.ask_down),
                    "avgPriceMins": f.average_minutes,
                }
            )
        elif isinstance(f, NotionalWindow):
            filters.append(
                {
                    "filterType": "NOTIONAL",
                    "minNotional": dec(spec.min_funds),
                    "applyMinToMarket": f.apply_min_to_market,
                    "maxNotional": dec(spec.quote_max_size),
                    "applyMaxToMarket": f.apply_max_to_market,
                    "avgPriceMins": f.average_minutes,
                }
            )
    filters.append({"filterType": "MAX_NUM_ORDERS", "maxNumOrders": rules.max_active_per_symbol})
    filters.append({"filterType": "MAX_NUM_ORDER_AMENDS", "maxNumOrderAmends": MAX_AMENDS})
    if rules.max_stops_per_symbol is not None:
        filters.append({"filterType": "MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders": rules.max_stops_per_symbol})
    if rules.max_lists_per_symbol is not None:
        filters.append({"filterType": "MAX_NUM_ORDER_LISTS", "maxNumOrderLists": rules.max_lists_per_symbol})
    return filters


def symbol_info(ctx: Ctx, spec: SymbolSpec) -> dict[str, Any]:
    return {
        "symbol": ctx.name(spec.symbol),
        "status": "TRADING" if spec.enable_trading else "BREAK",
        "baseAsset": spec.base_currency,
        "baseAssetPrecision": 8,
        "quoteAsset": spec.quote_currency,
        "quotePrecision": 8,
        "quoteAssetPrecision": 8,
        "baseCommissionPrecision": 8,
        "quoteCommissionPrecision": 8,
        "orderTypes": ORDER_TYPES,
        "icebergAllowed": True,
        "ocoAllowed": True,
        "otoAllowed": True,
        "opoAllowed": False,
        "quoteOrderQtyMarketAllowed": True,
        "allowTrailingStop": False,
        "cancelReplaceAllowed": True,
        "amendAllowed": True,
        "pegInstructionsAllowed": False,
        "isSpotTradingAllowed": True,
        "isMarginTradingAllowed": False,
        "filters": symbol_filters(ctx, spec),
        "permissions": [],
        "permissionSets": [["SPOT"]],
        "defaultSelfTradePreventionMode": STP_NAMES[ctx.venue.rulebook.default_stp],
        "allowedSelfTradePreventionModes": list(STP_MODES),
    }


def _wanted(ctx: Ctx, params: Params) -> list[str] | None:
    """Venue names of ``symbol``/``symbols`` (``None``: all); both at once is ``-1128``."""
    one = params.symbol(required=False)
    many = params.symbols()
    if one is not None and many is not None:
        raise errors.BinanceError(-1128, "Combination of optional parameters invalid.")
    if one is not None:
        return [ctx.native(one)]
    if many is not None:
        return [ctx.native(name) for name in many]
    return None


@route("GET", "/api/v3/exchangeInfo", weight=20)
def exchange_info(ctx: Ctx) -> dict[str, Any]:
    wanted = _wanted(ctx, ctx.params)
    specs = ctx.venue.symbols()
    if wanted is not None:
        specs = [ctx.venue.symbol(native) for native in wanted]
    rules = ctx.venue.rulebook
    return {
        "timezone": "UTC",
        "serverTime": ctx.now(),
        "rateLimits": rate_limits(ctx),
        "exchangeFilters": [
            {"filterType": "EXCHANGE_MAX_NUM_ORDERS", "maxNumOrders": rules.max_active_per_account}
        ],
        "symbols": [symbol_info(ctx, spec) for spec in specs],
    }


def _depth_weight(params: Params) -> int:
    limit = params.limit(100, 5000)
    return 5 if limit <= 100 else 25 if limit <= 500 else 50 if limit <= 1000 else 250


@route("GET", "/api/v3/depth", weight=_depth_weight)
def depth(ctx: Ctx) -> dict[str, Any]:
    native = ctx.native(ctx.params.req("symbol"))
    limit = ctx.params.limit(100, 5000)
    snapshot = ctx.venue.order_book(native, limit)
    ctx.facade.depth_served(native, snapshot)
    return ser.depth(snapshot)


@route("GET", "/api/v3/trades", weight=25)
def trades(ctx: Ctx) -> list[dict[str, Any]]:
    native = ctx.native(ctx.params.req("symbol"))
    return [ser.trade(t) for t in ctx.venue.trades(native, ctx.params.limit(500, 1000))]


@route("GET", "/api/v3/historicalTrades", weight=25)
def historical_trades(ctx: Ctx) -> list[dict[str, Any]]:
    native = ctx.native(ctx.params.req("symbol"))
    limit = ctx.params.limit(500, 1000)
    from_id = ctx.params.integer("fromId", low=0)
    rows = ctx.venue.trades(native, 1000)
    if from_id is None:
        return [ser.trade(t) for t in rows[-limit:]]
    return [ser.trade(t) for t in rows if t.trade_id >= from_id][:limit]


@route("GET", "/api/v3/aggTrades", weight=4)
def agg_trades(ctx: Ctx) -> list[dict[str, Any]]:
    p = ctx.params
    native = ctx.native(p.req("symbol"))
    limit = p.limit(500, 1000)
    from_id, start, end = (
        p.integer("fromId", low=0),
        p.integer("startTime", low=0),
        p.integer("endTime", low=0),
    )
    rows = ctx.venue.trades(native, 1000)
    if from_id is not None:
        rows = [t for t in rows if t.trade_id >= from_id]
    if start is not None:
        rows = [t for t in rows if t.time >= start]
    if end is not None:
        rows = [t for t in rows if t.time <= end]
    rows = rows[:limit] if from_id is not None or start is not None else rows[-limit:]
    return [ser.agg_trade(t) for t in rows]


def interval_of(text: str) -> Interval:
    try:
        return Interval(text)
    except ValueError:
        raise errors.BinanceError(*errors.BAD_INTERVAL) from None


@route("GET", "/api/v3/klines", weight=2)
def klines(ctx: Ctx) -> list[list[Any]]:
    p = ctx.params
    native = ctx.native(p.req("symbol"))
    interval = interval_of(p.req("interval"))
    limit = p.limit(500, 1000)
    start, end = p.integer("startTime", low=0), p.integer("endTime", low=0)
    bars = ctx.venue.candles(native, interval, start, None if end is None else end + 1)
    bars = bars[:limit] if start is not None else bars[-limit:]
    return [ser.kline(bar, interval.ms) for bar in bars]


registry.route("GET", "/api/v3/uiKlines", weight=2)(klines)


@route("GET", "/api/v3/avgPrice", weight=2)
def avg_price(ctx: Ctx) -> dict[str, Any]:
    native = ctx.native(ctx.params.req("symbol"))
    now = ctx.now()
    mkt = ctx.venue.market_state(native)
    price = average_price(mkt, AVERAGE_PRICE_MINUTES, now)
    last = mkt.book.last_time if mkt.book.last_price else now
    shown = None if price is None else price.quantize(_EIGHT)
    return {"mins": AVERAGE_PRICE_MINUTES, "price": ser.dec(shown), "closeTime": last}


def _ticker_weight(one: int, per: tuple[int, int, int], everything: int) -> Any:
    def weigh(params: Params) -> int:
        if "symbol" in params:
            return one
        raw = params.text("symbols")
        if raw is None:
            return everything
        count = raw.count(",") + 1
        return per[0] if count <= 20 else per[1] if count <= 100 else per[2]

    return weigh


def _percent(change: Decimal | None, open_: Decimal | None) -> str:
    if change is None or not open_:
        return "0.000"
    return format((change / open_ * 100).quantize(Decimal("0.001")), "f")


def ticker_24hr(ctx: Ctx, s: Stats24h, mini: bool) -> dict[str, Any]:
    venue = ctx.venue
    level1 = venue.level1(s.symbol)
    now = s.time
    recent = [t for t in venue.trades(s.symbol, 1000) if t.time > now - _DAY]
    dec = ser.dec
    out: dict[str, Any] = {
        "symbol": ctx.name(s.symbol),
        "openPrice": dec(s.open),
        "highPrice": dec(s.high),
        "lowPrice": dec(s.low),
        "lastPrice": dec(s.last),
        "volume": dec(s.vol),
        "quoteVolume": dec(s.vol_value),
        "openTime": now - _DAY,
        "closeTime": now,
        "firstId": recent[0].trade_id if recent else -1,
        "lastId": recent[-1].trade_id if recent else -1,
        "count": len(recent),
    }
    if mini:
        return out
    prev = s.open if s.open is not None else s.last
    return {
        "symbol": out["symbol"],
        "priceChange": dec(s.change_price),
        "priceChangePercent": _percent(s.change_price, s.open),
        "weightedAvgPrice": dec(s.average_price),
        "prevClosePrice": dec(prev),
        "lastPrice": out["lastPrice"],
        "lastQty": dec(level1.size),
        "bidPrice": dec(s.buy),
        "bidQty": dec(s.best_bid_size),
        "askPrice": dec(s.sell),
        "askQty": dec(s.best_ask_size),
        **{k: v for k, v in out.items() if k not in ("symbol", "lastPrice")},
    }


def _ticker_type(params: Params) -> bool:
    kind = params.text("type") or "FULL"
    if kind not in ("FULL", "MINI"):
        raise errors.BinanceError(-1139, "Invalid ticker type.")
    return kind == "MINI"


def _one_or_many(ctx: Ctx, rows: list[dict[str, Any]]) -> dict[str, Any] | list[dict[str, Any]]:
    return rows[0] if "symbol" in ctx.params else rows


@route("GET", "/api/v3/ticker/24hr", weight=_ticker_weight(2, (2, 40, 80), 80))
def ticker_24h(ctx: Ctx) -> dict[str, Any] | list[dict[str, Any]]:
    mini = _ticker_type(ctx.params)
    wanted = _wanted(ctx, ctx.params)
    stats = ctx.venue.all_stats() if wanted is None else [ctx.venue.stats(native) for native in wanted]
    return _one_or_many(ctx, [ticker_24hr(ctx, s, mini) for s in stats])


@route("GET", "/api/v3/ticker/price", weight=_ticker_weight(2, (4, 4, 4), 4))
def ticker_price(ctx: Ctx) -> dict[str, Any] | list[dict[str, Any]]:
    wanted = _wanted(ctx, ctx.params) or [s.symbol for s in ctx.venue.symbols()]
    rows = [{"symbol": ctx.name(n), "price": ser.dec(ctx.venue.last_price(n))} for n in wanted]
    return _one_or_many(ctx, rows)


def book_ticker(ctx: Ctx, native: str) -> dict[str, Any]:
    l1 = ctx.venue.level1(native)
    dec = ser.dec
    return {
        "symbol": ctx.name(native),
        "bidPrice": dec(l1.best_bid),
        "bidQty": dec(l1.best_bid_size),
        "askPrice": dec(l1.best_ask),
        "askQty": dec(l1.best_ask_size),
    }


@route("GET", "/api/v3/ticker/bookTicker", weight=_ticker_weight(2, (4, 4, 4), 4))
def ticker_book(ctx: Ctx) -> dict[str, Any] | list[dict[str, Any]]:
    wanted = _wanted(ctx, ctx.params) or [s.symbol for s in ctx.venue.symbols()]
    return _one_or_many(ctx, [book_ticker(ctx, n) for n in wanted])


_WINDOW_UNITS = {"m": _MINUTE, "h": 60 * _MINUTE, "d": _DAY}


def _window_ms(text: str) -> int:
    unit = _WINDOW_UNITS.get(text[-1:])
    count = text[:-1]
    if unit is None or not count.isdigit() or int(count) < 1:
        raise errors.BinanceError(-1100, "Illegal characters found in parameter 'windowSize'.")
    limit = {"m": 59, "h": 23, "d": 7}[text[-1]]
    if int(count) > limit:
        raise errors.BinanceError(-1100, "Illegal characters found in parameter 'windowSize'.")
    return int(count) * unit


def rolling(ctx: Ctx, native: str, window: int, mini: bool) -> dict[str, Any]:
    now = ctx.now()
    start = (now - window) // _MINUTE * _MINUTE
    bars = ctx.venue.candles(native, Interval.M1, start, now + 1)
    recent = [t for t in ctx.venue.trades(native, 1000) if t.time >= start]
    dec = ser.dec
    last = ctx.venue.last_price(native)
    open_: Decimal | None
    high: Decimal | None
    low: Decimal | None
    if bars:
        open_, high = bars[0].open, max(b.high for b in bars)
        low = min(b.low for b in bars)
        volume = sum((b.volume for b in bars), Decimal(0))
        quote = sum((b.turnover for b in bars), Decimal(0))
    else:
        open_ = high = low = last
        volume = quote = Decimal(0)
    out: dict[str, Any] = {"symbol": ctx.name(native)}
    if not mini:
        change = (last - open_) if last is not None and open_ is not None else None
        out["priceChange"] = dec(change)
        out["priceChangePercent"] = _percent(change, open_)
        out["weightedAvgPrice"] = dec(quote / volume if volume else last)
    out.update(
        {
            "openPrice": dec(open_),
            "highPrice": dec(high),
            "lowPrice": dec(low),
            "lastPrice": dec(last),
            "volume": dec(volume),
            "quoteVolume": dec(quote),
            "openTime": start,
            "closeTime": now,
            "firstId": recent[0].trade_id if recent else -1,
            "lastId": recent[-1].trade_id if recent else -1,
            "count": len(recent),
        }
    )
    return out


def _rolling_weight(params: Params) -> int:
    if "symbol" in params:
        return 4
    raw = params.text("symbols") or "[]"
    return min(200, 4 * (raw.count(",") + 1))


@route("GET", "/api/v3/ticker", weight=_rolling_weight)
def ticker_rolling(ctx: Ctx) -> dict[str, Any] | list[dict[str, Any]]:
    mini = _ticker_type(ctx.params)
    wanted = _wanted(ctx, ctx.params)
    if wanted is None:
        raise errors.BinanceError(
            -1102, "Param 'symbol' or 'symbols' must be sent, but both were empty/null!"
        )
    window = _window_ms(ctx.params.text("windowSize") or "1d")
    return _one_or_many(ctx, [rolling(ctx, n, window, mini) for n in wanted])


@route("GET", "/api/v3/executionRules", weight=40)
def execution_rules(ctx: Ctx) -> dict[str, Any]:
    wanted = _wanted(ctx, ctx.params) or [s.symbol for s in ctx.venue.symbols()]
    return {"symbolRules": [{"symbol": ctx.name(n), "rules": []} for n in wanted]}


@route("GET", "/api/v3/referencePrice", weight=2)
def reference_price(ctx: Ctx) -> dict[str, Any]:
    ctx.native(ctx.params.req("symbol"))
    raise errors.BinanceError(*errors.NO_REFERENCE_PRICE)
