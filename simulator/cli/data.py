"""``python -m simulator data convert FILE``: market data into the columnar (Parquet) cache.

CSV (candles or trades, as ``backtest`` reads them) or a saved KuCoin response (``.json``)
becomes a ``.parquet`` file beside it (or ``--out``), which backtests load several times
faster. Numbers are kept exactly as written.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from simulator.cli.command import Command

__all__ = ["COMMAND"]


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    convert = sub.add_parser("convert", help="CSV or KuCoin JSON to Parquet")
    convert.add_argument("source", type=Path, nargs="+", help="a .csv or .json file (several allowed)")
    convert.add_argument("--out", type=Path, default=None, help="the .parquet file (one source only)")
    convert.add_argument("--symbol", default="BTC/USDT", help="unified symbol for KuCoin JSON rows")
    convert.add_argument("--interval", default="1m", help="the candles' interval (default 1m)")


def run(args: argparse.Namespace) -> int:
    from exchanges import Candle, Interval
    from simulator.backtest.columnar import write_candles_parquet, write_trades_parquet
    from simulator.backtest.data import (
        DataError,
        read_candles_csv,
        read_json_rows,
        read_trades_csv,
        sniff_csv,
    )

    sources: list[Path] = args.source
    if args.out is not None and len(sources) > 1:
        print("simulator data convert: --out takes one source", file=sys.stderr)
        return 2
    try:
        interval = Interval.parse(args.interval)
    except ValueError as err:
        print(f"simulator data convert: {err}", file=sys.stderr)
        return 2
    for source in sources:
        out = args.out or source.with_suffix(".parquet")
        try:
            with warnings.catch_warnings(record=True) as notices:
                warnings.simplefilter("always")
                if source.suffix.lower() == ".json":
                    rows = read_json_rows(source, args.symbol, interval)
                elif sniff_csv(source) == "candles":
                    rows = read_candles_csv(source, args.symbol, interval)
                else:
                    rows = read_trades_csv(source, args.symbol)
            for notice in notices:
                print(f"note: {notice.message}", file=sys.stderr)
            if rows and isinstance(rows[0], Candle):
                n = write_candles_parquet(out, [r for r in rows if isinstance(r, Candle)])
                kind = "candles"
            else:
                n = write_trades_parquet(out, [r for r in rows if not isinstance(r, Candle)])
                kind = "trades"
        except (DataError, OSError) as err:
            print(f"simulator data convert: {err}", file=sys.stderr)
            return 2
        print(f"{source} -> {out}: {n} {kind}")
    return 0


COMMAND = Command(
    name="data",
    help="convert market data files to the columnar cache (Parquet)",
    configure=configure,
    run=run,
)
