"""Parameter sweeps: one backtest per parameter set, on Ray (local or a cluster) or in process.

A grid tries every combination; ``random`` and ``optuna`` (TPE) searches are driven by
Optuna, whose study lives in SQLite so an interrupted sweep resumes where it stopped.
Every trial runs with the sweep's seed and its own parameters only, so it gives the same
figures wherever and whenever it runs. Each worker loads the data once and runs many trials
on it. Walk-forward: optimise on a window, test the best parameters on the next one, roll.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from bisect import bisect_left
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import attrs

from exchanges import Candle, Trade
from simulator.venue.listing import SymbolSpec

from .replay import FillRules
from .report import Report
from .runner import Backtest, BacktestResult, Balances, MarketData, Rate, Source, SyntheticData
from .sources import DEFAULT_CACHE, load_source, parse_duration
from .strategy import load_strategy, make_strategy, split_market

__all__ = [
    "OBJECTIVES",
    "ParamSpace",
    "SweepResult",
    "TrialRunner",
    "TrialSetup",
    "Window",
    "figures",
    "grid",
    "parse_param",
    "run_sweep",
    "walk_forward_windows",
]

#: name -> (figure, whether larger is better)
OBJECTIVES: dict[str, tuple[str, bool]] = {
    "sharpe": ("sharpe", True),
    "return": ("total_return", True),
    "calmar": ("calmar", True),
    "pnl": ("total_pnl", True),
    "drawdown": ("max_drawdown", False),
    "win_rate": ("win_rate", True),
    "exposure": ("exposure", False),
}


@attrs.frozen
class ParamSpace:
    """One ``--param``: a list of values (``20,50,100``), a range (``5:50:5``, both ends
    included) or one value. Values stay strings, as a strategy receives them."""

    name: str
    values: tuple[str, ...]
    low: Decimal | None = None
    high: Decimal | None = None
    step: Decimal | None = None

    @property
    def is_range(self) -> bool:
        return self.low is not None


def _number(text: str, what: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(f"{what}: {text!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"{what}: {text!r} is not finite")
    return value


def parse_param(text: str) -> ParamSpace:
    name, sep, spec = text.partition("=")
    name, spec = name.strip(), spec.strip()
    if not sep or not name or not spec:
        raise ValueError(f"expected NAME=VALUES (fast=5:50:5 or slow=20,50,100), got {text!r}")
    if ":" in spec:
        parts = spec.split(":")
        if len(parts) != 3:
            raise ValueError(f"{name}: a range is START:STOP:STEP, got {spec!r}")
        low, high, step = (_number(p, name) for p in parts)
        if step <= 0 or high < low:
            raise ValueError(f"{name}: a range needs STEP > 0 and START <= STOP, got {spec!r}")
        count = int((high - low) / step) + 1
        if count > 100_000:
            raise ValueError(f"{name}: {count} values is too many for one parameter")
        values = tuple(_plain(low + k * step) for k in range(count))
        return ParamSpace(name, values, low, high, step)
    values = tuple(v.strip() for v in spec.split(","))
    if any(not v for v in values):
        raise ValueError(f"{name}: an empty value in {spec!r}")
    return ParamSpace(name, tuple(dict.fromkeys(values)))


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f") if value else "0"


def grid(spaces: Sequence[ParamSpace]) -> list[dict[str, str]]:
    """Every combination, the first parameter varying slowest."""
    names = [s.name for s in spaces]
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*(s.values for s in spaces))]


@attrs.frozen(kw_only=True)
class TrialSetup:
    """Everything a trial needs besides its parameters (sent to each worker once).

    ``symbol`` is one market or several (``("kucoin:BTC/USDT", "binance:BTC/USDT")``),
    ``data`` one source for each, in the same order (one ``synthetic`` or ``cache`` serves
    them all); ``balances`` and fee rates as :class:`~simulator.backtest.Backtest` takes
    them."""

    strategy: str
    symbol: str | tuple[str, ...]
    data: str | tuple[str, ...]
    interval: str = "1m"
    trades: bool = False
    cache: str = str(DEFAULT_CACHE)
    balances: Balances = attrs.field(factory=lambda: {"USDT": Decimal(10_000)})
    seed: int = 0
    rules: FillRules = attrs.field(factory=FillRules)
    maker_fee_rate: Rate = None
    taker_fee_rate: Rate = None
    symbols: tuple[SymbolSpec, ...] = ()
    sample_ms: int | None = None
    fixed: Mapping[str, str] = attrs.field(factory=dict)  # parameters every trial gets

    @property
    def markets(self) -> tuple[str, ...]:
        return (self.symbol,) if isinstance(self.symbol, str) else self.symbol

    @property
    def sources(self) -> tuple[str, ...]:
        """One source per market."""
        given = (self.data,) if isinstance(self.data, str) else self.data
        if len(given) == len(self.markets):
            return given
        if len(given) == 1 and (given[0] == "cache" or given[0].startswith("synthetic")):
            return given * len(self.markets)
        raise ValueError(
            f"{len(given)} data sources for {len(self.markets)} markets: give one per market, in the "
            "same order (or one synthetic or cache for all)"
        )


@attrs.frozen
class Window:
    """A time range of the data, ``[start, end)`` in ms."""

    start: int
    end: int


def figures(report: Report) -> dict[str, Any]:
    """The report's figures as one table row (floats, ints; money as float for the table);
    a run of several markets adds each one's net PnL (``net_pnl binance:BTC/USDT``)."""
    calmar = report.total_return / report.max_drawdown if report.max_drawdown > 0 else None
    return {
        "total_return": report.total_return,
        "sharpe": report.sharpe,
        "max_drawdown": report.max_drawdown,
        "calmar": calmar,
        "total_pnl": float(report.total_pnl),
        "final_equity": float(report.final_equity),
        "fees": float(sum(report.fees.values(), Decimal(0))),
        "fills": report.fills,
        "orders": report.orders,
        "round_trips": report.round_trips,
        "win_rate": report.win_rate,
        "exposure": report.exposure,
        "start": report.start,
        "end": report.end,
        **{f"net_pnl {row.label}": float(row.net) for row in report.per_symbol},
    }


