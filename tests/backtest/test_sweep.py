"""Parameter sweeps: on a local Ray (loopback) the table equals each trial run alone; an
Optuna study resumes where it stopped; walk-forward rolls train and test windows."""

from __future__ import annotations

import csv
import importlib.util
import json
from collections.abc import Iterator
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

from exchanges import OrderRequest, Side, Trade
from simulator.backtest import Strategy, write_candles_csv, write_trades_csv
from simulator.backtest.sweep import (
    TrialRunner,
    TrialSetup,
    Window,
    grid,
    parse_param,
    run_sweep,
    walk_forward_windows,
)
from simulator.cli import main

from .test_replay import bar

EXAMPLE = str(Path(__file__).parents[2] / "examples" / "ma_crossover.py")
needs = pytest.mark.skipif


def _data(tmp_path: Path, n: int = 600) -> Path:
    prices = [100 + (i % 40 if (i // 40) % 2 == 0 else 40 - i % 40) + (i % 7) for i in range(n)]
    path = tmp_path / "bars.csv"
    write_candles_csv(path, [bar(i, str(p), str(p + 2), str(p - 2), f"{p}.5") for i, p in enumerate(prices)])
    return path


def test_params_parse_as_ranges_lists_and_single_values() -> None:
    assert parse_param("fast=5:20:5").values == ("5", "10", "15", "20")
    assert parse_param("x=0.1:0.3:0.1").values == ("0.1", "0.2", "0.3")
    assert parse_param("slow=20, 50,100").values == ("20", "50", "100")
    assert grid([parse_param("a=1,2"), parse_param("b=x,y")]) == [
        {"a": "1", "b": "x"}, {"a": "1", "b": "y"}, {"a": "2", "b": "x"}, {"a": "2", "b": "y"},
    ]  # fmt: skip
    for bad in ("fast", "fast=", "fast=5:1:1", "fast=1:5:0", "fast=1:2", "fast=a:b:c", "fast=1,,2"):
        with pytest.raises(ValueError, match="fast"):
            parse_param(bad)


def test_walk_forward_windows_roll_by_the_test_length() -> None:
    pairs = walk_forward_windows(Window(0, 100), 40, 20)
    assert pairs == [
        (Window(0, 40), Window(40, 60)), (Window(20, 60), Window(60, 80)), (Window(40, 80), Window(80, 100)),
    ]  # fmt: skip
    with pytest.raises(ValueError, match="too short"):
        walk_forward_windows(Window(0, 50), 40, 20)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open() as fh:
        return list(csv.DictReader(fh))


def _alone(setup: TrialSetup, params: dict[str, str]) -> dict[str, Any]:
    """A trial on its own, in a fresh runner in this process."""
    return TrialRunner(setup).run(0, params)[1]


def _same(table_row: dict[str, str], alone: dict[str, Any]) -> None:
    for key, value in alone.items():
        if key == "trial":
            continue
        written = table_row[key]
        if value is None:
            assert written == ""
        elif isinstance(value, float):
            assert float(written) == value, key
        else:
            assert written == str(value), key


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    ray = pytest.importorskip("ray", reason="Ray is not installed (the sweep extra)")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, _node_ip_address="127.0.0.1")
    yield
    ray.shutdown()


@needs(importlib.util.find_spec("pyarrow") is None, reason="pyarrow is not installed (the sweep extra)")
def test_a_ray_sweep_gives_the_same_table_as_each_trial_alone(local_ray: None, tmp_path: Path) -> None:
    data = _data(tmp_path)
    out = tmp_path / "sweep"
    code = main(["sweep", EXAMPLE, "--data", str(data), "--param", "fast=3:9:3", "--param", "slow=15,25",
                 "--objective", "return", "--workers", "2", "--quiet", "--out", str(out)])  # fmt: skip
    assert code == 0
    table = _rows(out / "results.csv")
    assert [(r["fast"], r["slow"]) for r in table] == [(f, s) for f in ("3", "6", "9") for s in ("15", "25")]
    setup = TrialSetup(strategy=EXAMPLE, symbol="BTC/USDT", data=str(data))
    for row in table:
        _same(row, _alone(setup, {"fast": row["fast"], "slow": row["slow"]}))
    import pyarrow.parquet as pq

    assert pq.read_table(out / "results.parquet").num_rows == 6
    assert (out / "heatmap.png").read_bytes().startswith(b"\x89PNG")
    best = max(table, key=lambda r: float(r["total_return"]))
    report = (out / "best" / "report.json").read_text()
    assert f'"total_return": {round(float(best["total_return"]), 8)}' in report
    assert (out / "best" / "report.html").is_file()


@needs(importlib.util.find_spec("optuna") is None, reason="Optuna is not installed (the sweep extra)")
def test_an_optuna_study_resumes_where_it_stopped(tmp_path: Path) -> None:
    import optuna

    data = _data(tmp_path, 300)
    setup = TrialSetup(strategy=EXAMPLE, symbol="BTC/USDT", data=str(data), seed=3)
    spaces = [parse_param("fast=2:8:1"), parse_param("slow=12,16,20")]
    study = tmp_path / "study.db"
    kw: dict[str, Any] = {"objective": "return", "search": "optuna", "executor": "local", "study": study}
    first = run_sweep(setup, spaces, trials=4, **kw).rows
    # an interruption: a trial asked for and never told
    stored = optuna.load_study(study_name="sweep", storage=f"sqlite:///{study}")
    left = stored.ask()
    left.suggest_int("fast#", 0, 6)
    left.suggest_categorical("slow", ["12", "16", "20"])
    resumed = run_sweep(setup, spaces, trials=7, **kw).rows
    assert len(resumed) == 7
    assert resumed[:4] == first, "the finished trials are kept, not run again"
    states = [t.state for t in optuna.load_study(study_name="sweep", storage=f"sqlite:///{study}").trials]
    assert states.count(optuna.trial.TrialState.COMPLETE) == 7
    assert optuna.trial.TrialState.RUNNING not in states
    again = run_sweep(setup, spaces, trials=7, **kw).rows
    assert again == resumed, "nothing left to run"
    for row in resumed:
        alone = _alone(setup, {"fast": row["fast"], "slow": row["slow"]})
        del row["trial"], alone["trial"]
        assert row == alone


@needs(importlib.util.find_spec("pyarrow") is None, reason="pyarrow is not installed (the sweep extra)")
def test_walk_forward_tests_each_windows_best_on_the_next(tmp_path: Path) -> None:
    data = _data(tmp_path, 600)  # ten hours of one-minute bars
    out = tmp_path / "wf"
    code = main(["sweep", EXAMPLE, "--data", str(data), "--param", "fast=3,5", "--param", "slow=15,25",
                 "--walk-forward", "4h:2h", "--executor", "local", "--quiet", "--out", str(out)])  # fmt: skip
    assert code == 0
    steps = _rows(out / "walk_forward.csv")
    assert len(steps) == 3
    for step in steps:
        assert int(step["test_start"]) == int(step["train_end"])
        assert int(step["test_end"]) - int(step["test_start"]) == 2 * 3600 * 1000
    assert len(_rows(out / "results.csv")) == 3 * 4


def test_sweep_refuses_bad_input_before_starting(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _data(tmp_path, 50)
    assert main(["sweep", EXAMPLE, "--data", str(data), "--param", "fast=9:1:1", "--quiet"]) == 2
    assert "START <= STOP" in capsys.readouterr().err
    assert main(["sweep", EXAMPLE, "--data", str(data), "--param", "speed=1,2", "--quiet",
                 "--executor", "local", "--out", str(tmp_path / "o")]) == 2  # fmt: skip
    assert "no parameter 'speed'" in capsys.readouterr().err
    assert main(["sweep", EXAMPLE, "--data", str(data), "--param", "fast=1,2", "--search", "optuna",
                 "--executor", "local", "--quiet", "--out", str(tmp_path / "o")]) == 2  # fmt: skip
    assert "needs --trials" in capsys.readouterr().err


class Spread(Strategy):
    """Buys ``size`` on the first market and sells it on the second every ``every`` prints."""

    def __init__(self, symbol: tuple[str, ...] = (), every: str = "5", size: str = "0.01") -> None:
        super().__init__(symbol)
        self.every, self.size, self.n = int(every), size, 0

    async def on_trade(self, trade: Trade, venue: str = "") -> None:
        self.n += 1
        if self.n % self.every == 0:
            (a, symbol), (b, other) = self.markets
            await self.exchanges[a].place_order(OrderRequest.market(symbol, "buy", size=self.size))
            await self.exchanges[b].place_order(OrderRequest.market(other, "sell", size=self.size))


def test_a_sweep_over_several_markets_gives_the_same_table_as_each_trial_alone(tmp_path: Path) -> None:
    files = []
    for k, (venue, price) in enumerate((("kucoin", 60_000), ("binance", 60_020))):
        path = tmp_path / f"{venue}.csv"
        write_trades_csv(path, [
            Trade(id=f"{k}-{i}", symbol="BTC/USDT", price=D(price + 10 * (i % 5)), size=D(1), side=Side.BUY,
                  timestamp=1_700_000_000_000 + i * 1000 + k)
            for i in range(80)
        ])  # fmt: skip
        files.append(str(path))
    out = tmp_path / "sweep"
    code = main(["sweep", f"{__name__}:Spread", "--symbol", "kucoin:BTC/USDT", "--symbol", "binance:BTC/USDT",
                 "--data", files[0], "--data", files[1], "--param", "every=4,7", "--param", "size=0.01,0.02",
                 "--balance", "USDT=5000", "--balance", "binance:BTC=1", "--objective", "pnl",
                 "--executor", "local", "--quiet", "--out", str(out)])  # fmt: skip
    assert code == 0
    table = _rows(out / "results.csv")
    assert len(table) == 4
    setup = TrialSetup(
        strategy=f"{__name__}:Spread", symbol=("kucoin:BTC/USDT", "binance:BTC/USDT"), data=tuple(files),
        balances={"kucoin": {"USDT": D(5000)}, "binance": {"USDT": D(5000), "BTC": D(1)}},
    )  # fmt: skip
    for row in table:
        alone = _alone(setup, {"every": row["every"], "size": row["size"]})
        assert alone["fills"] > 0 and "net_pnl binance:BTC/USDT" in alone
        _same(row, alone)
    assert json.loads((out / "best" / "report.json").read_text())["venues"].keys() == {"kucoin", "binance"}


@needs(importlib.util.find_spec("optuna") is None, reason="Optuna is not installed (the sweep extra)")
def test_a_seeded_random_search_draws_the_same_table_twice(tmp_path: Path) -> None:
    data = _data(tmp_path, 200)

    def table(out: str, seed: str) -> list[dict[str, str]]:
        code = main(["sweep", EXAMPLE, "--data", str(data), "--param", "fast=2:9:1",
                     "--param", "slow=12:40:2", "--search", "random", "--trials", "5", "--executor", "local",
                     "--seed", seed, "--quiet", "--out", str(tmp_path / out)])  # fmt: skip
        assert code == 0
        return _rows(tmp_path / out / "results.csv")

    first = table("first", "7")
    assert len(first) == 5
    assert all(2 <= int(r["fast"]) <= 9 and int(r["slow"]) in range(12, 41, 2) for r in first)
    assert table("again", "7") == first
    drawn = [(r["fast"], r["slow"]) for r in first]
    assert [(r["fast"], r["slow"]) for r in table("other", "8")] != drawn, "the seed draws the parameters"
    assert drawn != [("2", str(slow)) for slow in range(12, 22, 2)], "drawn, not the grid's first five"
