"""Loading market data for a replay: the columnar cache (Parquet) against the CSV path.

``load`` is ``load_source`` on the file: read, parse and check it (what the runner refuses
before a run), ready to replay. The CSV path builds every event while reading; the
columnar one keeps columns and builds each event when the replay reaches it, so
``load + replay`` (an idle strategy over all of it) shows what a whole run gains."""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from bench.bench_replay import CANDLES, TRADES, Idle
from bench.market_series import random_candles, random_trades
from simulator.backtest import Backtest, MarketData, load_source, write_candles_csv, write_trades_csv
from simulator.backtest.columnar import write_candles_parquet, write_trades_parquet

SYMBOL = "BTC/USDT"


def _best(fn: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _run(data: MarketData) -> None:
    asyncio.run(Backtest(Idle(SYMBOL), data, balances={"USDT": Decimal(10_000)}).run())


def _replayable(path: Path) -> MarketData:
    data = load_source(str(path), SYMBOL)
    assert isinstance(data, MarketData)
    return data


def _case(name: str, csv: Path, parquet: Path, n: int) -> None:
    load_source(str(parquet), SYMBOL)  # (pyarrow's first use starts its thread pool: not measured)
    csv_load = _best(lambda: load_source(str(csv), SYMBOL))
    pq_load = _best(lambda: load_source(str(parquet), SYMBOL))
    print(f"{name}_load_csv: {n / csv_load:,.0f} events/s")
    print(f"{name}_load_parquet: {n / pq_load:,.0f} events/s")
    print(f"{name}_load_ratio: {csv_load / pq_load:.1f} x (target 5)")
    csv_all = _best(lambda: _run(_replayable(csv)), 1)
    pq_all = _best(lambda: _run(_replayable(parquet)), 1)
    print(f"{name}_load_and_replay_ratio: {csv_all / pq_all:.2f} x")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        bars = random_candles(CANDLES)
        write_candles_csv(root / "bars.csv", bars)
        write_candles_parquet(root / "bars.parquet", bars)
        _case("candles", root / "bars.csv", root / "bars.parquet", len(bars))
        prints = random_trades(TRADES)
        write_trades_csv(root / "trades.csv", prints)
        write_trades_parquet(root / "trades.parquet", prints)
        _case("trades", root / "trades.csv", root / "trades.parquet", len(prints))


if __name__ == "__main__":
    main()
