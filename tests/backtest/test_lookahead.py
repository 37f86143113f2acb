"""No look-ahead: whatever a strategy asks its exchange while handling an event, the answer
holds nothing that happened after that event (clock, ticker, trades, candles, book)."""

from __future__ import annotations

import random
from decimal import Decimal as D

import attrs

from exchanges import Candle, Interval, Side, Trade
from simulator.backtest import Strategy
from simulator.backtest.runner import Backtest, MarketData

T0 = 1_700_000_040_000  # on a minute boundary, as bars are
SYMBOL = "BTC/USDT"
BALANCES = {"USDT": D(100_000), "BTC": D(10)}


def _trades(n: int) -> list[Trade]:
    rng = random.Random(5)
    price = 60_000
    out = []
    for i in range(n):
        price += rng.choice((-30, -10, 0, 10, 30))
        out.append(
            Trade(
                id=str(i),
                symbol=SYMBOL,
                price=D(price),
                size=D(rng.randint(1, 900)) / 1000,
                side=Side.BUY if rng.random() < 0.5 else Side.SELL,
                timestamp=T0 + i * 7_000,  # several per minute: candles form as prints arrive
            )
        )
    return out


def _bars(n: int) -> list[Candle]:
    rng = random.Random(6)
    price = 60_000
    out = []
    for i in range(n):
        o = price
        price += rng.choice((-50, -20, 20, 50))
        out.append(
            Candle(
                start=T0 + i * 60_000,
                open=D(o),
                high=D(max(o, price) + rng.randint(0, 40)),
                low=D(min(o, price) - rng.randint(0, 40)),
                close=D(price),
                volume=D(rng.randint(1, 50)),
                symbol=SYMBOL,
                interval=Interval.M1,
            )
        )
    return out


class Peeker(Strategy):
    """At every event, asks everything it can and checks none of it is from later on."""

    def __init__(self) -> None:
        super().__init__(SYMBOL)
        self.checked = 0
        self.seen: list[Trade] = []

    async def on_trade(self, trade: Trade) -> None:
        self.seen.append(trade)
        ex = self.exchange
        assert await ex.server_time() == trade.timestamp
        ticker = await ex.fetch_ticker(SYMBOL)
        assert ticker.last == trade.price
        assert ticker.timestamp <= trade.timestamp
        recent = await ex.fetch_trades(SYMBOL)
        assert recent, "the print just replayed is public"
        assert max(t.timestamp for t in recent) == trade.timestamp
        assert {t.price for t in recent} <= {t.price for t in self.seen}
        candles = await ex.fetch_candles(SYMBOL, Interval.M1, T0, trade.timestamp + 600_000)
        assert candles and candles[-1].start <= trade.timestamp < candles[-1].start + 60_000
        last = candles[-1]
        in_bar = [t for t in self.seen if t.timestamp >= last.start]
        assert last.close == in_bar[-1].price
        assert last.high == max(t.price for t in in_bar)
        assert last.low == min(t.price for t in in_bar)
        assert last.volume == sum((t.size for t in in_bar), D(0))
        self.checked += 1

    async def on_candle(self, candle: Candle) -> None:
        ex = self.exchange
        close_time = candle.start + 60_000
        assert await ex.server_time() == close_time
        ticker = await ex.fetch_ticker(SYMBOL)
        assert ticker.last == candle.close
        candles = await ex.fetch_candles(SYMBOL, Interval.M1, T0, close_time + 3_600_000)
        assert candles[-1].start == candle.start, "the bar just closed is the latest one"
        assert (candles[-1].open, candles[-1].high, candles[-1].low, candles[-1].close) == (
            candle.open,
            candle.high,
            candle.low,
            candle.close,
        )
        book = await ex.fetch_order_book(SYMBOL, 20)
        assert book.timestamp <= close_time
        self.checked += 1


async def test_trade_replay_shows_nothing_from_the_future() -> None:
    trades = _trades(120)
    strategy = Peeker()
    await Backtest(strategy, MarketData(SYMBOL, "trades", trades), balances=dict(BALANCES)).run()
    assert strategy.checked == len(trades)


async def test_candle_replay_shows_nothing_from_the_future() -> None:
    bars = _bars(60)
    strategy = Peeker()
    await Backtest(
        strategy, MarketData(SYMBOL, "candles", bars, Interval.M1), balances=dict(BALANCES)
    ).run()
    assert strategy.checked == len(bars)


