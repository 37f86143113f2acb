"""The synthetic market's speed: simulated seconds per wall second, before and after.

"Before" puts every one-second step of the market through the book (its maker's quotes
placed and cancelled, its takers' market orders matched and settled by the engine), as
every synthetic run did; "after" prints the takers' trades of the steps nobody can see
straight from the model and quotes the book only at the last step before each look (see
``SyntheticConfig.stream``). Both in a backtest of one-minute bars, with a strategy that
does nothing and with the moving-average crossover example, and the market alone synced
once a simulated minute."""

from __future__ import annotations

import asyncio
import gc
import time
from decimal import Decimal

from bench.timing import REPEAT
from examples.ma_crossover import MovingAverageCrossover
from exchanges import ManualClock
from simulator import SyntheticConfig, Venue
from simulator.backtest import Backtest, Strategy, SyntheticData
from simulator.market import attach_synthetic

HOURS = 6
START = 1_700_000_000_000


class Idle(Strategy):
    """Does nothing: what is measured is the market and the runner."""


def _backtest(strategy: type[Strategy], stream: bool) -> float:
    data = SyntheticData(duration_ms=HOURS * 3_600_000, stream=stream)
    backtest = Backtest(strategy("BTC/USDT"), data, balances={"USDT": Decimal(10_000)})
    start = time.perf_counter()
    asyncio.run(backtest.run())
    return time.perf_counter() - start


def _market(stream: bool) -> float:
    clock = ManualClock(START)
    venue = Venue(seed=1, clock=clock)
    attach_synthetic(venue, SyntheticConfig(symbols=("BTC-USDT",), warmup_ms=0, stream=stream))
    start = time.perf_counter()
    for _ in range(HOURS * 60):
        clock.advance(60)
        venue.sync()
    return time.perf_counter() - start


def main() -> None:
    simulated = HOURS * 3600
    cases = (
        ("backtest_idle", lambda stream: _backtest(Idle, stream)),
        ("backtest_ma_crossover", lambda stream: _backtest(MovingAverageCrossover, stream)),
        ("market_alone", _market),
    )
    for name, run in cases:
        before, after = [], []
        for _ in range(REPEAT):  # (in turns, so that a neighbour's load weighs on both alike)
            gc.collect()
            before.append(run(False))
            gc.collect()
            after.append(run(True))
        print(f"synthetic_{name}_before: {simulated / min(before):,.0f} simulated s/s")
        print(f"synthetic_{name}_after: {simulated / min(after):,.0f} simulated s/s")
        print(f"synthetic_{name}_after_vs_before: {min(before) / min(after):.1f} ratio")
        print(f"synthetic_{name}_wall_per_day_before: {min(before) / simulated * 86_400:.2f} s")
        print(f"synthetic_{name}_wall_per_day_after: {min(after) / simulated * 86_400:.2f} s")


if __name__ == "__main__":
    main()
