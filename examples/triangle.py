"""Triangular relative value: ETH/BTC against the ratio of ETH/USDT to BTC/USDT.

The cross pair should trade at the legs' ratio; when it strays more than ``entry_bps``
from it, the strategy sells the rich side and buys the cheap one in all three pairs (so
it ends flat in every currency but the gap), and unwinds once the gap is back within
``exit_bps``. Market orders, on the closes of the three pairs' bars of each minute::

    python -m simulator backtest examples/triangle.py --symbol ETH/BTC --symbol ETH/USDT \\
        --symbol BTC/USDT --data synthetic:1d --balance USDT=20000 --balance ETH=5 --balance BTC=0.3
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from exchanges import Candle, ExchangeError, OrderRequest, Side, floor_to_increment
from simulator.backtest import Strategy

CROSS, ETH, BTC = "ETH/BTC", "ETH/USDT", "BTC/USDT"


class Triangle(Strategy):
    name = "triangle"

    def __init__(
        self,
        symbol: str | Sequence[str] = (CROSS, ETH, BTC),
        entry_bps: str = "8",
        exit_bps: str = "1",
        size: str = "0.5",
    ) -> None:
        super().__init__(symbol)
        if set(self.symbols) != {CROSS, ETH, BTC}:
            raise ValueError(f"trades {CROSS}, {ETH} and {BTC} together, not {', '.join(self.symbols)}")
        self.entry, self.exit = Decimal(entry_bps), Decimal(exit_bps)
        self.size = Decimal(size)
        if not 0 <= self.exit < self.entry:
            raise ValueError("need 0 <= exit_bps < entry_bps")
        self.prices: dict[str, tuple[int, Decimal]] = {}  # symbol -> (as of, price)
        self.side = 0  # +1: long the cross (ETH bought with BTC), -1: short it, 0: flat
        self.btc_lot = Decimal("0.00000001")

    async def on_start(self) -> None:
        markets = await self.exchange.load_markets()
        self.btc_lot = markets[BTC].size_increment

    async def on_candle(self, candle: Candle) -> None:
        self.prices[candle.symbol] = (candle.start, candle.close)
        if len(self.prices) == 3 and len({at for at, _ in self.prices.values()}) == 1:
            await self._check()  # (the three bars of one minute)

    async def _check(self) -> None:
        cross, eth, btc = (self.prices[s][1] for s in (CROSS, ETH, BTC))
        gap = (cross * btc / eth - 1) * 10_000  # bps the cross is rich (+) or cheap (-)
        if self.side == 0 and abs(gap) > self.entry:
            await self._trade(-1 if gap > 0 else 1, cross, eth, f"gap {gap:+.2f} bps")
        elif self.side and (gap * -self.side) < self.exit:
            await self._trade(-self.side, cross, eth, f"gap {gap:+.2f} bps: unwind")

    async def _trade(self, direction: int, cross: Decimal, eth: Decimal, why: str) -> None:
        """``direction`` +1 buys the cross (ETH with BTC), sells ETH for USDT and buys the BTC
        back; -1 the other way round."""
        buy, sell = Side.BUY, Side.SELL
        btc = floor_to_increment(self.size * cross, self.btc_lot)
        held = await self.exchange.fetch_balances()
        need = {"ETH": self.size, "BTC": btc} if direction > 0 else {"BTC": btc, "USDT": self.size * eth * 2}
        short = [c for c, amount in need.items() if c not in held or held[c].available < amount]
        if short:
            self.log(f"{why}: skipped, short of {', '.join(short)}")
            return
        legs = (
            (CROSS, buy if direction > 0 else sell, self.size),
            (ETH, sell if direction > 0 else buy, self.size),
            (BTC, buy if direction > 0 else sell, btc),
        )
        try:
            for symbol, side, size in legs:
                await self.exchange.place_order(OrderRequest.market(symbol, side, size=size))
        except ExchangeError as err:  # (refused: too small, or funds short)
            self.log(f"{why}: skipped: {err}")
            return
        self.side += direction
        self.log(f"{why}: {'bought' if direction > 0 else 'sold'} {self.size} ETH of {CROSS}")
