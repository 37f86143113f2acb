"""HTTP throughput of the served simulator over loopback (``python -m simulator serve``).

Starts the server as a subprocess (rate limits off, request log off), then measures, with a
few concurrent keep-alive connections: signed place-then-cancel pairs per second (an HF limit
order far from the market, then its cancel by id), and ``GET /api/v1/timestamp`` per second as
the baseline of the same server, and prints their ratio. Client and server share the machine,
so the rates move with its load; the server's own CPU time per request (read from /proc on
Linux) is the steadier figure.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from httpx_aiohttp import AiohttpTransport

KEY, SECRET, PASSPHRASE = "bench-key", "bench-secret", "bench-pass"
SYMBOL = "BTC-USDT"
WORKERS = 4
SECONDS = float(os.environ.get("BENCH_SECONDS", "4"))


def _sign(message: str) -> str:
    return base64.b64encode(hmac.new(SECRET.encode(), message.encode(), hashlib.sha256).digest()).decode()


_PASSPHRASE = _sign(PASSPHRASE)


def _headers(method: str, target: str, body: str = "") -> dict[str, str]:
    ts = str(int(time.time() * 1000))
    headers = {
        "KC-API-KEY": KEY,
        "KC-API-SIGN": _sign(ts + method + target + body),
        "KC-API-TIMESTAMP": ts,
        "KC-API-PASSPHRASE": _PASSPHRASE,
        "KC-API-KEY-VERSION": "2",
    }
    if body:
        headers["Content-Type"] = "application/json"
    return headers


def start_server() -> tuple[subprocess.Popen[str], str]:
    cmd = [
        sys.executable, "-m", "simulator", "serve", "--port", "0", "--rate-limits", "off", "--quiet",
        "--api-key", KEY, "--api-secret", SECRET, "--api-passphrase", PASSPHRASE,
        "--balance", "USDT=100000000", "--balance", "BTC=1000",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.startswith("listening on "):
            return proc, line.split()[-1]
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise RuntimeError("the server did not start")


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of ``pid`` (Linux /proc), or None elsewhere."""
    try:
        with Path(f"/proc/{pid}/stat").open() as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def rate(seconds: float, workers: int, one: Any) -> tuple[float, int]:
    """Run ``one()`` from ``workers`` tasks for ``seconds``; completions per second, and count."""
    done = 0
    stop_at = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < stop_at:
            await one()
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    return done / (time.perf_counter() - started), done


async def measure(base: str, pid: int) -> dict[str, float]:
    async with httpx.AsyncClient(base_url=base, transport=AiohttpTransport(), timeout=30) as client:
        symbols = (await client.get("/api/v2/symbols")).json()["data"]
        spec = next(s for s in symbols if s["symbol"] == SYMBOL)
        ticker = (await client.get("/api/v1/market/orderbook/level1", params={"symbol": SYMBOL})).json()[
            "data"
        ]
        tick = Decimal(spec["priceIncrement"])
        reference = Decimal(ticker["bestBid"] if ticker["bestBid"] != "0" else ticker["price"] or "100")
        price = str((reference * Decimal("0.95") / tick).to_integral_value() * tick)
        size = spec["baseMinSize"]

        async def timestamp() -> None:
            response = await client.get("/api/v1/timestamp")
            assert response.status_code == 200

        async def place_cancel() -> None:
            body = json.dumps(
                {"symbol": SYMBOL, "side": "buy", "type": "limit", "price": price, "size": size},
                separators=(",", ":"),
            )
            placed = await client.post(
                "/api/v1/hf/orders", content=body, headers=_headers("POST", "/api/v1/hf/orders", body)
            )
            order_id = placed.json()["data"]["orderId"]
            target = f"/api/v1/hf/orders/{order_id}?" + urlencode({"symbol": SYMBOL})
            cancelled = await client.delete(target, headers=_headers("DELETE", target))
            assert cancelled.json()["code"] == "200000", cancelled.text

        await rate(0.5, WORKERS, timestamp)  # warm up connections and caches
        out: dict[str, float] = {}
        for name, one in (("timestamp", timestamp), ("pairs", place_cancel)):
            cpu_before = cpu_seconds(pid)
            out[name], count = await rate(SECONDS, WORKERS, one)
            cpu_after = cpu_seconds(pid)
            if cpu_before is not None and cpu_after is not None:
                out[f"{name}_cpu_ms"] = (cpu_after - cpu_before) / count * 1000
        return out


def main() -> None:
    proc, base = start_server()
    try:
        got = asyncio.run(measure(base, proc.pid))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    print(f"server_timestamp: {got['timestamp']:.0f} req/s")
    print(f"server_place_cancel_pairs: {got['pairs']:.0f} pairs/s")
    print(f"server_pair_vs_timestamp: {got['pairs'] / got['timestamp']:.3f} ratio")
    if "timestamp_cpu_ms" in got:
        print(f"server_cpu_per_timestamp: {got['timestamp_cpu_ms']:.3f} ms")
        print(f"server_cpu_per_pair: {got['pairs_cpu_ms']:.3f} ms")
        print(f"server_cpu_pair_vs_timestamp: {got['pairs_cpu_ms'] / got['timestamp_cpu_ms']:.2f} ratio")


if __name__ == "__main__":
    main()