def _event_time(event: Candle | Trade) -> int:
    return event.start if isinstance(event, Candle) else event.timestamp


class TrialRunner:
    """Runs trials of one setup; loads (and, for windows, indexes) the data once."""

    def __init__(self, setup: TrialSetup) -> None:
        self.setup = setup
        self.strategy_cls = load_strategy(setup.strategy)
        self.sources: list[Source] = []
        for market, source in zip(setup.markets, setup.sources, strict=True):
            venue, symbol = split_market(market)
            self.sources.append(load_source(
                source, symbol, setup.interval, cache=Path(setup.cache), trades=setup.trades, venue=venue
            ))  # fmt: skip
        self.data = self.sources[0]
        self._indexes: dict[int, tuple[list[Candle | Trade], list[int]]] = {}

    def span(self) -> Window:
        """From the earliest event of any source to the end of the latest."""
        data = self.data
        if isinstance(data, SyntheticData):
            return Window(data.start_ms, data.start_ms + data.duration_ms)
        spans = []
        for k, source in enumerate(self.sources):
            assert isinstance(source, MarketData)
            events, _ = self._indexed(k)
            last = events[-1]
            step = source.interval.ms if isinstance(last, Candle) and source.interval else 1
            spans.append(Window(_event_time(events[0]), _event_time(last) + step))
        return Window(min(s.start for s in spans), max(s.end for s in spans))

    def _indexed(self, k: int) -> tuple[list[Candle | Trade], list[int]]:
        if k not in self._indexes:
            source = self.sources[k]
            assert isinstance(source, MarketData)
            events = list(source.events)
            self._indexes[k] = events, [_event_time(e) for e in events]
        return self._indexes[k]

    def _window(self, window: Window | None) -> list[Source]:
        if window is None:
            return self.sources
        out: list[Source] = []
        for k, data in enumerate(self.sources):
            if isinstance(data, SyntheticData):
                out.append(attrs.evolve(data, start_ms=window.start, duration_ms=window.end - window.start))
                continue
            events, times = self._indexed(k)
            lo, hi = bisect_left(times, window.start), bisect_left(times, window.end)
            if lo >= hi:
                raise ValueError(f"no data of {data.symbol} between {window.start} and {window.end}")
            out.append(attrs.evolve(data, events=events[lo:hi]))
        return out

    def result(self, params: Mapping[str, str], window: Window | None = None) -> BacktestResult:
        s = self.setup
        markets = s.markets[0] if len(s.markets) == 1 else s.markets
        strategy = make_strategy(self.strategy_cls, markets, {**s.fixed, **params})
        sources = self._window(window)
        backtest = Backtest(
            strategy,
            sources[0] if len(sources) == 1 else sources,
            balances=s.balances,
            seed=s.seed,
            rules=s.rules,
            maker_fee_rate=s.maker_fee_rate,
            taker_fee_rate=s.taker_fee_rate,
            sample_ms=s.sample_ms,
            symbols=s.symbols,
        )
        return asyncio.run(backtest.run())

    def run(
        self, index: int, params: Mapping[str, str], window: Window | None = None
    ) -> tuple[int, dict[str, Any]]:
        """One trial: its index back (results arrive in any order) and its table row."""
        report = self.result(params, window).report
        return index, {"trial": index, **params, **figures(report)}


