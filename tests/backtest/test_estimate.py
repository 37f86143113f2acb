"""Before a long synthetic run, its time and memory, measured on a short one."""

from __future__ import annotations

import re
import subprocess
import sys
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


_MEASURE = """
import resource, sys
from simulator.cli import main
code = main(sys.argv[1:])
print(f"maxrss-kib {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}", file=sys.stderr)
sys.exit(code)
"""


@pytest.mark.skipif(sys.platform != "linux", reason="reads the resident set as Linux counts it (KiB)")
def test_the_memory_told_is_near_what_the_process_then_holds(tmp_path: Path) -> None:
    """The figure is the process's peak, the one a user sees in ``top``, not Python's heap
    alone (which was a fifth of it)."""
    args = ["backtest", EXAMPLE, "--data", "synthetic:1d", "--quiet", "--no-plot", "--out", str(tmp_path)]
    done = subprocess.run([sys.executable, "-c", _MEASURE, *args], capture_output=True, text=True, check=True)
    told = re.search(r"note: synthetic:1d: about .* and ([\d,]+) MiB", done.stderr)
    held = re.search(r"maxrss-kib (\d+)", done.stderr)
    assert told and held, done.stderr
    told_mib, held_mib = int(told.group(1).replace(",", "")), int(held.group(1)) / 1024
    assert 0.7 * held_mib <= told_mib <= 1.3 * held_mib, (
        f"told {told_mib} MiB, the process held {held_mib:.0f} MiB"
    )
