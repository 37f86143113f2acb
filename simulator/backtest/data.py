"""Market data for backtests: readers for KuCoin rows and CSV files, and the on-disk cache.

The cache format (written by ``python -m simulator download``, read by backtests) is plain
CSV with a header, one file per symbol and interval, oldest row first::

    <cache>/<venue>/<SYMBOL>/<interval>.csv   start_ms,open,high,low,close,volume,quote_volume
    <cache>/<venue>/<SYMBOL>/trades.csv       timestamp_ms,id,price,size,side

Numbers are written exactly as received (strings), so a cached run reproduces byte for byte.
"""

from __future__ import annotations

import csv
import json
import warnings
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from itertools import pairwise, repeat
from operator import mod
from pathlib import Path
from typing import Any

from exchanges import Candle, Interval, Side, Trade, from_ms, to_ms

__all__ = [
    "CANDLE_HEADER",
    "TRADE_HEADER",
    "NaiveTimes",
    "cache_path",
    "candles_from_kucoin_rows",
    "check_bars",
    "check_replayable",
    "check_spacing",
    "read_candles_csv",
    "read_json_rows",
    "read_trades_csv",
    "sniff_csv",
    "trades_from_kucoin_rows",
    "write_candles_csv",
    "write_trades_csv",
]

CANDLE_HEADER = ("start_ms", "open", "high", "low", "close", "volume", "quote_volume")
TRADE_HEADER = ("timestamp_ms", "id", "price", "size", "side")

_TIME_NAMES = (
    "start_ms",
    "timestamp_ms",
    "timestamp",
    "time",
    "start",
    "date",
    "datetime",
    "ts",
    "open_time",
)
_SIZE_NAMES = ("size", "amount", "qty", "quantity", "volume")


class DataError(ValueError):
    """A data file or row that cannot be read; says which and why."""


def cache_path(cache: Path, symbol: str, interval: Interval | str | None, venue: str = "kucoin") -> Path:
    """``symbol`` in the venue's spelling (``BTC-USDT``); ``interval=None`` means trades."""
    name = "trades" if interval is None else Interval.parse(interval).value
    return cache / venue / symbol / f"{name}.csv"


def _dec(value: Any, what: str) -> Decimal:
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation:
        raise DataError(f"{what}: {value!r} is not a number") from None
    if not result.is_finite():
        raise DataError(f"{what}: {value!r} is not finite")
    return result


class NaiveTimes(UserWarning):
    """A file's times carry no timezone (``2004-08-19``, ``2024-01-01 09:30``): read as UTC."""


class _Times:
    """Reads one file's times, remembering whether any was naive (to say so once)."""

    def __init__(self, source: object) -> None:
        self.source = source
        self.naive = 0

    def __call__(self, value: str, what: str) -> int:
        return _epoch_ms(value, what, self)

    def notify(self) -> None:
        if self.naive:
            warnings.warn(
                NaiveTimes(
                    f"{self.source}: {self.naive} time(s) without a timezone (dates or naive "
                    "timestamps) were read as UTC"
                ),
                stacklevel=3,
            )


def _epoch_ms(value: str, what: str, times: _Times | None = None) -> int:
    """Epoch seconds, ms, µs or ns (told apart by size), or an ISO 8601 time or date (one
    without a timezone is UTC)."""
    text = value.strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return _iso_ms(text, what, times)
    if number < 10**11:
        return int(number * 1000)
    if number < 10**14:
        return int(number)
    if number < 10**17:
        return int(number / 1000)
    return int(number / 1_000_000)


def _iso_ms(text: str, what: str, times: _Times | None = None) -> int:
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise DataError(f"{what}: {text!r} is neither an epoch time nor ISO 8601") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
        if times is not None:
            times.naive += 1
    return to_ms(parsed)


# --- KuCoin JSON rows ---------------------------------------------------------------------------


def candles_from_kucoin_rows(
    rows: Iterable[Sequence[Any]], symbol: str, interval: Interval | str
) -> list[Candle]:
    """``/api/v1/market/candles`` rows (``[start_s, open, close, high, low, volume, turnover]``,
    newest first) -> candles, oldest first. Note KuCoin puts close before high."""
    iv = Interval.parse(interval)
    out = []
    for i, row in enumerate(rows):
        if len(row) < 7:
            raise DataError(f"kline row {i}: expected 7 fields, got {len(row)}")
        start_s, o, c, h, low, vol, turnover = row[:7]
        out.append(
            Candle(
                start=int(_dec(start_s, f"kline row {i} start")) * 1000,
                open=_dec(o, f"kline row {i} open"),
                high=_dec(h, f"kline row {i} high"),
                low=_dec(low, f"kline row {i} low"),
                close=_dec(c, f"kline row {i} close"),
                volume=_dec(vol, f"kline row {i} volume"),
                quote_volume=_dec(turnover, f"kline row {i} turnover"),
                symbol=symbol,
                interval=iv,
            )
        )
    out.sort(key=lambda c: c.start)
    return out