def walk_forward_windows(span: Window, train_ms: int, test_ms: int) -> list[tuple[Window, Window]]:
    """(optimise on, test on) pairs: train, then the test window right after, rolled on by
    the test length until the data runs out."""
    out = []
    start = span.start
    while start + train_ms + test_ms <= span.end:
        train = Window(start, start + train_ms)
        out.append((train, Window(train.end, train.end + test_ms)))
        start += test_ms
    if not out:
        raise ValueError(
            f"the data covers {(span.end - span.start) // 1000} s: too short for one "
            f"{train_ms // 1000} s training window and one {test_ms // 1000} s test window"
        )
    return out


# --- executors ----------------------------------------------------------------------------------

Job = tuple[int, dict[str, str], Window | None]


class _Local:
    """Trials one after another in this process (the baseline, and for small sweeps)."""

    def __init__(self, setup: TrialSetup) -> None:
        self.runner = TrialRunner(setup)
        self.workers = 1

    def map(self, jobs: Sequence[Job]) -> Iterator[tuple[int, dict[str, Any]]]:
        for index, params, window in jobs:
            yield self.runner.run(index, params, window)

    def close(self) -> None:
        return None


class _Ray:
    """One actor per worker, each holding the data; trials go to whichever is free."""

    def __init__(self, setup: TrialSetup, address: str | None, workers: int | None) -> None:
        try:
            import ray
            from ray.util import ActorPool
        except ImportError:
            raise RuntimeError("sweeps on Ray need the sweep extra: pip install 'exchanges[sweep]'") from None
        self._ray = ray
        self._started = not ray.is_initialized()
        if self._started:
            kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
            if address:
                kwargs["address"] = address
            else:  # a private instance on this machine, reached on loopback only
                kwargs.update(num_cpus=workers, _node_ip_address="127.0.0.1")
            ray.init(**kwargs)
        count = workers or max(int(ray.available_resources().get("CPU", 1)), 1)  # type: ignore[no-untyped-call]
        remote: Any = ray.remote(num_cpus=1)(TrialRunner)
        self.actors: list[Any] = [remote.remote(setup) for _ in range(count)]
        self.pool = ActorPool(self.actors)
        self.workers = count

    def map(self, jobs: Sequence[Job]) -> Iterator[tuple[int, dict[str, Any]]]:
        return self.pool.map_unordered(lambda actor, job: actor.run.remote(*job), list(jobs))  # type: ignore[no-any-return]

    def close(self) -> None:
        for actor in self.actors:
            self._ray.kill(actor)
        if self._started:
            self._ray.shutdown()


