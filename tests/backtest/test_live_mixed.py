"""The live runner on an exchange that streams some things and not others: it streams what
it can, polls the rest, and the strategy hears everything once."""

from __future__ import annotations

import pytest

from exchanges import ManualClock, StreamKind
from simulator.backtest import LiveRunner

from .live_helpers import Recorder, ShyPaper, check_told_once, run_on_manual_clock

BOOK, TRADES, ORDERS, FILLS = StreamKind.ORDER_BOOK, StreamKind.TRADES, StreamKind.ORDERS, StreamKind.FILLS
WANTED = frozenset({BOOK, TRADES, ORDERS, FILLS})


@pytest.mark.parametrize(
    "offers",
    [
        frozenset({BOOK, FILLS, StreamKind.TICKER}),  # (orders polled, fills streamed)
        frozenset({TRADES, ORDERS}),  # (the book and fills polled)
        frozenset({BOOK, TRADES}),  # (the market streamed, the strategy's own polled)
        frozenset({ORDERS, FILLS}),  # (the strategy's own streamed, the market polled)
    ],
    ids=lambda kinds: "+".join(sorted(kinds)),
)
async def test_streams_what_is_offered_and_polls_the_rest(offers: frozenset[StreamKind]) -> None:
    clock = ManualClock()
    paper = ShyPaper(clock, offers)
    strategy = Recorder()
    runner = LiveRunner(strategy, paper, clock=clock, poll_interval=0.5)
    result = await run_on_manual_clock(runner, clock, 60)
    assert result.streamed == offers & WANTED
    assert not result.errors, "a stream not offered was opened"
    assert result.polls >= 100, "what is not streamed is polled every half second"
    for kind, read in ((TRADES, "trades"), (ORDERS, "order"), (FILLS, "fills")):
        assert (paper.reads[read] > 0) is (kind not in offers), f"{kind}: read by REST while streamed"
    assert strategy.books >= 50 and strategy.trades
    await check_told_once(paper, strategy, result)
