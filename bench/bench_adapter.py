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
import multiprocessing as mp
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import httpx

from adapters.kucoin import KucoinCredentials, KucoinExchange
from exchanges import OrderRequest, RateLimitRegistry

CALLS = int(os.environ.get("KUCOIN_BENCH_CALLS", "2000"))
WARMUP = 200
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


class _Server(asyncio.Protocol):
    def __init__(self) -> None:
        self.buffer = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            head_end = self.buffer.find(b"\r\n\r\n")
            if head_end < 0:
                return
            head = self.buffer[:head_end].decode("latin-1").split("\r\n")
            length = 0
            for line in head[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            if len(self.buffer) < head_end + 4 + length:
                return
            body = self.buffer[head_end + 4 : head_end + 4 + length]
            self.buffer = self.buffer[head_end + 4 + length :]
            method, target, _ = head[0].split(" ", 2)
            payload = _answer(method, target, body)
            self.transport.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"gw-ratelimit-limit: 4000\r\ngw-ratelimit-remaining: 3999\r\ngw-ratelimit-reset: 29000\r\n"
                b"Content-Length: " + str(len(payload)).encode() + b"\r\n\r\n" + payload
            )


def _serve(port_out: Any) -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(_Server, "127.0.0.1", 0)
        port_out.send(server.sockets[0].getsockname()[1])
        await asyncio.Event().wait()

    asyncio.run(main())


async def _measure(call: Callable[[], Awaitable[Any]], calls: int = CALLS) -> float:
    """Client CPU milliseconds per call."""
    for _ in range(WARMUP):
        await call()
    start = time.process_time()
    for _ in range(calls):
        await call()
    return (time.process_time() - start) * 1000 / calls


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

        return await _measure(call)


async def _adapter(base: str, fast: bool) -> float:
    creds = KucoinCredentials(KEY, SECRET, PASSPHRASE)
    ex = KucoinExchange(creds, base_url=base, fast_transport=fast, registry=RateLimitRegistry())
    request = OrderRequest.limit("BTC/USDT", "buy", Decimal("0.001"), Decimal("50000"), time_in_force="IOC")
    try:
        await ex.load_markets()
        return await _measure(lambda: ex.place_order(request))
    finally:
        await ex.close()


async def _ccxt(base: str) -> float | None:
    try:
        import ccxt.async_support as ccxt  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        return None
    config = {"apiKey": KEY, "secret": SECRET, "password": PASSPHRASE, "enableRateLimit": False}
    exchange = ccxt.kucoin(config)
    for name in list(exchange.urls["api"]):
        exchange.urls["api"][name] = base
    try:
        await exchange.load_markets()

        async def call() -> None:
            await exchange.create_order("BTC/USDT", "limit", "buy", 0.001, 50000, {"timeInForce": "IOC"})

        return await _measure(call)
    finally:
        await exchange.close()


def _served_simulator() -> tuple[subprocess.Popen[str], str]:
    """``python -m simulator serve`` with rate limits off, on a free port."""
    command = [
        sys.executable, "-m", "simulator", "serve", "--port", "0", "--quiet", "--rate-limits", "off",
        "--api-key", KEY, "--api-secret", SECRET, "--api-passphrase", PASSPHRASE,
        "--balance", "USDT=100000000", "--balance", "BTC=1000",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith("listening on "):
        process.kill()
        raise RuntimeError(f"the simulator did not start: {line!r}")
    return process, line.split()[-1]


def main() -> None:
    base = os.environ.get("KUCOIN_BENCH_URL")
    server = None
    if base is None:
        ctx = mp.get_context("spawn")
        parent, child = ctx.Pipe()
        server = ctx.Process(target=_serve, args=(child,), daemon=True)
        server.start()
        base = f"http://127.0.0.1:{parent.recv()}"
    try:
        raw = asyncio.run(_raw_httpx(base))
        adapter = asyncio.run(_adapter(base, fast=True))
        adapter_slow = asyncio.run(_adapter(base, fast=False))
        ccxt_ms = asyncio.run(_ccxt(base))
    finally:
        if server is not None:
            server.terminate()
            server.join()
    print(f"httpx_raw_signed_post: {raw:.3f} ms/call")
    print(f"adapter_place_order: {adapter:.3f} ms/call")
    print(f"adapter_place_order_httpx_default_transport: {adapter_slow:.3f} ms/call")
    if ccxt_ms is None:
        print("ccxt_create_order: not installed")
    else:
        print(f"ccxt_create_order: {ccxt_ms:.3f} ms/call")
        print(f"ratio_adapter_over_ccxt: {adapter / ccxt_ms:.2f}")
    # the same two clients side by side on the served simulator (KuCoin's full server logic)
    process, url = _served_simulator()
    try:
        sim_adapter = asyncio.run(_adapter(url, fast=True))
        sim_ccxt = asyncio.run(_ccxt(url))
    finally:
        process.terminate()
        process.wait(10)
    print(f"adapter_place_order_on_simulator: {sim_adapter:.3f} ms/call")
    if sim_ccxt is not None:
        print(f"ccxt_create_order_on_simulator: {sim_ccxt:.3f} ms/call")
        print(f"ratio_adapter_over_ccxt_on_simulator: {sim_adapter / sim_ccxt:.2f}")


if __name__ == "__main__":
    main()
