"""Repeated timing: the best of a few runs, and their median.

This VM's speed moves by up to 2x with its neighbours' load. Noise only ever adds time, so
the fastest of a few runs says most about the code (the reasoning behind ``timeit``'s
advice to take the minimum); the median is printed beside it so that the spread shows.
"""

from __future__ import annotations

import gc
import statistics
from collections.abc import Callable

__all__ = ["REPEAT", "Timing", "repeat"]

REPEAT = 3


class Timing:
    """Seconds per run: ``best`` (fastest) and ``median``."""

    __slots__ = ("best", "median", "runs")

    def __init__(self, runs: list[float]) -> None:
        if not runs:
            raise ValueError("no runs")
        self.runs = runs
        self.best = min(runs)
        self.median = statistics.median(runs)


def repeat(run: Callable[[], float], times: int = REPEAT) -> Timing:
    """Call ``run`` (which returns the seconds it measured) ``times`` times, collecting
    garbage before each so that one run's leftovers are not charged to the next."""
    runs = []
    for _ in range(times):
        gc.collect()
        runs.append(run())
    return Timing(runs)
