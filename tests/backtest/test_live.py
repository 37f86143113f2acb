"""The live runner: polling, fill delivery and clean shutdown, on a manual clock."""

from __future__ import annotations

import asyncio
import sys
from decimal import Decimal
from pathlib import Path

from exchanges import ManualClock, Side
from simulator import PaperExchange
from simulator.backtest import LiveRunner

sys.path.insert(0, str(Path(__file__).parents[2]))
from examples.market_maker import SimpleMarketMaker


async def test_market_maker_runs_live_and_leaves_nothing_open() -> None:
    clock = ManualClock()
    paper = PaperExchange({"USDT": Decimal(50_000), "BTC": Decimal(1)}, seed=21, clock=clock)
    strategy = SimpleMarketMaker("BTC/USDT", spread_bps="2", size="0.002", refresh_bps="0.5")
    lines: list[str] = []
    runner = LiveRunner(strategy, paper, clock=clock, poll_interval=0.5, echo=lines.append)
    task = asyncio.create_task(runner.run(duration=120))
    while not task.done():
        await clock.run_until(clock.now_ms() + 500)
    result = task.result()
    assert result.polls >= 200
    assert result.fills, "two minutes of quoting two basis points from the mid should trade"
    assert len({f.id for f in result.fills}) == len(result.fills), "each fill delivered once"
    net = sum((f.size if f.side is Side.BUY else -f.size for f in result.fills), Decimal(0))
    assert strategy.inventory == net, "on_fill saw exactly the fills"
    assert not await paper.fetch_open_orders("BTC/USDT"), "shutdown cancels the strategy's quotes"
    assert all(not o.is_open for o in result.orders)
    assert any(line.startswith("fill:") for line in lines)
