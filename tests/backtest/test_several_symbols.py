"""Several symbols in one run: one clock and one account, equity in one currency, PnL per
symbol, from Python and from the command line."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pytest

from exchanges import OrderRequest, Side, Trade
from simulator.backtest import Backtest, MarketData, Strategy, write_trades_csv
from simulator.backtest.valuation import Valuation
from simulator.cli import main

T0 = 1_700_000_000_000
EXAMPLES = Path(__file__).parents[2] / "examples"


def _print(symbol: str, i: int, price: str) -> Trade:
    return Trade(
        id=f"{symbol}{i}", symbol=symbol, price=D(price), size=D(50), side=Side.BUY, timestamp=T0 + i * 1000
    )


BTC = [_print("BTC/USDT", 0, "100"), _print("BTC/USDT", 2, "100"), _print("BTC/USDT", 4, "110")]
ETH = [_print("ETH/USDT", 1, "10"), _print("ETH/USDT", 3, "10"), _print("ETH/USDT", 5, "12")]


class BuyOneSellOther(Strategy):
    """Buys 1 BTC on its first BTC print and sells 5 ETH on its first ETH print."""

    def __init__(self, symbol: str | tuple[str, ...] = ("BTC/USDT", "ETH/USDT")) -> None:
        super().__init__(symbol)
        self.done: set[str] = set()

    async def on_trade(self, trade: Trade) -> None:
        if trade.symbol in self.done:
            return
        self.done.add(trade.symbol)
        side, size = ("buy", "1") if trade.symbol == "BTC/USDT" else ("sell", "5")
        await self.exchange.place_order(OrderRequest.market(trade.symbol, side, size=size))


async def test_pnl_per_symbol_and_equity_in_the_shared_quote() -> None:
    data = [MarketData("BTC/USDT", "trades", BTC), MarketData("ETH/USDT", "trades", ETH)]
    result = await Backtest(BuyOneSellOther(), data, balances={"USDT": D(1000), "ETH": D(10)}).run()
    report = result.report
    assert [(f.symbol, f.side, f.price) for f in result.fills] == [
        ("BTC/USDT", Side.BUY, D(100)),
        ("ETH/USDT", Side.SELL, D(10)),
    ]
    btc, eth = report.per_symbol
    assert (btc.symbol, btc.fees, btc.realized, btc.unrealized) == ("BTC/USDT", D("0.1"), D(0), D("9.9"))
    assert (eth.symbol, eth.fees, eth.realized, eth.unrealized) == ("ETH/USDT", D("0.05"), D(0), D("-10.05"))
    assert report.quote == "USDT"
    assert report.initial_equity == 1000 + 10 * 10
    # 1000 - 100.1 + 49.95 USDT, 1 BTC at 110, 5 ETH at 12
    assert report.final_equity == D("949.85") + 110 + 60
    assert report.fees_in_quote == D("0.15")
    assert report.unrealized_pnl == D("-0.15")
    body = json.loads(report.to_json())
    assert [row["symbol"] for row in body["per_symbol"]] == ["BTC/USDT", "ETH/USDT"]
    assert "ETH/USDT" in report.table() and "BTC/USDT" in report.table()


async def test_the_data_must_match_the_strategys_symbols() -> None:
    with pytest.raises(ValueError, match="the data is for BTC/USDT, the strategy trades BTC/USDT, ETH/USDT"):
        Backtest(BuyOneSellOther(), MarketData("BTC/USDT", "trades", BTC), balances={"USDT": D(1)})
    twice = [MarketData("BTC/USDT", "trades", BTC), MarketData("BTC/USDT", "trades", BTC)]
    with pytest.raises(ValueError, match="two data sources for BTC/USDT"):
        Backtest(BuyOneSellOther(), twice, balances={"USDT": D(1)})


def test_valuation_chains_pairs_to_the_shared_quote() -> None:
    valuation = Valuation(["ETH/BTC", "BTC/USDT"])
    assert valuation.currency == "BTC"  # (a tie: the first pair's quote)
    prices = {"ETH/BTC": D("0.05"), "BTC/USDT": D(60_000)}
    assert valuation.rate("USDT", prices) == 1 / D(60_000)
    usdt = Valuation(["ETH/BTC", "BTC/USDT", "ETH/USDT"])
    assert usdt.currency == "USDT"
    held = {"ETH": D(2), "BTC": D(1), "USDT": D(5)}
    assert usdt.total(held, {**prices, "ETH/USDT": D(3000)}) == 6000 + 60_000 + 5
    assert Valuation(["BTC/USDT", "ETH/EUR"]).unreachable == ["ETH", "EUR"]


def test_cli_runs_several_symbols_each_from_its_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    btc, eth = tmp_path / "btc.csv", tmp_path / "eth.csv"
    write_trades_csv(btc, BTC)
    write_trades_csv(eth, ETH)
    out = tmp_path / "out"
    args = ["backtest", f"{__name__}:BuyOneSellOther", "--symbol", "BTC/USDT", "--symbol", "ETH/USDT",
            "--data", str(btc), "--data", str(eth), "--balance", "USDT=1000", "--balance", "ETH=10",
            "--quiet", "--no-plot", "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    body = json.loads((out / "report.json").read_text())
    assert [row["symbol"] for row in body["per_symbol"]] == ["BTC/USDT", "ETH/USDT"]
    assert "PnL per symbol" in (out / "report.html").read_text()
    assert main([*args[:-2], "--out", str(tmp_path / "again")]) == 0
    assert (tmp_path / "again" / "report.json").read_text() == (out / "report.json").read_text()
    capsys.readouterr()
    at = args.index(str(eth))
    assert main(args[: at - 1] + args[at + 1 :]) == 2  # one --data short
    assert "1 --data for 2 --symbol" in capsys.readouterr().err


def test_the_triangle_example_trades_three_pairs_on_the_synthetic_market(tmp_path: Path) -> None:
    args = ["backtest", str(EXAMPLES / "triangle.py"), "--symbol", "ETH/BTC", "--symbol", "ETH/USDT",
            "--symbol", "BTC/USDT", "--data", "synthetic:2h", "--balance", "USDT=20000", "--balance", "ETH=5",
            "--balance", "BTC=0.3", "--quiet", "--no-plot", "--out", str(tmp_path)]  # fmt: skip
    assert main(args) == 0
    body = json.loads((tmp_path / "report.json").read_text())
    assert [row["symbol"] for row in body["per_symbol"]] == ["ETH/BTC", "ETH/USDT", "BTC/USDT"]
    assert all(row["fills"] > 0 for row in body["per_symbol"]), "it traded all three legs"
    fills = (tmp_path / "fills.csv").read_text().splitlines()
    assert len(fills) == body["fills"] + 1
    assert {line.rsplit(",", 1)[1] for line in fills[1:]} == {"ETH/BTC", "ETH/USDT", "BTC/USDT"}
