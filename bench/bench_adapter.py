"""Client CPU per signed order placement: the KuCoin adapter against CCXT, same server.

A tiny keep-alive HTTP/1.1 server that answers like KuCoin runs in a child process, so
``time.process_time()`` in this process counts only client work: building, signing,
sending, reading and parsing. Measured per call, over ``CALLS`` placements after a warm-up
(limit IOC buys below the market, so nothing rests and a real server's open-order cap
never bites):

* ``httpx_raw``: a bare signed POST with ``httpx.AsyncClient`` (the transport floor);
* ``adapter``: ``KucoinExchange.place_order`` with its default (aiohttp under httpx) transport;
* ``adapter_httpx_default``: the same with httpx's own transport;
* ``ccxt``: ``ccxt.async_support.kucoin.create_order`` with its URLs pointed at the server
  (when CCXT is installed).

Set ``KUCOIN_BENCH_URL`` to measure against another server (e.g. the served simulator)
instead of the built-in one.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from typing import Any

import httpx

from adapters.kucoin import KucoinCredentials, KucoinExchange
from bench.placing import ccxt_ms, measure, minimal_server, place_ms, served_simulator
from exchanges import RateLimitRegistry

CALLS = int(os.environ.get("KUCOIN_BENCH_CALLS", "2000"))
KEY, SECRET, PASSPHRASE = "bench-key", "bench-secret", "bench-passphrase"

_SYMBOL = {
    "symbol": "BTC-USDT",
    "name": "BTC-USDT",
    "baseCurrency": "BTC",
    "quoteCurrency": "USDT",
    "feeCurrency": "USDT",
    "market": "USDS",
    "baseMinSize": "0.00001",
    "quoteMinSize": "0.1",
    "baseMaxSize": "10000000000",
    "quoteMaxSize": "99999999",
    "baseIncrement": "0.00000001",
    "quoteIncrement": "0.000001",
    "priceIncrement": "0.1",
    "priceLimitRate": "0.1",
    "minFunds": "0.1",
    "isMarginEnabled": True,
    "enableTrading": True,
    "feeCategory": 1,
    "makerFeeCoefficient": "1.00",
    "takerFeeCoefficient": "1.00",
    "st": False,
}


def _answer(method: str, path: str, body: bytes) -> bytes:
    """A KuCoin-shaped envelope for the few paths the clients call."""
    route = path.split("?", 1)[0]
    data: Any
    if route == "/api/v1/timestamp":
        data = int(time.time() * 1000)
    elif route == "/api/v2/symbols":
        data = [_SYMBOL]
    elif route == "/api/v1/hf/accounts/opened":
        data = True
    elif method == "POST" and route.startswith(("/api/v1/hf/orders", "/api/v1/orders")):
        client_oid = json.loads(body or b"{}").get("clientOid", "")
        data = {
            "orderId": "6717422bd51c29000775ea03",
            "clientOid": client_oid,
            "orderTime": int(time.time() * 1000),
            "originSize": "0.001",
            "dealSize": "0",
            "remainSize": "0.001",
            "canceledSize": "0",
            "status": "open",
            "matchTime": int(time.time() * 1000),
        }
    else:
        data = []
    return json.dumps({"code": "200000", "data": data}, separators=(",", ":")).encode()


_HEADERS = (
    b"Content-Type: application/json\r\n"
    b"gw-ratelimit-limit: 4000\r\ngw-ratelimit-remaining: 3999\r\ngw-ratelimit-reset: 29000\r\n"
)


async def _raw_httpx(base: str) -> float:
    creds = KucoinCredentials(KEY, SECRET, PASSPHRASE)
    async with httpx.AsyncClient(base_url=base) as client:

        async def call() -> None:
            order = {
                "clientOid": "x",
                "symbol": "BTC-USDT",
                "side": "buy",
                "type": "limit",
                "timeInForce": "IOC",
            }
            body = json.dumps({**order, "price": "50000", "size": "0.001"}, separators=(",", ":"))
            stamp = str(int(time.time() * 1000))
            headers = creds.headers(stamp, stamp + "POST/api/v1/hf/orders" + body)
            headers["Content-Type"] = "application/json"
            response = await client.post("/api/v1/hf/orders", content=body, headers=headers)
            json.loads(response.content)

        return await measure(call, CALLS)


async def _adapter(base: str, fast: bool) -> float:
    creds = KucoinCredentials(KEY, SECRET, PASSPHRASE)
    return await place_ms(
        KucoinExchange(creds, base_url=base, fast_transport=fast, registry=RateLimitRegistry()), CALLS
    )


async def _ccxt(base: str) -> float | None:
    def make(ccxt: Any) -> Any:
        config = {"apiKey": KEY, "secret": SECRET, "password": PASSPHRASE, "enableRateLimit": False}
        exchange = ccxt.kucoin(config)
        for name in list(exchange.urls["api"]):
            exchange.urls["api"][name] = base
        return exchange

    return await ccxt_ms(make, CALLS)


_SIMULATOR = [
    "--rate-limits", "off", "--api-key", KEY, "--api-secret", SECRET, "--api-passphrase", PASSPHRASE,
    "--balance", "USDT=100000000", "--balance", "BTC=1000",
]  # fmt: skip


def main() -> None:
    base = os.environ.get("KUCOIN_BENCH_URL")
    stop = None
    if base is None:
        stop, base = minimal_server(_answer, _HEADERS)
    try:
        raw = asyncio.run(_raw_httpx(base))
        adapter = asyncio.run(_adapter(base, fast=True))
        adapter_slow = asyncio.run(_adapter(base, fast=False))
        ccxt_ms = asyncio.run(_ccxt(base))
    finally:
        if stop is not None:
            stop()
    print(f"httpx_raw_signed_post: {raw:.3f} ms/call")
    print(f"adapter_place_order: {adapter:.3f} ms/call")
    print(f"adapter_place_order_httpx_default_transport: {adapter_slow:.3f} ms/call")
    if ccxt_ms is None:
        print("ccxt_create_order: not installed")
    else:
        print(f"ccxt_create_order: {ccxt_ms:.3f} ms/call")
        print(f"ratio_adapter_over_ccxt: {adapter / ccxt_ms:.2f}")
    # the same two clients side by side on the served simulator (KuCoin's full server logic)
    stop, url = served_simulator(_SIMULATOR)
    try:
        sim_adapter = asyncio.run(_adapter(url, fast=True))
        sim_ccxt = asyncio.run(_ccxt(url))
    finally:
        stop()
    print(f"adapter_place_order_on_simulator: {sim_adapter:.3f} ms/call")
    if sim_ccxt is not None:
        print(f"ccxt_create_order_on_simulator: {sim_ccxt:.3f} ms/call")
        print(f"ratio_adapter_over_ccxt_on_simulator: {sim_adapter / sim_ccxt:.2f}")


if __name__ == "__main__":
    main()
