"""``--maker-fee`` and ``--taker-fee`` for one venue (``binance:0.004``) or every venue,
as ``--balance`` takes them, in ``backtest`` and ``sweep`` (the synthetic market on both
venues)."""

from __future__ import annotations

import csv
import json
from decimal import Decimal as D
from pathlib import Path

import pytest

from simulator.cli import main

# (Watch buys 0.01 BTC at market on each venue at its first bar)
WATCH = "tests.backtest.test_synthetic_venues:Watch"
VENUES = ["--symbol", "kucoin:BTC/USDT", "--symbol", "binance:BTC/USDT", "--data", "synthetic:10m",
          "--balance", "USDT=10000", "--quiet"]  # fmt: skip


def _fees(path: Path) -> dict[str, tuple[D, str, D]]:
    """Each venue's (fee, fee currency, funds) of its one fill."""
    with path.open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 2
    return {row["venue"]: (D(row["fee"]), row["fee_currency"], D(row["funds"])) for row in rows}


def _taken_at(fees: dict[str, tuple[D, str, D]], kucoin: str, binance: str) -> None:
    fee, currency, funds = fees["kucoin"]
    assert (fee, currency) == (funds * D(kucoin), "USDT")
    assert fees["binance"][:2] == (D("0.01") * D(binance), "BTC"), "in the asset received"


def test_backtest_takes_a_fee_rate_per_venue(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    args = ["backtest", WATCH, *VENUES, "--no-plot", "--out", str(out)]
    assert main([*args, "--taker-fee", "binance:0.004"]) == 0
    _taken_at(_fees(out / "fills.csv"), "0.001", "0.004")  # (KuCoin keeps its default)
    assert main([*args, "--taker-fee", "0.002", "--taker-fee", "BINANCE:0.004"]) == 0
    _taken_at(_fees(out / "fills.csv"), "0.002", "0.004")
    assert main([*args, "--taker-fee", "0.003"]) == 0
    _taken_at(_fees(out / "fills.csv"), "0.003", "0.003")
    capsys.readouterr()
    assert main([*args, "--maker-fee", "okx:0.001"]) == 2
    assert "--maker-fee for okx: the run trades on kucoin, binance" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([*args, "--maker-fee", "binance:1.5"])
    assert "'binance:1.5': a fee rate is a fraction" in capsys.readouterr().err


def test_sweep_takes_a_fee_rate_per_venue(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    code = main(["sweep", WATCH, *VENUES, "--taker-fee", "binance:0.004", "--maker-fee", "binance:0",
                 "--param", "size=0.01", "--executor", "local", "--out", str(out)])  # fmt: skip
    assert code == 0
    _taken_at(_fees(out / "best" / "fills.csv"), "0.001", "0.004")
    assert json.loads((out / "best" / "report.json").read_text())["venues"].keys() == {"kucoin", "binance"}
