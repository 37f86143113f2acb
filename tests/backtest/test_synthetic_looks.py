"""A backtest on the synthetic market quotes its books only when the strategy looks at one
or trades: what the strategy reads is always the book around the latest price."""

from __future__ import annotations

from decimal import Decimal

from exchanges import Candle, OrderRequest
from simulator.backtest import Backtest, Strategy, SyntheticData


class Looker(Strategy):
    """Reads the book at every third bar; buys a little by market order now and then."""

    def __init__(self) -> None:
        super().__init__("BTC/USDT")
        self.bars = 0
        self.looks: list[tuple[Decimal, Decimal, Decimal, int, int]] = []
        self.paid: list[tuple[Decimal, Decimal]] = []

    async def on_candle(self, candle: Candle) -> None:
        self.bars += 1
        if self.bars % 3:
            return
        book = await self.exchange.fetch_order_book(self.symbol, None)
        bid, ask = book.bids[0].price, book.asks[0].price
        self.looks.append((candle.close, bid, ask, len(book.bids), len(book.asks)))
        if self.bars % 30 == 0:
            order = await self.exchange.place_order(OrderRequest.market(self.symbol, "buy", size="0.01"))
            self.paid.append((candle.close, order.price or Decimal(0)))

    async def on_fill(self, fill: object) -> None:
        return None


async def test_the_book_a_strategy_reads_is_quoted_around_the_latest_price() -> None:
    strategy = Looker()
    data = SyntheticData(duration_ms=3 * 3_600_000)
    result = await Backtest(strategy, data, balances={"USDT": Decimal(100_000)}, seed=2).run()
    assert len(strategy.looks) == 60
    for close, bid, ask, bids, asks in strategy.looks:
        assert bids == asks == 20, "a full ladder at every look"
        assert bid < ask
        assert abs(close / ((bid + ask) / 2) - 1) < Decimal("0.0015"), "quoted around the latest price"
    assert len(result.fills) >= 6
    for fill in result.fills:
        assert any(abs(fill.price / ask - 1) < Decimal("0.0005") for _, _, ask, _, _ in strategy.looks)
