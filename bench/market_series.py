"""Seeded random-walk market data for the benchmarks that need a file to read."""

from __future__ import annotations

import random
from decimal import Decimal

from exchanges import Candle, Interval, Side, Trade

__all__ = ["random_candles", "random_trades"]

T0 = 1_700_000_000_000


def random_candles(n: int, symbol: str = "BTC/USDT", seed: int = 2) -> list[Candle]:
    rng = random.Random(seed)
    price = 60_000.0
    out = []
    for i in range(n):
        o = price
        price *= 1 + rng.gauss(0, 0.001)
        c = price
        h, lo = max(o, c) * 1.0005, min(o, c) * 0.9995
        out.append(Candle(start=T0 + i * 60_000, open=Decimal(f"{o:.1f}"), high=Decimal(f"{h:.1f}"),
                          low=Decimal(f"{lo:.1f}"), close=Decimal(f"{c:.1f}"),
                          volume=Decimal(f"{rng.uniform(1, 20):.4f}"), symbol=symbol,
                          interval=Interval.M1))  # fmt: skip
    return out


def random_trades(n: int, symbol: str = "BTC/USDT", seed: int = 1) -> list[Trade]:
    rng = random.Random(seed)
    price = 60_000.0
    out = []
    for i in range(n):
        price *= 1 + rng.gauss(0, 0.0002)
        side = Side.BUY if rng.random() < 0.5 else Side.SELL
        out.append(Trade(id=str(i), symbol=symbol, price=Decimal(f"{price:.1f}"),
                         size=Decimal(f"{rng.uniform(0.0001, 0.5):.8f}"), side=side,
                         timestamp=T0 + i * 50))  # fmt: skip
    return out
