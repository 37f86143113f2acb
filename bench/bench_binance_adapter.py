"""Client CPU per signed order placement: the Binance adapter against CCXT's ``binance``, side
by side on the same servers, in the same run: a minimal Binance-shaped server, then the
simulator's Binance dialect as it is served (``python -m simulator serve --dialect binance``).

Both servers run in child processes, so ``time.process_time()`` in this process counts only
client work: building, signing, sending, reading and parsing. The minimal one (a tiny
keep-alive HTTP/1.1 responder) answers ``time``, ``exchangeInfo`` and ``POST /api/v3/order``
(a FULL answer) the way Binance does; the served simulator matches each order for real (an
IOC buy below the market: it expires), with its rate limits off. Measured per call over
``CALLS`` placements after a warm-up (limit IOC buys):

* ``httpx_raw``: a bare HMAC-signed POST with ``httpx.AsyncClient`` (the transport floor);
* ``adapter``: ``BinanceExchange.place_order`` with its default (aiohttp under httpx) transport,
  client-side budgets off (as CCXT's ``enableRateLimit`` is here);
* ``ccxt``: ``ccxt.async_support.binance.create_order`` pointed at the server (spot only).

``BINANCE_BENCH_URL`` measures against one other server instead.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx

from adapters.binance import BinanceCredentials, BinanceExchange
from bench.placing import Stop, ccxt_ms, measure, minimal_server, place_ms, served_simulator
from exchanges import RateLimitRegistry

CALLS = int(os.environ.get("BINANCE_BENCH_CALLS", "2000"))
KEY, SECRET = "bench-key", "bench-secret"

_FILTERS = [
    {"filterType": "PRICE_FILTER", "minPrice": "0.01", "maxPrice": "1000000.00", "tickSize": "0.01"},
    {"filterType": "LOT_SIZE", "minQty": "0.00001", "maxQty": "9000.00000000", "stepSize": "0.00001"},
    {
        "filterType": "NOTIONAL",
        "minNotional": "5.00000000",
        "applyMinToMarket": True,
        "maxNotional": "9000000.00000000",
        "applyMaxToMarket": False,
        "avgPriceMins": 5,
    },
]
_SYMBOL = {
    "symbol": "BTCUSDT",
    "status": "TRADING",
    "baseAsset": "BTC",
    "baseAssetPrecision": 8,
    "quoteAsset": "USDT",
    "quotePrecision": 8,
    "quoteAssetPrecision": 8,
    "baseCommissionPrecision": 8,
    "quoteCommissionPrecision": 8,
    "orderTypes": ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"],
    "icebergAllowed": True,
    "ocoAllowed": True,
    "otoAllowed": True,
    "quoteOrderQtyMarketAllowed": True,
    "allowTrailingStop": True,
    "cancelReplaceAllowed": True,
    "amendAllowed": True,
    "isSpotTradingAllowed": True,
    "isMarginTradingAllowed": False,
    "filters": _FILTERS,
    "permissions": [],
    "permissionSets": [["SPOT"]],
    "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
    "allowedSelfTradePreventionModes": ["NONE", "EXPIRE_TAKER"],
}


def _answer(method: str, target: str, body: bytes) -> bytes:
    """A Binance-shaped answer for the few paths the clients call."""
    if body:  # (CCXT sends POST parameters as a form body)
        target += ("&" if "?" in target else "?") + body.decode()
    path, _, query = target.partition("?")
    data: Any
    now = int(time.time() * 1000)
    if path == "/api/v3/time":
        data = {"serverTime": now}
    elif path == "/api/v3/exchangeInfo":
        data = {
            "timezone": "UTC",
            "serverTime": now,
            "rateLimits": [],
            "exchangeFilters": [],
            "symbols": [_SYMBOL],
        }
    elif method == "POST" and path == "/api/v3/order":
        p = dict(parse_qsl(query))
        data = {
            "symbol": "BTCUSDT",
            "orderId": 28,
            "orderListId": -1,
            "clientOrderId": p.get("newClientOrderId", "x"),
            "transactTime": now,
            "price": p.get("price", "0"),
            "origQty": p.get("quantity", "0"),
            "executedQty": "0.00000000",
            "origQuoteOrderQty": "0.00000000",
            "cummulativeQuoteQty": "0.00000000",
            "status": "EXPIRED",
            "timeInForce": "IOC",
            "type": "LIMIT",
            "side": "BUY",
            "workingTime": now,
            "selfTradePreventionMode": "NONE",
            "fills": [],
        }
    else:
        data = [] if method == "GET" else {}
    return json.dumps(data, separators=(",", ":")).encode()


_HEADERS = b"Content-Type: application/json;charset=UTF-8\r\nX-MBX-USED-WEIGHT-1M: 1\r\n"


async def _raw_httpx(base: str) -> float:
    async with httpx.AsyncClient(base_url=base) as client:

        async def call() -> None:
            params = {
                "symbol": "BTCUSDT",
                "side": "BUY",
                "type": "LIMIT",
                "timeInForce": "IOC",
                "quantity": "0.001",
                "price": "50000",
                "newOrderRespType": "FULL",
                "timestamp": int(time.time() * 1000),
            }
            query = urlencode(params)
            signature = hmac.new(SECRET.encode(), query.encode(), hashlib.sha256).hexdigest()
            response = await client.post(
                f"/api/v3/order?{query}&signature={signature}", headers={"X-MBX-APIKEY": KEY}
            )
            json.loads(response.content)

        return await measure(call, CALLS)


async def _adapter(base: str) -> float:
    # (no client-side budgets, as CCXT runs here: Binance's 50 orders per 10 s would pace the loop)
    credentials = BinanceCredentials(KEY, SECRET)
    return await place_ms(
        BinanceExchange(credentials, base_url=base, registry=RateLimitRegistry(), rate_limit=False), CALLS
    )


async def _ccxt(base: str) -> float | None:
    def make(ccxt: Any) -> Any:
        options = {"fetchMarkets": {"types": ["spot"]}, "fetchCurrencies": False, "fetchMargins": False}
        config = {"apiKey": KEY, "secret": SECRET, "enableRateLimit": False, "options": options}
        exchange = ccxt.binance(config)
        for name in ("public", "private"):
            exchange.urls["api"][name] = base + "/api/v3"
        return exchange

    return await ccxt_ms(make, CALLS)


def _minimal_server() -> tuple[Stop, str]:
    return minimal_server(_answer, _HEADERS)


def _served_simulator() -> tuple[Stop, str]:
    return served_simulator([
        "--dialect", "binance", "--rate-limits", "off", "--api-key", KEY, "--api-secret", SECRET,
        "--balance", "USDT=100000000", "--balance", "BTC=1000",
    ])  # fmt: skip


def _side_by_side(label: str, base: str) -> None:
    raw = asyncio.run(_raw_httpx(base))
    adapter = asyncio.run(_adapter(base))
    ccxt_ms = asyncio.run(_ccxt(base))
    print(f"{label}: httpx_raw_signed_post: {raw:.3f} ms/call")
    print(f"{label}: binance_adapter_place_order: {adapter:.3f} ms/call")
    if ccxt_ms is None:
        print(f"{label}: ccxt_binance_create_order: not installed")
        return
    print(f"{label}: ccxt_binance_create_order: {ccxt_ms:.3f} ms/call")
    print(f"{label}: ratio_binance_adapter_over_ccxt: {adapter / ccxt_ms:.2f}")


def main() -> None:
    other = os.environ.get("BINANCE_BENCH_URL")
    if other is not None:
        _side_by_side("server", other)
        return
    for label, start in (("minimal_server", _minimal_server), ("served_simulator", _served_simulator)):
        stop, base = start()
        try:
            _side_by_side(label, base)
        finally:
            stop()


if __name__ == "__main__":
    main()
