"""Candles aggregated from trades, for every KuCoin interval.

Trades update 1-minute, 1-hour and 1-day bars as they print; other intervals are built at
query time from the finest of those that divides them (3m..30m from minutes, 2h..12h from
hours, days/weeks/months from days). Bars are aligned on the epoch, except weeks (Monday
00:00 UTC, as KuCoin and most venues do) and months (calendar months, UTC). Intervals with
no trade have no bar, as on KuCoin.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from datetime import UTC, datetime

from exchanges import Interval

__all__ = ["CandleStore", "bar_start"]

_MIN = 60_000
_HOUR = 3_600_000
_DAY = 86_400_000
_WEEK = 7 * _DAY
_MONDAY = 4 * _DAY  # 1970-01-05 was a Monday


def bar_start(ms: int, interval: Interval) -> int:
    """Start (ms) of the bar of ``interval`` that contains ``ms``."""
    if interval is Interval.W1:
        return (ms - _MONDAY) // _WEEK * _WEEK + _MONDAY
    if interval is Interval.MON1:
        when = datetime.fromtimestamp(ms // 1000, UTC)
        return int(datetime(when.year, when.month, 1, tzinfo=UTC).timestamp()) * 1000
    step = interval.ms
    return ms - ms % step


def _next_bar(start: int, interval: Interval) -> int:
    if interval is Interval.MON1:
        when = datetime.fromtimestamp(start // 1000, UTC)
        year, month = (when.year + 1, 1) if when.month == 12 else (when.year, when.month + 1)
        return int(datetime(year, month, 1, tzinfo=UTC).timestamp()) * 1000
    if interval is Interval.W1:
        return start + _WEEK
    return start + interval.ms


def _row(start: int, bar: list[int]) -> tuple[int, int, int, int, int, int, int]:
    return start, bar[0], bar[1], bar[2], bar[3], bar[4], bar[5]


class _Series:
    """Bars of one resolution: ``start -> [open, high, low, close, lots, units]`` (ints)."""

    __slots__ = ("bars", "starts", "step")

    def __init__(self, step: int) -> None:
        self.step = step
        self.bars: dict[int, list[int]] = {}
        self.starts: list[int] = []

    def add(self, ms: int, price: int, lots: int, units: int) -> None:
        start = ms - ms % self.step
        bar = self.bars.get(start)
        if bar is None:
            self.bars[start] = [price, price, price, price, lots, units]
            starts = self.starts
            if not starts or start > starts[-1]:
                starts.append(start)
            else:  # out of order (replayed data): keep the index sorted
                starts.insert(bisect_left(starts, start), start)
            return
        if price > bar[1]:
            bar[1] = price
        if price < bar[2]:
            bar[2] = price
        bar[3] = price
        bar[4] += lots
        bar[5] += units

    def add_bar(self, ms: int, o: int, h: int, lo: int, c: int, lots: int, units: int) -> None:
        start = ms - ms % self.step
        bar = self.bars.get(start)
        if bar is None:
            self.bars[start] = [o, h, lo, c, lots, units]
            starts = self.starts
            if not starts or start > starts[-1]:
                starts.append(start)
            else:
                starts.insert(bisect_left(starts, start), start)
            return
        if h > bar[1]:
            bar[1] = h
        if lo < bar[2]:
            bar[2] = lo
        bar[3] = c
        bar[4] += lots
        bar[5] += units

    def add_many(
        self,
        times: Sequence[int],
        opens: Sequence[int],
        highs: Sequence[int],
        lows: Sequence[int],
        closes: Sequence[int],
        lots: Sequence[int],
        units: Sequence[int],
    ) -> None:
        """``add_bar`` for each row in turn (a print is a bar with o = h = l = c), done a
        run of rows in the same bar at a time. ``times`` must be in ascending order."""
        step = self.step
        bars = self.bars
        starts = self.starts
        n = len(times)
        if n > 1 and times[1] - times[0] >= step:  # bars as long as the series' (or longer)?
            news = [ms - ms % step for ms in times]
            if (not starts or news[0] > starts[-1]) and len(set(news)) == n:
                # each row a new bar, after every bar there is: no merging to do
                rows = map(list, zip(opens, highs, lows, closes, lots, units, strict=True))
                bars.update(zip(news, rows, strict=True))
                starts.extend(news)
                return
        i = 0
        while i < n:
            ms = times[i]
            start = ms - ms % step
            end = start + step
            j = i + 1
            if j < n and times[j] < end:
                j = bisect_left(times, end, j + 1, n)
            if j == i + 1:
                o, h, lo, c, q, u = opens[i], highs[i], lows[i], closes[i], lots[i], units[i]
            else:
                o, h, lo, c = opens[i], max(highs[i:j]), min(lows[i:j]), closes[j - 1]
                q, u = sum(lots[i:j]), sum(units[i:j])
            bar = bars.get(start)
            if bar is None:
                bars[start] = [o, h, lo, c, q, u]
                if not starts or start > starts[-1]:
                    starts.append(start)
                else:
                    starts.insert(bisect_left(starts, start), start)
            else:
                if h > bar[1]:
                    bar[1] = h
                if lo < bar[2]:
                    bar[2] = lo
                bar[3] = c
                bar[4] += q
                bar[5] += u
            i = j

    def range(self, lo: int, hi: int) -> list[tuple[int, list[int]]]:
        starts = self.starts
        i = bisect_left(starts, lo)
        j = bisect_left(starts, hi)
        return [(s, self.bars[s]) for s in starts[i:j]]


class CandleStore:
    """One symbol's candles in ticks, lots and funds units."""

    def __init__(self) -> None:
        self._minute = _Series(_MIN)
        self._hour = _Series(_HOUR)
        self._day = _Series(_DAY)

    def add(self, ms: int, price: int, lots: int, units: int) -> None:
        self._minute.add(ms, price, lots, units)
        self._hour.add(ms, price, lots, units)
        self._day.add(ms, price, lots, units)

    def add_bar(self, start: int, o: int, h: int, lo: int, c: int, lots: int, units: int) -> None:
        """A whole bar from replayed data (at its start, in every resolution)."""
        for series in (self._minute, self._hour, self._day):
            series.add_bar(start, o, h, lo, c, lots, units)

    def add_many(
        self,
        times: Sequence[int],
        opens: Sequence[int],
        highs: Sequence[int],
        lows: Sequence[int],
        closes: Sequence[int],
        lots: Sequence[int],
        units: Sequence[int],
    ) -> None:
        """Rows in arrival order, each a print (``add``: pass its price as o, h, l and c)
        or a whole bar (``add_bar``); the same result as adding them one by one."""
        if not times:
            return
        if len(times) > 1 and list(times) != sorted(times):
            for row in zip(times, opens, highs, lows, closes, lots, units, strict=True):
                self.add_bar(*row)
            return
        for series in (self._minute, self._hour, self._day):
            series.add_many(times, opens, highs, lows, closes, lots, units)

    def _base(self, interval: Interval) -> _Series:
        if interval.ms < _HOUR:
            return self._minute
        if interval.ms < _DAY:
            return self._hour
        return self._day

    def bars(
        self, interval: Interval, start: int, end: int
    ) -> list[tuple[int, int, int, int, int, int, int]]:
        """``(start, open, high, low, close, lots, units)`` for bars starting in
        ``[start, end)``, oldest first."""
        if end <= start:
            return []
        base = self._base(interval)
        first = bar_start(start, interval)
        out: list[tuple[int, int, int, int, int, int, int]] = []
        current: list[int] | None = None
        current_start = 0
        bucket_end = 0
        for s, bar in base.range(first, end + (_next_bar(bar_start(end, interval), interval) - end)):
            if current is None or s >= bucket_end:
                if current is not None and start <= current_start < end:
                    out.append(_row(current_start, current))
                current_start = bar_start(s, interval)
                bucket_end = _next_bar(current_start, interval)
                current = list(bar)
            else:
                if bar[1] > current[1]:
                    current[1] = bar[1]
                if bar[2] < current[2]:
                    current[2] = bar[2]
                current[3] = bar[3]
                current[4] += bar[4]
                current[5] += bar[5]
        if current is not None and start <= current_start < end:
            out.append(_row(current_start, current))
        return out

    def window(self, start: int, end: int) -> tuple[int, int, int, int, int, int, int] | None:
        """Aggregate of minute bars starting in ``[start, end)``: the 24 h statistics."""
        bars = self._minute.range(start - start % _MIN, end)
        if not bars:
            return None
        first = bars[0][1]
        high, low = first[1], first[2]
        lots = units = 0
        for _, bar in bars:
            if bar[1] > high:
                high = bar[1]
            if bar[2] < low:
                low = bar[2]
            lots += bar[4]
            units += bar[5]
        return bars[0][0], first[0], high, low, bars[-1][1][3], lots, units
