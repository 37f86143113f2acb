import warnings
from decimal import Decimal as D
from pathlib import Path

import attrs
import pytest

from exchanges import Candle, Interval, Side
from simulator.backtest import (
    cache_path,
    candles_from_kucoin_rows,
    read_candles_csv,
    read_trades_csv,
    trades_from_kucoin_rows,
    write_candles_csv,
    write_trades_csv,
)
from simulator.backtest.data import DataError, NaiveTimes, check_replayable, read_json_rows, sniff_csv


def test_kucoin_kline_rows_put_close_before_high() -> None:
    rows = [
        ["1700000060", "101", "103", "104", "100", "2", "206"],
        ["1700000000", "100", "101", "102", "99", "1", "100.5"],
    ]
    candles = candles_from_kucoin_rows(rows, "BTC/USDT", "1min")
    assert [c.start for c in candles] == [1_700_000_000_000, 1_700_000_060_000]
    first = candles[0]
    assert (first.open, first.high, first.low, first.close) == (D(100), D(102), D(99), D(101))
    assert first.quote_volume == D("100.5")
    assert first.interval is Interval.M1


def test_kucoin_trade_rows_in_nanoseconds() -> None:
    rows = [
        {"sequence": "2", "price": "10", "size": "1", "side": "sell", "time": 1_700_000_001_000_000_000},
        {"sequence": "1", "price": "11", "size": "2", "side": "buy", "time": 1_700_000_000_000_000_000},
    ]
    trades = trades_from_kucoin_rows(rows, "BTC/USDT")
    assert [t.id for t in trades] == ["1", "2"]
    assert trades[0].timestamp == 1_700_000_000_000
    assert trades[1].side is Side.SELL
    with pytest.raises(DataError, match="trade row 0"):
        trades_from_kucoin_rows([{"price": "1"}], "BTC/USDT")


def test_csv_round_trip_through_the_cache_format(tmp_path: Path) -> None:
    candles = candles_from_kucoin_rows([["1700000000", "1", "2", "3", "0.5", "10", "20"]], "BTC/USDT", "1min")
    path = cache_path(tmp_path, "BTC-USDT", "1min")
    assert path == tmp_path / "kucoin" / "BTC-USDT" / "1m.csv"
    assert write_candles_csv(path, candles) == 1
    assert sniff_csv(path) == "candles"
    assert read_candles_csv(path, "BTC/USDT", Interval.M1) == candles
    trades = trades_from_kucoin_rows(
        [{"sequence": "7", "price": "10.5", "size": "0.1", "side": "buy", "time": 1_700_000_000_123_000_000}],
        "BTC/USDT",
    )
    tpath = cache_path(tmp_path, "BTC-USDT", None)
    write_trades_csv(tpath, trades)
    assert sniff_csv(tpath) == "trades"
    assert read_trades_csv(tpath, "BTC/USDT") == trades


@pytest.mark.parametrize(
    ("stamp", "ms"),
    [
        ("1700000000", 1_700_000_000_000),
        ("1700000000123", 1_700_000_000_123),
        ("1700000000123456", 1_700_000_000_123),
        ("1700000000123456789", 1_700_000_000_123),
        ("2023-11-14T22:13:20Z", 1_700_000_000_000),
    ],
)
def test_generic_csv_time_units(tmp_path: Path, stamp: str, ms: int) -> None:
    path = tmp_path / "ohlcv.csv"
    path.write_text(f"Timestamp,Open,High,Low,Close,Volume\n{stamp},1,2,0.5,1.5,3\n")
    (candle,) = read_candles_csv(path, "BTC/USDT", "1m")
    assert candle.start == ms
    assert candle.quote_volume == 0


def test_generic_trades_csv_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("time,price,amount,side\n1700000000000,10,1,BUY\n")
    (trade,) = read_trades_csv(path, "BTC/USDT")
    assert trade.side is Side.BUY
    assert trade.size == 1
    bad = tmp_path / "bad.csv"
    bad.write_text("time,price,amount,side\n1700000000000,ten,1,buy\n")
    with pytest.raises(DataError, match=r"bad\.csv:2"):
        read_trades_csv(bad, "BTC/USDT")
    nohead = tmp_path / "x.csv"
    nohead.write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match="neither"):
        sniff_csv(nohead)
    naive = tmp_path / "naive.csv"
    naive.write_text("time,price,amount,side\n2023-11-14T22:13:20,10,1,buy\n")
    with pytest.warns(NaiveTimes, match="1 time.* read as UTC"):
        (read,) = read_trades_csv(naive, "BTC/USDT")
    assert read.timestamp == 1_700_000_000_000


