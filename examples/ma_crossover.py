"""Moving-average crossover on candles: long when the fast average crosses above the slow one,
flat when it crosses back below. Orders are market orders (by funds to buy, by size to sell)."""

from __future__ import annotations

from collections import deque
from decimal import Decimal

from exchanges import Candle, Fill, InvalidOrder, OrderRequest, Side, floor_to_increment, from_ms
from simulator.backtest import Strategy


def _at(candle: Candle) -> str:
    """When the strategy saw the bar: its close."""
    end = candle.start + (candle.interval.ms if candle.interval else 0)
    return f"{from_ms(end):%m-%d %H:%M}"


class MovingAverageCrossover(Strategy):
    name = "ma-crossover"

    def __init__(
        self,
        symbol: str = "BTC/USDT",
        fast: int | str = 10,
        slow: int | str = 30,
        allocation: str = "0.95",
    ) -> None:
        super().__init__(symbol)
        try:  # strings from the command line too
            self.fast, self.slow = int(fast), int(slow)
        except ValueError:
            raise ValueError(f"fast and slow must be whole numbers of bars, not {fast!r}, {slow!r}") from None
        if not 0 < self.fast < self.slow:
            raise ValueError("need 0 < fast < slow")
        try:
            self.allocation = Decimal(allocation)
        except ArithmeticError:
            raise ValueError(f"allocation must be a fraction, not {allocation!r}") from None
        if not (self.allocation.is_finite() and 0 < self.allocation <= 1):
            raise ValueError(f"allocation must be in (0, 1], not {allocation}")
        self.closes: deque[Decimal] = deque(maxlen=self.slow)
        self.prev_diff: Decimal | None = None

    async def on_start(self) -> None:
        markets = await self.exchange.load_markets()
        self.market = markets[self.symbol]

    async def on_candle(self, candle: Candle) -> None:
        self.closes.append(candle.close)
        if len(self.closes) < self.slow:
            return
        closes = list(self.closes)
        fast = sum(closes[-self.fast :], Decimal(0)) / self.fast
        slow = sum(closes, Decimal(0)) / self.slow
        diff = fast - slow
        prev, self.prev_diff = self.prev_diff, diff
        if prev is None:
            return
        if prev <= 0 < diff:
            await self._go_long(candle)
        elif prev >= 0 > diff:
            await self._go_flat(candle)

    async def _go_long(self, candle: Candle) -> None:
        balances = await self.exchange.fetch_balances()
        quote = balances.get(self.market.quote)
        if quote is None:
            return
        funds = floor_to_increment(quote.available * self.allocation, self.market.funds_increment)
        try:
            order = await self.exchange.place_order(OrderRequest.market(self.symbol, Side.BUY, funds=funds))
        except InvalidOrder as err:
            self.log(f"{_at(candle)}: buy skipped: {err}")
            return
        self.log(
            f"{_at(candle)}: fast above slow at {candle.close}: buy {funds} {self.market.quote} ({order.id})"
        )

    async def _go_flat(self, candle: Candle) -> None:
        balances = await self.exchange.fetch_balances()
        base = balances.get(self.market.base)
        if base is None:
            return
        size = floor_to_increment(base.available, self.market.size_increment)
        if size < self.market.min_size:
            return
        order = await self.exchange.place_order(OrderRequest.market(self.symbol, Side.SELL, size=size))
        self.log(
            f"{_at(candle)}: fast below slow at {candle.close}: sell {size} {self.market.base} ({order.id})"
        )

    async def on_fill(self, fill: Fill) -> None:
        at = from_ms(fill.timestamp)
        fee = f"{fill.fee} {fill.fee_currency}"
        self.log(f"{at:%m-%d %H:%M:%S}: {fill.side} {fill.size} @ {fill.price}, fee {fee}")
