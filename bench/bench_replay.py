"""Replay throughput: events per second through the backtest runner, for trades and for
candles, each against merely reading the same events from disk.

Three workloads on the same seeded random walk of trades, each with the runner's default
equity sampling and ending with a read of the public trades and one-minute candles (so
that filing every event into them is counted, not left undone):

* ``idle``: a strategy that does nothing (but read the last hour's candles and the last
  trades at its end: a read files every event still waiting);
* ``one_order_resting``: one limit buy resting far below the market all along, the
  quoting case every market maker is in;
* ``ten_orders_requoted``: five bids and five asks around the last price, all cancelled and
  placed again every 100 trades (some fill as the walk reaches them).

``bench/nautilus_replay.py`` runs the same workloads on nautilus_trader, in an environment
of its own; with ``NAUTILUS_PYTHON`` naming that environment's interpreter, this benchmark
runs it in the same run and prints the ratios."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from bench.market_series import random_candles, random_trades
from bench.timing import repeat
from exchanges import Candle, Interval, OrderNotFound, OrderRequest, Trade
from simulator.backtest import (
    Strategy,
    read_candles_csv,
    read_trades_csv,
    write_candles_csv,
    write_trades_csv,
)
from simulator.backtest.runner import Backtest, MarketData

SYMBOL = "BTC/USDT"
TRADES = 300_000
CANDLES = 100_000
REQUOTE_EVERY = 100
OFFSETS = (Decimal("0.002"), Decimal("0.004"), Decimal("0.006"), Decimal("0.008"), Decimal("0.010"))
BALANCES = {"USDT": Decimal(1_000_000), "BTC": Decimal(10)}


class Idle(Strategy):
    """Does nothing but read what the run filed at its end."""

    async def on_trade(self, trade: Trade) -> None:  # noqa: ARG002 - the hook's signature
        return None

    async def on_candle(self, candle: Candle) -> None:  # noqa: ARG002 - the hook's signature
        return None

    async def on_stop(self) -> None:
        ex = self.exchange  # (a read files every event still waiting, whatever it asks for)
        now = await ex.server_time()
        await ex.fetch_trades(self.symbol, 100)
        bars = await ex.fetch_candles(self.symbol, Interval.M1, now - 3_600_000, now)
        assert bars, "the replayed events were filed into candles"


class OneResting(Idle):
    """One limit buy resting far below the market for the whole run."""

    async def on_start(self) -> None:
        await self.exchange.place_order(OrderRequest.limit(self.symbol, "buy", "0.001", "1000"))


class TenRequoted(Idle):
    """Five bids and five asks, 0.2 % to 1 % from the last price, placed afresh every 100
    trades (what is still open cancelled first)."""

    def __init__(self, symbol: str = SYMBOL) -> None:
        super().__init__(symbol)
        self.seen = 0
        self.ids: list[str] = []

    async def on_start(self) -> None:
        await self._quote(Decimal(60_000))

    async def on_trade(self, trade: Trade) -> None:
        self.seen += 1
        if self.seen % REQUOTE_EVERY == 0:
            await self._quote(trade.price)

    async def _quote(self, price: Decimal) -> None:
        ex = self.exchange
        for order_id in self.ids:
            with contextlib.suppress(OrderNotFound):  # (filled meanwhile)
                await ex.cancel_order(self.symbol, order_id=order_id)
        self.ids = []
        for offset in OFFSETS:
            bid = (price * (1 - offset)).quantize(Decimal("0.1"))
            ask = (price * (1 + offset)).quantize(Decimal("0.1"))
            for side, at in (("buy", bid), ("sell", ask)):
                order = await ex.place_order(OrderRequest.limit(self.symbol, side, "0.001", str(at)))
                self.ids.append(order.id)


def _replay(data: MarketData, strategy: type[Strategy] = Idle) -> float:
    backtest = Backtest(strategy(SYMBOL), data, balances=dict(BALANCES))
    start = time.perf_counter()
    asyncio.run(backtest.run())
    return time.perf_counter() - start


def _rate(events: int, seconds: float) -> str:
    return f"{events / seconds:,.0f}"


def _nautilus() -> dict[str, float]:
    """nautilus_trader's figures for the same workloads, when ``NAUTILUS_PYTHON`` is set."""
    python = os.environ.get("NAUTILUS_PYTHON")
    if not python:
        print("nautilus: not run (set NAUTILUS_PYTHON to an interpreter with nautilus_trader installed)")
        return {}
    script = Path(__file__).with_name("nautilus_replay.py")
    done = subprocess.run([python, str(script), str(TRADES)], capture_output=True, text=True, check=False)
    figures = {}
    for line in done.stdout.splitlines():
        name, _, value = line.partition(": ")
        if name.startswith("nautilus_replay_trades_"):
            print(line)
            figures[name.removeprefix("nautilus_replay_trades_")] = float(value.split()[0].replace(",", ""))
    if done.returncode or not figures:
        why = done.stderr.strip().splitlines()[-1:] or done.returncode
        print(f"nautilus: failed ({why})", file=sys.stderr)
    return figures


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        trades_csv, candles_csv = Path(tmp) / "trades.csv", Path(tmp) / "candles.csv"
        write_trades_csv(trades_csv, random_trades(TRADES))
        write_candles_csv(candles_csv, random_candles(CANDLES))

        start = time.perf_counter()
        trades = read_trades_csv(trades_csv, SYMBOL)
        read_trades = time.perf_counter() - start
        on_trades = MarketData(SYMBOL, "trades", trades)
        idle = repeat(lambda: _replay(on_trades))
        one = repeat(lambda: _replay(on_trades, OneResting))
        ten = repeat(lambda: _replay(on_trades, TenRequoted))

        start = time.perf_counter()
        candles = read_candles_csv(candles_csv, SYMBOL, Interval.M1)
        read_candles = time.perf_counter() - start
        bars = repeat(lambda: _replay(MarketData(SYMBOL, "candles", candles, Interval.M1)))

    workloads = (("idle", idle), ("one_order_resting", one), ("ten_orders_requoted", ten))
    for name, timing in workloads:
        print(
            f"replay_trades_{name}: {_rate(TRADES, timing.best)} events/s "
            f"(median {_rate(TRADES, timing.median)})"
        )
    nautilus = _nautilus()
    for name, timing in workloads:
        if name in nautilus:
            print(f"replay_trades_{name}_vs_nautilus: {TRADES / timing.best / nautilus[name]:.2f} ratio")
    print(f"read_trades: {_rate(TRADES, read_trades)} events/s")
    print(f"replay_trades_idle_vs_read: {read_trades / idle.best:.2f} ratio")
    print(f"replay_trades_one_order_resting_vs_idle: {idle.best / one.best:.2f} ratio")
    print(f"replay_trades_ten_orders_requoted_vs_idle: {idle.best / ten.best:.2f} ratio")
    print(f"replay_candles_idle: {_rate(CANDLES, bars.best)} events/s (median {_rate(CANDLES, bars.median)})")
    print(f"read_candles: {_rate(CANDLES, read_candles)} events/s")
    print(f"replay_candles_vs_read: {read_candles / bars.best:.2f} ratio")


if __name__ == "__main__":
    main()
