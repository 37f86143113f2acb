"""``python -m simulator backtest STRATEGY --data SOURCE``: run a strategy over market data.

Writes ``report.json``, ``report.txt``, ``fills.csv``, ``log.txt`` and ``equity.png`` to
``--out`` and prints the report. The same seed and data give the same report, byte for byte.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import warnings
from decimal import Decimal
from pathlib import Path
from typing import Any

from simulator.cli.command import Command

__all__ = ["COMMAND", "DEFAULT_BALANCES", "fee_rate", "sources_per_symbol", "venue_balances", "venue_rates"]

DEFAULT_BALANCES = {"USDT": Decimal(10_000)}


def _param(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), value.strip()


def _balance(text: str) -> tuple[str, Decimal]:
    """``CUR=AMT`` (every venue's account) or ``VENUE:CUR=AMT`` (that venue's)."""
    name, value = _param(text)
    try:
        amount = Decimal(value)
    except ArithmeticError:
        raise argparse.ArgumentTypeError(f"{text!r}: {value!r} is not an amount") from None
    if not (amount.is_finite() and amount >= 0):
        raise argparse.ArgumentTypeError(f"{text!r}: the amount must be a finite number >= 0")
    venue, sep, currency = name.rpartition(":")
    return (f"{venue.lower()}:{currency.upper()}" if sep else name.upper()), amount


def venue_balances(
    entries: list[tuple[str, Decimal]], venues: tuple[str, ...]
) -> dict[str, Decimal] | dict[str, dict[str, Decimal]]:
    """``--balance`` entries as ``Backtest`` takes them: one mapping for every venue, or
    each venue's (an unprefixed entry funds them all, a prefixed one its venue)."""
    shared = {name: amount for name, amount in entries if ":" not in name}
    own = [(name.split(":", 1), amount) for name, amount in entries if ":" in name]
    if not own:
        return shared
    unknown = sorted({venue for (venue, _), _ in own} - set(venues))
    if unknown:
        raise ValueError(f"--balance for {', '.join(unknown)}: the run trades on {', '.join(venues)}")
    funds = {venue: dict(shared) for venue in venues}
    for (venue, currency), amount in own:
        funds[venue][currency] = amount
    return funds


def _amount(text: str) -> Decimal:
    try:
        amount = Decimal(text.strip())
    except ArithmeticError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (amount.is_finite() and amount > 0):
        raise argparse.ArgumentTypeError(f"{text!r}: expected a positive number")
    return amount


def fee_rate(text: str) -> tuple[str, Decimal]:
    """``RATE`` (every venue's; ``venue`` is ``""``) or ``VENUE:RATE``, a fraction: 0.001 is 0.1 %."""
    venue, _, value = text.strip().rpartition(":")
    try:
        rate = Decimal(value.strip())
    except ArithmeticError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number (a fraction: 0.001 is 0.1 %)") from None
    if not (rate.is_finite() and 0 <= rate < 1):
        raise argparse.ArgumentTypeError(
            f"{text!r}: a fee rate is a fraction, 0 <= rate < 1 (0.001 is 0.1 %)"
        )
    return venue.strip().lower(), rate


def venue_rates(
    option: str, entries: list[tuple[str, Decimal]] | None, venues: tuple[str, ...], default: Decimal | None
) -> Decimal | dict[str, Decimal] | None:
    """``--maker-fee`` or ``--taker-fee`` entries as ``Backtest`` takes a rate: one for every
    venue, or each venue's (an unprefixed entry, else ``default``, sets them all; a prefixed
    one its venue's; the last given wins)."""
    shared = default
    own: dict[str, Decimal] = {}
    for venue, rate in entries or ():
        if venue:
            own[venue] = rate
        else:
            shared = rate
    if not own:
        return shared
    unknown = sorted(set(own) - set(venues))
    if unknown:
        raise ValueError(f"{option} for {', '.join(unknown)}: the run trades on {', '.join(venues)}")
    everywhere = {} if shared is None else dict.fromkeys(venues, shared)
    return everywhere | own