def make_executor(
    setup: TrialSetup, executor: str, address: str | None, workers: int | None
) -> _Local | _Ray:
    if executor == "local":
        return _Local(setup)
    if executor == "ray":
        return _Ray(setup, address, workers)
    raise ValueError(f"executor must be ray or local, not {executor!r}")


# --- the sweep ------------------------------------------------------------------------------------


@attrs.frozen
class SweepResult:
    rows: list[dict[str, Any]]  # one per trial, by trial number
    best: dict[str, Any] | None
    objective: str
    walk_forward: list[dict[str, Any]] = attrs.field(factory=list)


def _score(row: Mapping[str, Any], objective: str) -> float | None:
    figure, larger = OBJECTIVES[objective]
    value = row.get(figure)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value) if larger else -float(value)


def _best(rows: Sequence[Mapping[str, Any]], objective: str) -> dict[str, Any] | None:
    scored = [(s, -r["trial"], r) for r in rows if (s := _score(r, objective)) is not None]
    return dict(max(scored, key=lambda t: (t[0], t[1]))[2]) if scored else None


Progress = Callable[[int, int, dict[str, Any] | None], None]


def _grid_search(
    pool: _Local | _Ray,
    candidates: list[dict[str, str]],
    objective: str,
    window: Window | None,
    progress: Progress | None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    jobs = [(offset + i, params, window) for i, params in enumerate(candidates)]
    rows: list[dict[str, Any]] = []
    for _, row in pool.map(jobs):
        rows.append(row)
        if progress is not None:
            progress(len(rows), len(jobs), _best(rows, objective))
    return sorted(rows, key=lambda r: r["trial"])


def _optuna_search(
    pool: _Local | _Ray,
    spaces: Sequence[ParamSpace],
    objective: str,
    search: str,
    trials: int,
    seed: int,
    storage: Path,
    study_name: str,
    window: Window | None,
    progress: Progress | None,
) -> list[dict[str, Any]]:
    try:
        import optuna
    except ImportError:
        raise RuntimeError(f"--search {search} needs Optuna: pip install 'exchanges[sweep]'") from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = (
        optuna.samplers.RandomSampler(seed=seed)
        if search == "random"
        else optuna.samplers.TPESampler(seed=seed)
    )
    storage.parent.mkdir(parents=True, exist_ok=True)
    study = optuna.create_study(
        study_name=study_name,
        storage=f"sqlite:///{storage}",
        sampler=sampler,
        direction="maximize" if OBJECTIVES[objective][1] else "minimize",
        load_if_exists=True,
    )
    figure = OBJECTIVES[objective][0]

    def suggest(trial: Any) -> dict[str, str]:
        params = {}
        for space in spaces:
            if space.is_range:
                assert space.low is not None and space.step is not None
                k = trial.suggest_int(f"{space.name}#", 0, len(space.values) - 1)
                params[space.name] = space.values[k]
            else:
                params[space.name] = trial.suggest_categorical(space.name, list(space.values))
        trial.set_user_attr("params", params)
        return params

    asked: dict[int, Any] = {}

    def finish(number: int, row: dict[str, Any]) -> None:
        trial = asked.pop(number)
        trial.set_user_attr("row", row)
        value = row.get(figure)
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
        else:
            study.tell(trial, float(value))

    complete = optuna.trial.TrialState.COMPLETE
    rows: list[dict[str, Any]] = [
        t.user_attrs["row"]
        for t in study.get_trials(deepcopy=False, states=(complete, optuna.trial.TrialState.FAIL))
        if "row" in t.user_attrs
    ]
    # an interrupted sweep: trials asked but never told are asked again, with their parameters
    for stale in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
        study.enqueue_trial(stale.params, skip_if_exists=False)
        study.tell(stale.number, state=optuna.trial.TrialState.FAIL)
    done = len(rows)
    while done < trials:
        batch: list[Job] = []
        while len(batch) < min(pool.workers, trials - done):
            trial = study.ask()
            asked[trial.number] = trial
            batch.append((trial.number, suggest(trial), window))
        for number, row in pool.map(batch):
            finish(number, row)
            rows.append(row)
            done += 1
            if progress is not None:
                progress(done, trials, _best(rows, objective))
    rows.sort(key=lambda r: r["trial"])
    return rows


def run_sweep(
    setup: TrialSetup,
    spaces: Sequence[ParamSpace],
    *,
    objective: str = "sharpe",
    search: str = "grid",
    trials: int | None = None,
    executor: str = "ray",
    address: str | None = None,
    workers: int | None = None,
    study: Path | None = None,
    study_name: str = "sweep",
    walk_forward: tuple[int, int] | None = None,
    progress: Progress | None = None,
) -> SweepResult:
    """``walk_forward=(train_ms, test_ms)``: optimise on each training window, then run the
    best parameters on the test window after it; the rows are the in-sample trials."""
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {', '.join(OBJECTIVES)}, not {objective!r}")
    if search not in ("grid", "random", "optuna"):
        raise ValueError(f"search must be grid, random or optuna, not {search!r}")
    if not spaces:
        raise ValueError("nothing to sweep: give at least one --param NAME=VALUES")
    if search != "grid" and not trials:
        raise ValueError(f"--search {search} needs --trials N")
    candidates = grid(spaces)
    pool = make_executor(setup, executor, address, workers)
    try:
        if walk_forward is None:
            rows = _search(pool, spaces, candidates, objective, search, trials, setup.seed, study, study_name,
                           None, progress)  # fmt: skip
            return SweepResult(rows, _best(rows, objective), objective)
        span = (pool.runner if isinstance(pool, _Local) else TrialRunner(setup)).span()
        rows, steps = [], []
        for k, (train, test) in enumerate(walk_forward_windows(span, *walk_forward)):
            window_rows = _search(pool, spaces, candidates, objective, search, trials, setup.seed, study,
                                  f"{study_name}-wf{k}", train, progress, offset=len(rows))  # fmt: skip
            for row in window_rows:
                row["window"] = k
            rows += window_rows
            best = _best(window_rows, objective)
            if best is None:
                continue
            params = {s.name: best[s.name] for s in spaces}
            ((_, tested),) = list(pool.map([(k, params, test)]))
            steps.append({
                "window": k, "train_start": train.start, "train_end": train.end, "test_start": test.start,
                "test_end": test.end, **params, f"in_sample_{objective}": best.get(OBJECTIVES[objective][0]),
                f"out_of_sample_{objective}": tested.get(OBJECTIVES[objective][0]),
                "out_of_sample_return": tested["total_return"],
            })  # fmt: skip
        return SweepResult(rows, _best(rows, objective), objective, steps)
    finally:
        pool.close()


def _search(
    pool: _Local | _Ray,
    spaces: Sequence[ParamSpace],
    candidates: list[dict[str, str]],
    objective: str,
    search: str,
    trials: int | None,
    seed: int,
    study: Path | None,
    study_name: str,
    window: Window | None,
    progress: Progress | None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    if search == "grid":
        return _grid_search(pool, candidates, objective, window, progress, offset)
    assert trials is not None
    storage = study or Path("out") / "sweep" / "study.db"
    rows = _optuna_search(
        pool, spaces, objective, search, trials, seed, storage, study_name, window, progress
    )
    for row in rows:
        row["trial"] += offset
    return rows


def parse_walk_forward(text: str) -> tuple[int, int]:
    """``30d:10d`` -> (train ms, test ms)."""
    train, sep, test = text.partition(":")
    if not sep:
        raise ValueError(f"walk-forward is TRAIN:TEST (e.g. 30d:10d), got {text!r}")
    return parse_duration(train), parse_duration(test)


def elapsed(start: float) -> float:
    return time.perf_counter() - start
