"""The live runner: streams where the exchange offers them, polling otherwise, fill delivery
and clean shutdown, on a manual clock."""

from __future__ import annotations

import asyncio
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from exchanges import Candle, ManualClock, Side, StreamKind
from simulator import PaperExchange
from simulator.backtest import LiveRunner, Strategy

sys.path.insert(0, str(Path(__file__).parents[2]))
from examples.market_maker import SimpleMarketMaker


@pytest.mark.parametrize("streams", [True, False])
async def test_market_maker_runs_live_and_leaves_nothing_open(streams: bool) -> None:
    clock = ManualClock()
    paper = PaperExchange({"USDT": Decimal(50_000), "BTC": Decimal(1)}, seed=21, clock=clock)
    strategy = SimpleMarketMaker("BTC/USDT", spread_bps="2", size="0.002", refresh_bps="0.5")
    lines: list[str] = []
    runner = LiveRunner(strategy, paper, clock=clock, poll_interval=0.5, echo=lines.append, streams=streams)
    task = asyncio.create_task(runner.run(duration=120))
    while not task.done():
        await clock.run_until(clock.now_ms() + 500)
    result = task.result()
    if streams:  # (the paper exchange streams all the runner needs: nothing is polled)
        wanted = {StreamKind.ORDER_BOOK, StreamKind.TRADES, StreamKind.ORDERS, StreamKind.FILLS}
        assert result.streamed == wanted and result.polls == 0 and result.events > 200
    else:
        assert result.polls >= 200 and result.streamed == frozenset()
    assert result.fills, "two minutes of quoting two basis points from the mid should trade"
    assert len({f.id for f in result.fills}) == len(result.fills), "each fill delivered once"
    net = sum((f.size if f.side is Side.BUY else -f.size for f in result.fills), Decimal(0))
    assert strategy.inventory == net, "on_fill saw exactly the fills"
    assert not await paper.fetch_open_orders("BTC/USDT"), "shutdown cancels the strategy's quotes"
    assert all(not o.is_open for o in result.orders)
    assert any(line.startswith("fill:") for line in lines)


class _Bars(Strategy):
    def __init__(self) -> None:
        super().__init__("BTC/USDT")
        self.bars: list[Candle] = []

    async def on_candle(self, candle: Candle) -> None:
        self.bars.append(candle)


@pytest.mark.parametrize("streams", [True, False])
async def test_closed_candles_reach_the_strategy_once_each(streams: bool) -> None:
    clock = ManualClock()
    paper = PaperExchange({"USDT": Decimal(50_000)}, seed=21, clock=clock)
    strategy = _Bars()
    runner = LiveRunner(strategy, paper, clock=clock, poll_interval=1, candle_interval="1m", streams=streams)
    task = asyncio.create_task(runner.run(duration=300))
    while not task.done():
        await clock.run_until(clock.now_ms() + 1000)
    result = task.result()
    assert (StreamKind.CANDLES in result.streamed) is streams
    closed = [c for c in await paper.fetch_candles("BTC/USDT", "1m") if c.start + 60_000 <= clock.now_ms()]
    assert len(strategy.bars) >= 3
    assert [(c.start, c.close, c.volume) for c in strategy.bars] == [
        (c.start, c.close, c.volume) for c in closed[-len(strategy.bars) :]
    ]
