"""The simulator's WebSocket server under load: frames per second pushed to 100 subscribers of
one busy symbol while orders flow, and the delay from a fill in the engine to its
``orderChange`` frame arriving on a client's socket (median and p99), with those subscribers
and without them.

The server runs in this process as ``serve`` runs it (uvicorn, uvloop, the synthetic market),
so that a venue listener can note when each fill happens (``time.monotonic_ns()``, inside the
engine's call). An order flow task places small market orders for the bench account,
alternately buying and selling, every ``FLOW_MS``. Subscribers run in other processes
(``bench.ws_load``): two with 50 connections each on the symbol's match, level-2, ticker and
depth-5 topics, and one on the account's ``tradeOrdersV2``, which notes when each match frame
arrives (Linux's monotonic clock is the machine's, so the two notes compare).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import time
from decimal import Decimal
from typing import Any

SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
SUBSCRIBERS, PROCESSES = 100, 2
FLOW_MS = 5
SYMBOL = "BTC-USDT"
PIPES: dict[str, Any] = {"stdin": asyncio.subprocess.PIPE, "stdout": asyncio.subprocess.PIPE}


async def _ready(proc: asyncio.subprocess.Process) -> None:
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), 60)
    if line.strip() != b"ready":
        raise RuntimeError(f"a subscriber process failed: {line!r}")


async def _result(proc: asyncio.subprocess.Process) -> Any:
    assert proc.stdout is not None
    out = await asyncio.wait_for(proc.stdout.read(), SECONDS + 60)
    await proc.wait()
    return json.loads(out.decode().strip().splitlines()[-1])


async def _run(subscribers: int) -> dict[str, Any]:
    from bench.ws_load import KEY, PASSPHRASE, SECRET
    from simulator.kucoin import AccountConfig, ApiKey, FacadeConfig, build_served, serving
    from simulator.venue import OrderParams

    key = ApiKey(key=KEY, secret=SECRET, passphrase=PASSPHRASE)
    account = AccountConfig(uid=1, balances={"USDT": Decimal(10**7), "BTC": Decimal(100)}, keys=(key,))
    served = build_served(FacadeConfig(accounts=(account,), rate_limits="off", seed=3))
    venue = served.venue
    fills: dict[str, int] = {}

    def hear(event: Any) -> None:
        if event.kind == "fill" and event.uid == "1":
            fills[str(event.fill.trade_id)] = time.monotonic_ns()

    venue.subscribe(hear)
    async with serving(served.app, market=served.market) as url:
        spawn = asyncio.create_subprocess_exec
        per = subscribers // PROCESSES
        public = [
            await spawn(
                sys.executable,
                "-m",
                "bench.ws_load",
                url,
                "public",
                str(per),
                str(SECONDS),
                stdin=-1,
                stdout=-1,
            )
            for _ in range(PROCESSES if subscribers else 0)
        ]
        private = await spawn(
            sys.executable, "-m", "bench.ws_load", url, "private", "1", str(SECONDS), **PIPES
        )
        for proc in (*public, private):
            await _ready(proc)
        sessions = list(served.facade.ws.sessions.values())
        sent_before = sum(s.sent for s in sessions)
        for proc in (*public, private):  # (every subscriber starts listening now)
            assert proc.stdin is not None
            proc.stdin.write(b"go\n")
            await proc.stdin.drain()
        cpu_before = time.process_time()
        started = time.monotonic()
        orders = 0
        while time.monotonic() - started < SECONDS:
            side = "buy" if orders % 2 == 0 else "sell"
            venue.place_order("1", OrderParams(symbol=SYMBOL, side=side, type="market", size="0.0001"))
            orders += 1
            await asyncio.sleep(FLOW_MS / 1000)
        elapsed = time.monotonic() - started
        cpu = time.process_time() - cpu_before
        sent = sum(s.sent for s in sessions) - sent_before
        backlog = sum(s.backlog for s in sessions)
        counted = [await _result(proc) for proc in public]
        arrived: dict[str, int] = await _result(private)
    delays = [(arrived[t] - fills[t]) / 1000 for t in arrived if t in fills]
    return {
        "elapsed": elapsed,
        "orders": orders,
        "sent": sent,
        "backlog": backlog,
        "received": sum(c["frames"] for c in counted),
        "cpu": cpu,
        "delays_us": sorted(delays),
    }


def main() -> None:
    import uvloop

    quiet = uvloop.run(_run(0))
    got = uvloop.run(_run(SUBSCRIBERS))
    seconds = got["elapsed"]
    print(f"# {SUBSCRIBERS} subscribers of {SYMBOL} (match, level2, ticker, depth5), {got['orders']} orders")
    print(f"ws_frames_pushed: {got['sent'] / seconds:.0f} frames/s")
    print(f"ws_frames_received: {got['received'] / seconds:.0f} frames/s")
    print(f"ws_frames_per_subscriber: {got['received'] / seconds / SUBSCRIBERS:.0f} frames/s")
    print(f"ws_orders_flowing: {got['orders'] / seconds:.0f} orders/s")
    print(f"ws_frames_queued_at_the_end: {got['backlog']} frames")
    print(f"ws_server_cpu_per_frame: {got['cpu'] / max(got['sent'], 1) * 1e6:.1f} us")
    print(f"ws_server_busy: {got['cpu'] / seconds:.2f} cpu s/s")
    for name, delays in (("", got["delays_us"]), ("_without_subscribers", quiet["delays_us"])):
        if delays:
            p99 = delays[min(len(delays) - 1, int(len(delays) * 0.99))]
            print(f"ws_fill_to_order_frame{name}_median: {statistics.median(delays):.0f} us")
            print(f"ws_fill_to_order_frame{name}_p99: {p99:.0f} us")
            print(f"ws_fill_to_order_frame{name}_samples: {len(delays)} fills")


if __name__ == "__main__":
    main()
