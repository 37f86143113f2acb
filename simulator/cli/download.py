"""``python -m simulator download``: fill the local market-data cache through the KuCoin adapter.

Klines for any range are fetched in pages (KuCoin answers at most 1500 rows a call) with a
progress bar; trades are the venue's recent history (KuCoin keeps only the last 100 public
trades), merged into the cache by trade id so repeated runs accumulate. ``--base-url``
points it at the local simulator, which is how the tests run it.

This command is a client of KuCoin, not part of the simulated venue: it finds the KuCoin
adapter at run time through ``exchanges.connect`` (the adapter's entry point), so the
simulator never imports ``adapters``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from simulator.cli.command import Command

__all__ = ["COMMAND", "parse_time"]

PAGE_ROWS = 1500


def parse_time(text: str) -> int:
    """ISO 8601 (``2024-01-01``, ``2024-01-01T12:00Z``; UTC when no zone) or epoch ms -> ms."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is neither ISO 8601 nor epoch milliseconds") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--symbol", required=True, help="KuCoin symbol (BTC-USDT) or unified (BTC/USDT)")
    parser.add_argument("--interval", default="1min", help="kline interval (default 1min)")
    parser.add_argument("--start", type=parse_time, help="start (ISO 8601 or epoch ms); klines only")
    parser.add_argument("--end", type=parse_time, help="end (default now); klines only")
    parser.add_argument(
        "--trades", action="store_true", help="download recent public trades instead of klines"
    )
    parser.add_argument(
        "--cache", type=Path, default=None, help="cache directory (default .cache/market-data)"
    )
    parser.add_argument("--base-url", default=None, help="KuCoin base URL (default the real KuCoin)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


async def _download(args: argparse.Namespace) -> tuple[Path, int]:
    from exchanges import Interval, codec_for, connect
    from simulator.backtest.data import (
        cache_path,
        read_candles_csv,
        read_trades_csv,
        write_candles_csv,
        write_trades_csv,
    )
    from simulator.backtest.sources import DEFAULT_CACHE

    kucoin = codec_for("kucoin")
    symbol = args.symbol if "/" in args.symbol else kucoin.from_native(args.symbol)
    native = kucoin.to_native(symbol)
    cache: Path = args.cache or DEFAULT_CACHE
    options: dict[str, Any] = {"public": True}  # (market data only: no credentials)
    if args.base_url:
        options["base_url"] = args.base_url
    async with connect("kucoin", **options) as ex:  # (found by its entry point)
        await ex.load_markets()
        if args.trades:
            path = cache_path(cache, native, None)
            fresh = await ex.fetch_trades(symbol)
            known = read_trades_csv(path, symbol) if path.is_file() else []
            merged = {t.id: t for t in known} | {t.id: t for t in fresh}
            return path, write_trades_csv(path, merged.values())
        iv = Interval.parse(args.interval)
        now = await ex.server_time()
        # closed bars only: the one still forming would be cached, and replayed, as final
        end = min(args.end or now, now - now % iv.ms)
        start = args.start if args.start is not None else end - 24 * 3600 * 1000
        if start >= end:
            raise ValueError("--start must be before --end")
        start -= start % iv.ms
        pages = range(start, end, PAGE_ROWS * iv.ms)
        bar = None
        if not args.quiet:
            from tqdm import tqdm

            bar = tqdm(total=len(pages), unit="page", desc=f"{native} {iv.value}", file=sys.stderr)
        path = cache_path(cache, native, iv)
        # merged into what the cache holds (a range with nothing new must not wipe it)
        candles = {c.start: c for c in read_candles_csv(path, symbol, iv)} if path.is_file() else {}
        try:
            for page_start in pages:
                page_end = min(page_start + PAGE_ROWS * iv.ms, end)
                for candle in await ex.fetch_candles(symbol, iv, page_start, page_end):
                    if candle.start + iv.ms <= now:
                        candles[candle.start] = candle
                if bar is not None:
                    bar.update(1)
        finally:
            if bar is not None:
                bar.close()
        return path, write_candles_csv(path, candles.values())


def run(args: argparse.Namespace) -> int:
    from exchanges import ExchangeError

    try:
        path, rows = asyncio.run(_download(args))
    except (ExchangeError, ValueError, OSError) as err:
        print(f"simulator download: {err}", file=sys.stderr)
        return 1
    print(f"{rows} rows in {path}")
    return 0


COMMAND = Command(
    name="download",
    help="download klines or recent trades through the KuCoin adapter into the local cache",
    configure=configure,
    run=run,
)
