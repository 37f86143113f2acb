"""``--data SOURCE``: turn a command-line data source into replayable market data.

SOURCE is one of:

* ``synthetic`` or ``synthetic:6h`` (also ``90m``, ``2d``): the embedded synthetic market, on
  any venue (several venues quote one price path, each off it by its own basis; with
  ``:apart``, ``synthetic:6h:apart``, each venue's price walks on its own);
* ``cache`` : the download cache entry for the symbol and interval (``--cache DIR``; KuCoin's
  data only: ``python -m simulator download`` fetches from KuCoin);
* a ``.csv`` file: OHLCV candles or trades (told apart by the header);
* a ``.json`` file: a saved KuCoin response, klines or trade history (envelope or bare ``data``);
* a ``.parquet`` file: the columnar cache (``python -m simulator data convert`` makes it).

``cache`` reads the columnar copy of the cache entry when there is one at least as new as
the CSV.
"""

from __future__ import annotations

import re
from pathlib import Path

import attrs

from exchanges import Interval, codec_for

from .columnar import CandleColumns, read_parquet
from .data import DataError, cache_path, read_candles_csv, read_json_rows, read_trades_csv, sniff_csv
from .runner import MarketData, SyntheticData
from .strategy import DEFAULT_VENUE

__all__ = ["DEFAULT_CACHE", "load_source", "parse_duration"]

DEFAULT_CACHE = Path(".cache") / "market-data"
_UNITS = {"s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}


def parse_duration(text: str) -> int:
    """``90m``, ``6h``, ``2d``, ``30s`` -> milliseconds."""
    match = re.fullmatch(r"(\d+)([smhd])", text.strip())
    if not match:
        raise ValueError(f"duration {text!r}: expected a number and one of s, m, h, d (e.g. 6h)")
    ms = int(match.group(1)) * _UNITS[match.group(2)]
    if ms <= 0:
        raise ValueError(f"duration {text!r} is not positive")
    return ms


def load_source(
    source: str,
    symbol: str,
    interval: Interval | str = Interval.M1,
    *,
    cache: Path = DEFAULT_CACHE,
    trades: bool = False,
    venue: str = DEFAULT_VENUE,
) -> MarketData | SyntheticData:
    """``symbol`` is unified (``BTC/USDT``); ``trades`` picks the trade cache over klines;
    ``venue`` is whose market the data is (the synthetic market runs on every venue; the
    download cache holds the default venue's data only)."""
    iv = Interval.parse(interval)
    if source == "synthetic" or source.startswith("synthetic:"):
        return _synthetic(source, symbol, iv, venue)
    if venue != DEFAULT_VENUE:
        if source == "cache":
            raise ValueError(
                f"{venue}:{symbol}: the download cache holds {DEFAULT_VENUE}'s data only "
                f"(python -m simulator download fetches from {DEFAULT_VENUE}; nothing here fetches "
                f"{venue}'s history): give {venue}'s data as a .csv, .json or .parquet file"
            )
        data = load_source(source, symbol, interval, cache=cache, trades=trades)
        assert isinstance(data, MarketData)
        return attrs.evolve(data, venue=venue)
    if source == "cache":
        native = codec_for("kucoin").to_native(symbol)
        path = cache_path(cache, native, None if trades else iv)
        columnar = path.with_suffix(".parquet")
        if columnar.is_file() and (not path.is_file() or columnar.stat().st_mtime >= path.stat().st_mtime):
            path = columnar  # the columnar copy, unless the CSV changed since it was made
        if not path.is_file():
            raise DataError(
                f"{path} not found: fill the cache first with "
                f"python -m simulator download --symbol {native} --interval {iv.value}"
                + (" --trades" if trades else "")
            )
        return _from_file(path, symbol, iv)
    path = Path(source)
    if not path.is_file():
        raise DataError(f"data source {source!r} is neither 'synthetic', 'cache' nor an existing file")
    return _from_file(path, symbol, iv)


def _synthetic(source: str, symbol: str, interval: Interval, venue: str) -> SyntheticData:
    """``synthetic[:DURATION][:apart]``: ``apart``, each venue's price walks on its own."""
    parts = source.split(":")[1:]
    linked = not (parts and parts[-1] == "apart")
    if not linked:
        parts.pop()
    if len(parts) > 1:
        raise ValueError(f"{source}: expected synthetic[:DURATION][:apart], e.g. synthetic:1d:apart")
    duration = parse_duration(parts[0]) if parts and parts[0] else SyntheticData().duration_ms
    return SyntheticData(symbol=symbol, interval=interval, duration_ms=duration, venue=venue, linked=linked)


def _from_file(path: Path, symbol: str, interval: Interval) -> MarketData:
    if path.suffix.lower() == ".parquet":
        columns = read_parquet(path, symbol, interval)
        if not len(columns):
            raise DataError(f"{path}: no rows")
        if isinstance(columns, CandleColumns):
            return MarketData(symbol, "candles", columns, interval)
        return MarketData(symbol, "trades", columns, None)
    if path.suffix.lower() == ".json":
        rows = read_json_rows(path, symbol, interval)
        kind = "candles" if rows and hasattr(rows[0], "open") else "trades"
    elif sniff_csv(path) == "candles":
        rows, kind = read_candles_csv(path, symbol, interval), "candles"
    else:
        rows, kind = read_trades_csv(path, symbol), "trades"
    if not rows:
        raise DataError(f"{path}: no rows")
    if kind == "candles":
        return MarketData(symbol, "candles", rows, interval)
    return MarketData(symbol, "trades", rows, None)
