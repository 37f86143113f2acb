"""report.html used as a user would, in a real headless Chromium driven through the DevTools
Protocol: hovering a fill's marker names its order, the wheel zooms on the time axis and a drag
pans it (the markers shown follow), reset and double-click restore the whole run; no script error
and no request leaving file:// along the way. One Chromium serves the whole module."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

from exchanges import Side, Trade
from simulator.backtest import write_candles_csv, write_trades_csv
from simulator.cli import main

from .chromium_cdp import CHROMIUM, Browser, Page, launch
from .test_replay import bar
from .test_report_html import EXAMPLE, TradeEach

ARTIFACTS = Path(__file__).parents[2] / ".artifacts"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on this machine (apt-get install chromium; .ci/run installs it)"
)

#: A marker's centre, its fill's index in fills.csv, and the title of the panel that holds it.
_MARKERS = """[...document.querySelectorAll(".trade-marker")].map(m => {
  const r = m.getBoundingClientRect(), fill = m.dataset.fill;
  return {x: r.left + r.width / 2, y: r.top + r.height / 2, fill: fill === undefined ? null : +fill,
          color: m.getAttribute("fill"), panel: m.ownerSVGElement.dataset.title};
})"""
#: The first price panel's plot area (its time axis) in the viewport.
_PLOT = """(() => {
  const svg = document.querySelector("svg.chart"), axis = svg.querySelector("line.axis");
  const r = svg.getBoundingClientRect();
  return {left: r.left + +axis.getAttribute("x1"), right: r.left + +axis.getAttribute("x2"),
          y: r.top + r.height / 2};
})()"""

#: The tooltip: whether it shows, its text, and its box in the viewport.
_TIP = """(() => {
  const tip = document.getElementById("tip"), r = tip.getBoundingClientRect();
  return {shown: getComputedStyle(tip).display !== "none", text: tip.textContent,
          box: [r.left, r.top, r.right, r.bottom]};
})()"""
#: The part of the window not under a scroll bar.
_CLEAR = "[document.documentElement.clientWidth, document.documentElement.clientHeight]"

#: The first panel's time-axis labels.
_TICKS = r"""[...document.querySelector("svg.chart").querySelectorAll("text.label")]
  .map(t => t.textContent).filter(s => /^(\d{4}-|\d\d:)/.test(s))"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    with launch(tmp_path_factory.mktemp("chromium")) as running:
        yield running


