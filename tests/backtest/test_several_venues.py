"""Several venues in one backtest: one clock, one account per venue (own balances, fee
rates and rulebook), events of all venues merged in time order, PnL per venue and symbol
totalled in the shared quote currency; from Python and from the command line."""

from __future__ import annotations

import json
import re
from decimal import Decimal as D
from pathlib import Path

import pytest

from exchanges import Fill, OrderRequest, Side, Trade
from simulator.backtest import (
    Backtest,
    MarketData,
    SetupError,
    Strategy,
    plot_report,
    write_result,
    write_trades_csv,
)
from simulator.backtest.plot import price_panels
from simulator.cli import main

T0 = 1_700_000_000_000
EXAMPLES = Path(__file__).parents[2] / "examples"
MARKETS = ("kucoin:BTC/USDT", "binance:BTC/USDT")


def _print(venue: str, i: int, price: str, at: int | None = None) -> Trade:
    return Trade(id=f"{venue}{i}", symbol="BTC/USDT", price=D(price), size=D(5), side=Side.BUY,
                 timestamp=T0 + (i if at is None else at) * 1000)  # fmt: skip


KUCOIN = [_print("k", 0, "100"), _print("k", 2, "100"), _print("k", 4, "104")]
BINANCE = [_print("b", 0, "110"), _print("b", 3, "110"), _print("b", 5, "106")]


def _data(kucoin: list[Trade] = KUCOIN, binance: list[Trade] = BINANCE) -> list[MarketData]:
    return [
        MarketData("BTC/USDT", "trades", kucoin),
        MarketData("BTC/USDT", "trades", binance, venue="binance"),
    ]


class BuyCheapSellRich(Strategy):
    """Once both venues have printed: buys 1 on KuCoin, sells 1 on Binance; hears everything
    with its venue."""

    def __init__(self, symbol: tuple[str, ...] = MARKETS) -> None:
        super().__init__(symbol)
        self.heard: list[tuple[str, str, int]] = []
        self.fills: list[tuple[str, Side]] = []

    async def on_trade(self, trade: Trade, venue: str = "") -> None:
        self.heard.append((venue, trade.id, await self.exchanges[venue].server_time()))
        if len(self.heard) == 2:
            await self.exchanges["kucoin"].place_order(OrderRequest.market("BTC/USDT", "buy", size="1"))
            await self.exchanges["binance"].place_order(OrderRequest.market("BTC/USDT", "sell", size="1"))

    async def on_fill(self, fill: Fill, venue: str = "") -> None:
        self.fills.append((venue, fill.side))


async def test_each_venue_trades_on_its_own_account_and_fees() -> None:
    strategy = BuyCheapSellRich()
    balances = {"kucoin": {"USDT": D(1000)}, "binance": {"BTC": D(2)}}
    result = await Backtest(strategy, _data(), balances=balances,
                            taker_fee_rate={"binance": D("0.002")}).run()  # fmt: skip
    # merged in time order; a tie goes to the earlier market (kucoin first)
    assert [h[:2] for h in strategy.heard] == [
        ("kucoin", "k0"), ("binance", "b0"), ("kucoin", "k2"), ("binance", "b3"), ("kucoin", "k4"),
        ("binance", "b5"),
    ]
    assert [h[2] for h in strategy.heard] == [T0, T0, T0 + 2000, T0 + 3000, T0 + 4000, T0 + 5000], "one clock"
    assert strategy.exchange is strategy.exchanges["kucoin"]
    assert strategy.fills == [("kucoin", Side.BUY), ("binance", Side.SELL)]
    assert result.fill_venues == ("kucoin", "binance")
    kucoin_fill, binance_fill = result.fills
    assert (kucoin_fill.price, kucoin_fill.fee, kucoin_fill.fee_currency) == (D(100), D("0.1"), "USDT")
    # Binance's rulebook and rate: commission in the asset received, 0.2 %
    assert (binance_fill.price, binance_fill.fee, binance_fill.fee_currency) == (D(110), D("0.22"), "USDT")
    report = result.report
    assert report.venue_balances == {
        "kucoin": ({"USDT": D(1000)}, {"USDT": D("899.9"), "BTC": D(1)}),
        "binance": ({"BTC": D(2)}, {"BTC": D(1), "USDT": D("109.78")}),
    }
    assert report.final_balances == {"USDT": D("1009.68"), "BTC": D(2)}
    assert report.quote == "USDT"
    assert report.symbols == MARKETS
    kucoin, binance = report.per_symbol
    assert (kucoin.venue, kucoin.unrealized, kucoin.fees) == ("kucoin", D("3.9"), D("0.1"))
    assert (binance.venue, binance.unrealized, binance.fees) == ("binance", D("3.78"), D("0.22"))
    # each venue's holdings at its own last price: 899.9 + 104 on KuCoin, 109.78 + 106 on Binance
    assert report.initial_equity == 1000 + 2 * 110
    assert report.final_equity == D("899.9") + 104 + D("109.78") + 106
    assert report.fees_in_quote == D("0.32")
    assert report.exposure == 0.6, "long on KuCoin from 2 s, short on Binance from 3 s, of 5 s: each held"
    body = json.loads(report.to_json())
    assert [(row["venue"], row["symbol"]) for row in body["per_symbol"]] == [
        ("kucoin", "BTC/USDT"), ("binance", "BTC/USDT"),
    ]
    assert body["venues"]["binance"]["final_balances"] == {"BTC": "1", "USDT": "109.78"}
    assert "kucoin:BTC/USDT" in report.table() and "on binance" in report.table()
    # the rows add up: Binance's two starting BTC lost 4 each (110 -> 106), which neither the
    # realised nor the unrealised PnL of the rows counts
    assert (report.realized_pnl, report.unrealized_pnl, report.total_pnl) == (D(0), D("7.68"), D("-0.32"))
    revalued = re.search(r"starting holdings, revalued +(-?[\d,.]+) USDT", report.table())
    assert revalued is not None and D(revalued.group(1)) == -8


