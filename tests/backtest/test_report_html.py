"""report.html in a real headless Chromium (the distribution's package): it loads from disk
with no console error, shows one trade marker per fill, and leaves a screenshot behind."""

from __future__ import annotations

import re
import subprocess
from decimal import Decimal as D
from pathlib import Path

import pytest

from exchanges import OrderRequest, Side, Trade
from simulator.backtest import Strategy, write_candles_csv, write_trades_csv
from simulator.cli import main

from .chromium_cdp import CHROMIUM
from .test_replay import bar

EXAMPLE = str(Path(__file__).parents[2] / "examples" / "ma_crossover.py")
ARTIFACTS = Path(__file__).parents[2] / ".artifacts"

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


class TradeEach(Strategy):
    """On each market: buys at its 5th print, sells (a part) at its 15th, and so on."""

    def __init__(self, symbol: tuple[str, ...] = ()) -> None:
        super().__init__(symbol)
        self.count: dict[tuple[str, str], int] = {}

    async def on_trade(self, trade: Trade, venue: str = "") -> None:
        n = self.count[venue, trade.symbol] = self.count.get((venue, trade.symbol), 0) + 1
        if n % 10 == 5:
            # (by funds: a market buy by size would hold the whole quote balance until it fills)
            buy = n % 20 == 5
            request = OrderRequest.market(trade.symbol, "buy", funds="300") if buy else (
                OrderRequest.market(trade.symbol, "sell", size="0.001"))
            await self.exchanges[venue].place_order(request)


def test_every_market_has_its_price_panel_and_markers(tmp_path: Path) -> None:
    markets = [("kucoin", "BTC/USDT", 60_000), ("kucoin", "ETH/USDT", 3_000), ("binance", "BTC/USDT", 60_050)]
    args = ["backtest", f"{__name__}:TradeEach"]
    for k, (venue, symbol, price) in enumerate(markets):
        path = tmp_path / f"{k}.csv"
        write_trades_csv(path, [
            Trade(id=f"{k}-{i}", symbol=symbol, price=D(price + 5 * (i % 9)), size=D(1), side=Side.BUY,
                  timestamp=1_700_000_000_000 + i * 1000 + k)
            for i in range(60)
        ])  # fmt: skip
        args += ["--symbol", f"{venue}:{symbol}", "--data", str(path)]
    out = tmp_path / "run"
    assert main([*args, "--balance", "USDT=100000", "--balance", "BTC=1", "--balance", "ETH=10", "--quiet",
                 "--out", str(out)]) == 0  # fmt: skip
    fills = (out / "fills.csv").read_text().splitlines()[1:]
    per_market = [sum(1 for f in fills if f.endswith(f",{symbol},{venue}")) for venue, symbol, _ in markets]
    assert all(n >= 4 for n in per_market), per_market

    dom = _chromium("--dump-dom", (out / "report.html").as_uri(), profile=tmp_path / "profile")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert _console_errors(dom.stderr) == []
    assert 'data-ready="1"' in dom.stdout, "the script ran to its end"
    markers = re.search(r'data-markers="(\d+)"', dom.stdout)
    assert markers is not None and int(markers.group(1)) == len(fills)
    assert dom.stdout.count('class="trade-marker"') == len(fills)
    for (venue, symbol, _), n in zip(markets, per_market, strict=True):
        panel = re.search(rf'<svg[^>]*data-title="{venue}:{symbol}: price[^"]*"[^>]*>(.*?)</svg>', dom.stdout)
        assert panel is not None, f"a panel for {venue}:{symbol}"
        assert panel.group(1).count('class="trade-marker"') == n
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report-html-several.png"
    taken = _chromium(f"--screenshot={shot}", (out / "report.html").as_uri(), profile=tmp_path / "profile2")
    assert taken.returncode == 0, taken.stderr[-2000:]
