"""report.html in a real headless Chromium (the distribution's package): it loads from disk
with no console error, shows one trade marker per fill, and leaves a screenshot behind."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from simulator.backtest import write_candles_csv
from simulator.cli import main

from .test_replay import bar

EXAMPLE = str(Path(__file__).parents[2] / "examples" / "ma_crossover.py")
ARTIFACTS = Path(__file__).parents[2] / ".artifacts"
CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None)

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on this machine (apt-get install chromium; .ci/run installs it)"
)


def _chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    command = [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-extensions", "--disable-background-networking", "--disable-sync",
               "--disable-component-update", "--disable-default-apps", f"--user-data-dir={profile}",
               "--enable-logging=stderr", "--v=0", "--window-size=1280,1000", *args]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def _console_errors(stderr: str) -> list[str]:
    lines = stderr.splitlines()
    return [line for line in lines if "CONSOLE" in line and ("Uncaught" in line or "rror" in line)]


def test_the_html_report_renders_offline_with_a_marker_per_fill(tmp_path: Path) -> None:
    prices = [100 + (i % 40 if (i // 40) % 2 == 0 else 40 - i % 40) for i in range(400)]
    data = tmp_path / "bars.csv"
    write_candles_csv(data, [bar(i, str(p), str(p + 1), str(p - 1), f"{p}.5") for i, p in enumerate(prices)])
    out = tmp_path / "run"
    assert main(["backtest", EXAMPLE, "--data", str(data), "--param", "fast=5", "--param", "slow=15",
                 "--quiet", "--no-plot", "--out", str(out)]) == 0  # fmt: skip
    page = out / "report.html"
    text = page.read_text()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text), "nothing to fetch: it opens offline"
    fills = len((out / "fills.csv").read_text().splitlines()) - 1
    assert fills > 4

    dom = _chromium("--dump-dom", page.as_uri(), profile=tmp_path / "profile")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert _console_errors(dom.stderr) == []
    assert 'data-ready="1"' in dom.stdout, "the script ran to its end"
    markers = re.search(r'data-markers="(\d+)"', dom.stdout)
    assert markers is not None and int(markers.group(1)) == fills
    assert dom.stdout.count('class="trade-marker"') == fills
    assert "PnL per symbol" in dom.stdout and "BTC/USDT" in dom.stdout

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report-html.png"
    taken = _chromium(f"--screenshot={shot}", page.as_uri(), profile=tmp_path / "profile2")
    assert taken.returncode == 0, taken.stderr[-2000:]
    assert shot.read_bytes().startswith(b"\x89PNG")


def test_a_script_error_would_be_caught(tmp_path: Path) -> None:
    """The console check can fail: a page that throws is seen."""
    page = tmp_path / "broken.html"
    page.write_text("<html><body><script>undefinedFunction();</script></body></html>")
    run = _chromium("--dump-dom", page.as_uri(), profile=tmp_path / "profile")
    assert _console_errors(run.stderr), run.stderr[-2000:]
