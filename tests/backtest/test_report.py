import json
import math
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import attrs
import pytest

from exchanges import Fill, Liquidity, Side
from simulator.backtest import EquityPoint, build_report
from simulator.backtest.plot import plot_report


def fill(i: int, side: Side, size: str, price: str, fee: str, t: int) -> Fill:
    s, p = D(size), D(price)
    return Fill(
        id=str(i),
        order_id=f"o{i}",
        trade_id=str(i),
        symbol="BTC/USDT",
        side=side,
        price=p,
        size=s,
        funds=s * p,
        fee=D(fee),
        fee_currency="USDT",
        liquidity=Liquidity.TAKER,
        timestamp=t,
    )


def test_round_trip_hand_computed() -> None:
    fills = [fill(1, Side.BUY, "1", "100", "0.1", 1000), fill(2, Side.SELL, "1", "110", "0.11", 3000)]
    curve = [
        EquityPoint(0, D("1000"), D(0), D(100)),
        EquityPoint(1000, D("999.9"), D(1), D(100)),
        EquityPoint(2000, D("989.9"), D(1), D(90)),
        EquityPoint(3000, D("1009.79"), D(0), D(110)),
    ]
    r = build_report(
        symbol="BTC/USDT",
        base="BTC",
        quote="USDT",
        fills=fills,
        orders=2,
        initial_balances={"USDT": D(1000)},
        final_balances={"USDT": D("1009.79"), "BTC": D(0)},
        curve=curve,
    )
    assert r.realized_pnl == D("9.79")
    assert r.unrealized_pnl == 0
    assert r.total_pnl == D("9.79")
    assert r.volume == D(210)
    assert r.fees == {"USDT": D("0.21")}
    assert r.round_trips == 1
    assert r.win_rate == 1.0
    assert r.total_return == pytest.approx(0.00979)
    assert r.max_drawdown == pytest.approx(10.1 / 1000)
    assert r.exposure == pytest.approx(2 / 3)
    rets = [999.9 / 1000 - 1, 989.9 / 999.9 - 1, 1009.79 / 989.9 - 1]
    mean = sum(rets) / 3
    std = math.sqrt(sum((x - mean) ** 2 for x in rets) / 2)
    per_year = 365 * 24 * 3600 * 1000 / 1000
    assert r.sharpe == pytest.approx(mean / std * math.sqrt(per_year))


def test_open_position_splits_realised_and_unrealised() -> None:
    fills = [fill(1, Side.BUY, "2", "100", "0.2", 1000), fill(2, Side.SELL, "1", "110", "0.11", 2000)]
    final_equity = D(1000) - D(200) - D("0.2") + D(110) - D("0.11") + D(120)
    curve = [EquityPoint(0, D(1000), D(0), D(100)), EquityPoint(3000, final_equity, D(1), D(120))]
    r = build_report(
        symbol="BTC/USDT",
        base="BTC",
        quote="USDT",
        fills=fills,
        orders=2,
        initial_balances={"USDT": D(1000)},
        final_balances={},
        curve=curve,
    )
    assert r.realized_pnl == D("9.79")
    assert r.unrealized_pnl == D("19.9")
    assert r.realized_pnl + r.unrealized_pnl == r.total_pnl


def test_short_round_trip_and_loss() -> None:
    fills = [fill(1, Side.SELL, "1", "100", "0", 1), fill(2, Side.BUY, "1", "105", "0", 2)]
    curve = [EquityPoint(0, D(1000), D(0), D(100)), EquityPoint(2, D(995), D(0), D(105))]
    r = build_report(
        symbol="BTC/USDT", base="BTC", quote="USDT", fills=fills, orders=2,
        initial_balances={}, final_balances={}, curve=curve,
    )  # fmt: skip
    assert r.realized_pnl == D(-5)
    assert r.win_rate == 0.0


