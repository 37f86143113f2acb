"""How long a synthetic run will take and how much memory it will hold, told before it starts.

Measured, not guessed: a short run of the same market (same symbols, interval and seed,
a strategy that does nothing) is timed and its peak memory taken with ``tracemalloc``;
what grows with the run's length beyond that (a point of the equity curve a bar, and the
venue's one-minute bars of each symbol; its caches and trade history are bounded) is
measured on a few thousand of them. Both are scaled to the run's length. The memory told
is the process's: what it holds once the probe has run (interpreter, libraries, the probe's
peak, and the plotting library when the run will plot), plus that growth, since a user
compares it with what the system shows, not with Python's heap. The strategy's own work
comes on top.
"""

from __future__ import annotations

import asyncio
import importlib
import sys
import time
import tracemalloc
from collections.abc import Callable
from decimal import Decimal

import attrs

from simulator.venue.candles import CandleStore

from .report import EquityPoint
from .runner import Backtest, SyntheticData
from .strategy import Strategy, split_market

__all__ = ["LONG_RUN_MS", "Estimate", "estimate_synthetic"]

LONG_RUN_MS = 86_400_000  # a day of market: from here on a run is worth an estimate
_PROBE_MS = 3 * 3_600_000
_SAMPLES = 5_000


@attrs.frozen
class Estimate:
    seconds: float  # wall time
    bytes: int  # the process's memory at the peak (resident set)
    rate: float  # simulated seconds per wall second, measured
    per_bar: float  # bytes each more bar holds, measured

    def describe(self, label: str) -> str:
        return (
            f"{label}: about {_duration(self.seconds)} and {self.bytes / 2**20:,.0f} MiB at the peak "
            f"(measured on a {_PROBE_MS // 3_600_000} h run here: {self.rate:,.0f} simulated seconds "
            f"per wall second, {self.per_bar:,.0f} bytes a bar more; the strategy's own work comes on top)"
        )


class _Idle(Strategy):
    pass


def _probe(
    data: SyntheticData, symbols: tuple[str, ...], balances: dict[str, Decimal], seed: int, span_ms: int
) -> Backtest:
    span = attrs.evolve(data, duration_ms=span_ms)
    markets = [split_market(market) for market in symbols]
    sources = [attrs.evolve(span, symbol=symbol, venue=venue) for venue, symbol in markets]
    return Backtest(_Idle(symbols), sources, balances=balances, seed=seed)


T0 = 1_700_000_000_000


def _peak(backtest: Backtest) -> int:
    """The most memory ``backtest`` holds at once while it runs."""
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        asyncio.run(backtest.run())
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def process_peak() -> int | None:
    """The most memory (resident set, bytes) this process has held so far, where the system
    tells it (not on Windows)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # macOS counts bytes, Linux KiB


def _load_plotting() -> None:
    """Load what the plot will load, so that its memory counts."""
    try:
        matplotlib = importlib.import_module("matplotlib")
    except ImportError:
        return  # (the run writes no plot then)
    matplotlib.use("Agg")
    importlib.import_module("matplotlib.pyplot")


def estimate_synthetic(
    data: SyntheticData,
    symbols: tuple[str, ...],
    balances: dict[str, Decimal],
    *,
    seed: int = 0,
    plotting: bool = False,
) -> Estimate:
    """The time and memory of a synthetic run of ``symbols`` (``BTC/USDT`` or, on another
    venue, ``binance:BTC/USDT``) over ``data``'s span (with ``plotting``, of a run that
    draws its plot at the end)."""
    if plotting:
        _load_plotting()
    probe_ms = min(_PROBE_MS, data.duration_ms)
    start = time.perf_counter()
    asyncio.run(_probe(data, symbols, balances, seed, probe_ms).run())
    elapsed = max(time.perf_counter() - start, 1e-6)
    peak = _peak(_probe(data, symbols, balances, seed, probe_ms))
    iv = data.interval.ms
    minutes_per_bar = max(iv // 60_000, 1)
    per_bar = _curve_point() + len(symbols) * minutes_per_bar * _minute_bar()
    more_bars = max(data.duration_ms - probe_ms, 0) // iv
    held = process_peak()
    return Estimate(
        seconds=elapsed * data.duration_ms / probe_ms,
        bytes=int((peak if held is None else max(held, peak)) + per_bar * more_bars),
        rate=probe_ms / 1000 / elapsed,
        per_bar=per_bar,
    )


def _traced(build: Callable[[], object]) -> float:
    """Bytes ``build`` leaves allocated, per sample."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = build()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    del kept
    return held / _SAMPLES


def _curve_point() -> float:
    price = Decimal("60123.4")

    def build() -> list[EquityPoint]:
        return [
            EquityPoint(T0 + i * 60_000, Decimal(10_000 + i) / 7, Decimal(i) / 3, price + i)
            for i in range(_SAMPLES)
        ]

    return _traced(build)


def _minute_bar() -> float:
    def build() -> CandleStore:
        store = CandleStore()
        for i in range(_SAMPLES):
            store.add(T0 + i * 60_000, 600_000 + i, 1_000 + i, (600_000 + i) * (1_000 + i))
        return store

    return _traced(build)


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:,.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:,.0f} min"
    return f"{seconds / 3600:,.1f} h"
