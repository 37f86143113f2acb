"""Sweep throughput: backtests per minute through Ray on this machine's cores, against the
same trials one after another in one process (the ratio is what the engine costs and gains)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench.market_series import random_candles
from simulator.backtest import write_candles_csv
from simulator.backtest.sweep import TrialSetup, parse_param, run_sweep

EXAMPLE = str(Path(__file__).parents[1] / "examples" / "ma_crossover.py")
BARS = 20_000


def main() -> None:
    try:
        import ray
    except ImportError:
        print("sweep: skipped (Ray is not installed: pip install -e '.[sweep]')")
        return
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "bars.csv"
        write_candles_csv(data, random_candles(BARS))
        setup = TrialSetup(strategy=EXAMPLE, symbol="BTC/USDT", data=str(data))
        spaces = [parse_param("fast=5:20:5"), parse_param("slow=30,60,90")]
        trials = 12
        start = time.perf_counter()
        local = run_sweep(setup, spaces, objective="return", executor="local").rows
        alone = time.perf_counter() - start
        ray.init(include_dashboard=False, log_to_driver=False, _node_ip_address="127.0.0.1")
        try:
            start = time.perf_counter()
            remote = run_sweep(setup, spaces, objective="return", executor="ray").rows
            on_ray = time.perf_counter() - start
        finally:
            ray.shutdown()
        assert remote == local, "the same table either way"
        print(f"sweep_one_process: {trials / alone * 60:,.1f} backtests/min ({BARS} one-minute bars each)")
        print(f"sweep_ray: {trials / on_ray * 60:,.1f} backtests/min (workers started inside the timing)")
        print(f"sweep_ray_ratio: {alone / on_ray:.2f} x")


if __name__ == "__main__":
    main()
