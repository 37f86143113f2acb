"""A run leaves what existed before it (the recorded events above all) out of the garbage
collector's full passes, and gives it back afterwards, even when the run fails."""

from __future__ import annotations

import gc
from decimal import Decimal

import pytest

from exchanges import Side, Trade
from simulator.backtest import Strategy
from simulator.backtest.runner import Backtest, MarketData

SYMBOL = "BTC/USDT"


def _trades(n: int) -> list[Trade]:
    return [
        Trade(id=str(i), symbol=SYMBOL, price=Decimal(60_000 + i % 7), size=Decimal("0.01"),
              side=Side.BUY if i % 2 else Side.SELL, timestamp=1_700_000_000_000 + i * 1_000)
        for i in range(n)
    ]  # fmt: skip


class Watcher(Strategy):
    frozen_during: int = 0

    async def on_trade(self, trade: Trade) -> None:
        self.frozen_during = max(self.frozen_during, gc.get_freeze_count())


class Failing(Strategy):
    async def on_trade(self, trade: Trade) -> None:
        raise RuntimeError("the strategy's own bug")


async def test_the_events_are_frozen_during_the_run_and_released_after() -> None:
    events = _trades(50)
    before = gc.get_freeze_count()
    strategy = Watcher(SYMBOL)
    await Backtest(strategy, MarketData(SYMBOL, "trades", events), balances={"USDT": Decimal(1_000)}).run()
    assert strategy.frozen_during > before + len(events)  # (every event and more)
    assert gc.get_freeze_count() == before


async def test_a_failing_run_releases_them_too() -> None:
    before = gc.get_freeze_count()
    data = MarketData(SYMBOL, "trades", _trades(5))
    with pytest.raises(RuntimeError, match="own bug"):
        await Backtest(Failing(SYMBOL), data, balances={"USDT": Decimal(1_000)}).run()
    assert gc.get_freeze_count() == before
