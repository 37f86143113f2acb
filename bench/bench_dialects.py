"""The Binance dialect's served throughput beside the KuCoin dialect's, in the same run on
the same machine: each ``python -m simulator serve`` (``--dialect binance`` for the one)
as a subprocess with limits and request log off, measured the same way (a few keep-alive
connections; signed place-then-cancel pairs per second and the server's CPU per pair, and
the server time per second as each dialect's baseline), then the ratios Binance/KuCoin.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import subprocess
import sys
import time
from decimal import Decimal
from urllib.parse import urlencode

import httpx
from httpx_aiohttp import AiohttpTransport

from bench import bench_server

KEY, SECRET = "bench-key", "bench-secret"
SYMBOL = "BTCUSDT"


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

        await bench_server.rate(0.5, bench_server.WORKERS, server_time)
        out: dict[str, float] = {}
        for name, one in (("timestamp", server_time), ("pairs", place_cancel)):
            before = bench_server.cpu_seconds(pid)
            out[name], count = await bench_server.rate(bench_server.SECONDS, bench_server.WORKERS, one)
            after = bench_server.cpu_seconds(pid)
            if before is not None and after is not None:
                out[f"{name}_cpu_ms"] = (after - before) / count * 1000
        return out


def main() -> None:
    results = {}
    for dialect, start, measure in (
        ("kucoin", bench_server.start_server, bench_server.measure),
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
        if "pairs_cpu_ms" in got:
            print(f"{dialect}_server_cpu_per_pair: {got['pairs_cpu_ms']:.3f} ms")
    kucoin, binance = results["kucoin"], results["binance"]
    print(f"binance_vs_kucoin_pairs: {binance['pairs'] / kucoin['pairs']:.3f} ratio")
    if "pairs_cpu_ms" in kucoin and "pairs_cpu_ms" in binance:
        print(f"binance_vs_kucoin_cpu_per_pair: {binance['pairs_cpu_ms'] / kucoin['pairs_cpu_ms']:.3f} ratio")


if __name__ == "__main__":
    main()
