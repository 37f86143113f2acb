"""``make demo``: a backtest, then the same kind of code trading live against a local KuCoin.

1. Backtests the moving-average crossover on the embedded synthetic market (no data needed)
   and prints the report and where the plot is.
2. Starts the simulator's KuCoin server (``python -m simulator serve``) on a free loopback
   port, runs the market-maker example against it through the KuCoin adapter for about ten
   seconds (the book, trades, its orders and fills by KuCoin's WebSocket streams), printing
   its fills, then stops both cleanly (open quotes are cancelled).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

from adapters.kucoin import KucoinCredentials, KucoinExchange
from exchanges import from_ms
from simulator.backtest import LiveRunner
from simulator.cli import main as simulator_cli

HERE = Path(__file__).resolve().parent
KEY, SECRET, PASSPHRASE = "demo-key", "demo-secret", "demo-passphrase"


def banner(text: str) -> None:
    print(f"\n=== {text} " + "=" * max(0, 70 - len(text)), flush=True)


def backtest() -> None:
    banner("1. backtest: moving-average crossover on 12 h of the synthetic market")
    code = simulator_cli(
        [
            "backtest",
            str(HERE / "ma_crossover.py"),
            "--data",
            "synthetic:12h",
            "--seed",
            "42",
            "--out",
            "out/demo",
        ]
    )
    if code:
        raise SystemExit(code)
    print(f"plot: {Path('out/demo/equity.png').resolve()}")


def start_server() -> tuple[subprocess.Popen[str], str]:
    command = [
        sys.executable, "-m", "simulator", "serve", "--port", "0", "--quiet", "--seed", "42",
        "--api-key", KEY, "--api-secret", SECRET, "--api-passphrase", PASSPHRASE,
        "--balance", "USDT=20000", "--balance", "BTC=0.5",
    ]  # fmt: skip
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = server.stdout.readline()
        if line.startswith("listening on "):
            return server, line.split()[-1]
        if not line and server.poll() is not None:
            break
    server.kill()
    raise SystemExit("the simulator's server did not start")


async def market_maker(base_url: str, seconds: float) -> None:
    sys.path.insert(0, str(HERE.parent))
    from examples.market_maker import SimpleMarketMaker

    strategy = SimpleMarketMaker("BTC/USDT", spread_bps="2", size="0.002", refresh_bps="0.5")
    credentials = KucoinCredentials(KEY, SECRET, PASSPHRASE)
    async with KucoinExchange(credentials, base_url=base_url) as exchange:
        runner = LiveRunner(
            strategy, exchange, poll_interval=0.5, echo=lambda line: print(f"  {line}", flush=True)
        )
        result = await runner.run(duration=seconds)
        balances = await exchange.fetch_balances()
    streamed = ", ".join(sorted(result.streamed)) or "none"
    print(f"  {len(result.orders)} orders placed, {len(result.fills)} fills")
    print(f"  by WebSocket: {result.events} events ({streamed}); by REST: {result.polls} polls")
    for fill in result.fills:
        at = from_ms(fill.timestamp)
        print(f"  {at:%H:%M:%S} {fill.side:4} {fill.size} BTC @ {fill.price} ({fill.liquidity})")
    held = ", ".join(f"{b.total.normalize()} {c}" for c, b in sorted(balances.items()) if b.total)
    print(f"  balances now: {held}")


def live(seconds: float = 10.0) -> None:
    banner("2. live: the market maker against the local KuCoin, through the KuCoin adapter")
    server, url = start_server()
    print(f"simulator serving KuCoin's API at {url}", flush=True)
    try:
        asyncio.run(market_maker(url, seconds))
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        print(f"server stopped (exit code {server.returncode})")


if __name__ == "__main__":
    backtest()
    live()
