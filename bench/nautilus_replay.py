"""The replay workloads of ``bench_replay`` on nautilus_trader, for comparison.

Runs in an environment of its own (nautilus_trader needs its own Python and pins its own
dependencies), so it imports nothing of this project: it rebuilds the same seeded random
walk of trades (``bench.market_series.random_trades``: same seed, same draws, prices to
0.1 and sizes cut to nautilus's test instrument's six decimals) and runs the same three
strategies: idle, one limit buy resting far below the market, and five bids and five asks
0.2 % to 1 % around the last price placed afresh every 100 trades. Each run ends reading
nothing back (nautilus files its data as it goes). Prints ``name: value unit`` lines::

    python -m venv /tmp/nautilus && /tmp/nautilus/bin/pip install nautilus_trader
    /tmp/nautilus/bin/python bench/nautilus_replay.py 300000

``bench_replay`` runs it itself, in the same run, when ``NAUTILUS_PYTHON`` names that
interpreter.
"""

# mypy: ignore-errors
# (nautilus_trader is not installed beside this project: it is only type-checked as text)

from __future__ import annotations

import random
import sys
import time
import warnings
from decimal import Decimal

T0 = 1_700_000_000_000
REQUOTE_EVERY = 100
OFFSETS = (Decimal("0.002"), Decimal("0.004"), Decimal("0.006"), Decimal("0.008"), Decimal("0.010"))


def walk(n: int, seed: int = 1) -> list[tuple[int, str, str, bool]]:
    """``(time ms, price, size, taker buys)``: the draws of ``random_trades``."""
    rng = random.Random(seed)
    price = 60_000.0
    out = []
    for i in range(n):
        price *= 1 + rng.gauss(0, 0.0002)
        buy = rng.random() < 0.5
        size = Decimal(f"{rng.uniform(0.0001, 0.5):.8f}").quantize(Decimal("0.000001"))
        out.append((T0 + i * 50, f"{price:.1f}", str(size), buy))
    return out


def main(n: int) -> None:
    warnings.simplefilter("ignore")  # (its pandas warns of deprecations on every run)
    from nautilus_trader.backtest.engine import BacktestEngine, BacktestEngineConfig
    from nautilus_trader.config import LoggingConfig, StrategyConfig
    from nautilus_trader.model.currencies import BTC, USDT
    from nautilus_trader.model.data import TradeTick
    from nautilus_trader.model.enums import AccountType, AggressorSide, OmsType, OrderSide
    from nautilus_trader.model.identifiers import TradeId, Venue
    from nautilus_trader.model.objects import Money, Price, Quantity
    from nautilus_trader.test_kit.providers import TestInstrumentProvider
    from nautilus_trader.trading.strategy import Strategy

    instrument = TestInstrumentProvider.btcusdt_binance()
    iid = instrument.id
    rows = walk(n)
    ticks = [
        TradeTick(
            iid,
            Price.from_str(f"{float(p):.2f}"),
            Quantity.from_str(s),
            AggressorSide.BUYER if buy else AggressorSide.SELLER,
            TradeId(str(i)),
            t * 1_000_000,
            t * 1_000_000,
        )
        for i, (t, p, s, buy) in enumerate(rows)
    ]

    class Idle(Strategy):
        def on_start(self) -> None:
            self.subscribe_trade_ticks(iid)

        def on_trade_tick(self, tick: TradeTick) -> None:
            pass

    class OneResting(Idle):
        def on_start(self) -> None:
            super().on_start()
            size, price = Quantity.from_str("0.001000"), Price.from_str("1000.00")
            self.submit_order(self.order_factory.limit(iid, OrderSide.BUY, size, price))

    class TenRequoted(Idle):
        def __init__(self, config: StrategyConfig) -> None:
            super().__init__(config)
            self.seen = 0

        def on_start(self) -> None:
            super().on_start()
            self._quote(Decimal(60_000))

        def on_trade_tick(self, tick: TradeTick) -> None:
            self.seen += 1
            if self.seen % REQUOTE_EVERY == 0:
                self._quote(tick.price.as_decimal())

        def _quote(self, price: Decimal) -> None:
            self.cancel_all_orders(iid)
            size = Quantity.from_str("0.001000")
            for offset in OFFSETS:
                bid = Price.from_str(f"{price * (1 - offset):.1f}0")
                ask = Price.from_str(f"{price * (1 + offset):.1f}0")
                self.submit_order(self.order_factory.limit(iid, OrderSide.BUY, size, bid))
                self.submit_order(self.order_factory.limit(iid, OrderSide.SELL, size, ask))

    workloads = (("idle", Idle), ("one_order_resting", OneResting), ("ten_orders_requoted", TenRequoted))
    for name, cls in workloads:
        best = None
        for _ in range(3):
            engine = BacktestEngine(BacktestEngineConfig(logging=LoggingConfig(bypass_logging=True)))
            engine.add_venue(
                Venue("BINANCE"),
                oms_type=OmsType.NETTING,
                account_type=AccountType.CASH,
                starting_balances=[Money(1_000_000, USDT), Money(10, BTC)],
            )
            engine.add_instrument(instrument)
            engine.add_data(ticks)
            engine.add_strategy(cls(StrategyConfig()))
            start = time.perf_counter()
            engine.run()
            took = time.perf_counter() - start
            engine.dispose()
            best = took if best is None else min(best, took)
        print(f"nautilus_replay_trades_{name}: {n / best:,.0f} events/s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300_000)
