"""Cross-venue spread: one pair on two venues, bought where it is cheap and sold where it is
rich.

Each venue holds both currencies (one account each). When the last trade on one venue is
more than ``entry_bps`` above the other's, the strategy sells ``size`` there and buys as
much on the other, so its holdings of the base stay the same in all and it keeps the gap
(less both venues' fees); it does it again once the gap has closed back within
``exit_bps`` and opened again. Market orders::

    python -m simulator backtest examples/spread.py \\
        --symbol kucoin:BTC/USDT --symbol binance:BTC/USDT \\
        --data kucoin-trades.csv --data binance-trades.csv \\
        --balance USDT=20000 --balance BTC=0.5
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from exchanges import ExchangeError, OrderRequest, Trade
from simulator.backtest import Strategy


class Spread(Strategy):
    name = "spread"

    def __init__(
        self,
        symbol: str | Sequence[str] = ("kucoin:BTC/USDT", "binance:BTC/USDT"),
        entry_bps: str = "20",
        exit_bps: str = "5",
        size: str = "0.01",
    ) -> None:
        super().__init__(symbol)
        pairs = {symbol for _, symbol in self.markets}
        if len(self.markets) != 2 or len(pairs) != 1:
            raise ValueError(f"trades one pair on two venues, not {', '.join(map(':'.join, self.markets))}")
        self.entry, self.exit = Decimal(entry_bps), Decimal(exit_bps)
        if not 0 <= self.exit < self.entry:
            raise ValueError("need 0 <= exit_bps < entry_bps")
        self.size = Decimal(size)
        self.last: dict[str, Decimal] = {}  # venue -> its last trade's price
        self.armed = True  # (the gap closed since the last trade: it may trade again)

    async def on_trade(self, trade: Trade, venue: str = "") -> None:
        self.last[venue] = trade.price
        if len(self.last) < 2:
            return
        (a, _), (b, _) = self.markets
        gap = (self.last[a] / self.last[b] - 1) * 10_000  # bps a is rich (+) or cheap (-)
        if abs(gap) <= self.exit:
            self.armed = True
        elif self.armed and abs(gap) > self.entry:
            rich, cheap = (a, b) if gap > 0 else (b, a)
            self.armed = False
            self.log(f"{trade.timestamp}: {rich} {abs(gap):.1f} bps over {cheap}: sell there, buy there")
            try:
                sell = OrderRequest.market(self.symbol, "sell", size=self.size)
                await self.exchanges[rich].place_order(sell)
                buy = OrderRequest.market(self.symbol, "buy", size=self.size)
                await self.exchanges[cheap].place_order(buy)
            except ExchangeError as err:  # (a venue's refusal, in its own words)
                self.log(f"{trade.timestamp}: refused: {err}")
