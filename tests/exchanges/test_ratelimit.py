import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exchanges import FixedWindowPool, ManualClock, RateLimitRegistry, SlidingWindowPool


def test_fixed_window_starts_at_first_request_and_refills_at_once() -> None:
    clock = ManualClock(0)
    clock.advance(7)  # the window does not start before the first request
    pool = FixedWindowPool(10, 30, clock)
    assert pool.try_acquire(6) == 0
    assert pool.try_acquire(4) == 0
    assert pool.try_acquire(1) == pytest.approx(30)
    clock.advance(29.9)
    assert pool.try_acquire(1) == pytest.approx(0.1)
    clock.advance(0.1)
    assert pool.try_acquire(10) == 0
    assert pool.state().remaining == 0 and pool.state().reset_ms == 30_000


def test_sliding_window_frees_weight_as_it_ages() -> None:
    clock = ManualClock(0)
    pool = SlidingWindowPool(3, 3, clock)
    for _ in range(3):
        assert pool.try_acquire() == 0
        clock.advance(1)
    # window now holds requests at t=0,1,2; t=3: the first has aged out
    assert pool.try_acquire() == 0
    assert pool.try_acquire() == pytest.approx(1.0)
    assert pool.try_acquire(2) == pytest.approx(2.0)


def test_weight_larger_than_budget_is_an_error_not_a_hang() -> None:
    pool = FixedWindowPool(5, 1, ManualClock())
    with pytest.raises(ValueError, match="exceeds"):
        pool.try_acquire(6)


def test_server_feedback_new_window_and_same_window() -> None:
    clock = ManualClock(0)
    pool = FixedWindowPool(100, 30, clock)
    pool.try_acquire(10)
    pool.update(remaining=50, reset_ms=30_000)  # same window, server counts more: trust it
    assert pool.state().remaining == 50
    pool.update(remaining=95, reset_ms=29_500)  # stale (out of order) answer: keep cautious count
    assert pool.state().remaining == 50
    pool.update(remaining=97, reset_ms=10_000, limit=120)  # server says a new window: adopt it
    assert pool.state() == pool.state().__class__(120, 97, 10_000)


def test_block_honours_retry_after() -> None:
    clock = ManualClock(0)
    pool = SlidingWindowPool(10, 1, clock)
    pool.block(2.5)
    assert pool.try_acquire() == pytest.approx(2.5)
    clock.advance(2.5)
    assert pool.try_acquire() == 0


def test_sliding_update_records_server_usage() -> None:
    clock = ManualClock(0)
    pool = SlidingWindowPool(10, 3, clock)
    pool.try_acquire(2)
    pool.update(remaining=5, reset_ms=3000)
    assert pool.state().remaining == 5


async def test_acquire_waits_on_the_clock_in_arrival_order() -> None:
    clock = ManualClock(0)
    pool = FixedWindowPool(2, 10, clock)
    order: list[tuple[int, int]] = []

    async def call(i: int) -> None:
        await pool.acquire()
        order.append((i, clock.now_ms()))

    tasks = [asyncio.create_task(call(i)) for i in range(5)]
    await clock.run_until(30_000)
    await asyncio.gather(*tasks)
    assert order == [(0, 0), (1, 0), (2, 10_000), (3, 10_000), (4, 20_000)]


def test_registry_keeps_venues_and_keys_apart() -> None:
    reg = RateLimitRegistry()
    clock = ManualClock()
    a = reg.pool("kucoin", "Spot", "key-a", lambda: FixedWindowPool(4000, 30, clock))
    assert reg.pool("kucoin", "Spot", "key-a", lambda: FixedWindowPool(1, 1, clock)) is a
    assert reg.pool("kucoin", "Spot", "key-b", lambda: FixedWindowPool(4000, 30, clock)) is not a
    assert reg.pool("binance", "Spot", "key-a", lambda: FixedWindowPool(4000, 30, clock)) is not a
    assert ("kucoin", "Spot", "key-a") in reg
    reg.clear()
    assert ("kucoin", "Spot", "key-a") not in reg


