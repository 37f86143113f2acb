"""``--min-size`` and ``--min-funds`` of a declared instrument take effect: an order below
them is refused with the venue's code and words, one above them is placed."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

from exchanges import Candle, ExchangeError, Interval, OrderRequest
from simulator.backtest import Strategy, write_candles_csv
from simulator.cli import main

T0 = 1_699_920_000_000


class Probe(Strategy):
    """At the first bar, a limit buy of ``small`` and of ``large`` at the close; logs what
    became of each."""

    def __init__(self, symbol: str = "XYZ/USDT", small: str = "0.005", large: str = "0.02") -> None:
        super().__init__(symbol)
        self.sizes = (small, large)

    async def on_candle(self, candle: Candle) -> None:
        if candle.start != T0:
            return
        for size in self.sizes:
            try:
                request = OrderRequest.limit(self.symbol, "buy", price=candle.close, size=size)
                await self.exchange.place_order(request)
            except ExchangeError as err:
                self.log(f"refused {size}: {type(err).__name__} {err.code} {err.message}")
            else:
                self.log(f"placed {size}")


@pytest.fixture
def bars(tmp_path: Path) -> Path:
    path = tmp_path / "bars.csv"
    write_candles_csv(path, [
        Candle(start=T0 + i * 60_000, open=D(100), high=D(101), low=D(99), close=D(100), volume=D(10),
               symbol="XYZ/USDT", interval=Interval.M1)
        for i in range(3)
    ])  # fmt: skip
    return path


def _log(tmp_path: Path, bars: Path, *rules: str) -> list[str]:
    out = tmp_path / "out"
    args = ["backtest", f"{__name__}:Probe", "--symbol", "XYZ/USDT", "--tick", "0.1", "--lot", "0.001",
            *rules, "--data", str(bars), "--balance", "USDT=1000", "--quiet", "--no-plot",
            "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    return (out / "log.txt").read_text().splitlines()


def test_without_minimums_a_lot_is_enough(tmp_path: Path, bars: Path) -> None:
    assert _log(tmp_path, bars) == ["placed 0.005", "placed 0.02"]


def test_an_order_below_the_minimum_size_is_refused_with_the_venues_error(
    tmp_path: Path, bars: Path
) -> None:
    assert _log(tmp_path, bars, "--min-size", "0.01") == [
        "refused 0.005: BelowMinimumSize 400100 Order size below the minimum requirement.",
        "placed 0.02",
    ]


def test_an_order_below_the_minimum_funds_is_refused_with_the_venues_error(
    tmp_path: Path, bars: Path
) -> None:
    assert _log(tmp_path, bars, "--min-funds", "1.5") == [
        "refused 0.005: BelowMinimumFunds 400100 The order funds should more then 1.5 USDT.",
        "placed 0.02",
    ]