def trades_from_kucoin_rows(rows: Iterable[dict[str, Any]], symbol: str) -> list[Trade]:
    """``/api/v1/market/histories`` rows (``sequence, price, size, side, time`` in ns) -> trades,
    oldest first."""
    out = []
    for i, row in enumerate(rows):
        try:
            side = Side(str(row["side"]).lower())
            out.append(
                Trade(
                    id=str(row.get("sequence", row.get("tradeId", i))),
                    symbol=symbol,
                    price=_dec(row["price"], f"trade row {i} price"),
                    size=_dec(row["size"], f"trade row {i} size"),
                    side=side,
                    timestamp=_epoch_ms(str(row["time"]), f"trade row {i} time"),
                )
            )
        except (KeyError, ValueError) as exc:
            raise DataError(f"trade row {i}: {exc}") from None
    out.sort(key=lambda t: (t.timestamp, _id_order(t.id)))
    return out


def read_json_rows(path: Path, symbol: str, interval: Interval | str | None) -> list[Candle] | list[Trade]:
    """A saved KuCoin response (the whole envelope or just ``data``): klines if rows are lists."""
    try:
        payload = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError(f"{path}: {exc}") from None
    rows = payload.get("data", payload) if isinstance(payload, dict) else payload
    if not isinstance(rows, list):
        raise DataError(f"{path}: expected a list of rows")
    if rows and isinstance(rows[0], list):
        return candles_from_kucoin_rows(rows, symbol, interval or Interval.M1)
    return trades_from_kucoin_rows(rows, symbol)


# --- CSV -----------------------------------------------------------------------------------------


