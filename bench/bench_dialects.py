"""The Binance dialect's served throughput beside the KuCoin dialect's, in the same run on
the same machine: each ``python -m simulator serve`` (``--dialect binance`` for the one)
as a subprocess with limits and request log off, measured the same way (a few keep-alive
connections; signed place-then-cancel pairs per second and the server's CPU per pair, and
the server time per second as each dialect's baseline), then the ratios Binance/KuCoin.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from decimal import Decimal
from urllib.parse import urlencode

import httpx
from httpx_aiohttp import AiohttpTransport

from bench import bench_server, load

KEY, SECRET = "bench-key", "bench-secret"
SYMBOL = "BTCUSDT"
WORKERS = 4


async def _rate(seconds: float, one: Callable[[], Awaitable[None]]) -> tuple[float, int]:
    """Run ``one()`` from ``WORKERS`` tasks for ``seconds``; completions per second, and count."""
    done = 0
    stop_at = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < stop_at:
            await one()
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(WORKERS)))
    return done / (time.perf_counter() - started), done


async def _measured(
    pid: int, server_time: Callable[[], Awaitable[None]], pair: Callable[[], Awaitable[None]]
) -> dict[str, float]:
    await _rate(0.5, server_time)  # (warm up connections and caches)
    out: dict[str, float] = {}
    for name, one in (("timestamp", server_time), ("pairs", pair)):
        before = bench_server.cpu_seconds(pid)
        out[name], count = await _rate(bench_server.SECONDS, one)
        out[f"{name}_cpu_ms"] = (bench_server.cpu_seconds(pid) - before) / count * 1000
    return out


def _start_kucoin() -> tuple[subprocess.Popen[str], str]:
    return bench_server.start([sys.executable, "-m", "simulator", "serve", *bench_server.SERVE])


def _kucoin_headers(method: str, target: str, body: str = "") -> dict[str, str]:
    def sign(message: str) -> str:
        digest = hmac.new(load.SECRET.encode(), message.encode(), hashlib.sha256).digest()
        return base64.b64encode(digest).decode()

    ts = str(int(time.time() * 1000))
    return {
        "KC-API-KEY": load.KEY,
        "KC-API-SIGN": sign(ts + method + target + body),
        "KC-API-TIMESTAMP": ts,
        "KC-API-PASSPHRASE": sign(load.PASSPHRASE),
        "KC-API-KEY-VERSION": "2",
        "Content-Type": "application/json",
    }


async def _measure_kucoin(base: str, pid: int) -> dict[str, float]:
    async with httpx.AsyncClient(base_url=base, transport=AiohttpTransport(), timeout=30) as client:

        async def server_time() -> None:
            assert (await client.get("/api/v1/timestamp")).status_code == 200

        async def place_cancel() -> None:
            body = json.dumps(
                {"symbol": load.SYMBOL, "side": "buy", "type": "limit", "price": "1000", "size": "0.001"},
                separators=(",", ":"),
            )  # (far below the market: it rests until cancelled)
            path = "/api/v1/hf/orders"
            placed = await client.post(path, content=body, headers=_kucoin_headers("POST", path, body))
            target = f"{path}/{placed.json()['data']['orderId']}?symbol={load.SYMBOL}"
            cancelled = await client.delete(target, headers=_kucoin_headers("DELETE", target))
            assert cancelled.json()["code"] == "200000", cancelled.text

        return await _measured(pid, server_time, place_cancel)


def _start_binance() -> tuple[subprocess.Popen[str], str]:
    cmd = [
        sys.executable, "-m", "simulator", "serve", "--dialect", "binance", "--port", "0",
        "--rate-limits", "off", "--quiet", "--api-key", KEY, "--api-secret", SECRET,
        "--balance", "USDT=100000000", "--balance", "BTC=1000",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("listening on "):
        proc.kill()
        raise RuntimeError("the Binance dialect did not start")
    return proc, line.split()[-1]


def _signed(**params: object) -> str:
    text = urlencode({**params, "timestamp": int(time.time() * 1000)})
    return text + "&signature=" + hmac.new(SECRET.encode(), text.encode(), hashlib.sha256).hexdigest()


async def _measure_binance(base: str, pid: int) -> dict[str, float]:
    headers = {"X-MBX-APIKEY": KEY}
    async with httpx.AsyncClient(base_url=base, transport=AiohttpTransport(), timeout=30) as client:
        book = (await client.get("/api/v3/ticker/bookTicker", params={"symbol": SYMBOL})).json()
        price = str((Decimal(book["bidPrice"]) * Decimal("0.95")).quantize(Decimal("0.01")))

        async def server_time() -> None:
            assert (await client.get("/api/v3/time")).status_code == 200

        async def place_cancel() -> None:
            order = _signed(
                symbol=SYMBOL, side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.001", price=price
            )
            placed = await client.post("/api/v3/order?" + order, headers=headers)
            order_id = placed.json()["orderId"]
            cancelled = await client.delete(
                "/api/v3/order?" + _signed(symbol=SYMBOL, orderId=order_id), headers=headers
            )
            assert cancelled.status_code == 200, cancelled.text

        return await _measured(pid, server_time, place_cancel)


def main() -> None:
    results = {}
    for dialect, start, measure in (
        ("kucoin", _start_kucoin, _measure_kucoin),
        ("binance", _start_binance, _measure_binance),
    ):
        proc, base = start()
        try:
            results[dialect] = asyncio.run(measure(base, proc.pid))
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    for dialect, got in results.items():
        print(f"{dialect}_server_time: {got['timestamp']:.0f} req/s")
        print(f"{dialect}_place_cancel_pairs: {got['pairs']:.0f} pairs/s")
        print(f"{dialect}_server_cpu_per_pair: {got['pairs_cpu_ms']:.3f} ms")
    kucoin, binance = results["kucoin"], results["binance"]
    print(f"binance_vs_kucoin_pairs: {binance['pairs'] / kucoin['pairs']:.3f} ratio")
    print(f"binance_vs_kucoin_cpu_per_pair: {binance['pairs_cpu_ms'] / kucoin['pairs_cpu_ms']:.3f} ratio")


if __name__ == "__main__":
    main()