async def test_the_same_run_gives_the_same_report() -> None:
    balances = {"USDT": D(1000), "BTC": D(1)}  # (each venue funded alike)
    first = await Backtest(BuyCheapSellRich(), _data(), balances=balances).run()
    again = await Backtest(BuyCheapSellRich(), _data(), balances=balances).run()
    assert first.report.to_json() == again.report.to_json()
    assert first.report.venue_balances["binance"][0] == {"USDT": D(1000), "BTC": D(1)}


async def test_a_venue_that_cannot_be_valued_in_the_shared_currency_is_refused() -> None:
    """Binance trades ETH/BTC alone: nothing there prices BTC in USDT, the run's currency."""
    cross = [Trade(id="e", symbol="ETH/BTC", price=D("0.05"), size=D(1), side=Side.BUY, timestamp=T0)]
    data = [MarketData("BTC/USDT", "trades", KUCOIN), MarketData("ETH/BTC", "trades", cross, venue="binance")]
    with pytest.raises(SetupError, match=r"on binance link no path from BTC, ETH to USDT.*share no quote"):
        await Backtest(Strategy(("kucoin:BTC/USDT", "binance:ETH/BTC")), data, balances={"BTC": D(1)}).run()


async def test_the_data_must_match_the_markets() -> None:
    wanted = "the data is for kucoin:BTC/USDT, the strategy trades kucoin:BTC/USDT, binance:BTC/USDT"
    with pytest.raises(ValueError, match=wanted):
        Backtest(BuyCheapSellRich(), _data()[0], balances={"USDT": D(1)})
    data = [_data()[0], MarketData("BTC/USDT", "trades", BINANCE, venue="okx")]
    with pytest.raises(SetupError, match="no paper venue 'okx'"):
        await Backtest(Strategy(("BTC/USDT", "okx:BTC/USDT")), data, balances={"USDT": D(1)}).run()
    with pytest.raises(ValueError, match="balances for okx: the run trades on kucoin, binance"):
        Backtest(BuyCheapSellRich(), _data(), balances={"okx": {"USDT": D(1)}})


