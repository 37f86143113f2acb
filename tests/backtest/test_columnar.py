"""The columnar cache: ``data convert`` to Parquet, and a replay from it that is the same,
byte for byte, as from the CSV it came from."""

from __future__ import annotations

import json
import os
from decimal import Decimal as D
from pathlib import Path

import pytest

from exchanges import Interval
from simulator.backtest import MarketData, load_source, write_candles_csv, write_trades_csv
from simulator.backtest.data import cache_path
from simulator.cli import main

from .test_replay import bar, trade

pytest.importorskip("pyarrow", reason="pyarrow is not installed (the parquet extra)")

from simulator.backtest.columnar import (
    CandleColumns,
    TradeColumns,
    read_candles_parquet,
    read_trades_parquet,
)

EXAMPLES = Path(__file__).parents[2] / "examples"


def _bars(n: int = 300) -> list:  # type: ignore[type-arg]
    prices = [100 + (i % 40 if (i // 40) % 2 == 0 else 40 - i % 40) for i in range(n)]
    return [bar(i, str(p), str(p + 1), str(p - 1), f"{p}.5") for i, p in enumerate(prices)]


def test_convert_then_replay_gives_the_same_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = tmp_path / "bars.csv"
    write_candles_csv(csv, _bars())
    assert main(["data", "convert", str(csv)]) == 0
    assert "300 candles" in capsys.readouterr().out
    parquet = tmp_path / "bars.parquet"
    columns = read_candles_parquet(parquet, "BTC/USDT", Interval.M1)
    assert isinstance(columns, CandleColumns)
    assert list(columns) == _bars(), "the same bars, numbers exactly as written"
    assert columns[-1] == _bars()[-1]
    reports = []
    for data in (csv, parquet):
        out = tmp_path / data.suffix[1:]
        args = ["backtest", str(EXAMPLES / "ma_crossover.py"), "--data", str(data), "--param", "fast=5",
                "--param", "slow=15", "--quiet", "--no-plot", "--out", str(out)]  # fmt: skip
        assert main(args) == 0
        reports.append((out / "report.json").read_text())
    assert json.loads(reports[0])["fills"] > 0
    assert reports[0] == reports[1]


def test_trades_convert_and_replay_alike(tmp_path: Path) -> None:
    prints = [trade(i, str(100 + i % 7), "0.5", "buy" if i % 2 else "sell") for i in range(200)]
    csv = tmp_path / "t.csv"
    write_trades_csv(csv, prints)
    assert main(["data", "convert", str(csv), "--out", str(tmp_path / "x" / "t.parquet")]) == 0
    columns = read_trades_parquet(tmp_path / "x" / "t.parquet", "BTC/USDT")
    assert isinstance(columns, TradeColumns)
    assert list(columns) == prints
    reports = []
    for data in (csv, tmp_path / "x" / "t.parquet"):
        out = tmp_path / ("o" + data.suffix)
        args = ["backtest", str(EXAMPLES / "market_maker.py"), "--data", str(data), "--balance", "USDT=5000",
                "--balance", "BTC=1", "--quiet", "--no-plot", "--out", str(out)]  # fmt: skip
        assert main(args) == 0
        reports.append((out / "report.json").read_text())
    assert reports[0] == reports[1]


def test_bad_rows_are_named_as_from_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bars = _bars(50)
    bars[30] = bar(30, "100.05", "101", "99", "100")  # off BTC-USDT's 0.1 tick
    csv = tmp_path / "b.csv"
    write_candles_csv(csv, bars)
    assert main(["data", "convert", str(csv)]) == 0
    errors = []
    for data in (csv, tmp_path / "b.parquet"):
        args = ["backtest", str(EXAMPLES / "ma_crossover.py"), "--data", str(data), "--quiet", "--no-plot",
                "--out", str(tmp_path / "o")]  # fmt: skip
        assert main(args) == 2
        errors.append(capsys.readouterr().err.splitlines()[-1])
    assert "event 31" in errors[0] and "100.05" in errors[0]
    assert errors[0] == errors[1]
    bars = _bars(50)
    bars[10] = bar(10, "100", "100.5", "99", "101")  # high below the close
    write_candles_csv(csv, bars)
    assert main(["data", "convert", str(csv)]) == 0
    args = ["backtest", str(EXAMPLES / "ma_crossover.py"), "--data", str(tmp_path / "b.parquet"), "--quiet",
            "--no-plot", "--out", str(tmp_path / "o")]  # fmt: skip
    assert main(args) == 2
    assert "do not contain its open and close" in capsys.readouterr().err


def test_the_cache_prefers_its_columnar_copy(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    csv = cache_path(cache, "BTC-USDT", Interval.M1)
    write_candles_csv(csv, _bars(100))
    assert main(["data", "convert", str(csv)]) == 0
    data = load_source("cache", "BTC/USDT", Interval.M1, cache=cache)
    assert isinstance(data, MarketData)
    assert isinstance(data.events, CandleColumns)
    os.utime(csv, (csv.stat().st_mtime + 10, csv.stat().st_mtime + 10))
    data = load_source("cache", "BTC/USDT", Interval.M1, cache=cache)
    assert isinstance(data, MarketData)
    assert isinstance(data.events, list)
    assert data.events[0].open == D(100)


def test_convert_refuses_a_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "x.csv"
    bad.write_text("a,b\n1,2\n")
    assert main(["data", "convert", str(bad)]) == 2
    assert "neither OHLCV nor trades" in capsys.readouterr().err