@pytest.mark.parametrize("index_name", ["", "Date"])
def test_a_pandas_export_reads_as_it_comes(tmp_path: Path, index_name: str) -> None:
    """``DataFrame.to_csv``: an index column of dates (named or not), capitalised OHLCV,
    date-only times (UTC, said once), floats as pandas writes them."""
    path = tmp_path / "goog.csv"
    path.write_text(
        f"{index_name},Open,High,Low,Close,Volume\n"
        "2004-08-19,100.0,104.06,95.96,100.34,22351900\n"
        "2004-08-20,101.01,109.08,100.5,108.31,11428600\n"
        "2004-08-23,110.75,113.48,109.05,109.4,9137200\n"
    )
    assert sniff_csv(path) == "candles"
    with pytest.warns(NaiveTimes) as caught:
        bars = read_candles_csv(path, "GOOG/USD", "1d")
    assert len(caught) == 1, "said once per file, not once per row"
    assert "3 time(s)" in str(caught[0].message)
    assert [b.start for b in bars] == [1_092_873_600_000, 1_092_960_000_000, 1_093_219_200_000]
    first = bars[0]
    assert (first.open, first.high, first.low, first.close) == (D(100), D("104.06"), D("95.96"), D("100.34"))
    assert bars[2].volume == D(9137200)


def test_zoned_times_say_nothing(tmp_path: Path) -> None:
    path = tmp_path / "z.csv"
    path.write_text(",open,high,low,close,volume\n2004-08-19 00:00:00+00:00,1,1,1,1,1\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (bar,) = read_candles_csv(path, "GOOG/USD", "1d")
    assert bar.start == 1_092_873_600_000


def test_saved_kucoin_json(tmp_path: Path) -> None:
    path = tmp_path / "k.json"
    path.write_text('{"code":"200000","data":[["1700000000","1","2","3","0.5","10","20"]]}')
    candles = read_json_rows(path, "BTC/USDT", "1min")
    assert len(candles) == 1


def test_check_replayable_names_the_first_bad_bar() -> None:
    good = Candle(
        start=1_700_000_040_000, open=D("10.1"), high=D("10.5"), low=D("10"), close=D("10.2"),
        volume=D("3"), symbol="BTC/USDT", interval=Interval.M1,
    )  # fmt: skip
    check_replayable([good, good], "BTC-USDT", D("0.1"))
    low_off_tick = attrs.evolve(good, start=good.start + 60_000, low=D("10.05"))
    with pytest.raises(DataError, match=r"event 2 \(bar at 2023-11-14T22:15:00.000Z\): low 10.05 "):
        check_replayable([good, low_off_tick], "BTC-USDT", D("0.1"))
    negative = attrs.evolve(good, volume=D("-1"))
    with pytest.raises(DataError, match="volume -1 is not a finite amount"):
        check_replayable([negative], "BTC-USDT", D("0.1"))


def test_short_csv_rows_name_the_line_and_the_column_count(tmp_path: Path) -> None:
    bars = tmp_path / "bars.csv"
    bars.write_text(
        "start_ms,open,high,low,close,volume,quote_volume\n1704067200000,1,2,0.5,1.5,3,4\n1704067500000,1,2\n"
    )
    with pytest.raises(DataError, match=r"bars\.csv:3: expected 7 columns, got 3$"):
        read_candles_csv(bars, "BTC/USDT", "1m")
    trades = tmp_path / "trades.csv"
    trades.write_text("timestamp_ms,id,price,size,side\n1700000000000,1,10,1,buy\n1700000001000,2\n")
    with pytest.raises(DataError, match=r"trades\.csv:3: expected 5 columns, got 2$"):
        read_trades_csv(trades, "BTC/USDT")


def test_numeric_trade_ids_sort_as_numbers_within_a_millisecond() -> None:
    at = "1704067200000000000"
    rows = [{"sequence": n, "price": "1", "size": "1", "side": "buy", "time": at} for n in ("1000", "999")]
    assert [t.id for t in trades_from_kucoin_rows(rows, "BTC/USDT")] == ["999", "1000"]
