"""KuCoin JSON turned into Parquet by ``python -m simulator data convert`` replays to the
same report, fills and log as the JSON itself: klines and trade history alike."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exchanges import OrderRequest, Trade
from simulator.backtest import Strategy
from simulator.cli import main

T0_S = 1_700_000_040  # (a minute boundary)
EXAMPLE = str(Path(__file__).parents[2] / "examples" / "ma_crossover.py")


def _zigzag(i: int) -> int:
    return 60_000 + 40 * (i % 12 if (i // 12) % 2 == 0 else 12 - i % 12) + 7 * (i % 5)


def _klines(path: Path, n: int = 120) -> None:
    """A saved ``/api/v1/market/candles`` response: the envelope, newest row first."""
    rows = []
    for i in range(n):
        o, c = _zigzag(i), _zigzag(i + 1)
        high, low = max(o, c) + 15, min(o, c) - 15
        rows.append([str(T0_S + 60 * i), str(o), str(c), str(high), str(low), "1.5", "90000"])
    path.write_text(json.dumps({"code": "200000", "data": rows[::-1]}))


def _histories(path: Path, n: int = 200) -> None:
    """A saved ``/api/v1/market/histories`` response: the bare ``data`` list, times in ns."""
    rows = [
        {"sequence": str(1_000 + i), "price": f"{_zigzag(i)}.5", "size": "0.01",
         "side": "buy" if i % 3 else "sell", "time": (T0_S * 1000 + 1_500 * i) * 1_000_000}
        for i in range(n)
    ]  # fmt: skip
    path.write_text(json.dumps(rows))


class EveryTenth(Strategy):
    """Buys 0.01 at market at every tenth print, sells it back at the fifth after."""

    def __init__(self, symbol: str = "BTC/USDT") -> None:
        super().__init__(symbol)
        self.n = 0

    async def on_trade(self, trade: Trade) -> None:
        self.n += 1
        side = "buy" if self.n % 10 == 0 else "sell" if self.n % 10 == 5 and self.n > 10 else None
        if side is not None:
            await self.exchange.place_order(OrderRequest.market(self.symbol, side, size="0.01"))
            self.log(f"{side} at print {self.n}")


def _outputs(tmp_path: Path, name: str, strategy: str, data: Path, *extra: str) -> dict[str, str]:
    out = tmp_path / name
    args = ["backtest", strategy, "--data", str(data), *extra, "--quiet", "--no-plot", "--out", str(out)]
    assert main(args) == 0
    return {file: (out / file).read_text() for file in ("report.json", "report.txt", "fills.csv", "log.txt")}


@pytest.mark.parametrize("kind", ["klines", "histories"])
def test_the_parquet_made_from_kucoin_json_replays_to_the_same_report(
    tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / f"{kind}.json"
    extra: tuple[str, ...] = ()
    if kind == "klines":
        _klines(source)
        strategy, extra = EXAMPLE, ("--param", "fast=3", "--param", "slow=8")
    else:
        _histories(source)
        strategy = f"{__name__}:EveryTenth"
    columnar = tmp_path / f"{kind}.parquet"
    assert main(["data", "convert", str(source), "--out", str(columnar), "--symbol", "BTC/USDT"]) == 0
    told = "120 candles" if kind == "klines" else "200 trades"
    assert f"{source} -> {columnar}: {told}" in capsys.readouterr().out
    from_json = _outputs(tmp_path, "json", strategy, source, *extra)
    from_parquet = _outputs(tmp_path, "parquet", strategy, columnar, *extra)
    assert json.loads(from_json["report.json"])["fills"] >= 4, "a run that trades"
    assert from_parquet == from_json
