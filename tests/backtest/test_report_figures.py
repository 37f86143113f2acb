"""The printed table's period, gross / fees / net and buy-and-hold figures agree with
figures computed here from the data and the fills the run wrote, not from the report."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from decimal import Decimal as D
from pathlib import Path

import pytest

from exchanges import Candle, Interval, OrderRequest
from simulator.backtest import Strategy, write_candles_csv
from simulator.cli import main

T0 = 1_699_920_000_000  # 2023-11-14, midnight UTC
CLOSES = ["50010", "50100.5", "49900", "50500", "50750.1", "51000", "50800", "51234.5"]
FIRST_OPEN = D("50000")
STEP = D("0.000001")  # KuCoin's BTC-USDT quote increment: what USDT amounts are shown to


class RoundTrip(Strategy):
    """Buys 0.1 at market at the second bar, sells it back at the sixth."""

    def __init__(self, symbol: str = "BTC/USDT") -> None:
        super().__init__(symbol)
        self.bars = 0

    async def on_candle(self, candle: Candle) -> None:
        self.bars += 1
        if self.bars in (2, 6):
            side = "buy" if self.bars == 2 else "sell"
            await self.exchange.place_order(OrderRequest.market(self.symbol, side, size="0.1"))


def _bars(path: Path) -> None:
    opens = [FIRST_OPEN, *map(D, CLOSES[:-1])]
    write_candles_csv(path, [
        Candle(start=T0 + i * 60_000, open=o, high=max(o, D(c)) + 20, low=min(o, D(c)) - 20, close=D(c),
               volume=D(50), symbol="BTC/USDT", interval=Interval.M1)
        for i, (o, c) in enumerate(zip(opens, CLOSES, strict=True))
    ])  # fmt: skip


def _shown(value: D) -> str:
    return f"{value.quantize(STEP):,f}"


def test_the_tables_period_pnl_split_and_buy_and_hold_are_right(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, out = tmp_path / "bars.csv", tmp_path / "out"
    _bars(data)
    args = ["backtest", f"{__name__}:RoundTrip", "--data", str(data), "--balance", "USDT=10000", "--quiet",
            "--no-plot", "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    lines = [line.split("  ", 1) for line in capsys.readouterr().out.splitlines() if "  " in line]
    table = {key.strip(): value.strip() for key, value in lines}
    end = datetime.fromtimestamp((T0 + len(CLOSES) * 60_000) / 1000, tz=UTC)
    period = f"2023-11-14 .. {end:%Y-%m-%dT%H:%M:%S}Z"
    assert table["period (UTC)"] == period == "2023-11-14 .. 2023-11-14T00:08:00Z"

    with (out / "fills.csv").open() as fh:
        fills = list(csv.DictReader(fh))
    assert [f["side"] for f in fills] == ["buy", "sell"] and {f["fee_currency"] for f in fills} == {"USDT"}
    paid = sum((D(f["funds"]) for f in fills if f["side"] == "buy"), D(0))
    got = sum((D(f["funds"]) for f in fills if f["side"] == "sell"), D(0))
    fees = sum((D(f["fee"]) for f in fills), D(0))
    gross, net = got - paid, got - paid - fees
    assert fees > 0 and gross != 0
    assert table["PnL gross / fees / net"] == f"{_shown(gross)} / {_shown(fees)} / {_shown(net)} USDT"
    assert table["total PnL (marked)"] == f"{_shown(net)} USDT"
    assert table["final equity"] == f"{_shown(D(10_000) + net)} USDT"

    held = D(CLOSES[-1]) / FIRST_OPEN - 1  # the starting 10,000 USDT in BTC at the first price
    told = f"{held:+.4%} ({_shown(D(10_000) * held)} USDT)"
    assert table["buy and hold"] == told == "+2.4690% (246.900000 USDT)"
