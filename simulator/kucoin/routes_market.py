"""Public market data: symbols, currencies, tickers, stats, books, trades, klines, markets."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from exchanges import Interval

from . import serialize as ser
from .app import Ctx
from .endpoints import Registry
from .errors import bad_param, not_found
from .klines import KLINE_TYPES
from .params import opt_int, opt_str, req_str

__all__ = ["registry"]

registry = Registry()
route = registry.route

MAX_KLINES = 1500


def _symbol(ctx: Ctx) -> str:
    return req_str(ctx.query, "symbol", max_len=40)


@route("GET", "/api/v2/symbols")
def symbols_v2(ctx: Ctx) -> list[dict[str, Any]]:
    return [ser.symbol(s) for s in ctx.venue.symbols(opt_str(ctx.query, "market"))]


@route("GET", "/api/v1/symbols")
def symbols_v1(ctx: Ctx) -> list[dict[str, Any]]:
    return [ser.symbol(s) for s in ctx.venue.symbols(opt_str(ctx.query, "market"))]


@route("GET", "/api/v2/symbols/{symbol}")
def symbol_v2(ctx: Ctx) -> dict[str, Any]:
    return ser.symbol(ctx.venue.symbol(ctx.path["symbol"]))


@route("GET", "/api/v3/currencies")
def currencies_v3(ctx: Ctx) -> list[dict[str, Any]]:
    return [ser.currency_v3(c) for c in ctx.venue.currencies()]


@route("GET", "/api/v3/currencies/{currency}")
def currency_v3(ctx: Ctx) -> dict[str, Any]:
    return ser.currency_v3(ctx.venue.currency(ctx.path["currency"]))


@route("GET", "/api/v1/currencies")
def currencies_v1(ctx: Ctx) -> list[dict[str, Any]]:
    return [ser.currency_v1(c) for c in ctx.venue.currencies()]


@route("GET", "/api/v1/currencies/{currency}")
def currency_v1(ctx: Ctx) -> dict[str, Any]:
    return ser.currency_v1(ctx.venue.currency(ctx.path["currency"]))


@route("GET", "/api/v1/market/orderbook/level1")
def ticker(ctx: Ctx) -> dict[str, Any]:
    return ser.level1(ctx.venue.level1(_symbol(ctx)))


@route("GET", "/api/v1/market/allTickers")
def all_tickers(ctx: Ctx) -> dict[str, Any]:
    rows = ctx.venue.all_stats()
    return {"time": ctx.venue.now, "ticker": [ser.ticker_row(s) for s in rows]}


@route("GET", "/api/v1/market/stats")
def stats(ctx: Ctx) -> dict[str, Any]:
    return ser.stats(ctx.venue.stats(_symbol(ctx)))


@route("GET", "/api/v1/market/orderbook/level2_{size}")
def part_book(ctx: Ctx) -> dict[str, Any]:
    size = ctx.path["size"]
    if size not in ("20", "100"):
        raise not_found()
    return ser.book(ctx.venue.order_book(_symbol(ctx), int(size)))


@route("GET", "/api/v3/market/orderbook/level2")
def full_book(ctx: Ctx) -> dict[str, Any]:
    return ser.book(ctx.venue.order_book(_symbol(ctx), None))


@route("GET", "/api/v1/market/histories")
def trade_history(ctx: Ctx) -> list[dict[str, Any]]:
    return [ser.public_trade(t) for t in ctx.venue.trades(_symbol(ctx), 100)]


@route("GET", "/api/v1/market/candles")
def klines(ctx: Ctx) -> list[list[str]]:
    symbol = _symbol(ctx)
    kind = req_str(ctx.query, "type")
    if kind not in KLINE_TYPES:
        raise bad_param(f"type must be one of {', '.join(KLINE_TYPES)}")
    start = opt_int(ctx.query, "startAt", low=0, high=10**11) or 0
    end = opt_int(ctx.query, "endAt", low=0, high=10**11) or 0
    if start and end and end < start:
        raise bad_param("endAt must not be before startAt")
    bars = ctx.venue.candles(
        symbol,
        Interval.parse(kind),
        start * 1000 if start else None,
        end * 1000 + 1 if end else None,
        MAX_KLINES,
    )
    return [ser.candle(b) for b in reversed(bars)]  # newest first, as KuCoin sends them


@route("GET", "/api/v1/markets")
def markets(ctx: Ctx) -> list[str]:
    names: list[str] = ctx.venue.market_names()
    return names


@route("GET", "/api/v1/prices")
def fiat_prices(ctx: Ctx) -> dict[str, str]:
    """Prices in USD, taken from each currency's USDT pair (USDT counts as one dollar)."""
    base = (opt_str(ctx.query, "base") or "USD").upper()
    if base not in ("USD", "USDT"):
        raise bad_param("base must be USD (the simulator quotes nothing else)")
    wanted = opt_str(ctx.query, "currencies", max_len=2000)
    out: dict[str, str] = {"USDT": "1"}
    for spec in ctx.venue.symbols():
        if spec.quote_currency == "USDT":
            price: Decimal = ctx.venue.reference_price(spec.symbol)
            out[spec.base_currency] = ser.dec(price.normalize())
    if wanted:
        keep = {c.strip().upper() for c in wanted.split(",")}
        out = {k: v for k, v in out.items() if k in keep}
    return out