def _sample(text: str) -> int:
    """How often the equity curve is sampled: ``1s``, ``10s``, ``1m``... (milliseconds)."""
    from simulator.backtest.sources import parse_duration

    try:
        return parse_duration(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _symbol(text: str) -> str:
    """``BASE/QUOTE`` (on KuCoin) or ``VENUE:BASE/QUOTE``."""
    from exchanges import BadSymbol, parse_symbol
    from simulator.backtest.strategy import split_market

    try:
        parse_symbol(split_market(text)[1])
    except (BadSymbol, ValueError) as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    return text


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("strategy", help="a file (examples/ma_crossover.py[:Class]) or module[:Class]")
    parser.add_argument(
        "--data",
        required=True,
        action="append",
        help="synthetic[:DURATION][:apart] (e.g. synthetic:12h; several venues quote one price path, "
        "each off it by its own basis, unless :apart), cache (KuCoin's), or a .csv / .json / .parquet file; "
        "repeat it once per --symbol, in the same order (synthetic and cache serve them all at once)",
    )
    parser.add_argument(
        "--symbol",
        type=_symbol,
        action="append",
        help="unified symbol, BASE/QUOTE (default BTC/USDT), on KuCoin's rules, or VENUE:BASE/QUOTE "
        "(binance:BTC/USDT) on that venue's; repeat it to trade several in one run, on one venue or several",
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="a TOML file in serve --config's layout: [[venue.symbols]] rules, [venue] fee rates, "
        "the first account's balances",
    )
    parser.add_argument(
        "--tick", type=_amount, default=None, help="the (first) symbol's price increment (e.g. 0.01)"
    )
    parser.add_argument(
        "--lot", type=_amount, default=None, help="the (first) symbol's size increment (e.g. 1)"
    )
    parser.add_argument(
        "--min-size", type=_amount, default=None, help="the smallest order size (default: a lot)"
    )
    parser.add_argument("--min-funds", type=_amount, default=None, help="the smallest order value in quote")
    parser.add_argument("--interval", default="1m", help="candle interval (default 1m; 1min also works)")
    parser.add_argument("--trades", action="store_true", help="with --data cache: replay trades, not klines")
    parser.add_argument(
        "--cache", type=Path, default=None, help="download cache (default .cache/market-data)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic market and latency jitter")
    parser.add_argument(
        "--balance",
        action="append",
        type=_balance,
        metavar="CUR=AMT",
        help="starting balance of every venue's account, or VENUE:CUR=AMT of one venue's "
        "(repeatable; default USDT=10000)",
    )
    parser.add_argument(
        "--param", action="append", type=_param, metavar="NAME=VALUE", help="strategy argument"
    )
    parser.add_argument("--latency", type=int, default=0, help="ms from decision to the book (default 0)")
    parser.add_argument("--jitter", type=int, default=0, help="extra seeded random latency, 0..N ms")
    parser.add_argument(
        "--path", default="nearest", choices=("OHLC", "OLHC", "nearest"), help="path through each candle"
    )
    parser.add_argument(
        "--maker-fee",
        type=fee_rate,
        action="append",
        metavar="[VENUE:]RATE",
        help="maker fee rate of every venue, or VENUE:RATE of one venue's, a fraction in [0, 1) "
        "(default each venue's VIP0, 0.001); repeatable",
    )
    parser.add_argument(
        "--taker-fee",
        type=fee_rate,
        action="append",
        metavar="[VENUE:]RATE",
        help="taker fee rate of every venue, or VENUE:RATE of one venue's, a fraction in [0, 1) "
        "(default each venue's VIP0, 0.001); repeatable",
    )
    parser.add_argument(
        "--sample",
        type=_sample,
        default=None,
        help="equity sampling step for drawdown and Sharpe, e.g. 1s (default: each bar, or 1m on trades)",
    )
    parser.add_argument("--out", type=Path, default=Path("out") / "backtest", help="output directory")
    parser.add_argument("--no-plot", action="store_true", help="skip the PNG")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _progress(quiet: bool) -> tuple[Any, Any]:
    """A tqdm bar that appears only for runs longer than a second."""
    if quiet:
        return None, None
    from tqdm import tqdm

    bar = tqdm(total=0, delay=1.0, unit="ev", file=sys.stderr, leave=False, dynamic_ncols=True)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    return bar, update


def sources_per_symbol(sources: list[str], symbols: list[str]) -> list[str]:
    """One ``--data`` per ``--symbol``, in order; ``synthetic`` or ``cache`` alone serves
    every symbol."""
    if len(sources) == len(symbols):
        return sources
    if len(sources) == 1 and (sources[0] == "cache" or sources[0].startswith("synthetic")):
        return sources * len(symbols)
    raise ValueError(
        f"{len(sources)} --data for {len(symbols)} --symbol: give one per symbol, in the same order "
        "(or one synthetic or cache for all)"
    )


def _tell_estimate(
    backtest: Any, source: str, balances: dict[str, Decimal], seed: int, *, plotting: bool
) -> None:
    """Before a long synthetic run, what it will cost (measured on a short one here)."""
    from simulator.backtest.estimate import LONG_RUN_MS, estimate_synthetic
    from simulator.backtest.runner import SetupError, SyntheticData
    from simulator.backtest.strategy import market_key

    data = backtest.data
    if not isinstance(data, SyntheticData) or data.duration_ms < LONG_RUN_MS:
        return
    try:
        markets = tuple(market_key(*market) for market in backtest.strategy.markets)
        estimate = estimate_synthetic(data, markets, balances, seed=seed, plotting=plotting)
    except SetupError:
        return  # (the run itself says why)
    print(f"note: {estimate.describe(source)}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from exchanges import BadSymbol, ExchangeError
    from simulator.backtest import load_strategy, make_strategy
    from simulator.backtest.data import DataError, NaiveTimes
    from simulator.backtest.instruments import Instruments, declare, load_instruments
    from simulator.backtest.output import write_result
    from simulator.backtest.replay import FillRules
    from simulator.backtest.runner import Backtest, SetupError, Unfunded
    from simulator.backtest.sources import DEFAULT_CACHE, load_source
    from simulator.backtest.strategy import split_market

    try:
        traded: list[str] = args.symbol or ["BTC/USDT"]
        markets = [split_market(text) for text in traded]
        if len(set(markets)) != len(markets):
            raise ValueError(f"--symbol {', '.join(traded)}: a symbol is given twice")
        declared = load_instruments(args.config) if args.config is not None else Instruments()
        symbols = declare(
            markets[0][1],
            declared.symbols,
            tick=args.tick,
            lot=args.lot,
            min_size=args.min_size,
            min_funds=args.min_funds,
        )
        venues = tuple(dict.fromkeys(venue for venue, _ in markets))
        given = args.balance or list((declared.balances or DEFAULT_BALANCES).items())
        balances = venue_balances(given, venues)
        strategy_cls = load_strategy(args.strategy)
        strategy = make_strategy(
            strategy_cls, traded[0] if len(traded) == 1 else traded, dict(args.param or [])
        )
        sources = sources_per_symbol(args.data, traded)
        with warnings.catch_warnings(record=True) as notices:
            warnings.simplefilter("always", NaiveTimes)
            data = [
                load_source(
                    source, symbol, args.interval, cache=args.cache or DEFAULT_CACHE, trades=args.trades,
                    venue=venue,
                )
                for (venue, symbol), source in zip(markets, sources, strict=True)
            ]
        for notice in notices:
            print(f"note: {notice.message}", file=sys.stderr)
        rules = FillRules(candle_path=args.path, latency_ms=args.latency, latency_jitter_ms=args.jitter)
        backtest = Backtest(
            strategy,
            data,
            balances=balances,
            seed=args.seed,
            rules=rules,
            maker_fee_rate=venue_rates("--maker-fee", args.maker_fee, venues, declared.maker_fee_rate),
            taker_fee_rate=venue_rates("--taker-fee", args.taker_fee, venues, declared.taker_fee_rate),
            sample_ms=args.sample,
            symbols=symbols,
        )
        out: Path = args.out
        out.mkdir(parents=True, exist_ok=True)  # (before the run: a bad --out fails at once)
    except FileExistsError:
        print(f"simulator backtest: --out {args.out} is a file, not a directory", file=sys.stderr)
        return 2
    except (ValueError, TypeError, OSError, ExchangeError) as err:
        print(f"simulator backtest: {err}", file=sys.stderr)
        return 2
    _tell_estimate(backtest, args.data[0], dict(backtest.balances), args.seed, plotting=not args.no_plot)
    bar, backtest.progress = _progress(args.quiet)
    try:
        result = asyncio.run(backtest.run())
    except (SetupError, DataError) as err:  # refused before the strategy ran: no traceback
        hint = ""
        if isinstance(err, Unfunded):
            hint = f"; pass --balance {err.quote}=AMOUNT (or --balance {err.base}=AMOUNT)"
        elif isinstance(err.__cause__, BadSymbol) or "900001" in str(err):
            hint = "; declare its rules with --tick and --lot (or in a --config file's [[venue.symbols]])"
        print(f"simulator backtest: {err}{hint}", file=sys.stderr)
        return 2
    finally:
        if bar is not None:
            bar.close()
    try:
        written = write_result(out, result, plot=not args.no_plot, params=dict(args.param or []))
    except OSError as err:
        print(f"simulator backtest: cannot write to {out}: {err}", file=sys.stderr)
        return 2
    print(result.report.table())
    print(f"\nwritten to {out}/: " + ", ".join(p.name for p in written))
    return 0


COMMAND = Command(
    name="backtest",
    help="run a strategy over synthetic, cached or file market data and report",
    configure=configure,
    run=run,
)
