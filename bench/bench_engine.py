"""Matching engine throughput and memory on one book, against a dict baseline.

Workload (seeded, generated before timing): 1,000,000 operations: 60 % resting limit
orders (1-50 ticks from a fixed mid), 15 % marketable orders (market by size), 25 %
cancels of earlier orders (some already filled: a cancel that finds nothing still counts).
The baseline runs the same operation list doing only a dict insert (limits) or pop (market
orders and cancels) per operation, so the ratio shows the engine's cost over Python's
floor. Each is timed as the best of three runs, with the median beside it
(:mod:`bench.timing`).
"""

from __future__ import annotations

import gc
import random
import time
import tracemalloc
from collections.abc import Callable

from bench.timing import repeat
from simulator.engine import FLAG_MARKET, Book, EngineOrder

OPS = 1_000_000
MID = 1_000_000  # ticks
SEED = 7

LIMIT, MARKET, CANCEL = 0, 1, 2


def workload(n: int = OPS, seed: int = SEED) -> list[tuple[int, int, bool, int, int]]:
    """``(kind, order id, is_buy, price ticks, size lots)`` per operation."""
    rng = random.Random(seed)
    ops: list[tuple[int, int, bool, int, int]] = []
    placed: list[int] = []
    next_id = 1
    for _ in range(n):
        r = rng.random()
        if r < 0.60 or not placed:
            is_buy = rng.random() < 0.5
            offset = rng.randint(1, 50)
            price = MID - offset if is_buy else MID + offset
            ops.append((LIMIT, next_id, is_buy, price, rng.randint(1, 100)))
            placed.append(next_id)
            next_id += 1
        elif r < 0.75:
            ops.append((MARKET, next_id, rng.random() < 0.5, 0, rng.randint(1, 100)))
            next_id += 1
        else:
            i = rng.randrange(len(placed))
            placed[i], placed[-1] = placed[-1], placed[i]
            ops.append((CANCEL, placed.pop(), False, 0, 0))
    return ops


def run_engine(ops: list[tuple[int, int, bool, int, int]]) -> Book:
    book = Book()
    submit = book.submit
    cancel = book.cancel
    now = 1_700_000_000_000
    for kind, oid, is_buy, price, size in ops:
        if kind == LIMIT:
            submit(EngineOrder(oid, 1, is_buy, price, size), now)
        elif kind == MARKET:
            submit(EngineOrder(oid, 2, is_buy, 0, size, FLAG_MARKET), now)
        else:
            cancel(oid, now)
    return book


def run_baseline(ops: list[tuple[int, int, bool, int, int]]) -> dict[int, tuple[bool, int, int]]:
    book: dict[int, tuple[bool, int, int]] = {}
    for kind, oid, is_buy, price, size in ops:
        if kind == LIMIT:
            book[oid] = (is_buy, price, size)
        else:
            book.pop(oid, None)
    return book


def memory_per_resting_order(n: int = 100_000) -> float:
    """Bytes traced per resting order while ``n`` non-crossing limits rest on one book."""
    rng = random.Random(SEED)
    orders = [(i, rng.random() < 0.5, rng.randint(1, 50), rng.randint(1, 100)) for i in range(n)]
    gc.collect()
    tracemalloc.start()
    book = Book()
    before = tracemalloc.get_traced_memory()[0]
    for oid, is_buy, offset, size in orders:
        book.submit(EngineOrder(oid, 1, is_buy, MID - offset if is_buy else MID + offset, size), 0)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert book.resting_count == n
    return (peak - before) / n


def timed(run: Callable[[], object]) -> Callable[[], float]:
    def measure() -> float:
        start = time.perf_counter()
        run()
        return time.perf_counter() - start

    return measure


def main() -> None:
    ops = workload()
    baseline = repeat(timed(lambda: run_baseline(ops)))
    engine = repeat(timed(lambda: run_engine(ops)))
    book = run_engine(ops)
    n = len(ops)
    print(f"engine_ops: {n} ops")
    print(f"engine_runs: {len(engine.runs)} runs (best and median)")
    print(f"engine_throughput: {n / engine.best:.0f} ops/s")
    print(f"engine_throughput_median: {n / engine.median:.0f} ops/s")
    print(f"engine_latency: {engine.best / n * 1e6:.3f} us/op")
    print(f"engine_trades: {book.trade_count} trades")
    print(f"engine_resting_at_end: {book.resting_count} orders")
    print(f"baseline_throughput: {n / baseline.best:.0f} ops/s")
    print(f"engine_vs_baseline: {engine.best / baseline.best:.2f} x")
    print(f"engine_memory_per_resting_order: {memory_per_resting_order():.0f} bytes")


if __name__ == "__main__":
    main()
