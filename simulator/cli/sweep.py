"""``python -m simulator sweep STRATEGY --data ... --param fast=5:50:5 --param slow=20,50,100``.

One backtest per parameter set on Ray (a local instance by default, a cluster with
``--address``), or in this process (``--executor local``). Writes ``results.parquet`` and
``results.csv`` (every trial's parameters and figures), the best trial's full report in
``best/``, ``heatmap.png`` for two-parameter grids, the Optuna study (``study.db``) for
random and Optuna searches, and ``walk_forward.csv`` with ``--walk-forward``.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path
from typing import Any

from simulator.cli.backtest import (
    DEFAULT_BALANCES,
    _balance,
    _symbol,
    fee_rate,
    sources_per_symbol,
    venue_balances,
    venue_rates,
)
from simulator.cli.command import Command

__all__ = ["COMMAND"]


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("strategy", help="a file (examples/ma_crossover.py[:Class]) or module[:Class]")
    parser.add_argument(
        "--data", required=True, action="append",
        help="synthetic[:DURATION][:apart], cache, or a data file; one per --symbol, in the same order, "
        "as backtest",
    )  # fmt: skip
    parser.add_argument(
        "--param", action="append", default=[], metavar="NAME=VALUES",
        help="a parameter to sweep: START:STOP:STEP (both ends included), A,B,C, or one value (repeatable)",
    )  # fmt: skip
    parser.add_argument("--search", default="grid", choices=("grid", "random", "optuna"))
    parser.add_argument("--trials", type=int, default=None, help="trials of a random or optuna search")
    parser.add_argument(
        "--objective", default="sharpe",
        choices=("sharpe", "return", "calmar", "pnl", "drawdown", "win_rate"),
        help="what the best trial maximises (drawdown: minimises)",
    )  # fmt: skip
    parser.add_argument("--executor", default="ray", choices=("ray", "local"), help="default ray")
    parser.add_argument("--address", default=None, help="a Ray cluster (ray://HOST:PORT); default: local")
    parser.add_argument("--workers", type=int, default=None, help="workers (default: one per CPU)")
    parser.add_argument("--walk-forward", default=None, metavar="TRAIN:TEST",
                        help="optimise on TRAIN (30d), test on the next TEST (10d), roll")  # fmt: skip
    parser.add_argument(
        "--symbol", type=_symbol, action="append",
        help="BASE/QUOTE or VENUE:BASE/QUOTE (default BTC/USDT); repeatable, as backtest",
    )  # fmt: skip
    parser.add_argument("--interval", default="1m")
    parser.add_argument("--trades", action="store_true", help="with --data cache: replay trades")
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--config", type=Path, default=None, help="TOML: symbols, fees, balances")
    parser.add_argument("--tick", default=None, help="the symbol's price increment")
    parser.add_argument("--lot", default=None, help="the symbol's size increment")
    parser.add_argument("--seed", type=int, default=0, help="every trial's seed (and the search's)")
    parser.add_argument("--balance", action="append", type=_balance, metavar="[VENUE:]CUR=AMT")
    parser.add_argument("--maker-fee", type=fee_rate, action="append", metavar="[VENUE:]RATE",
                        help="as in backtest")
    parser.add_argument("--taker-fee", type=fee_rate, action="append", metavar="[VENUE:]RATE",
                        help="as in backtest")
    parser.add_argument("--out", type=Path, default=Path("out") / "sweep")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _bar(quiet: bool, figure: str) -> tuple[Any, Any]:
    if quiet:
        return None, None
    from tqdm import tqdm

    bar = tqdm(total=0, unit="trial", file=sys.stderr, dynamic_ncols=True)

    def update(done: int, total: int, best: dict[str, Any] | None) -> None:
        bar.total = total
        bar.update(done - bar.n)
        if best is not None:
            bar.set_postfix_str(f"best {figure} {best.get(figure)} (trial {best['trial']})", refresh=False)

    return bar, update


def run(args: argparse.Namespace) -> int:
    from exchanges import ExchangeError
    from simulator.backtest import FillRules, Instruments, declare, load_instruments
    from simulator.backtest.data import DataError
    from simulator.backtest.output import write_result
    from simulator.backtest.sources import DEFAULT_CACHE
    from simulator.backtest.strategy import split_market
    from simulator.backtest.sweep import (
        OBJECTIVES,
        TrialRunner,
        TrialSetup,
        parse_param,
        parse_walk_forward,
        run_sweep,
    )
    from simulator.backtest.sweep_output import plot_heatmap, write_table

    try:
        spaces = [parse_param(p) for p in args.param]
        declared = load_instruments(args.config) if args.config is not None else Instruments()
        traded: list[str] = args.symbol or ["BTC/USDT"]
        markets = [split_market(text) for text in traded]
        symbols = declare(markets[0][1], declared.symbols, tick=args.tick, lot=args.lot)
        venues = tuple(dict.fromkeys(venue for venue, _ in markets))
        given = args.balance or list((declared.balances or DEFAULT_BALANCES).items())
        setup = TrialSetup(
            strategy=args.strategy,
            symbol=traded[0] if len(traded) == 1 else tuple(traded),
            data=tuple(sources_per_symbol(args.data, traded)),
            interval=args.interval,
            trades=args.trades,
            cache=str(args.cache or DEFAULT_CACHE),
            balances=venue_balances(given, venues),
            seed=args.seed,
            rules=FillRules(),
            maker_fee_rate=venue_rates("--maker-fee", args.maker_fee, venues, declared.maker_fee_rate),
            taker_fee_rate=venue_rates("--taker-fee", args.taker_fee, venues, declared.taker_fee_rate),
            symbols=tuple(symbols),
        )
        walk = parse_walk_forward(args.walk_forward) if args.walk_forward else None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (the dates-as-UTC note: the backtest command says it)
            TrialRunner(setup)  # here, so bad data or a bad strategy fails before any worker starts
    except (ValueError, OSError, ExchangeError, DataError) as err:
        print(f"simulator sweep: {err}", file=sys.stderr)
        return 2
    out: Path = args.out
    bar, progress = _bar(args.quiet, OBJECTIVES[args.objective][0])
    started = time.perf_counter()
    try:
        result = run_sweep(
            setup, spaces, objective=args.objective, search=args.search, trials=args.trials,
            executor=args.executor, address=args.address, workers=args.workers, study=out / "study.db",
            walk_forward=walk, progress=progress,
        )  # fmt: skip
    except (ValueError, RuntimeError) as err:
        print(f"simulator sweep: {err}", file=sys.stderr)
        return 2
    finally:
        if bar is not None:
            bar.close()
    seconds = time.perf_counter() - started
    written = write_table(result.rows, out / "results")
    if result.walk_forward:
        written += [p for p in write_table(result.walk_forward, out / "walk_forward") if p.suffix == ".csv"]
    if args.search == "grid" and len([s for s in spaces if len(s.values) > 1]) == 2 and walk is None:
        x, y = (s.name for s in spaces if len(s.values) > 1)
        written.append(plot_heatmap(result.rows, x, y, OBJECTIVES[args.objective][0], out / "heatmap.png"))
    best = result.best
    print(f"{len(result.rows)} trials in {seconds:.1f} s ({len(result.rows) / seconds * 60:,.0f} per minute)")
    if best is None:
        print("no trial gave a value for the objective")
    else:
        params = {s.name: best[s.name] for s in spaces}
        figure = OBJECTIVES[args.objective][0]
        print(f"best: trial {best['trial']} {params}: {figure} {best[figure]}")
        full = TrialRunner(setup).result(params)
        written += write_result(out / "best", full, params={**params})
        print(full.report.table())
    print(f"\nwritten to {out}/: " + ", ".join(str(p.relative_to(out)) for p in written))
    return 0


COMMAND = Command(
    name="sweep",
    help="run a strategy over a grid or a search of parameters, on Ray or in process",
    configure=configure,
    run=run,
)
