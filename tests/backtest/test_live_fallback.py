"""The live runner when a stream fails mid-run (raises, or ends): that kind is polled from
then on, the strategy hears everything once, and the result says which stream fell back.
Trades a gap lost are read back."""

from __future__ import annotations

import pytest

from exchanges import ManualClock, NetworkError, StreamKind
from simulator.backtest import LiveRunner

from .live_helpers import Recorder, ShyPaper, check_told_once, run_on_manual_clock

BOOK, TRADES, ORDERS, FILLS = StreamKind.ORDER_BOOK, StreamKind.TRADES, StreamKind.ORDERS, StreamKind.FILLS


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        (ORDERS, NetworkError("connection lost", venue="paper")),
        (ORDERS, None),
        (FILLS, NetworkError("connection lost", venue="paper")),
        (FILLS, None),
        (TRADES, ConnectionResetError("reset by peer")),
        (BOOK, None),
    ],
    ids=["orders-raise", "orders-end", "fills-raise", "fills-end", "trades-raise-oserror", "book-end"],
)
async def test_a_failed_stream_is_polled_and_nothing_is_lost_or_doubled(
    kind: StreamKind, error: BaseException | None
) -> None:
    clock = ManualClock()
    paper = ShyPaper(clock, breaks=kind, after=1, error=error)
    strategy = Recorder()
    lines: list[str] = []
    runner = LiveRunner(strategy, paper, clock=clock, poll_interval=0.5, echo=lines.append)
    result = await run_on_manual_clock(runner, clock, 60)
    assert result.streamed == {BOOK, TRADES, ORDERS, FILLS}
    assert result.failed == {kind}
    if kind is FILLS:  # (read by REST when the order stream says an order filled)
        assert paper.reads["fills"] >= 5
    else:  # (read every half second from then on: the market maker always has quotes open)
        assert result.polls >= 100
    assert any(kind in e for e in result.errors) and any(f"{kind} stream" in line for line in lines)
    assert strategy.books >= 50 and strategy.trades
    await check_told_once(paper, strategy, result)


async def test_trades_a_gap_lost_are_read_back() -> None:
    clock = ManualClock()
    paper = ShyPaper(clock, breaks=TRADES, after=5, lose=5)
    strategy = Recorder()
    lines: list[str] = []
    runner = LiveRunner(strategy, paper, clock=clock, poll_interval=0.5, echo=lines.append)
    result = await run_on_manual_clock(runner, clock, 30)
    assert paper.lost == 5 and any("trades stream: events may be missing" in line for line in lines)
    assert not result.failed and len(strategy.trades) > 10
    await check_told_once(paper, strategy, result)
