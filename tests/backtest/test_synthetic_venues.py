"""The synthetic market on several venues: each venue's own market (rules, fees, book), all
from the run's seed; linked, one price path quoted apart by each venue's own basis; from
Python and ``backtest`` (``sweep``: see test_venue_fees)."""

from __future__ import annotations

import json
import math
from decimal import Decimal as D
from itertools import pairwise
from pathlib import Path

import pytest

from exchanges import Candle, OrderRequest, Trade
from simulator.backtest import Backtest, BacktestResult, Strategy, SyntheticData
from simulator.cli import main

MARKETS = ("kucoin:BTC/USDT", "binance:BTC/USDT")
EXAMPLES = Path(__file__).parents[2] / "examples"
HOUR = 3_600_000


class Watch(Strategy):
    """Hears every venue's bars; buys ``size`` at market on each venue at the first bar."""

    def __init__(self, symbol: tuple[str, ...] = MARKETS, size: str = "0.01") -> None:
        super().__init__(symbol)
        self.size = size
        self.closes: dict[str, list[D]] = {"kucoin": [], "binance": []}

    async def on_candle(self, candle: Candle, venue: str = "") -> None:
        self.closes[venue].append(candle.close)
        if len(self.closes[venue]) == 1:
            await self.exchanges[venue].place_order(OrderRequest.market("BTC/USDT", "buy", size=self.size))


def _sources(hours: int, linked: bool = True) -> list[SyntheticData]:
    span = hours * HOUR
    return [SyntheticData(duration_ms=span, venue=venue, linked=linked) for venue in ("kucoin", "binance")]


async def _run(hours: int, linked: bool = True) -> tuple[Watch, BacktestResult]:
    strategy = Watch()
    result = await Backtest(
        strategy, _sources(hours, linked), balances={"USDT": D(10_000)}, seed=3,
        taker_fee_rate={"binance": D("0.002")},
    ).run()  # fmt: skip
    return strategy, result


def _widest_gap_bps(strategy: Watch) -> float:
    pairs = zip(strategy.closes["kucoin"], strategy.closes["binance"], strict=True)
    return max(abs(math.log(a / b)) for a, b in pairs) * 10_000


async def test_each_venue_runs_its_own_synthetic_market_with_its_rules_and_fees() -> None:
    strategy, result = await _run(2)
    kucoin, binance = strategy.closes["kucoin"], strategy.closes["binance"]
    assert len(kucoin) == len(binance) == 120
    assert all(close % D("0.1") == 0 for close in kucoin), "KuCoin's tick"
    assert any(close % D("0.1") for close in binance), "Binance's finer tick"
    fills = dict(zip(result.fill_venues, result.fills, strict=True))
    assert fills.keys() == {"kucoin", "binance"}
    assert (fills["kucoin"].fee_currency, fills["kucoin"].fee) == ("USDT", fills["kucoin"].funds * D("0.001"))
    # Binance charges its commission in the asset received, at the rate given for it
    assert (fills["binance"].fee_currency, fills["binance"].fee) == ("BTC", D("0.01") * D("0.002"))
    again = (await _run(2))[1]
    assert (again.report, again.fills) == (result.report, result.fills), "the same seed, the same run"


async def test_linked_venues_quote_one_path_apart_and_unlinked_ones_drift() -> None:
    linked, _ = await _run(4)
    gaps = [a != b for a, b in zip(linked.closes["kucoin"], linked.closes["binance"], strict=True)]
    assert sum(gaps) > len(gaps) // 2, "each venue has its own basis"
    assert _widest_gap_bps(linked) < 40
    apart, _ = await _run(4, linked=False)
    assert _widest_gap_bps(apart) > 3 * _widest_gap_bps(linked)


class Prints(Strategy):
    """Hears every venue's prints."""

    def __init__(self, symbol: tuple[str, ...] = MARKETS) -> None:
        super().__init__(symbol)
        self.times: dict[str, list[int]] = {"kucoin": [], "binance": []}

    async def on_trade(self, trade: Trade, venue: str = "") -> None:
        self.times[venue].append(trade.timestamp)


async def test_each_venues_market_is_tuned_as_its_dialect_serves_it() -> None:
    strategy = Prints()
    sources = [SyntheticData(duration_ms=HOUR // 6, venue=venue) for venue in ("kucoin", "binance")]
    await Backtest(strategy, sources, balances={"USDT": D(1)}).run()
    quiet = {venue: max(b - a for a, b in pairwise(times)) for venue, times in strategy.times.items()}
    assert quiet["binance"] <= 3_000, "Binance's: never three seconds without a trade"
    assert quiet["kucoin"] > 3_000


def test_the_cli_runs_the_spread_example_on_synthetic_venues(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    args = ["backtest", str(EXAMPLES / "spread.py"), "--symbol", MARKETS[0], "--symbol", MARKETS[1],
            "--data", "synthetic:1h", "--balance", "USDT=20000", "--balance", "BTC=0.5",
            "--param", "entry_bps=6", "--param", "exit_bps=1", "--quiet", "--no-plot",
            "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    body = json.loads((out / "report.json").read_text())
    traded = [(row["venue"], row["fills"] > 0) for row in body["per_symbol"]]
    assert traded == [("kucoin", True), ("binance", True)]
    assert main([*args[:-1], str(tmp_path / "again")]) == 0
    assert (tmp_path / "again" / "report.json").read_text() == (out / "report.json").read_text()


def test_the_estimate_of_a_long_run_measures_every_venue() -> None:
    from simulator.backtest.estimate import estimate_synthetic

    hour = SyntheticData(duration_ms=HOUR // 4)
    one = estimate_synthetic(hour, MARKETS[:1], {"USDT": D(10_000)})
    both = estimate_synthetic(hour, MARKETS, {"USDT": D(10_000)})
    assert both.per_bar > one.per_bar, "a second venue's bars"


def test_the_data_source_names_venues_that_walk_apart() -> None:
    from simulator.backtest import load_source

    assert load_source("synthetic:2h", "BTC/USDT", venue="binance") == SyntheticData(
        duration_ms=2 * HOUR, venue="binance"
    )
    assert load_source("synthetic:2h:apart", "BTC/USDT") == SyntheticData(duration_ms=2 * HOUR, linked=False)
    assert load_source("synthetic:apart", "BTC/USDT") == SyntheticData(linked=False)
    with pytest.raises(ValueError, match="synthetic:2h:1h: expected synthetic"):
        load_source("synthetic:2h:1h", "BTC/USDT")
