"""Before a long synthetic run, its time and memory, measured on a short one."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from simulator.backtest import SyntheticData, estimate
from simulator.cli import main

EXAMPLE = str(Path(__file__).parents[2] / "examples" / "ma_crossover.py")


def test_the_estimate_scales_a_measured_short_run_to_the_whole() -> None:
    day = SyntheticData(duration_ms=86_400_000)
    guess = estimate.estimate_synthetic(day, ("BTC/USDT",), {"USDT": Decimal(10_000)})
    assert guess.rate > 0 and guess.seconds == pytest.approx(86_400 / guess.rate)
    assert 50 < guess.per_bar < 20_000, "a curve point and a one-minute bar, in bytes"
    assert guess.bytes > guess.per_bar * (1440 - 180), "the bars after the probe's come on top of its peak"
    two = estimate.estimate_synthetic(day, ("BTC/USDT", "ETH/USDT"), {"USDT": Decimal(10_000)})
    assert two.per_bar > guess.per_bar, "each symbol keeps its own bars"
    assert "about" in guess.describe("synthetic:1d")


def test_backtest_tells_the_estimate_before_a_long_synthetic_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = [EXAMPLE, "--quiet", "--no-plot", "--out", str(tmp_path)]
    assert main(["backtest", "--data", "synthetic:3h", *args]) == 0
    assert "note:" not in capsys.readouterr().err, "a short run starts at once"
    monkeypatch.setattr(estimate, "LONG_RUN_MS", 2 * 3_600_000)
    assert main(["backtest", "--data", "synthetic:3h", *args]) == 0
    err = capsys.readouterr().err
    assert "note: synthetic:3h: about" in err and "MiB" in err
