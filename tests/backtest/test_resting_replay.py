"""With orders resting, events that cannot reach any of them skip the fill matcher (they go
on the venue's tape as when nothing is open): everything the strategy sees and the report
must be as when every event goes through the matcher one at a time."""

from __future__ import annotations

import contextlib
import random
from decimal import Decimal as D
from typing import Any

import pytest

from exchanges import Candle, Fill, Interval, Order, OrderNotFound, OrderRequest, Side, Trade
from simulator.backtest import FillRules, Strategy
from simulator.backtest.replay import ReplayMatcher
from simulator.backtest.runner import Backtest, MarketData

T0 = 1_700_000_040_000
SYMBOL = "BTC/USDT"
BALANCES = {"USDT": D(1_000_000), "BTC": D(20)}


def _walk(n: int, seed: int) -> list[int]:
    rng = random.Random(seed)
    price, out = 1000, []
    for _ in range(n):
        price = max(price + rng.choice((-3, -2, -1, 0, 1, 2, 3)), 900)
        out.append(price)
    return out


def _trades(n: int) -> list[Trade]:
    return [
        Trade(id=str(i), symbol=SYMBOL, price=D(p), size=D("0.5"), side=Side.BUY if i % 3 else Side.SELL,
              timestamp=T0 + i * 500)
        for i, p in enumerate(_walk(n, 3))
    ]  # fmt: skip


def _bars(n: int) -> list[Candle]:
    return [
        Candle(start=T0 + i * 60_000, open=D(p), high=D(p + 2), low=D(p - 2), close=D(p + 1), volume=D(3),
               symbol=SYMBOL, interval=Interval.M1)
        for i, p in enumerate(_walk(n, 4))
    ]  # fmt: skip


class Quoter(Strategy):
    """A ladder of limits around the last price, placed afresh every few events (what is
    left cancelled), one IOC now and then, and everything it hears written down."""

    def __init__(self) -> None:
        super().__init__(SYMBOL)
        self.n = 0
        self.ids: list[str] = []
        self.seen: list[object] = []

    async def _event(self, price: D) -> None:
        self.n += 1
        ex = self.exchange
        if self.n % 37 == 0:
            await ex.place_order(OrderRequest.limit(SYMBOL, "buy", "0.1", str(price), time_in_force="IOC"))
        if self.n % 25 != 1:
            return
        for order_id in self.ids:
            with contextlib.suppress(OrderNotFound):
                await ex.cancel_order(SYMBOL, order_id=order_id)
        self.ids = []
        for k in (2, 4, 6):
            for side, at in (("buy", price - k), ("sell", price + k)):
                order = await ex.place_order(OrderRequest.limit(SYMBOL, side, "0.3", str(at)))
                self.ids.append(order.id)

    async def on_trade(self, trade: Trade) -> None:
        await self._event(trade.price)

    async def on_candle(self, candle: Candle) -> None:
        await self._event(candle.close)

    async def on_fill(self, fill: Fill) -> None:
        self.seen.append(fill)

    async def on_order(self, order: Order) -> None:
        self.seen.append(order)


@pytest.mark.parametrize("kind", ["trades", "candles"])
@pytest.mark.parametrize("latency", [0, 700])
async def test_events_no_order_can_reach_skip_the_matcher_and_change_nothing(
    kind: str, latency: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[Trade] | list[Candle] = _trades(900) if kind == "trades" else _bars(600)
    data = MarketData(SYMBOL, kind, events, Interval.M1 if kind == "candles" else None)  # type: ignore[arg-type]
    rules = FillRules(latency_ms=latency, latency_jitter_ms=latency)
    matched = 0
    real_trade, real_candle = ReplayMatcher.on_trade, ReplayMatcher.on_candle

    def counting_trade(self: ReplayMatcher, trade: Trade, *, match: bool = True) -> None:
        nonlocal matched
        matched += 1
        real_trade(self, trade, match=match)

    def counting_candle(self: ReplayMatcher, candle: Candle, close_time: int, *, match: bool = True) -> None:
        nonlocal matched
        matched += 1
        real_candle(self, candle, close_time, match=match)

    monkeypatch.setattr(ReplayMatcher, "on_trade", counting_trade)
    monkeypatch.setattr(ReplayMatcher, "on_candle", counting_candle)

    async def once() -> tuple[object, ...]:
        quoter = Quoter()
        backtest = Backtest(quoter, data, balances=dict(BALANCES), seed=4, rules=rules, sample_ms=30_000)
        result = await backtest.run()
        return result.report.to_json(), result.fills, result.orders, quoter.seen

    fast = await once()
    fast_matched, matched = matched, 0

    async def one_at_a_time(self: Backtest, lanes: list[Any], *args: Any) -> None:
        await self._replay_mixed(lanes[0], 60_000 if kind == "candles" else 0, *args)

    monkeypatch.setattr(Backtest, "_replay", one_at_a_time)
    slow = await once()
    assert fast == slow
    assert len(fast[1]) > 20, "orders were filled, as makers and as takers"  # type: ignore[arg-type]
    assert matched == len(events), "one at a time, every event is matched"
    assert fast_matched < len(events) * 0.6, "most events reached no order and skipped the matcher"


async def test_a_results_repr_stays_short_however_many_orders() -> None:
    """``asyncio.run`` formats its task's result (Python 3.11): a long run's every order
    and fill would be, at a cost that grows with the run."""
    data = MarketData(SYMBOL, "trades", _trades(300))
    result = await Backtest(Quoter(), data, balances=dict(BALANCES)).run()
    assert len(result.orders) > 50
    assert repr(result) == f"BacktestResult(BTC/USDT, {len(result.orders)} orders, {len(result.fills)} fills)"
