"""Candles aggregated from trades for every interval, and the rolling 24 h statistics."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from exchanges import BadRequest, Interval, ManualClock
from simulator import Venue
from simulator.venue.candles import bar_start
from tests.simulator.helpers import D, limit, market

BTC = "BTC-USDT"


def ms(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> int:
    return int(datetime(year, month, day, hour, minute, second, tzinfo=UTC).timestamp() * 1000)


def test_bar_starts() -> None:
    t = ms(2024, 3, 14, 15, 37, 42)  # a Thursday
    assert bar_start(t, Interval.M1) == ms(2024, 3, 14, 15, 37)
    assert bar_start(t, Interval.M15) == ms(2024, 3, 14, 15, 30)
    assert bar_start(t, Interval.H4) == ms(2024, 3, 14, 12)
    assert bar_start(t, Interval.D1) == ms(2024, 3, 14)
    assert bar_start(t, Interval.W1) == ms(2024, 3, 11)  # Monday
    assert bar_start(t, Interval.MON1) == ms(2024, 3, 1)


def trade_at(venue: Venue, clock: ManualClock, when: int, price: str, size: str) -> None:
    clock.set_ms(when)
    maker = venue.create_user(balances={"BTC": size})
    taker = venue.create_user(balances={"USDT": "10000000"})
    venue.place_order(maker, limit(BTC, "sell", price, size))
    venue.place_order(taker, market(BTC, "buy", size=size))


@pytest.fixture
def traded() -> tuple[Venue, ManualClock]:
    clock = ManualClock(ms(2024, 3, 31, 23, 0))
    venue = Venue(seed=1, clock=clock)
    trade_at(venue, clock, ms(2024, 3, 31, 23, 0, 5), "100", "1")
    trade_at(venue, clock, ms(2024, 3, 31, 23, 0, 50), "108", "2")
    trade_at(venue, clock, ms(2024, 3, 31, 23, 4, 0), "98", "1")
    trade_at(venue, clock, ms(2024, 4, 1, 0, 10, 0), "105", "3")
    return venue, clock


def test_minute_bars(traded: tuple[Venue, ManualClock]) -> None:
    venue, _ = traded
    bars = venue.candles(BTC, "1min")
    assert [(b.start, b.open, b.high, b.low, b.close, b.volume) for b in bars] == [
        (ms(2024, 3, 31, 23, 0), D("100"), D("108"), D("100"), D("108"), D("3")),
        (ms(2024, 3, 31, 23, 4), D("98"), D("98"), D("98"), D("98"), D("1")),
        (ms(2024, 4, 1, 0, 10), D("105"), D("105"), D("105"), D("105"), D("3")),
    ]
    assert bars[0].turnover == D("316")


def test_aggregated_intervals(traded: tuple[Venue, ManualClock]) -> None:
    venue, _ = traded
    five = venue.candles(BTC, Interval.M5)
    assert [(b.start, b.open, b.close, b.high, b.low, b.volume) for b in five] == [
        (ms(2024, 3, 31, 23, 0), D("100"), D("98"), D("108"), D("98"), D("4")),
        (ms(2024, 4, 1, 0, 10), D("105"), D("105"), D("105"), D("105"), D("3")),
    ]
    hours = venue.candles(BTC, "2hour")
    assert [(b.start, b.volume) for b in hours] == [
        (ms(2024, 3, 31, 22), D("4")),
        (ms(2024, 4, 1, 0), D("3")),
    ]
    days = venue.candles(BTC, "1day")
    assert [b.start for b in days] == [ms(2024, 3, 31), ms(2024, 4, 1)]
    weeks = venue.candles(BTC, "1week")  # 2024-03-31 is a Sunday: 04-01 opens a new week
    assert [(b.start, b.volume, b.close) for b in weeks] == [
        (ms(2024, 3, 25), D("4"), D("98")),
        (ms(2024, 4, 1), D("3"), D("105")),
    ]
    months = venue.candles(BTC, "1month")
    assert [(b.start, b.volume) for b in months] == [(ms(2024, 3, 1), D("4")), (ms(2024, 4, 1), D("3"))]


def test_ranges_are_start_inclusive_end_exclusive_and_limited(traded: tuple[Venue, ManualClock]) -> None:
    venue, _ = traded
    assert [b.start for b in venue.candles(BTC, "1m", ms(2024, 3, 31, 23, 0), ms(2024, 3, 31, 23, 4))] == [
        ms(2024, 3, 31, 23, 0)
    ]
    assert [b.start for b in venue.candles(BTC, "1m", ms(2024, 3, 31, 23, 0, 1))] == [
        ms(2024, 3, 31, 23, 4),
        ms(2024, 4, 1, 0, 10),
    ]
    assert [b.start for b in venue.candles(BTC, "1m", limit=1)] == [ms(2024, 4, 1, 0, 10)]
    assert venue.candles(BTC, "1m", ms(2024, 4, 2), ms(2024, 4, 1)) == []
    with pytest.raises(BadRequest):
        venue.candles(BTC, "7min")


def test_24h_stats(traded: tuple[Venue, ManualClock]) -> None:
    venue, clock = traded
    stats = venue.stats(BTC)
    assert (stats.open, stats.high, stats.low, stats.last) == (D("100"), D("108"), D("98"), D("105"))
    assert stats.vol == D("7") and stats.vol_value == D("316") + D("98") + D("315")
    assert stats.change_price == D("5") and stats.change_rate == D("0.05")
    assert stats.average_price == D("104.1428")  # 729 / 7, rounded down to a thousandth of the tick
    clock.set_ms(ms(2024, 4, 1, 23, 2))  # the first minute has left the window
    later = venue.stats(BTC)
    assert later.open == D("98") and later.vol == D("4")
    clock.set_ms(ms(2024, 4, 3))
    empty = venue.stats(BTC)
    assert empty.vol == 0 and empty.open is None and empty.last == D("105")
    assert venue.all_stats()[0].symbol == BTC


def test_level1_and_public_trades(traded: tuple[Venue, ManualClock]) -> None:
    venue, _ = traded
    level1 = venue.level1(BTC)
    assert level1.price == D("105") and level1.size == D("3") and level1.best_bid is None
    trades = venue.trades(BTC)
    assert [t.price for t in trades] == [D("100"), D("108"), D("98"), D("105")]
    assert trades[-1].time_ns == trades[-1].time * 1_000_000 and trades[-1].side.value == "buy"
    assert trades[0].sequence < trades[-1].sequence
    assert venue.trades(BTC, limit=2) == trades[-2:]