steps = st.lists(
    st.tuples(st.integers(min_value=0, max_value=4_000), st.integers(min_value=0, max_value=10)),
    min_size=1,
    max_size=200,
)


@settings(max_examples=200)
@given(steps, st.integers(min_value=1, max_value=20), st.integers(min_value=1, max_value=10))
def test_fixed_pool_never_overspends_a_window(seq: list[tuple[int, int]], cap: int, window_s: int) -> None:
    clock = ManualClock(0)
    pool = FixedWindowPool(cap, window_s, clock)
    window_start: int | None = None
    spent = 0
    for dt_ms, weight in seq:
        clock.advance_ms(dt_ms)
        now = clock.now_ms()
        if window_start is not None and now >= window_start + window_s * 1000:
            window_start, spent = None, 0
        if weight > cap:
            continue
        if pool.try_acquire(weight) == 0:
            if window_start is None:
                window_start = now
            spent += weight
            assert spent <= cap


@settings(max_examples=200)
@given(steps, st.integers(min_value=1, max_value=20), st.integers(min_value=1, max_value=10))
def test_sliding_pool_never_overspends_any_window(
    seq: list[tuple[int, int]], cap: int, window_s: int
) -> None:
    clock = ManualClock(0)
    pool = SlidingWindowPool(cap, window_s, clock)
    admitted: list[tuple[int, int]] = []
    for dt_ms, weight in seq:
        clock.advance_ms(dt_ms)
        if weight > cap:
            continue
        if pool.try_acquire(weight) == 0:
            now = clock.now_ms()
            admitted.append((now, weight))
            in_window = sum(w for t, w in admitted if t > now - window_s * 1000)
            assert in_window <= cap


@settings(max_examples=100)
@given(steps, st.integers(min_value=1, max_value=20))
def test_wait_hint_is_enough(seq: list[tuple[int, int]], cap: int) -> None:
    """Waiting the returned time always admits the request (no spin, no starvation)."""
    clock = ManualClock(0)
    pool = SlidingWindowPool(cap, 3, clock)
    for dt_ms, weight in seq:
        clock.advance_ms(dt_ms)
        weight = min(weight, cap)
        wait = pool.try_acquire(weight)
        if wait:
            clock.advance(wait)
            assert pool.try_acquire(weight) == 0


async def test_a_caller_arriving_at_the_refill_queues_behind_the_waiters() -> None:
    """First come, first served: budget freed by a refill goes to the callers already queued
    in ``acquire()``, not to one that arrives at that instant and only tries."""
    clock = ManualClock(0)
    pool = FixedWindowPool(1, 1, clock)
    assert pool.try_acquire() == 0  # the window's whole budget is spent
    admitted: list[tuple[str, int]] = []

    async def call(name: str) -> None:
        await pool.acquire()
        admitted.append((name, clock.now_ms()))

    queued = [asyncio.create_task(call(name)) for name in ("a", "b")]
    await clock.run_until(0)  # both are waiting now
    clock.advance(1)  # the window refills; "a" is due but has not run yet
    assert pool.try_acquire() > 0, "a newcomer took the refill ahead of a queued caller"
    late = asyncio.create_task(call("late"))
    await clock.run_until(5_000)
    await asyncio.gather(*queued, late)
    assert admitted == [("a", 1_000), ("b", 2_000), ("late", 3_000)]


async def test_a_queued_caller_is_not_starved_by_a_stream_of_newcomers() -> None:
    """With a budget of one per window, newcomers arriving at every refill would take every
    window ahead of a queued caller; first come, first served admits it at the first refill."""
    for kind in (FixedWindowPool, SlidingWindowPool):
        clock = ManualClock(0)
        pool = kind(1, 1, clock)
        assert pool.try_acquire() == 0
        waiter = asyncio.create_task(pool.acquire())
        await clock.run_until(0)
        newcomers_admitted = 0
        for _ in range(5):
            clock.advance(1)
            if pool.try_acquire() == 0:
                newcomers_admitted += 1
            await clock.run_until(clock.now_ms())
            if waiter.done():
                break
        assert waiter.done(), f"{pool!r}: the queued caller starved"
        assert newcomers_admitted == 0