# --- several symbols in one run -------------------------------------------------------------

SYMBOLS = ("ETH/BTC", "BTC/USDT", "ETH/USDT")  # the strategy's order: ties are heard in it


def _prints(symbol: str, n: int, start: int, every: int, price: int, seed: int) -> list[Trade]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        price += rng.choice((-3, -1, 0, 1, 3))
        out.append(Trade(id=f"{symbol}-{i}", symbol=symbol, price=D(price), size=D("0.01"),
                         side=Side.BUY if i % 2 else Side.SELL, timestamp=start + i * every))  # fmt: skip
    return out


def _cross_bars(n: int) -> list[Candle]:
    step = D("0.00001")
    return [
        Candle(start=T0 + i * 60_000, open=D("0.05000") + i * step, high=D("0.05010") + i * step,
               low=D("0.04990") + i * step, close=D("0.05005") + i * step, volume=D(3),
               symbol="ETH/BTC", interval=Interval.M1)
        for i in range(n)
    ]  # fmt: skip


class MultiPeeker(Strategy):
    """At every event of any symbol, asks about every symbol and checks that nothing of any
    of them is from later on."""

    def __init__(self) -> None:
        super().__init__(SYMBOLS)
        self.heard: list[tuple[int, str]] = []
        self.last: dict[str, Trade | Candle] = {}
        self.checked = 0

    async def _look(self, now: int) -> None:
        ex = self.exchange
        assert await ex.server_time() == now
        for symbol in self.symbols:
            seen = self.last.get(symbol)
            recent = await ex.fetch_trades(symbol)
            assert all(t.timestamp <= now for t in recent), f"{symbol}: a print from later on"
            candles = await ex.fetch_candles(symbol, Interval.M1, T0 - 600_000, now + 3_600_000)
            assert all(c.start <= now for c in candles), f"{symbol}: a bar from later on"
            ticker = await ex.fetch_ticker(symbol)
            if isinstance(seen, Trade):
                newest = max(recent, key=lambda t: t.timestamp)
                assert (newest.timestamp, newest.price) == (seen.timestamp, seen.price)
                assert ticker.last == seen.price
            elif isinstance(seen, Candle):
                assert candles[-1].start == seen.start and candles[-1].close == seen.close
                assert ticker.last == seen.close
            else:
                assert not recent and not candles, f"{symbol} has had no event yet"
        self.checked += 1

    async def on_trade(self, trade: Trade) -> None:
        self.heard.append((trade.timestamp, trade.symbol))
        self.last[trade.symbol] = trade
        await self._look(trade.timestamp)

    async def on_candle(self, candle: Candle) -> None:
        close = candle.start + 60_000
        self.heard.append((close, candle.symbol))
        self.last[candle.symbol] = candle
        await self._look(close)


async def test_several_symbols_show_nothing_from_the_future_of_any() -> None:
    btc = _prints("BTC/USDT", 90, T0, 7_000, 60_000, 1)
    eth = _prints("ETH/USDT", 120, T0 + 5_000, 5_000, 3_000, 2)  # ties with BTC every 35 s
    bars = _cross_bars(10)
    data = [
        MarketData("ETH/USDT", "trades", eth),
        MarketData("BTC/USDT", "trades", btc),
        MarketData("ETH/BTC", "candles", bars, Interval.M1),
    ]
    strategy = MultiPeeker()
    balances = {"USDT": D(100_000), "BTC": D(1), "ETH": D(10)}
    await Backtest(strategy, data, balances=balances).run()
    assert strategy.checked == len(btc) + len(eth) + len(bars)
    rank = {symbol: k for k, symbol in enumerate(SYMBOLS)}
    assert strategy.heard == sorted(strategy.heard, key=lambda h: (h[0], rank[h[1]])), (
        "in time order, ties in the order of the strategy's symbols"
    )
    times = {symbol: {t for t, s in strategy.heard if s == symbol} for symbol in SYMBOLS}
    ties = times["BTC/USDT"] & times["ETH/USDT"]
    bar_ties = times["ETH/BTC"] & (times["BTC/USDT"] | times["ETH/USDT"])
    assert ties and bar_ties, "the data has ties to break"


# --- several venues in one run ---------------------------------------------------------------

