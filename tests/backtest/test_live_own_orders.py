"""The strategy's own orders at the edges of a live run, streamed or polled: an order that
fills before the streams are subscribed, one on another symbol, one placed while stopping.
Each fill reaches ``on_fill`` once and the order's end reaches ``on_order``."""

from __future__ import annotations

from decimal import Decimal

import pytest

from exchanges import Fill, ManualClock, Order, OrderBook, OrderRequest, OrderStatus, Side, StreamKind
from simulator.backtest import LiveRunner, Strategy

from .live_helpers import ShyPaper, run_on_manual_clock

SIZE = Decimal("0.01")


class _Taker(Strategy):
    """One market order, at ``moment``: at start, on the first book (on ETH/USDT) or at stop."""

    def __init__(self, moment: str) -> None:
        super().__init__("BTC/USDT")
        self.at_start, self.at_stop = moment == "at-start", moment == "at-stop"
        self.elsewhere = "ETH/USDT" if moment == "another-symbol" else None
        self.placed: list[str] = []
        self.told: list[Order] = []
        self.fills: list[Fill] = []

    async def _buy(self, symbol: str, side: Side = Side.BUY) -> None:
        order = await self.exchange.place_order(OrderRequest.market(symbol, side, size=SIZE))
        self.placed.append(order.id)

    async def on_start(self) -> None:
        if self.at_start:
            await self._buy(self.symbol)

    async def on_book(self, book: OrderBook) -> None:
        if self.elsewhere is not None:
            await self._buy(self.elsewhere)
            self.elsewhere = None

    async def on_stop(self) -> None:
        if self.at_stop:
            await self._buy(self.symbol, Side.SELL)

    async def on_order(self, order: Order) -> None:
        self.told.append(order)

    async def on_fill(self, fill: Fill) -> None:
        self.fills.append(fill)


@pytest.mark.parametrize("streams", [True, False], ids=["streamed", "polled"])
@pytest.mark.parametrize("moment", ["at-start", "another-symbol", "at-stop"])
async def test_each_fill_of_the_strategy_is_told_once(streams: bool, moment: str) -> None:
    clock = ManualClock()
    paper = ShyPaper(clock)
    strategy = _Taker(moment)
    runner = LiveRunner(strategy, paper, clock=clock, poll_interval=0.5, streams=streams)
    result = await run_on_manual_clock(runner, clock, 5)
    assert (StreamKind.FILLS in result.streamed) is streams
    (order_id,) = strategy.placed
    order = next(o for o in result.orders if o.id == order_id)
    venue = await paper.fetch_fills(order.symbol, order_id=order_id)
    assert venue and sorted(f.id for f in strategy.fills) == sorted(f.id for f in venue)
    assert list(result.fills) == strategy.fills
    assert order.status is OrderStatus.FILLED and order.filled_size == SIZE
    if streams and moment != "at-stop":
        assert result.polls <= 2, "streamed: read by REST only while the stream had not spoken of it"