def _one_market(out: Path) -> None:
    prices = [100 + (i % 40 if (i // 40) % 2 == 0 else 40 - i % 40) for i in range(400)]
    data = out.parent / "bars.csv"
    write_candles_csv(data, [bar(i, str(p), str(p + 1), str(p - 1), f"{p}.5") for i, p in enumerate(prices)])
    assert main(["backtest", EXAMPLE, "--data", str(data), "--param", "fast=5", "--param", "slow=15",
                 "--quiet", "--no-plot", "--out", str(out)]) == 0  # fmt: skip


def _three_markets(out: Path) -> None:
    args = ["backtest", f"{TradeEach.__module__}:TradeEach"]
    for k, (venue, symbol, price) in enumerate(
        [("kucoin", "BTC/USDT", 60_000), ("kucoin", "ETH/USDT", 3_000), ("binance", "BTC/USDT", 60_050)]
    ):
        path = out.parent / f"{k}.csv"
        write_trades_csv(path, [
            Trade(id=f"{k}-{i}", symbol=symbol, price=D(price + 5 * (i % 9)), size=D(1), side=Side.BUY,
                  timestamp=1_700_000_000_000 + i * 1000 + k)
            for i in range(60)
        ])  # fmt: skip
        args += ["--symbol", f"{venue}:{symbol}", "--data", str(path)]
    assert main([*args, "--balance", "USDT=100000", "--balance", "BTC=1", "--balance", "ETH=10", "--quiet",
                 "--no-plot", "--out", str(out)]) == 0  # fmt: skip


@pytest.fixture(scope="module", params=["one-market", "three-markets"])
def run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp(request.param) / "run"
    (_one_market if request.param == "one-market" else _three_markets)(out)
    return out


def _fills(run: Path) -> list[dict[str, str]]:
    with (run / "fills.csv").open(newline="") as fh:
        return list(csv.DictReader(fh))


def _opened(page: Page, run: Path) -> None:
    page.navigate((run / "report.html").as_uri())
    assert page.evaluate("document.body.dataset.ready") == "1", "the script ran to its end"


def _view(page: Page) -> tuple[float, float]:
    shown = page.evaluate("document.body.dataset.view")
    assert shown, "the page names the time range it shows (data-view)"
    low, high = map(float, shown.split())
    return low, high


def _shown(page: Page) -> list[dict[str, Any]]:
    markers: list[dict[str, Any]] = page.evaluate(_MARKERS)
    assert all(m["fill"] is not None for m in markers), "each marker names its fill (data-fill)"
    assert int(page.evaluate("document.body.dataset.markers")) == len(markers)
    return markers


def _expected(fills: list[dict[str, str]], view: tuple[float, float]) -> list[int]:
    return [i for i, f in enumerate(fills) if view[0] <= int(f["timestamp_ms"]) <= view[1]]


def _clean(page: Page) -> None:
    assert page.errors() == []
    assert [url for url in page.requests() if not url.startswith("file://")] == [], "it works offline"


def test_hovering_a_marker_shows_its_fill_and_order(browser: Browser, run: Path) -> None:
    fills = _fills(run)
    with browser.page() as page:
        _opened(page, run)
        markers = _shown(page)
        assert sorted(m["fill"] for m in markers) == list(range(len(fills))), "one marker per fill"
        width, height = page.evaluate(_CLEAR)
        for marker in markers:
            fill = fills[marker["fill"]]
            if "venue" in fill:  # (one market's panel is simply "price")
                assert marker["panel"].startswith(f"{fill['venue']}:{fill['symbol']}: price"), "its market's"
            assert marker["color"] == ("#1a7f37" if fill["side"] == "buy" else "#cf222e")
            page.mouse("mouseMoved", marker["x"], marker["y"])
            tip = page.evaluate(_TIP)
            assert tip["shown"], fill
            lines = tip["text"].splitlines()
            assert f"{fill['side']} {fill['size']} @ {fill['price']} ({fill['liquidity']})" in lines, tip
            assert f"order {fill['order_id']}" in lines, tip
            left, top, right, bottom = tip["box"]
            assert left >= 0 and right <= width and top >= 0 and bottom <= height, "the tooltip is on screen"
        for panel in {m["panel"] for m in markers}:
            mine = [m for m in markers if m["panel"] == panel]
            times = [int(fills[m["fill"]]["timestamp_ms"]) for m in sorted(mine, key=lambda m: m["x"])]
            assert times == sorted(times), "left to right in time"

        middle = markers[len(markers) // 2]
        page.mouse("mouseMoved", middle["x"], middle["y"])
        assert f"order {fills[middle['fill']]['order_id']}" in page.evaluate(_TIP)["text"]
        shot = page.screenshot(ARTIFACTS / f"report-html-hover-{run.parent.name.rstrip('0123456789')}.png")
        assert shot.read_bytes().startswith(b"\x89PNG")
        page.mouse("mouseMoved", 1, 1)
        assert page.evaluate('getComputedStyle(document.getElementById("tip")).display') == "none"
        _clean(page)


def test_the_wheel_zooms_a_drag_pans_and_reset_restores(browser: Browser, run: Path) -> None:
    fills = _fills(run)
    with browser.page() as page:
        _opened(page, run)
        whole = _view(page)
        assert len(_shown(page)) == len(fills)
        plot: dict[str, float] = page.evaluate(_PLOT)
        x = plot["left"] + (plot["right"] - plot["left"]) * 0.55

        def time_at(view: tuple[float, float], at: float) -> float:
            return view[0] + (at - plot["left"]) / (plot["right"] - plot["left"]) * (view[1] - view[0])

        def shows_what_it_should(view: tuple[float, float]) -> list[int]:
            markers = _shown(page)
            assert sorted(m["fill"] for m in markers) == _expected(fills, view)
            for m in markers:
                assert plot["left"] - 0.5 <= m["x"] <= plot["right"] + 0.5, "inside the plot"
            ticks = page.evaluate(_TICKS)
            assert len(ticks) == 5 and len(set(ticks)) == 5, f"the time axis tells its ticks apart: {ticks}"
            return [m["fill"] for m in markers]

        view = whole
        for _ in range(4):
            page.mouse("mouseWheel", x, plot["y"], deltaX=0, deltaY=-120)
            zoomed = _view(page)
            assert zoomed[1] - zoomed[0] < view[1] - view[0], "the wheel narrows the time range"
            assert time_at(zoomed, x) == pytest.approx(time_at(view, x)), "around the time under the cursor"
            view = zoomed
            shows_what_it_should(view)
        inside = shows_what_it_should(view)
        assert 0 < len(inside) < len(fills), "zoomed in, some fills are out of view"

        to = x + (plot["right"] - plot["left"]) * 0.4
        page.mouse("mousePressed", x, plot["y"], button="left", clickCount=1)
        page.mouse("mouseMoved", to, plot["y"], button="left", buttons=1)
        page.mouse("mouseReleased", to, plot["y"], button="left", clickCount=1)
        panned = _view(page)
        assert panned[1] - panned[0] == pytest.approx(view[1] - view[0]), "a drag keeps the zoom"
        assert panned[0] < view[0], "dragging right shows earlier times"
        assert shows_what_it_should(panned) != inside

        button = page.evaluate("""(() => { const r = document.getElementById("reset").getBoundingClientRect();
            return [r.left + r.width / 2, r.top + r.height / 2]; })()""")  # fmt: skip
        page.click(*button)
        assert _view(page) == whole
        assert len(shows_what_it_should(whole)) == len(fills)

        page.mouse("mouseWheel", x, plot["y"], deltaX=0, deltaY=-120)
        assert _view(page) != whole
        for count in (1, 2):
            page.mouse("mousePressed", x, plot["y"], button="left", clickCount=count)
            page.mouse("mouseReleased", x, plot["y"], button="left", clickCount=count)
        assert _view(page) == whole, "a double click restores the whole run"
        for _ in range(3):
            page.mouse("mouseWheel", x, plot["y"], deltaX=0, deltaY=120)
        assert _view(page) == whole, "zooming out stops at the whole run"
        assert len(shows_what_it_should(whole)) == len(fills)
        _clean(page)


def test_the_checks_see_a_script_error_and_a_request_off_machine(browser: Browser, tmp_path: Path) -> None:
    """The console and offline checks can fail: a page that throws, logs an error and fetches is seen."""
    page_file = tmp_path / "broken.html"
    page_file.write_text(
        '<html><body><img src="http://127.0.0.1:9/x.png">'
        '<script>console.error("seen"); undefinedFunction();</script></body></html>'
    )
    with browser.page() as page:
        page.navigate(page_file.as_uri())
        errors = page.errors()
        assert any("undefinedFunction" in e for e in errors), errors
        assert any("seen" in e for e in errors), errors
        assert "http://127.0.0.1:9/x.png" in page.requests()
        with pytest.raises(AssertionError):
            _clean(page)