def test_cli_takes_venue_prefixed_symbols_and_runs_the_spread_example(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kucoin, binance = tmp_path / "kucoin.csv", tmp_path / "binance.csv"
    # the same walk on both, Binance 30 bps over KuCoin every other minute
    walk = [D(60_000) + 10 * (i % 7) for i in range(40)]
    write_trades_csv(kucoin, [_print("k", i, str(p), at=60 * i) for i, p in enumerate(walk)])
    write_trades_csv(binance, [_print("b", i, str(p * (D("1.003") if i % 2 else 1)), at=60 * i + 1)
                               for i, p in enumerate(walk)])  # fmt: skip
    out = tmp_path / "out"
    args = ["backtest", str(EXAMPLES / "spread.py"), "--symbol", "kucoin:BTC/USDT", "--symbol",
            "binance:BTC/USDT", "--data", str(kucoin), "--data", str(binance), "--balance", "USDT=20000",
            "--balance", "BTC=0.5", "--quiet", "--no-plot", "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    body = json.loads((out / "report.json").read_text())
    rows = body["per_symbol"]
    assert [(row["venue"], row["symbol"]) for row in rows] == [
        ("kucoin", "BTC/USDT"), ("binance", "BTC/USDT"),
    ]
    # bought on one, sold on the other, each time (but the last: no print after it to fill on)
    assert rows[0]["fills"] == rows[1]["fills"] == 19
    assert D(body["total_pnl"]) > 0, "the gap is worth more than both venues' fees"
    fills = (out / "fills.csv").read_text().splitlines()
    assert fills[0].endswith(",venue")
    assert {line.rsplit(",", 1)[1] for line in fills[1:]} == {"kucoin", "binance"}
    assert "binance:BTC/USDT" in capsys.readouterr().out


def test_cli_funds_venues_apart_and_refuses_the_cache_for_another_venue(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kucoin, binance = tmp_path / "kucoin.csv", tmp_path / "binance.csv"
    write_trades_csv(kucoin, KUCOIN)
    write_trades_csv(binance, BINANCE)
    out = tmp_path / "out"
    args = ["backtest", f"{__name__}:BuyCheapSellRich", "--symbol", "kucoin:BTC/USDT", "--symbol",
            "binance:BTC/USDT", "--data", str(kucoin), "--data", str(binance), "--balance", "USDT=1000",
            "--balance", "binance:BTC=2", "--quiet", "--no-plot", "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    venues = json.loads((out / "report.json").read_text())["venues"]
    assert venues["kucoin"]["initial_balances"] == {"USDT": "1000"}
    assert venues["binance"]["initial_balances"] == {"BTC": "2", "USDT": "1000"}
    capsys.readouterr()
    assert main([*args[:6], "--data", str(kucoin), "--data", "cache", *args[10:]]) == 2
    refused = "binance:BTC/USDT: the download cache holds kucoin's data only"
    assert refused in capsys.readouterr().err
    assert main([*args[:10], "--balance", "okx:USDT=1", *args[10:]]) == 2
    assert "--balance for okx: the run trades on kucoin, binance" in capsys.readouterr().err


async def test_the_png_has_a_price_panel_per_market(tmp_path: Path) -> None:
    result = await Backtest(BuyCheapSellRich(), _data(), balances={"USDT": D(1000), "BTC": D(1)}).run()
    panels = price_panels(result.report, result.fills, result.fill_venues)
    assert [p.title for p in panels] == [f"{m}: price (USDT) and fills" for m in MARKETS]
    assert [(len(p.buys), len(p.sells)) for p in panels] == [(1, 0), (0, 1)]
    assert [p.prices[-1] for p in panels] == [D(104), D(106)], "each venue's own price"
    several = plot_report(result.report, tmp_path / "several.png", result.fills, result.fill_venues)
    alone = await Backtest(Strategy("BTC/USDT"), _data()[0], balances={"USDT": D(1)}).run()
    one = plot_report(alone.report, tmp_path / "one.png")
    assert _png_height(several) > _png_height(one), "a panel more"


def _png_height(path: Path) -> int:
    head = path.read_bytes()[:24]
    assert head.startswith(b"\x89PNG")
    return int.from_bytes(head[20:24], "big")


_AMOUNTS = re.compile(r"(-?[\d,]+(?:\.\d+)?)((?: / -?[\d,]+(?:\.\d+)?)*) (USDT|BTC)\b")


def _places(text: str) -> dict[str, set[int]]:
    """The decimal places of every amount written in USDT or BTC in ``text``."""
    seen: dict[str, set[int]] = {}
    for first, chain, currency in _AMOUNTS.findall(text):
        for number in [first, *chain.split(" / ")[1:]]:
            seen.setdefault(currency, set()).add(len(number.partition(".")[2]))
    return seen


async def test_amounts_are_rounded_to_each_currencys_increment_alike(tmp_path: Path) -> None:
    """KuCoin quotes USDT to 0.000001 and Binance to 1e-8: every USDT amount of the report
    (its rows on both venues too) is shown to the first market's increment, every BTC one
    to the currency's precision (8), the table and report.html alike."""
    result = await Backtest(BuyCheapSellRich(), _data(), balances={"USDT": D("1000.5"), "BTC": D(1)},
                            taker_fee_rate={"binance": D("0.00123")}).run()  # fmt: skip
    table = result.report.table()
    assert _places(table) == {"USDT": {6}, "BTC": {8}}, table
    assert "binance:BTC/USDT" in table and "on binance" in table
    write_result(tmp_path, result, plot=False)
    page = (tmp_path / "report.html").read_text()
    data = json.loads(page.split('<script type="application/json" id="data">')[1].split("</script>")[0])
    shown = json.dumps([data["figures"], data["per_symbol"]])
    assert _places(shown) == {"USDT": {6}}, shown
