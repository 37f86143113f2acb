"""Replay throughput: events per second through the backtest runner with a strategy that does
nothing, for trades and for candles, each against merely reading the same events from disk.

The idle strategy has nothing open, so events go on the venue's replay tape (checked and
applied in bulk) and, as nothing reads them, are never filed into public trades and candles
(that is deferred until read). ``replay_trades_one_order_open`` shows the other regime: one
order resting all along, so every event goes through the fill matcher and order polling."""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from exchanges import Candle, Interval, OrderRequest, Side, Trade
from simulator.backtest import (
    Strategy,
    read_candles_csv,
    read_trades_csv,
    write_candles_csv,
    write_trades_csv,
)
from simulator.backtest.runner import Backtest, MarketData

SYMBOL = "BTC/USDT"
T0 = 1_700_000_000_000
TRADES = 300_000
CANDLES = 100_000


class Idle(Strategy):
    """Does nothing: what is measured is the runner, the matcher and the venue's bookkeeping."""

    async def on_trade(self, trade: Trade) -> None:  # noqa: ARG002 - the hook's signature
        return None

    async def on_candle(self, candle: Candle) -> None:  # noqa: ARG002 - the hook's signature
        return None


class Resting(Strategy):
    """Keeps one limit order resting far below the market all along: every event goes
    through the fill matcher and the order polling, as in a strategy that quotes."""

    async def on_start(self) -> None:
        await self.exchange.place_order(OrderRequest.limit(self.symbol, "buy", "0.001", "1000"))

    async def on_trade(self, trade: Trade) -> None:  # noqa: ARG002 - the hook's signature
        return None

    async def on_candle(self, candle: Candle) -> None:  # noqa: ARG002 - the hook's signature
        return None


def _trades(n: int) -> list[Trade]:
    rng = random.Random(1)
    price = 60_000.0
    out = []
    for i in range(n):
        price *= 1 + rng.gauss(0, 0.0002)
        out.append(
            Trade(
                id=str(i),
                symbol=SYMBOL,
                price=Decimal(f"{price:.1f}"),
                size=Decimal(f"{rng.uniform(0.0001, 0.5):.8f}"),
                side=Side.BUY if rng.random() < 0.5 else Side.SELL,
                timestamp=T0 + i * 50,
            )
        )
    return out


def _candles(n: int) -> list[Candle]:
    rng = random.Random(2)
    price = 60_000.0
    out = []
    for i in range(n):
        o = price
        price *= 1 + rng.gauss(0, 0.001)
        c = price
        h, lo = max(o, c) * 1.0005, min(o, c) * 0.9995
        out.append(
            Candle(
                start=T0 + i * 60_000,
                open=Decimal(f"{o:.1f}"),
                high=Decimal(f"{h:.1f}"),
                low=Decimal(f"{lo:.1f}"),
                close=Decimal(f"{c:.1f}"),
                volume=Decimal(f"{rng.uniform(1, 20):.4f}"),
                symbol=SYMBOL,
                interval=Interval.M1,
            )
        )
    return out


def _replay(data: MarketData, strategy: type[Strategy] = Idle) -> float:
    backtest = Backtest(strategy(SYMBOL), data, balances={"USDT": Decimal(10_000)}, sample_ms=3_600_000)
    start = time.perf_counter()
    asyncio.run(backtest.run())
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        trades_csv, candles_csv = Path(tmp) / "trades.csv", Path(tmp) / "candles.csv"
        write_trades_csv(trades_csv, _trades(TRADES))
        write_candles_csv(candles_csv, _candles(CANDLES))

        start = time.perf_counter()
        trades = read_trades_csv(trades_csv, SYMBOL)
        read_trades = time.perf_counter() - start
        replay_trades = _replay(MarketData(SYMBOL, "trades", trades))
        open_trades = _replay(MarketData(SYMBOL, "trades", trades), Resting)

        start = time.perf_counter()
        candles = read_candles_csv(candles_csv, SYMBOL, Interval.M1)
        read_candles = time.perf_counter() - start
        replay_candles = _replay(MarketData(SYMBOL, "candles", candles, Interval.M1))

    print(f"replay_trades: {TRADES / replay_trades:,.0f} events/s")
    print(f"read_trades: {TRADES / read_trades:,.0f} events/s")
    print(f"replay_trades_vs_read: {read_trades / replay_trades:.2f} ratio")
    print(f"replay_trades_one_order_open: {TRADES / open_trades:,.0f} events/s")
    print(f"replay_trades_one_order_open_vs_read: {read_trades / open_trades:.2f} ratio")
    print(f"replay_candles: {CANDLES / replay_candles:,.0f} events/s")
    print(f"read_candles: {CANDLES / read_candles:,.0f} events/s")
    print(f"replay_candles_vs_read: {read_candles / replay_candles:.2f} ratio")


if __name__ == "__main__":
    main()