def test_json_is_deterministic_and_complete(tmp_path: Path) -> None:
    curve = [EquityPoint(0, D(1000), D(0), D(100)), EquityPoint(60_000, D(1001), D(0), D(101))]
    kwargs: dict[str, Any] = {
        "symbol": "BTC/USDT",
        "base": "BTC",
        "quote": "USDT",
        "fills": [],
        "orders": 0,
        "initial_balances": {"USDT": D(1000)},
        "final_balances": {"USDT": D(1001)},
        "curve": curve,
    }
    a = build_report(**kwargs).to_json()
    b = build_report(**kwargs).to_json()
    assert a == b
    body = json.loads(a)
    assert body["final_equity"] == "1001"
    assert body["win_rate"] is None
    assert {"sharpe", "max_drawdown", "exposure", "realized_pnl", "total_return"} <= set(body)
    report = build_report(**kwargs)
    assert "max drawdown" in report.table()
    png = plot_report(report, tmp_path / "equity.png")
    assert png.read_bytes().startswith(b"\x89PNG")


def test_empty_curve_refused() -> None:
    with pytest.raises(ValueError, match="equity curve"):
        build_report(symbol="X/Y", base="X", quote="Y", fills=[], orders=0, initial_balances={},
                     final_balances={}, curve=[])  # fmt: skip


def test_table_prints_each_currencys_amounts_to_its_increment() -> None:
    curve = [EquityPoint(0, D(10000), D(0), D(100)), EquityPoint(60_000, D(10000), D(0), D(100))]
    report = build_report(
        symbol="BTC/USDT", base="BTC", quote="USDT", fills=[], orders=0,
        initial_balances={"USDT": D("1E+4")},
        final_balances={"USDT": D("1.00E+4"), "BTC": D("0.00010000"), "ETH": D("2.5E-7"),
                        "KCS": D("3.14159265")},
        curve=curve, increments={"USDT": D("0.01"), "BTC": D("1E-8"), "ETH": D("1E-8")},
    )  # fmt: skip
    fees = {"USDT": D("12.345678901234"), "BTC": D("0.0000012345678"), "ETH": D(0)}
    report = attrs.evolve(report, fees=fees)
    table = report.table()
    assert "E+" not in table and "E-" not in table
    assert "final balances          0.00010000 BTC, 0.00000025 ETH, 3.14159 KCS, 10,000.00 USDT" in table
    assert "fees                    0.00000123 BTC, 0.00000000 ETH, 12.35 USDT" in table
    assert "initial equity          10,000.00 USDT" in table
    body = json.loads(report.to_json())
    assert body["fees"]["USDT"] == "12.345678901234", "the JSON keeps exact amounts"
    assert body["final_balances"]["USDT"] == "1.00E+4", "and their exact spelling"


def test_exposure_comes_from_the_fills_times_not_the_samples() -> None:
    """Held from 10 s to 50 s of a 60 s run sampled only at its ends: exposure 2/3."""
    fills = [fill(1, Side.BUY, "1", "100", "0.1", 10_000), fill(2, Side.SELL, "1", "100", "0.1", 50_000)]
    curve = [EquityPoint(0, D("1000"), D(0), D(100)), EquityPoint(60_000, D("999.8"), D(0), D(100))]
    r = build_report(
        symbol="BTC/USDT", base="BTC", quote="USDT", fills=fills, orders=2, curve=curve,
        initial_balances={"USDT": D(1000)}, final_balances={"USDT": D("999.8")},
    )  # fmt: skip
    assert r.exposure == pytest.approx(40 / 60)


def test_the_pages_hover_describes_each_fills_order_plainly(tmp_path: Path) -> None:
    """The hover's order line reads as one phrase: what was asked, then its state and how
    much it dealt (not "filled, filled 0.14")."""
    import re

    from simulator.cli import main

    example = str(Path(__file__).parents[2] / "examples" / "ma_crossover.py")
    assert (
        main(["backtest", example, "--data", "synthetic:2h", "--no-plot", "--quiet", "--out", str(tmp_path)])
        == 0
    )
    page = (tmp_path / "report.html").read_text()
    described = re.findall(r'"order_desc":"([^"]*)"', page)
    assert described, "the run had fills"
    phrase = re.compile(
        r"(limit|market) (buy|sell)( size [\d.]+)?( funds [\d.]+)?( @ [\d.]+)? \([a-z_]+: [\d.]+ dealt\)"
    )
    assert all(phrase.fullmatch(d) for d in described), described[:3]
