"""Where the served simulator's CPU goes for a signed place-then-cancel pair, against a
``GET /api/v1/timestamp``: the server runs in this process under ``cProfile`` (uvicorn, uvloop,
the facade with rate limits off and the synthetic market on, as ``serve`` runs it), driven by
``bench.load`` processes; each function's own time is summed by layer and divided by the
requests served. cProfile charges every Python call a little, so layers made of many small
calls look dearer than they are; the shares, not the microseconds, are the finding.
"""

from __future__ import annotations

import asyncio
import cProfile
import os
import pstats
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal

from bench.load import KEY, PASSPHRASE, SECRET

SECONDS = float(os.environ.get("BENCH_SECONDS", "4"))
PROCESSES, CONNECTIONS = 2, 8

#: (layer, what a function's file or name contains), first match wins.
_SIGNATURE = ("hmac", "_hashlib", "base64", "compare_digest", "kucoin/auth.py")
_SHAPES = ("kucoin/params.py", "kucoin/routes_", "kucoin/serialize.py", "json/", "_json")
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("signature check (HMAC, base64, compare)", _SIGNATURE),
    ("venue: place, cancel, holds, ledger", ("simulator/venue/", "simulator/ledger/")),
    ("engine: the book", ("simulator/engine/",)),
    ("synthetic market (its own steps)", ("simulator/market/",)),
    ("order parameters, JSON in and out", _SHAPES),
    ("gateway: dispatch, routing, limits, envelope", ("simulator/kucoin/",)),
    ("decimal arithmetic", ("decimal",)),
    ("Starlette: request, response, routing", ("starlette/",)),
    ("uvicorn + httptools: HTTP", ("uvicorn/", "httptools")),
    ("event loop and sockets", ("asyncio/", "uvloop", "socket", "select")),
    ("logging", ("logging/",)),
)  # fmt: skip


def _layer(filename: str, name: str) -> str:
    where = f"{filename}:{name}"
    for layer, marks in LAYERS:
        if any(mark in where for mark in marks):
            return layer
    return "other"


def _load(url: str, workload: str) -> int:
    import json

    command = [sys.executable, "-m", "bench.load", url, workload, str(CONNECTIONS), str(SECONDS)]
    procs = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True) for _ in range(PROCESSES)]
    return sum(json.loads(p.communicate(timeout=SECONDS + 60)[0])["count"] for p in procs)


async def _profiled(workload: str) -> tuple[pstats.Stats, int]:
    from simulator.kucoin import AccountConfig, ApiKey, FacadeConfig, build_served, serving

    key = ApiKey(key=KEY, secret=SECRET, passphrase=PASSPHRASE)
    account = AccountConfig(uid=1, balances={"USDT": Decimal(10**8), "BTC": Decimal(1000)}, keys=(key,))
    served = build_served(FacadeConfig(accounts=(account,), rate_limits="off", seed=1))
    async with serving(served.app, market=served.market) as url:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, _load, url, workload.replace("pairs", "get:/api/v1/timestamp"))
        profile = cProfile.Profile()
        profile.enable()
        count = await loop.run_in_executor(None, _load, url, workload)
        profile.disable()
    return pstats.Stats(profile), count


def _by_layer(stats: pstats.Stats, count: int) -> dict[str, float]:
    """Microseconds of own time per request, by layer; a built-in's time (``dict.get``,
    ``isinstance``...) goes to the layers of its callers, in proportion to their calls' time."""
    layers: dict[str, float] = defaultdict(float)
    for (filename, _line, name), (_cc, _nc, tottime, _ct, callers) in stats.stats.items():  # type: ignore[attr-defined]
        layer = _layer(filename, name)
        if layer == "other" and filename == "~" and callers:
            spent = sum(row[2] for row in callers.values()) or 1.0
            for (cfile, _cline, cname), row in callers.items():
                layers[_layer(cfile, cname)] += tottime * row[2] / spent
            continue
        layers[layer] += tottime
    return {layer: seconds / count * 1e6 for layer, seconds in layers.items()}


def main() -> None:
    import uvloop

    results = {}
    top: list[tuple[float, str]] = []
    for workload in ("get:/api/v1/timestamp", "pairs"):
        stats, count = uvloop.run(_profiled(workload))
        results[workload] = _by_layer(stats, count)
        if workload == "pairs":
            top = _top(stats, count)
    pair, trivial = results["pairs"], results["get:/api/v1/timestamp"]
    total_pair, total_trivial = sum(pair.values()), sum(trivial.values())
    print(f"profiled_server_cpu_per_timestamp: {total_trivial:.0f} us")
    print(f"profiled_server_cpu_per_pair: {total_pair:.0f} us")
    print(f"profiled_pair_vs_timestamp: {total_pair / total_trivial:.2f} ratio")
    print("# a pair's server CPU by layer (own time, us per pair; share; the timestamp's for comparison)")
    for layer, micros in sorted(pair.items(), key=lambda kv: -kv[1]):
        share = micros / total_pair * 100
        also = trivial.get(layer, 0.0)
        print(f"#   {layer:46} {micros:7.1f} us  {share:4.1f} %   (timestamp: {also:6.1f} us)")
    print("# the dearest functions of a pair (own time, us per pair)")
    for micros, where in top:
        print(f"#   {micros:6.1f} us  {where}")


def _top(stats: pstats.Stats, count: int, n: int = 15) -> list[tuple[float, str]]:
    rows = []
    for (filename, line, name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        short = "/".join(filename.split("/")[-2:]) if filename != "~" else "built-in"
        rows.append((tottime / count * 1e6, f"{name} ({short}:{line})"))
    return sorted(rows, reverse=True)[:n]


if __name__ == "__main__":
    main()