MARKETS = (("kucoin", "BTC/USDT"), ("binance", "BTC/USDT"), ("binance", "ETH/USDT"))


class VenuesPeeker(Strategy):
    """At every event of any venue, asks every venue about each of its markets: nothing of
    any venue is from later on, and each venue shows its own events only."""

    def __init__(self, prints: dict[str, set[tuple[int, D]]]) -> None:
        super().__init__(tuple(f"{venue}:{symbol}" for venue, symbol in MARKETS))
        self.prints = prints  # each venue's own prints: (time, price)
        self.heard: list[tuple[int, str, str]] = []
        self.last: dict[tuple[str, str], Trade | Candle] = {}
        self.checked = 0

    async def _look(self, now: int) -> None:
        for venue, symbol in self.markets:
            ex = self.exchanges[venue]
            assert await ex.server_time() == now, "one clock"
            seen = self.last.get((venue, symbol))
            recent = await ex.fetch_trades(symbol)
            assert all(t.timestamp <= now for t in recent), f"{venue}:{symbol}: a print from later on"
            candles = await ex.fetch_candles(symbol, Interval.M1, T0 - 600_000, now + 3_600_000)
            assert all(c.start <= now for c in candles), f"{venue}:{symbol}: a bar from later on"
            ticker = await ex.fetch_ticker(symbol)
            if isinstance(seen, Trade):
                mine = {(t.timestamp, t.price) for t in recent}
                assert mine <= self.prints[venue], f"{venue} shows another venue's print"
                newest = max(recent, key=lambda t: t.timestamp)
                assert (newest.timestamp, newest.price) == (seen.timestamp, seen.price)
                assert ticker.last == seen.price
            elif isinstance(seen, Candle):
                assert candles[-1].start == seen.start and candles[-1].close == seen.close
                assert ticker.last == seen.close
            else:
                assert not recent and not candles, f"{venue}:{symbol} has had no event yet"
        self.checked += 1

    async def on_trade(self, trade: Trade, venue: str = "") -> None:
        self.heard.append((trade.timestamp, venue, trade.symbol))
        self.last[venue, trade.symbol] = trade
        await self._look(trade.timestamp)

    async def on_candle(self, candle: Candle, venue: str = "") -> None:
        close = candle.start + 60_000
        self.heard.append((close, venue, candle.symbol))
        self.last[venue, candle.symbol] = candle
        await self._look(close)


async def test_several_venues_show_nothing_from_the_future_of_any() -> None:
    kucoin = _prints("BTC/USDT", 90, T0, 7_000, 60_000, 1)
    binance = [attrs.evolve(t, id=f"b{t.id}") for t in _prints("BTC/USDT", 120, T0 + 5_000, 5_000, 60_100, 2)]
    scale = 60_000  # (ETH/BTC's bars as ETH/USDT's)
    bars = [
        attrs.evolve(bar, symbol="ETH/USDT", open=bar.open * scale, high=bar.high * scale,
                     low=bar.low * scale, close=bar.close * scale)
        for bar in _cross_bars(10)
    ]  # fmt: skip
    data = [
        MarketData("BTC/USDT", "trades", binance, venue="binance"),
        MarketData("ETH/USDT", "candles", bars, Interval.M1, venue="binance"),
        MarketData("BTC/USDT", "trades", kucoin),
    ]
    own = {"kucoin": kucoin, "binance": binance}
    strategy = VenuesPeeker({venue: {(t.timestamp, t.price) for t in ts} for venue, ts in own.items()})
    assert not set.intersection(*strategy.prints.values()), "the venues' prints differ"
    balances = {"USDT": D(100_000), "BTC": D(1), "ETH": D(10)}
    await Backtest(strategy, data, balances=balances).run()
    assert strategy.checked == len(kucoin) + len(binance) + len(bars)
    rank = {market: k for k, market in enumerate(MARKETS)}
    assert strategy.heard == sorted(strategy.heard, key=lambda h: (h[0], rank[h[1], h[2]])), (
        "in time order, ties in the order of the strategy's markets"
    )
    times = {market: {t for t, *m in strategy.heard if tuple(m) == market} for market in MARKETS}
    assert times[MARKETS[0]] & times[MARKETS[1]], "the venues' prints tie"
    assert times[MARKETS[2]] & times[MARKETS[0]], "a bar ties with a print of the other venue"
