import asyncio

import pytest

from exchanges import Clock, ManualClock, SystemClock


def test_both_clocks_satisfy_the_protocol() -> None:
    assert isinstance(SystemClock(), Clock)
    assert isinstance(ManualClock(), Clock)


def test_manual_clock_moves_only_forward() -> None:
    clock = ManualClock(1_000)
    assert clock.now_ms() == 1_000 and clock.time() == 1.0
    clock.advance(0.5)
    assert clock.now_ms() == 1_500
    clock.advance_ms(250)
    assert clock.now_ms() == 1_750
    with pytest.raises(ValueError, match="does not go back"):
        clock.set_ms(10)
    with pytest.raises(ValueError, match="does not go back"):
        clock.advance(-1)


async def test_sleep_completes_when_advanced_past_deadline() -> None:
    clock = ManualClock(0)
    task = asyncio.create_task(clock.sleep(2))
    await asyncio.sleep(0)
    clock.advance(1.999)
    await asyncio.sleep(0)
    assert not task.done()
    assert clock.next_deadline_ms == 2_000
    clock.advance(0.001)
    await asyncio.sleep(0)
    assert task.done()


async def test_run_until_wakes_in_deadline_order() -> None:
    clock = ManualClock(0)
    woke: list[tuple[str, int]] = []

    async def sleeper(name: str, seconds: float, again: float | None = None) -> None:
        await clock.sleep(seconds)
        woke.append((name, clock.now_ms()))
        if again is not None:
            await clock.sleep(again)
            woke.append((name + "2", clock.now_ms()))

    tasks = [
        asyncio.create_task(sleeper("b", 3)),
        asyncio.create_task(sleeper("a", 1, again=1)),
        asyncio.create_task(sleeper("c", 10)),
    ]
    await asyncio.sleep(0)
    await clock.run_until(5_000)
    assert woke == [("a", 1_000), ("a2", 2_000), ("b", 3_000)]
    assert clock.now_ms() == 5_000
    assert clock.next_deadline_ms == 10_000
    tasks[2].cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    assert clock.next_deadline_ms is None


async def test_zero_sleep_just_yields() -> None:
    clock = ManualClock(0)
    await clock.sleep(0)
    await SystemClock().sleep(0)
    assert clock.now_ms() == 0


async def test_run_until_lets_a_chain_of_woken_tasks_finish_before_the_next_deadline() -> None:
    """Four tasks share a pool of 3 a second: each admission hands the pool's lock on, a
    chain longer than a few yields. Every acquire must land on its own second."""
    from exchanges import FixedWindowPool

    clock = ManualClock(0)
    pool = FixedWindowPool(3, 1.0, clock=clock)
    admitted: list[int] = []

    async def worker() -> None:
        for _ in range(5):
            await pool.acquire(1)
            admitted.append(clock.now_ms())

    tasks = [asyncio.create_task(worker()) for _ in range(4)]
    await clock.run_until(100_000)
    assert all(t.done() for t in tasks)
    assert admitted == sorted(admitted) and max(admitted) == 6_000
    assert all(admitted.count(ms) <= 3 for ms in set(admitted)), "never more than 3 in a second"


def test_advance_ms_moves_exactly_that_far_after_a_sub_millisecond_step() -> None:
    clock = ManualClock(1000)
    clock.advance(0.0005)
    before = clock.time()
    clock.advance_ms(1)
    assert clock.time() - before == pytest.approx(0.001)
    clock.advance_ms(0)
    with pytest.raises(ValueError, match="does not go back"):
        clock.advance_ms(-1)


async def test_nan_is_no_sleep_and_no_step() -> None:
    with pytest.raises(ValueError, match="NaN"):
        await SystemClock().sleep(float("nan"))
    with pytest.raises(ValueError, match="NaN"):
        await ManualClock(0).sleep(float("nan"))
    with pytest.raises(ValueError, match="nan"):
        ManualClock(0).advance(float("nan"))
