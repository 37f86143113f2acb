"""``python -m simulator backtest`` and ``download``, the latter against the local KuCoin server."""

from __future__ import annotations

import asyncio
import datetime
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from exchanges import SystemClock
from simulator.backtest import read_candles_csv, read_trades_csv, write_candles_csv
from simulator.backtest.data import cache_path
from simulator.cli import main
from simulator.kucoin import FacadeConfig, build_served, serve_in_thread

from .test_replay import bar

EXAMPLE = str(Path(__file__).parents[2] / "examples" / "ma_crossover.py")


def test_backtest_on_synthetic_data_is_reproducible(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["backtest", EXAMPLE, "--data", "synthetic:3h", "--seed", "9", "--quiet", "--no-plot"]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    assert main([*args, "--out", str(tmp_path / "b")]) == 0
    first = (tmp_path / "a" / "report.json").read_text()
    assert first == (tmp_path / "b" / "report.json").read_text()
    body = json.loads(first)
    assert body["symbol"] == "BTC/USDT"
    assert body["orders"] > 0, "the crossover traded at least once in 3 h"
    assert (tmp_path / "a" / "fills.csv").read_text().count("\n") == body["fills"] + 1
    assert "max drawdown" in capsys.readouterr().out
    other = ["backtest", EXAMPLE, "--data", "synthetic:3h", "--seed", "10", "--quiet", "--no-plot"]
    assert main([*other, "--out", str(tmp_path / "c")]) == 0
    assert (tmp_path / "c" / "report.json").read_text() != first


def test_backtest_on_a_candle_file_with_strategy_params(tmp_path: Path) -> None:
    prices = [100 + (i % 40 if (i // 40) % 2 == 0 else 40 - i % 40) for i in range(400)]
    bars = [
        bar(i, str(p), str(p + 1), str(p - 1), str(p + (1 if i % 2 else -1))) for i, p in enumerate(prices)
    ]
    data = tmp_path / "bars.csv"
    write_candles_csv(data, bars)
    code = main(
        ["backtest", f"{EXAMPLE}:MovingAverageCrossover", "--data", str(data), "--param", "fast=5", "--param",
         "slow=15", "--balance", "USDT=5000", "--quiet", "--out", str(tmp_path / "out"), "--latency", "100"]
    )  # fmt: skip
    assert code == 0
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["fills"] > 0
    assert report["initial_balances"] == {"USDT": "5000"}
    assert (tmp_path / "out" / "equity.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope.py", "--data", "synthetic"], "not found"),
        ([EXAMPLE, "--data", "missing.csv"], "neither 'synthetic'"),
        ([EXAMPLE, "--data", "synthetic:soon"], "duration"),
        ([EXAMPLE, "--data", "cache", "--cache", "/nonexistent"], "python -m simulator download"),
        ([EXAMPLE, "--data", "synthetic", "--param", "fast=50"], "0 < fast < slow"),
    ],
)
def test_backtest_refuses_bad_input_clearly(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["backtest", *args, "--quiet"]) == 2
    assert message in capsys.readouterr().err


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    served = build_served(FacadeConfig(seed=4), clock=SystemClock())
    with serve_in_thread(served.facade.app, market=served.market) as url:
        yield url


def test_download_klines_then_backtest_from_the_cache(server: str, tmp_path: Path) -> None:
    async def now_ms() -> int:
        import httpx

        async with httpx.AsyncClient(base_url=server) as client:
            return int((await client.get("/api/v1/timestamp")).json()["data"])

    end = asyncio.run(now_ms())
    start = end - 10 * 60_000
    cache = tmp_path / "cache"
    code = main(
        ["download", "--symbol", "BTC-USDT", "--interval", "1min", "--start", str(start), "--end", str(end),
         "--base-url", server, "--cache", str(cache), "--quiet"]
    )  # fmt: skip
    assert code == 0
    path = cache_path(cache, "BTC-USDT", "1min")
    candles = read_candles_csv(path, "BTC/USDT", "1m")
    assert 8 <= len(candles) <= 11, "the warmed-up simulator has ten minutes of bars"
    assert [c.start for c in candles] == sorted({c.start for c in candles})
    assert all(start - 60_000 < c.start < end for c in candles)
    out = tmp_path / "out"
    code = main(
        ["backtest", EXAMPLE, "--data", "cache", "--cache", str(cache), "--param", "fast=2",
         "--param", "slow=4", "--quiet", "--no-plot", "--out", str(out)]
    )  # fmt: skip
    assert code == 0
    assert json.loads((out / "report.json").read_text())["symbol"] == "BTC/USDT"


def test_download_caches_closed_bars_only_and_merges_with_the_cache(server: str, tmp_path: Path) -> None:
    async def now_ms() -> int:
        import httpx

        async with httpx.AsyncClient(base_url=server) as client:
            return int((await client.get("/api/v1/timestamp")).json()["data"])

    cache = tmp_path / "cache"
    path = cache_path(cache, "BTC-USDT", "1min")
    path.parent.mkdir(parents=True)
    old = bar(-1000, "100", "101", "99", "100")  # a bar from long before, already cached
    write_candles_csv(path, [old])
    now = asyncio.run(now_ms())
    args = ["download", "--symbol", "BTC-USDT", "--interval", "1min", "--base-url", server]
    args += ["--cache", str(cache), "--quiet"]
    assert main([*args, "--start", str(now - 5 * 60_000)]) == 0  # up to now: a bar is still forming
    after = asyncio.run(now_ms())
    candles = read_candles_csv(path, "BTC/USDT", "1m")
    assert candles[0] == old and len(candles) > 1, "merged, not overwritten"
    assert all(c.start + 60_000 <= after for c in candles), "no bar that had not closed"
    assert main([*args, "--start", str(now - 20 * 86_400_000), "--end", str(now - 19 * 86_400_000)]) == 0
    assert read_candles_csv(path, "BTC/USDT", "1m") == candles, "a range with nothing new keeps the cache"


def test_download_trades_accumulates_by_id(server: str, tmp_path: Path) -> None:
    args = [
        "download",
        "--symbol",
        "BTC/USDT",
        "--trades",
        "--base-url",
        server,
        "--cache",
        str(tmp_path),
        "--quiet",
    ]
    assert main(args) == 0
    path = cache_path(tmp_path, "BTC-USDT", None)
    first = read_trades_csv(path, "BTC/USDT")
    assert first
    assert main(args) == 0
    again = read_trades_csv(path, "BTC/USDT")
    assert {t.id for t in first} <= {t.id for t in again}
    assert len({t.id for t in again}) == len(again)
    assert all(t.price > Decimal(0) for t in again)


def test_download_reports_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["download", "--symbol", "BTC-USDT", "--start", "2024-01-02", "--end", "2024-01-01"]
    assert main([*args, "--base-url", "http://127.0.0.1:9", "--cache", str(tmp_path), "--quiet"]) == 1
    assert "simulator download" in capsys.readouterr().err


def test_backtest_names_the_row_the_venue_would_refuse(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "trades.csv"
    data.write_text(
        "timestamp_ms,id,price,size,side\n"
        "1700000040000,1,60000.1,0.01,buy\n"
        "1700000041000,2,60000.123,0.01,buy\n"
        "1700000042000,3,60000.2,0.01,sell\n"
    )
    out = tmp_path / "out"
    assert main(["backtest", EXAMPLE, "--data", str(data), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "event 2 (trade 2 at 2023-11-14T22:14:01.000Z)" in err
    assert "price 60000.123 is not a positive multiple of BTC-USDT's price increment 0.1" in err
    assert "Traceback" not in err


def test_backtest_refuses_an_unknown_pair(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backtest", EXAMPLE, "--data", "synthetic:1h", "--symbol", "FOO/BAR", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "900001" in err and "FOO/BAR" in err


MARKET_MAKER = str(Path(__file__).parents[2] / "examples" / "market_maker.py")


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--balance", "USDT=-5"], "argument --balance: 'USDT=-5': the amount must be a finite number >= 0"),
        (["--balance", "USDT=nan"], "argument --balance: 'USDT=nan'"),
        (["--balance", "USDT=inf"], "argument --balance: 'USDT=inf'"),
        (["--balance", "USDT=lots"], "is not an amount"),
        (["--maker-fee", "abc"], "argument --maker-fee: 'abc' is not a number"),
        (["--taker-fee", "abc"], "argument --taker-fee: 'abc' is not a number"),
        (["--maker-fee", "-0.001"], "a fee rate is a fraction, 0 <= rate < 1"),
        (["--taker-fee", "1"], "a fee rate is a fraction, 0 <= rate < 1"),
        (["--taker-fee", "nan"], "a fee rate is a fraction"),
        (["--symbol", "BTCUSDT"], "argument --symbol: bad symbol 'BTCUSDT': expected BASE/QUOTE"),
    ],
)
def test_backtest_refuses_bad_options_while_parsing(
    option: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["backtest", EXAMPLE, "--data", "synthetic:1h", "--quiet", *option])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["nonexist.module", "--data", "synthetic:1h"],
            "strategy 'nonexist.module': no file nonexist.module and no module 'nonexist'",
        ),
        (
            [EXAMPLE, "--data", "synthetic:1h", "--balance", "USDT=1e400"],
            "amount too large",
        ),
        (
            [EXAMPLE, "--data", "synthetic:1h", "--param", "nosuch=1"],
            "MovingAverageCrossover has no parameter 'nosuch'; it accepts: fast, slow, allocation",
        ),
        ([EXAMPLE, "--data", "synthetic:1h", "--param", "fast=ten"], "fast and slow must be whole numbers"),
        (
            [MARKET_MAKER, "--data", "synthetic:1h", "--param", "spread=5"],
            "SimpleMarketMaker has no parameter 'spread'; it accepts: spread_bps, size, refresh_bps,"
            " max_inventory",
        ),
        (
            [EXAMPLE, "--data", "synthetic:1h", "--symbol", "ETH/BTC"],
            "the starting balances (USDT=10000) hold neither ETH nor BTC: nothing to trade on ETH/BTC,"
            " and its equity would start at 0 BTC; pass --balance BTC=AMOUNT (or --balance ETH=AMOUNT)",
        ),
        (
            [EXAMPLE, "--data", "synthetic:1h", "--balance", "USDT=0", "--balance", "ETH=1"],
            "hold neither BTC nor USDT",
        ),
    ],
)
def test_backtest_set_up_errors_are_one_line(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["backtest", *args, "--quiet", "--no-plot", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert message in err
    assert err.count("\n") == 1 and err.startswith("simulator backtest: "), err


def test_backtest_on_a_short_csv_row_names_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "bars.csv"
    data.write_text(
        "start_ms,open,high,low,close,volume,quote_volume\n1704067200000,1,2,0.5,1.5,3,4\n1704067500000,1,2\n"
    )
    assert main(["backtest", EXAMPLE, "--data", str(data), "--quiet", "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == f"simulator backtest: {data}:3: expected 7 columns, got 3\n"


def test_a_strategys_own_errors_keep_their_traceback(tmp_path: Path) -> None:
    strategy = tmp_path / "boom.py"
    strategy.write_text(
        "from simulator.backtest import Strategy\n\n\n"
        "class Boom(Strategy):\n"
        "    async def on_start(self) -> None:\n"
        "        raise ValueError('my bug')\n"
    )
    with pytest.raises(ValueError, match="my bug"):
        main(["backtest", str(strategy), "--data", "synthetic:1h", "--quiet", "--out", str(tmp_path / "out")])
    broken_import = tmp_path / "needs.py"
    broken_import.write_text("import nonexistent_dependency_xyz\n")
    with pytest.raises(ModuleNotFoundError):
        main(["backtest", str(broken_import), "--data", "synthetic:1h", "--quiet"])


def test_the_market_maker_quotes_on_replayed_trades(tmp_path: Path) -> None:
    rows = ["timestamp_ms,id,price,size,side"]
    for i in range(400):
        price = 60000 + (i % 20) * 5 - (10 if i % 2 else 0)  # oscillates around 60000..60100
        rows.append(f"{1700000000000 + i * 1000},{i},{price}.0,0.05,{'buy' if i % 2 else 'sell'}")
    data = tmp_path / "trades.csv"
    data.write_text("\n".join(rows) + "\n")
    out = tmp_path / "out"
    args = [MARKET_MAKER, "--data", str(data), "--balance", "USDT=10000", "--balance", "BTC=0.05"]
    assert main(["backtest", *args, "--quiet", "--no-plot", "--out", str(out)]) == 0
    report = json.loads((out / "report.json").read_text())
    assert report["orders"] > 0 and report["fills"] > 0
    assert "no order book in this data" in (out / "log.txt").read_text()


def _bars_file(path: Path, rows: list[tuple[int, str, str, str, str]]) -> Path:
    lines = ["start_ms,open,high,low,close,volume,quote_volume"]
    lines += [f"{1704067200000 + k * 60_000},{o},{h},{lo},{c},3,300" for k, o, h, lo, c in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize(
    ("rows", "interval", "message"),
    [
        ([(0, "100", "101", "99", "100"), (1, "100", "101", "99", "100")], "1h",
         "the bars are 60 s apart, not one interval (1h): pass --interval 1m"),
        ([(0, "100", "101", "99", "100"), (0, "100", "101", "99", "100")], "1m", "two bars start at"),
        ([(0, "100", "99", "98", "100"), (1, "100", "101", "99", "100")], "1m", "do not contain its open"),
    ],
)  # fmt: skip
def test_bars_that_would_replay_wrong_are_refused(
    rows: list[tuple[int, str, str, str, str]],
    interval: str,
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Hourly bars read as 1-minute ones would be seen 59 minutes early, and the other way
    round an hour late; a duplicate would be replayed twice."""
    data = _bars_file(tmp_path / "bars.csv", rows)
    args = ["backtest", EXAMPLE, "--data", str(data), "--interval", interval, "--quiet", "--no-plot"]
    assert main([*args, "--out", str(tmp_path / "out")]) == 2
    assert message in capsys.readouterr().err


def test_a_bad_out_directory_is_refused_before_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    taken = tmp_path / "afile"
    taken.write_text("")
    for out, message in ((taken, "is a file, not a directory"), (taken / "sub", "Not a directory")):
        args = ["backtest", EXAMPLE, "--data", "synthetic:1h", "--quiet", "--no-plot", "--out", str(out)]
        assert main(args) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, err


@pytest.mark.parametrize(
    ("data", "message"),
    [("synthetic:0h", "is not positive"), ("synthetic:30s", "shorter than one 1m bar")],
)
def test_a_synthetic_run_with_no_bar_is_refused(
    data: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["backtest", EXAMPLE, "--data", data, "--quiet", "--no-plot", "--out", str(tmp_path)]
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_a_file_starting_with_a_bom_reads_alike(tmp_path: Path) -> None:
    text = "start_ms,open,high,low,close,volume,quote_volume\n1704067200000,1,2,0.5,1.5,3,4\n"
    (tmp_path / "bom.csv").write_text("\ufeff" + text)
    assert read_candles_csv(tmp_path / "bom.csv", "BTC/USDT", "1m")[0].open == Decimal(1)


def test_a_finer_sample_sees_more_of_the_equity_curve(tmp_path: Path) -> None:
    """On replayed trades the curve is sampled each minute by default, or each --sample."""
    data = tmp_path / "trades.csv"
    rows = [f"{1704067200000 + k * 1000},{k},{100 + k % 7},1,buy" for k in range(600)]
    data.write_text("timestamp_ms,id,price,size,side\n" + "\n".join(rows) + "\n")
    base = ["backtest", EXAMPLE, "--data", str(data), "--quiet", "--no-plot"]
    assert main([*base, "--out", str(tmp_path / "coarse")]) == 0
    assert main([*base, "--sample", "10s", "--out", str(tmp_path / "fine")]) == 0
    coarse = json.loads((tmp_path / "coarse" / "report.json").read_text())["equity_curve"]
    fine = json.loads((tmp_path / "fine" / "report.json").read_text())["equity_curve"]
    assert len(coarse) <= 12 and len(fine) >= 55


def _pandas_export(path: Path, n: int = 120) -> None:
    """What ``DataFrame.to_csv`` writes for daily stock bars: an unnamed index of dates."""
    lines = [",Open,High,Low,Close,Volume"]
    day = 12_784  # 2005-01-01, in days since the epoch
    for i in range(n):
        p = 100 + (i % 30 if (i // 30) % 2 == 0 else 30 - i % 30)
        date = datetime.date.fromordinal(719_163 + day + i).isoformat()
        lines.append(f"{date},{p}.0,{p + 1}.5,{p - 1}.25,{p}.5,{1000 + i}")
    path.write_text("\n".join(lines) + "\n")


def test_backtest_trades_a_stock_from_a_pandas_export_with_its_rules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "stock.csv"
    _pandas_export(data)
    args = ["backtest", EXAMPLE, "--data", str(data), "--symbol", "ACME/USD", "--interval", "1d",
            "--param", "fast=3", "--param", "slow=8", "--balance", "USD=10000", "--quiet",
            "--no-plot"]  # fmt: skip
    assert main([*args, "--out", str(tmp_path / "none")]) == 2
    assert "declare its rules with --tick and --lot" in capsys.readouterr().err
    assert main([*args, "--tick", "0.01", "--lot", "1", "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert "note: " in err and "120 time(s) without a timezone" in err and "read as UTC" in err
    fills = (tmp_path / "out" / "fills.csv").read_text().splitlines()[1:]
    assert fills, "the crossover traded"
    sizes = [Decimal(row.split(",")[4]) for row in fills]
    assert all(s == s.to_integral_value() for s in sizes), "whole shares only"


def test_backtest_reads_symbol_rules_and_fees_from_a_serve_config(tmp_path: Path) -> None:
    data = tmp_path / "stock.csv"
    _pandas_export(data)
    config = tmp_path / "venue.toml"
    config.write_text(
        '[venue]\ntaker_fee_rate = "0.002"\nmaker_fee_rate = "0.002"\n\n'
        '[[venue.symbols]]\nsymbol = "ACME-USD"\nbaseIncrement = "1"\nquoteIncrement = "0.0001"\n'
        'priceIncrement = "0.01"\nbaseMinSize = "1"\nquoteMinSize = "1"\nminFunds = "1"\n\n'
        '[[accounts]]\nname = "me"\nbalances = { USD = "10000" }\n'
    )
    code = main(["backtest", EXAMPLE, "--data", str(data), "--symbol", "ACME/USD", "--interval", "1d",
                 "--param", "fast=3", "--param", "slow=8", "--config", str(config), "--quiet", "--no-plot",
                 "--out", str(tmp_path / "out")])  # fmt: skip
    assert code == 0
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["initial_balances"] == {"USD": "10000"}
    rows = [r.split(",") for r in (tmp_path / "out" / "fills.csv").read_text().splitlines()[1:]]
    assert rows
    for row in rows:
        size, funds, fee = Decimal(row[4]), Decimal(row[5]), Decimal(row[6])
        assert size == size.to_integral_value()
        assert fee == funds * Decimal("0.002"), "the config's fee rate"
