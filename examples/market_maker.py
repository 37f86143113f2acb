"""A simple market maker: one bid and one ask around the mid, skewed against inventory,
refreshed when the mid moves by more than a threshold. Post-only, so it never takes.

It quotes around the order book's mid when there is a book (the synthetic market, live
trading). Replayed files (``--data trades.csv`` or candles) carry no book: then it quotes
around the last trade price, or the last bar's close.

Run live, the bot names no venue: ``exchanges.connect`` picks one from a value, so the same
code trades on paper, on the KuCoin simulator and on the Binance simulator::

    python examples/market_maker.py paper
    python examples/market_maker.py kucoin --base-url http://127.0.0.1:8080
    python examples/market_maker.py binance --base-url http://127.0.0.1:8081

(credentials from the venue's environment variables, ``KUCOIN_API_*`` or ``BINANCE_API_*``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from exchanges import (
    Candle,
    Exchange,
    ExchangeError,
    Fill,
    InsufficientFunds,
    OrderBook,
    OrderNotFound,
    OrderRequest,
    PostOnlyWouldTake,
    Side,
    Trade,
    ceil_to_increment,
    connect,
    floor_to_increment,
)
from simulator.backtest import LiveResult, LiveRunner, Strategy


class SimpleMarketMaker(Strategy):
    name = "market-maker"

    def __init__(
        self,
        symbol: str = "BTC/USDT",
        spread_bps: str = "10",
        size: str = "0.001",
        refresh_bps: str = "2",
        max_inventory: str = "0.01",
    ) -> None:
        super().__init__(symbol)
        self.half_spread = _number("spread_bps", spread_bps) / Decimal(20000)
        self.size = _number("size", size)
        self.refresh = _number("refresh_bps", refresh_bps) / Decimal(10000)
        self.max_inventory = _number("max_inventory", max_inventory)
        self.inventory = Decimal(0)
        self.quoted_mid: Decimal | None = None
        self.quotes: dict[Side, str] = {}
        #: No book to quote around (replayed data): quote around the last price instead.
        self.from_prices = False

    async def on_start(self) -> None:
        markets = await self.exchange.load_markets()
        self.market = markets[self.symbol]
        self.size = max(ceil_to_increment(self.size, self.market.size_increment), self.market.min_size)
        book = await self.exchange.fetch_order_book(self.symbol)
        self.from_prices = book.mid is None
        if self.from_prices:
            self.log("no order book in this data: quoting around the last trade price or bar close")

    async def on_book(self, book: OrderBook) -> None:
        if book.mid is not None:
            await self._maybe_requote(book.mid)

    async def on_trade(self, trade: Trade) -> None:
        if self.from_prices:
            await self._maybe_requote(trade.price)

    async def on_candle(self, candle: Candle) -> None:
        if self.from_prices:
            await self._maybe_requote(candle.close)

    async def _maybe_requote(self, mid: Decimal) -> None:
        if self.quoted_mid is not None and abs(mid - self.quoted_mid) / self.quoted_mid < self.refresh:
            return
        await self._requote(mid)

    async def _requote(self, mid: Decimal) -> None:
        for side, order_id in list(self.quotes.items()):
            with contextlib.suppress(OrderNotFound):  # it may have filled meanwhile
                await self.exchange.cancel_order(self.symbol, order_id=order_id)
            del self.quotes[side]
        skew = -(self.inventory / self.max_inventory) * self.half_spread if self.max_inventory else Decimal(0)
        inc = self.market.price_increment
        bid = floor_to_increment(mid * (1 - self.half_spread + skew), inc)
        ask = ceil_to_increment(mid * (1 + self.half_spread + skew), inc)
        for side, price in ((Side.BUY, bid), (Side.SELL, ask)):
            if side is Side.BUY and self.inventory >= self.max_inventory:
                continue
            if side is Side.SELL and self.inventory <= -self.max_inventory:
                continue
            try:
                order = await self.exchange.place_order(
                    OrderRequest.limit(self.symbol, side, self.size, price, post_only=True)
                )
            except (PostOnlyWouldTake, InsufficientFunds) as err:
                self.log(f"{side} quote at {price} skipped: {err}")
                continue
            except ExchangeError as err:
                self.log(f"{side} quote at {price} failed: {err}")
                continue
            if order.is_open:
                self.quotes[side] = order.id
        self.quoted_mid = mid

    async def on_fill(self, fill: Fill) -> None:
        self.inventory += fill.size if fill.side is Side.BUY else -fill.size
        self.log(
            f"fill: {fill.side} {fill.size} @ {fill.price} ({fill.liquidity},"
            f" fee {fill.fee} {fill.fee_currency}); inventory {self.inventory}"
        )
        self.quoted_mid = None  # requote on the next book (or price)


def _number(name: str, value: str | Decimal | int) -> Decimal:
    try:
        number = Decimal(value)
    except ArithmeticError:
        raise ValueError(f"{name} must be a number, not {value!r}") from None
    if not (number.is_finite() and number >= 0):
        raise ValueError(f"{name} must be a finite number >= 0, not {value!r}")
    return number


async def trade(
    exchange: Exchange,
    seconds: float | None,
    *,
    symbol: str = "BTC/USDT",
    stop: asyncio.Event | None = None,
    echo: Callable[[str], None] | None = print,
) -> LiveResult:
    """Quote on ``exchange`` for ``seconds`` (or until ``stop`` is set), then cancel what is
    left open. The quotes are tight and small so that a simulated market fills some of them
    within seconds."""
    strategy = SimpleMarketMaker(symbol, spread_bps="2", size="0.002", refresh_bps="0.5")
    runner = LiveRunner(strategy, exchange, poll_interval=0.5, echo=echo)
    return await runner.run(duration=seconds, stop=stop)


async def _main(venue: str, options: dict[str, Any], seconds: float) -> None:
    async with connect(venue, **options) as exchange:
        result = await trade(exchange, seconds)
    print(f"{venue}: {len(result.orders)} orders, {len(result.fills)} fills, {result.polls} polls")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The market maker, live on any venue.")
    parser.add_argument("venue", nargs="?", default="paper", help="paper (default), kucoin, binance, ...")
    parser.add_argument("--base-url", help="where the venue is served (a local simulator)")
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args(argv)
    options: dict[str, Any] = {} if args.base_url is None else {"base_url": args.base_url}
    asyncio.run(_main(args.venue, options, args.seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