def _find(header: Sequence[str], names: Sequence[str], path: Path, what: str) -> int:
    lowered = [h.strip().lower() for h in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    raise DataError(f"{path}: no {what} column (looked for {', '.join(names)})")


def _find_time(header: Sequence[str], path: Path) -> int:
    """The time column: one of the usual names, else an unnamed first column (the index
    column of a pandas ``to_csv`` export)."""
    if header and not header[0].strip() and not any(
        h.strip().lower() in _TIME_NAMES for h in header
    ):
        return 0
    return _find(header, _TIME_NAMES, path, "time")


def _check_width(row: Sequence[str], header: Sequence[str], where: str) -> None:
    if len(row) < len(header):
        raise DataError(f"{where}: expected {len(header)} columns, got {len(row)}")


def sniff_csv(path: Path) -> str:
    """``"candles"`` or ``"trades"``, from the header."""
    with path.open(newline="", encoding="utf-8-sig") as fh:  # (a BOM is not part of the header)
        header = next(csv.reader(fh), [])
    lowered = {h.strip().lower() for h in header}
    if {"open", "high", "low", "close"} <= lowered:
        return "candles"
    if "price" in lowered:
        return "trades"
    raise DataError(f"{path}: header {header} is neither OHLCV nor trades")


def read_candles_csv(path: Path, symbol: str, interval: Interval | str) -> list[Candle]:
    iv = Interval.parse(interval)
    with path.open(newline="", encoding="utf-8-sig") as fh:  # (a BOM is not part of the header)
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None:
            raise DataError(f"{path}: empty file")
        t = _find_time(header, path)
        times = _Times(path)
        o, h, low, c = (_find(header, (n,), path, n) for n in ("open", "high", "low", "close"))
        v = _find(header, ("volume", "vol", "base_volume"), path, "volume")
        lowered = [x.strip().lower() for x in header]
        qv = next((lowered.index(n) for n in ("quote_volume", "turnover", "quote_vol") if n in lowered), None)
        out = []
        for line, row in enumerate(reader, start=2):
            if not row:
                continue
            where = f"{path}:{line}"
            _check_width(row, header, where)
            out.append(
                Candle(
                    start=times(row[t], where),
                    open=_dec(row[o], where),
                    high=_dec(row[h], where),
                    low=_dec(row[low], where),
                    close=_dec(row[c], where),
                    volume=_dec(row[v], where),
                    quote_volume=_dec(row[qv], where) if qv is not None else Decimal(0),
                    symbol=symbol,
                    interval=iv,
                )
            )
    times.notify()
    out.sort(key=lambda candle: candle.start)
    return out


def read_trades_csv(path: Path, symbol: str) -> list[Trade]:
    with path.open(newline="", encoding="utf-8-sig") as fh:  # (a BOM is not part of the header)
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None:
            raise DataError(f"{path}: empty file")
        t = _find_time(header, path)
        times = _Times(path)
        p = _find(header, ("price",), path, "price")
        s = _find(header, _SIZE_NAMES, path, "size")
        sd = _find(header, ("side", "taker_side"), path, "side")
        lowered = [x.strip().lower() for x in header]
        ident = next(
            (lowered.index(n) for n in ("id", "trade_id", "tradeid", "sequence") if n in lowered), None
        )
        out = []
        for line, row in enumerate(reader, start=2):
            if not row:
                continue
            where = f"{path}:{line}"
            _check_width(row, header, where)
            try:
                side = Side(row[sd].strip().lower())
            except ValueError:
                raise DataError(f"{where}: side {row[sd]!r} is not buy or sell") from None
            out.append(
                Trade(
                    id=row[ident] if ident is not None else str(line - 1),
                    symbol=symbol,
                    price=_dec(row[p], where),
                    size=_dec(row[s], where),
                    side=side,
                    timestamp=times(row[t], where),
                )
            )
    times.notify()
    out.sort(key=lambda trade: trade.timestamp)
    return out


def _write(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        for row in rows:
            w.writerow(row)
            n += 1
    return n


def write_candles_csv(path: Path, candles: Iterable[Candle]) -> int:
    rows = sorted(candles, key=lambda c: c.start)
    return _write(
        path,
        CANDLE_HEADER,
        ((c.start, c.open, c.high, c.low, c.close, c.volume, c.quote_volume) for c in rows),
    )


def write_trades_csv(path: Path, trades: Iterable[Trade]) -> int:
    rows = sorted(trades, key=lambda t: t.timestamp)
    return _write(path, TRADE_HEADER, ((t.timestamp, t.id, t.price, t.size, t.side.value) for t in rows))



def check_replayable(events: Sequence[Candle | Trade], symbol: str, price_increment: Decimal) -> None:
    """Refuse, before a run starts, data the venue would refuse part-way through it: a price
    that is not a positive multiple of the pair's tick, a size or volume below zero. The
    error names the first bad event, its time, the value and the rule. Checked in bulk
    (the common, clean case costs one pass in C), then row by row only to find the culprit."""
    trades = [e for e in events if isinstance(e, Trade)]
    candles = [e for e in events if isinstance(e, Candle)]
    prices = [t.price for t in trades]
    for c in candles:
        prices += (c.open, c.high, c.low, c.close)
    amounts = [t.size for t in trades] + [c.volume for c in candles]
    try:
        clean = (not prices or min(prices) > 0) and not any(map(mod, prices, repeat(price_increment)))
        clean = clean and (not amounts or min(amounts) >= 0) and all(a.is_finite() for a in amounts)
    except (ArithmeticError, TypeError):
        clean = False
    if clean:
        return
    for i, event in enumerate(events):
        if isinstance(event, Trade):
            fields = {"price": event.price}
            amount = ("size", event.size)
            what = f"trade {event.id} at {_iso(event.timestamp)}"
        else:
            fields = {"open": event.open, "high": event.high, "low": event.low, "close": event.close}
            amount = ("volume", event.volume)
            what = f"bar at {_iso(event.start)}"
        for name, value in fields.items():
            try:
                on_tick = value > 0 and not value % price_increment
            except (ArithmeticError, TypeError):
                on_tick = False
            if not on_tick:
                raise DataError(
                    f"event {i + 1} ({what}): {name} {value} is not a positive multiple of "
                    f"{symbol}'s price increment {price_increment}"
                )
        name, value = amount
        if not (value.is_finite() and value >= 0):
            raise DataError(f"event {i + 1} ({what}): {name} {value} is not a finite amount >= 0")


def check_bars(bars: Sequence[Candle], interval: Interval) -> None:
    """Refuse bars that would replay wrong: two bars at one time (replayed twice), bars
    closer or further apart than ``interval`` (each is seen at its start plus the interval:
    1-minute bars read as hourly ones would be seen an hour late, 5-minute bars read as
    1-minute ones four minutes early), and a high below the open or close, or a low above.
    Gaps of whole intervals (no trades then) are fine."""
    check_spacing([b.start for b in bars], interval)
    for b in bars:
        if b.high < max(b.open, b.close) or b.low > min(b.open, b.close):
            raise DataError(
                f"bar at {_iso(b.start)}: high {b.high} and low {b.low} do not contain its open and close"
            )


def check_spacing(starts: Sequence[int], interval: Interval) -> None:
    """Bars' start times (oldest first): once each, whole intervals apart, one at least once."""
    step = interval.ms
    gaps = {b - a for a, b in pairwise(starts)}
    if 0 in gaps:
        start = next(a for a, b in pairwise(starts) if a == b)
        raise DataError(f"two bars start at {_iso(start)}: each bar must appear once")
    if gaps and (min(gaps) != step or any(g % step for g in gaps)):
        spacing = min(gaps)
        fits = [iv.value for iv in Interval if iv.ms == spacing]
        hint = f": pass --interval {fits[0]}" if fits else ""
        raise DataError(f"the bars are {spacing // 1000} s apart, not one interval ({interval.value}){hint}")


def _iso(ms: int) -> str:
    return from_ms(ms).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _id_order(trade_id: str) -> tuple[int, int, str]:
    """Numeric ids in number order ("999" before "1000"), others after, as text."""
    return (0, int(trade_id), "") if trade_id.isdigit() else (1, 0, trade_id)
