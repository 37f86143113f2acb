"""The backtest against backtesting.py on its own GOOG daily data: the long-only SMA 10/20
crossover (cash 10,000, commission 0.2 % per side), run by each from the same file.

Both buy at the next bar's open with all the cash a whole number of shares takes, fee
included, and sell everything at the next open when the averages cross back. The
instrument is declared (tick 0.01, whole shares), and the file is GOOG as pandas exports it.
"""

from __future__ import annotations

import importlib.util
import warnings
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from exchanges import Interval, Side
from simulator.backtest import (
    Backtest,
    MarketData,
    instrument,
    load_strategy,
    make_strategy,
    read_candles_csv,
)
from simulator.backtest.data import NaiveTimes

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("backtesting") is None,
    reason="backtesting.py is not installed (pip install -e '.[test]' brings it)",
)

EXAMPLE = str(Path(__file__).parents[2] / "examples" / "ma_crossover.py")
DAY = Interval.D1.ms


def _theirs() -> tuple[Any, Any, Any]:
    from backtesting import Backtest as TheirBacktest
    from backtesting import Strategy as TheirStrategy
    from backtesting.lib import crossover
    from backtesting.test import GOOG, SMA

    class LongOnlySmaCross(TheirStrategy):  # type: ignore[misc]
        def init(self) -> None:
            self.fast = self.I(SMA, self.data.Close, 10)
            self.slow = self.I(SMA, self.data.Close, 20)

        def next(self) -> None:
            if crossover(self.fast, self.slow):
                self.buy()
            elif crossover(self.slow, self.fast):
                self.position.close()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (its note that the last trade is still open)
        stats = TheirBacktest(GOOG, LongOnlySmaCross, cash=10_000, commission=0.002).run()
    return GOOG, stats._trades, stats._equity_curve


async def test_the_sma_crossover_matches_backtesting_py_on_goog(tmp_path: Path) -> None:
    goog, trades, curve = _theirs()
    path = tmp_path / "GOOG.csv"
    goog.to_csv(path)
    with pytest.warns(NaiveTimes):
        bars = read_candles_csv(path, "GOOG/USD", Interval.D1)
    strategy = make_strategy(load_strategy(EXAMPLE), "GOOG/USD", {"fast": 10, "slow": 20, "allocation": "1"})
    result = await Backtest(
        strategy,
        MarketData("GOOG/USD", "candles", bars, Interval.D1),
        balances={"USD": Decimal(10_000)},
        symbols=[instrument("GOOG/USD", tick="0.01", lot="1")],
        maker_fee_rate=Decimal("0.002"),
        taker_fee_rate=Decimal("0.002"),
    ).run()

    # round trips: a buy and the sell that closes it (the last buy is still open, as theirs)
    fills = list(result.fills)
    assert [f.side for f in fills] == [Side.BUY, Side.SELL] * 46 + [Side.BUY]
    assert len(trades) == 46
    assert result.report.round_trips == 46
    closed = zip(fills[0::2], fills[1::2], strict=False)  # (the open buy at the end has no pair)
    for (buy, sell), (_, theirs) in zip(closed, trades.iterrows(), strict=True):
        # a fill is stamped when its bar closes, one day after the bar's date
        assert _day(buy.timestamp - DAY) == theirs.EntryTime.date().isoformat()
        assert _day(sell.timestamp - DAY) == theirs.ExitTime.date().isoformat()
        assert (float(buy.price), float(sell.price)) == (theirs.EntryPrice, theirs.ExitPrice)
        assert buy.size == sell.size == theirs.Size
        pnl = (sell.price - buy.price) * buy.size - buy.fee - sell.fee
        assert float(pnl) == pytest.approx(theirs.PnL, abs=1e-9)

    # equity at every bar's close
    ours = {p.timestamp: p.equity for p in result.report.equity_curve}
    assert len(curve) == len(bars)
    worst = 0.0
    for when, equity in zip(curve.index, curve.Equity, strict=True):
        at = int(when.tz_localize("UTC").timestamp() * 1000) + DAY
        worst = max(worst, abs(float(ours[at]) - equity))
    assert worst < 4e-11


def _day(ms: int) -> str:
    from exchanges import from_ms

    return from_ms(ms).date().isoformat()
