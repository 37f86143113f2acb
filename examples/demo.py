"""``make demo``: a backtest, then one bot trading live on two venues, KuCoin and Binance.

1. Backtests the moving-average crossover on the embedded synthetic market (no data needed)
   and prints the report and where the plot is.
2. Starts the simulator twice on free loopback ports, once speaking KuCoin
   (``python -m simulator serve``) and once Binance (``serve --dialect binance``), and runs
   the same market maker (``examples/market_maker.py``) on each for a few seconds, opened by
   ``exchanges.connect`` with only the venue's name (and where it is served) changed:
   the KuCoin adapter talks to the one, the Binance adapter to the other, the book, trades,
   its orders and fills coming by each venue's WebSocket streams. It prints the fills and
   how many events came that way, then stops everything cleanly (open quotes are cancelled).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from exchanges import connect, from_ms
from simulator.cli import main as simulator_cli

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from examples.market_maker import trade  # noqa: E402  (examples/ is a folder of scripts)

KEY, SECRET, PASSPHRASE = "demo-key", "demo-secret", "demo-passphrase"
BALANCES = ("--balance", "USDT=20000", "--balance", "BTC=0.5")
#: Each venue's server, and the credentials its adapter signs with.
VENUES: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "kucoin": (
        ("--api-passphrase", PASSPHRASE),
        {"api_key": KEY, "api_secret": SECRET, "api_passphrase": PASSPHRASE},
    ),
    "binance": (("--dialect", "binance"), {"api_key": KEY, "api_secret": SECRET}),
}


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


def start_server(*extra: str) -> tuple[subprocess.Popen[str], str]:
    command = [
        sys.executable, "-m", "simulator", "serve", "--port", "0", "--quiet", "--seed", "42",
        "--api-key", KEY, "--api-secret", SECRET, *BALANCES, *extra,
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


async def market_maker(venue: str, base_url: str, seconds: float) -> None:
    """The one bot; only ``venue`` (and where it is served) differs between the runs."""
    _, credentials = VENUES[venue]
    async with connect(venue, base_url=base_url, **credentials) as exchange:
        result = await trade(exchange, seconds, echo=lambda line: print(f"  {line}", flush=True))
        balances = await exchange.fetch_balances()
    streamed = ", ".join(sorted(result.streamed)) or "none"
    print(f"  {len(result.orders)} orders placed, {len(result.fills)} fills")
    print(f"  by WebSocket: {result.events} events ({streamed}); by REST: {result.polls} polls")
    for fill in result.fills:
        at = from_ms(fill.timestamp)
        print(f"  {at:%H:%M:%S} {fill.side:4} {fill.size} BTC @ {fill.price} ({fill.liquidity})")
    held = ", ".join(f"{b.total.normalize():f} {c}" for c, b in sorted(balances.items()) if b.total)
    print(f"  balances now: {held}")


def stop(server: subprocess.Popen[str]) -> None:
    server.terminate()
    try:
        server.communicate(timeout=10)  # (reaps it and closes its pipe)
    except subprocess.TimeoutExpired:
        server.kill()
        server.communicate()


def live(seconds: float = 6.0) -> None:
    servers = {venue: start_server(*args) for venue, (args, _) in VENUES.items()}
    try:
        for step, (venue, (_, url)) in enumerate(servers.items(), start=2):
            banner(f"{step}. live: the market maker on connect({venue!r}), the local {venue} simulator")
            print(f"simulator serving {venue}'s API at {url}", flush=True)
            asyncio.run(market_maker(venue, url, seconds))
    finally:
        for venue, (server, _) in servers.items():
            stop(server)
            print(f"{venue} server stopped (exit code {server.returncode})")


if __name__ == "__main__":
    backtest()
    live()
