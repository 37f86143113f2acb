"""The backtest runner: a ``ManualClock``, a ``PaperExchange`` and a market data source.

Time moves event by event. Each event goes to the venue first (the replay matcher fills
what it reaches, or the synthetic market runs up to it), then the strategy hears about its
own orders and fills, then the event itself. So a strategy never sees data from its future,
and the same seed and data give the same report, byte for byte.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterator, Sequence
from decimal import Decimal
from operator import attrgetter
from typing import Any, Literal, TypeVar

import attrs

from exchanges import (
    Candle,
    ExchangeError,
    Fill,
    Interval,
    ManualClock,
    Order,
    OrderNotFound,
    Trade,
    codec_for,
    parse_symbol,
)
from simulator.market.synthetic import SyntheticConfig
from simulator.paper import PaperExchange
from simulator.venue import VenueEvent
from simulator.venue.listing import SymbolSpec

from .columnar import CandleColumns, TradeColumns, check_columns
from .data import DataError, check_bars, check_replayable
from .instruments import merge_symbols
from .replay import FillRules, ReplayMatcher
from .report import EquityPoint, Report, build_report
from .strategy import Strategy
from .tracking import TrackingExchange

__all__ = ["Backtest", "BacktestResult", "MarketData", "SetupError", "SyntheticData", "Unfunded"]

ZERO = Decimal(0)
_E = TypeVar("_E", Trade, Candle)


class SetupError(ValueError):
    """The run could not start (before the strategy's first callback): the venue refused the
    pair, a balance, a fee rate... The message is the venue's; ``__cause__`` the original."""


class Unfunded(SetupError):
    """The starting balances hold neither currency of the pair: equity would start at 0."""

    def __init__(self, symbol: str, base: str, quote: str, balances: dict[str, Decimal]) -> None:
        held = ", ".join(f"{c}={a}" for c, a in balances.items() if a) or "nothing"
        super().__init__(
            f"the starting balances ({held}) hold neither {base} nor {quote}: "
            f"nothing to trade on {symbol}, and its equity would start at 0 {quote}"
        )
        self.symbol, self.base, self.quote = symbol, base, quote


@contextlib.contextmanager
def _setting_up() -> Iterator[None]:
    try:
        yield
    except (DataError, SetupError):
        raise
    except (ExchangeError, ValueError) as err:
        raise SetupError(str(err)) from err


@attrs.frozen
class MarketData:
    """Recorded events of one symbol, oldest first."""

    symbol: str  # unified, BTC/USDT
    kind: Literal["candles", "trades"]
    events: Sequence[Candle | Trade]
    interval: Interval | None = None

    def __attrs_post_init__(self) -> None:
        if self.kind == "candles" and self.interval is None:
            raise ValueError("candle data needs its interval")


@attrs.frozen
class SyntheticData:
    """The embedded synthetic market: no data needed. Bars of ``interval`` for ``duration_ms``."""

    symbol: str = "BTC/USDT"
    interval: Interval = Interval.M1
    duration_ms: int = 12 * 3600 * 1000
    start_ms: int = 1_700_000_000_000


@attrs.frozen
class BacktestResult:
    report: Report
    fills: tuple[Fill, ...]
    orders: tuple[Order, ...]
    log: tuple[str, ...]


class _BacktestExchange(TrackingExchange):
    """The strategy's exchange: remembers its orders."""

    def __init__(self, inner: PaperExchange) -> None:
        super().__init__(inner)
        self.paper = inner


def _overrides(strategy: Strategy, name: str) -> bool:
    return getattr(type(strategy), name) is not getattr(Strategy, name)


class Backtest:
    def __init__(
        self,
        strategy: Strategy,
        data: MarketData | SyntheticData,
        *,
        balances: dict[str, Decimal],
        seed: int = 0,
        rules: FillRules | None = None,
        maker_fee_rate: Decimal | None = None,
        taker_fee_rate: Decimal | None = None,
        sample_ms: int | None = None,
        progress: Callable[[int, int], None] | None = None,
        symbols: Sequence[SymbolSpec] = (),
    ) -> None:
        """``symbols``: the rules of instruments to trade besides (or instead of) the
        built-in pairs (see :func:`~simulator.backtest.instruments.instrument`)."""
        if data.symbol != strategy.symbol:
            raise ValueError(f"the data is for {data.symbol}, the strategy trades {strategy.symbol}")
        self.strategy = strategy
        self.data = data
        self.balances = balances
        self.seed = seed
        self.rules = rules or FillRules()
        self.fees = (maker_fee_rate, taker_fee_rate)
        self.sample_ms = sample_ms
        self.progress = progress
        self.symbols = tuple(symbols)
        self.base, self.quote = parse_symbol(data.symbol)
        self.native = codec_for("kucoin").to_native(data.symbol)
        self._curve: list[EquityPoint] = []
        self._next_sample = 0
        self._fills: list[Fill] = []
        self._seen_fills: set[str] = set()
        self._delivered: dict[str, Decimal] = {}
        self._stamps: dict[str, tuple[int, int, int, int, int] | None] = {}  # of delivered open orders
        self._last_price: Decimal | None = None

    # --- set-up ---------------------------------------------------------------------------------

    def _paper(self, clock: ManualClock, synthetic: Any) -> PaperExchange:
        maker, taker = self.fees
        return PaperExchange(
            self.balances,
            seed=self.seed,
            clock=clock,
            synthetic=synthetic,
            symbols=merge_symbols(self.symbols) if self.symbols else None,
            maker_fee_rate=maker,
            taker_fee_rate=taker,
        )

    def _check_funded(self) -> None:
        if not (self.balances.get(self.base) or self.balances.get(self.quote)):
            raise Unfunded(self.data.symbol, self.base, self.quote, self.balances)

    async def run(self) -> BacktestResult:
        if isinstance(self.data, SyntheticData):
            return await self._run_synthetic(self.data)
        return await self._run_replay(self.data)

    # --- replay of recorded data ---------------------------------------------------------------

    async def _run_replay(self, data: MarketData) -> BacktestResult:
        events = data.events
        if not events:
            raise ValueError("no market data to replay")
        iv_ms = data.interval.ms if data.interval else 0
        first = events[0]
        start = first.start if isinstance(first, Candle) else first.timestamp
        clock = ManualClock(start)
        with _setting_up():
            paper = self._paper(clock, False)
            venue = paper.sim
            tick = venue.symbol(self.native).price_increment
            if isinstance(events, CandleColumns | TradeColumns):
                check_columns(events, self.native, tick)
            else:
                check_replayable(events, self.native, tick)
                if data.kind == "candles" and data.interval is not None:
                    check_bars([e for e in events if isinstance(e, Candle)], data.interval)
            self._check_funded()
            venue.set_external(self.native)
            matcher = ReplayMatcher(venue, self.native, self.rules, self.seed)
            ex = _BacktestExchange(paper)
            self._last_price = first.open if isinstance(first, Candle) else first.price
            self._sample_every = self.sample_ms or (iv_ms or 60_000)
            await self._sample(paper, start)
        strategy = self.strategy
        strategy.bind(ex)
        await strategy.on_start()
        if isinstance(events, TradeColumns) or (
            data.kind == "trades" and all(isinstance(e, Trade) for e in events)
        ):
            await self._replay_trades(events, clock, paper, matcher, ex)  # type: ignore[arg-type]
        elif isinstance(events, CandleColumns) or (
            data.kind == "candles" and all(isinstance(e, Candle) for e in events)
        ):
            await self._replay_candles(events, iv_ms, clock, paper, matcher, ex)  # type: ignore[arg-type]
        else:
            await self._replay_mixed(events, iv_ms, clock, paper, matcher, ex)
        return await self._finish(paper, ex, clock)

    # The loop below runs once per event: it keeps to locals, and while the strategy has
    # nothing open (so nothing can fill) it only puts the event on the venue's replay tape,
    # which the venue applies, in order, before anything reads it (its next sync). With
    # orders open, the matcher fills what the event reaches and then records it.

    async def _replay_trades(
        self,
        events: Sequence[Trade],
        clock: ManualClock,
        paper: PaperExchange,
        matcher: ReplayMatcher,
        ex: _BacktestExchange,
    ) -> None:
        strategy = self.strategy
        await self._replay_fast(
            events,
            clock,
            paper,
            matcher,
            ex,
            time_of=attrgetter("timestamp"),
            price_of=attrgetter("price"),
            match=lambda trade, _now: matcher.on_trade(trade),
            taped=lambda trade, _venue_ms: trade,
            callback=strategy.on_trade if _overrides(strategy, "on_trade") else None,
        )

    async def _replay_candles(
        self,
        events: Sequence[Candle],
        iv_ms: int,
        clock: ManualClock,
        paper: PaperExchange,
        matcher: ReplayMatcher,
        ex: _BacktestExchange,
    ) -> None:
        strategy = self.strategy
        await self._replay_fast(
            events,
            clock,
            paper,
            matcher,
            ex,
            time_of=lambda bar: bar.start + iv_ms,  # a bar is seen at its close
            price_of=attrgetter("close"),
            match=matcher.on_candle,
            taped=lambda bar, venue_ms: (bar, venue_ms),  # recorded as of the venue's time now
            callback=strategy.on_candle if _overrides(strategy, "on_candle") else None,
        )

    async def _replay_fast(
        self,
        events: Sequence[_E],
        clock: ManualClock,
        paper: PaperExchange,
        matcher: ReplayMatcher,
        ex: _BacktestExchange,
        *,
        time_of: Callable[[_E], int],
        price_of: Callable[[_E], Decimal],
        match: Callable[[_E, int], None],
        taped: Callable[[_E, int], Trade | tuple[Candle, int]],
        callback: Callable[[_E], Awaitable[None]] | None,
    ) -> None:
        live = ex.open
        defer = paper.sim.replay_tape(self.native).append
        now_ms, set_ms = clock.now_ms, clock.set_ms
        deliver, progress = self._deliver, self.progress
        total = len(events)
        report_every = max(total // 200, 1)
        previous: _E | None = None
        for i, event in enumerate(events):
            now = time_of(event)
            clock_ms = now_ms()
            if now > clock_ms:
                set_ms(now)
                clock_ms = now
            if live:
                matcher.last_price = None if previous is None else price_of(previous)
                match(event, now)
                await deliver(ex)
            else:
                defer(taped(event, clock_ms))
            if callback is not None:
                await callback(event)
            if live:
                await deliver(ex)
            if now >= self._next_sample:
                self._last_price = price_of(event)
                await self._sample(paper, now)
            if progress is not None and i % report_every == 0:
                progress(i + 1, total)
            previous = event
        if previous is not None:
            matcher.last_price = self._last_price = price_of(previous)

    async def _replay_mixed(
        self,
        events: Sequence[Candle | Trade],
        iv_ms: int,
        clock: ManualClock,
        paper: PaperExchange,
        matcher: ReplayMatcher,
        ex: _BacktestExchange,
    ) -> None:
        """Events of both kinds (or of the other kind than the data says): one at a time."""
        strategy = self.strategy
        wants_trade, wants_candle = _overrides(strategy, "on_trade"), _overrides(strategy, "on_candle")
        total = len(events)
        report_every = max(total // 200, 1)
        for i, event in enumerate(events):
            if isinstance(event, Candle):
                now = event.start + iv_ms
                if now > clock.now_ms():
                    clock.set_ms(now)
                matcher.on_candle(event, now, match=ex.has_open)
                self._last_price = event.close
            else:
                now = event.timestamp
                if now > clock.now_ms():
                    clock.set_ms(now)
                matcher.on_trade(event, match=ex.has_open)
                self._last_price = event.price
            if ex.has_open:
                await self._deliver(ex)
            if isinstance(event, Candle):
                if wants_candle:
                    await strategy.on_candle(event)
            elif wants_trade:
                await strategy.on_trade(event)
            if ex.has_open:
                await self._deliver(ex)
            if now >= self._next_sample:
                await self._sample(paper, now)
            if self.progress is not None and i % report_every == 0:
                self.progress(i + 1, total)

    # --- the embedded synthetic market ---------------------------------------------------------

    async def _run_synthetic(self, data: SyntheticData) -> BacktestResult:  # noqa: C901 (one loop, read top to bottom)
        iv = data.interval
        start_ms = -(-data.start_ms // iv.ms) * iv.ms  # bars are aligned to the interval
        clock = ManualClock(start_ms)
        with _setting_up():
            if data.duration_ms < iv.ms:
                seconds = data.duration_ms // 1000
                raise SetupError(f"a synthetic run of {seconds} s is shorter than one {iv.value} bar")
            if self.rules.latency_ms or self.rules.latency_jitter_ms:
                # (moving the shared clock on at each placement would show the strategy, in
                # the same callback, trades and a time from its future)
                raise SetupError("latency and jitter apply to replayed data, not to the synthetic market")
            config = SyntheticConfig(symbols=(self.native,), warmup_ms=0)
            paper = self._paper(clock, config)
            ex = _BacktestExchange(paper)
            ticker = await paper.fetch_ticker(data.symbol)
            self._check_funded()
            self._last_price = ticker.last or ticker.bid
            self._sample_every = self.sample_ms or iv.ms
            await self._sample(paper, start_ms)
        strategy = self.strategy
        strategy.bind(ex)
        await strategy.on_start()
        wants_book = _overrides(strategy, "on_book")
        wants_trade = _overrides(strategy, "on_trade")
        steps = data.duration_ms // iv.ms
        report_every = max(steps // 200, 1)
        prints: list[Trade] = []  # every print since the last step (the venue keeps only its last 1000)
        if wants_trade:
            native, unified = self.native, data.symbol

            def hear(event: VenueEvent) -> None:
                t = event.trade
                if event.kind == "trade" and t is not None and t.symbol == native:
                    prints.append(Trade(id=str(t.trade_id), symbol=unified, price=t.price, size=t.size,
                                        side=t.side, timestamp=t.time))  # fmt: skip

            paper.sim.subscribe(hear)
        for k in range(steps):
            bar_start = start_ms + k * iv.ms
            now = bar_start + iv.ms
            if now > clock.now_ms():
                clock.set_ms(now)
            paper.sim.sync()
            await self._deliver(ex)
            if wants_trade:
                due = [t for t in prints if t.timestamp < now]
                del prints[: len(due)]
                for trade in due:
                    await strategy.on_trade(trade)
            bars = await paper.fetch_candles(data.symbol, iv, bar_start, now)
            for bar in bars:
                if bar.start + iv.ms > now:  # never a bar still forming
                    continue
                self._last_price = bar.close
                await strategy.on_candle(bar)
            if wants_book:
                await strategy.on_book(await paper.fetch_order_book(data.symbol))
            await self._deliver(ex)
            if now >= self._next_sample:
                await self._sample(paper, now)
            if self.progress is not None and k % report_every == 0:
                self.progress(k + 1, steps)
        return await self._finish(paper, ex, clock)

    # --- shared ---------------------------------------------------------------------------------

    async def _deliver(self, ex: _BacktestExchange) -> None:
        """Tell the strategy about its orders that changed and fills it has not seen."""
        paper = ex.paper
        stamps = self._stamps
        for order_id in ex.take_pending():
            order = ex.orders[order_id]
            if order.is_open:
                stamp = paper.order_stamp(order_id)
                if stamp is not None and stamps.get(order_id) == stamp:
                    continue  # unchanged since last delivered
                stamps[order_id] = stamp
                try:
                    order = await paper.fetch_order(order.symbol, order_id=order_id)
                except OrderNotFound:
                    continue
            if order.filled_size > self._delivered.get(order_id, ZERO):
                fills = await paper.fetch_fills(order.symbol, order_id=order_id)
                for fill in sorted(fills, key=lambda f: (f.timestamp, f.id)):
                    if fill.id not in self._seen_fills:
                        self._seen_fills.add(fill.id)
                        self._fills.append(fill)
                        await self.strategy.on_fill(fill)
                self._delivered[order_id] = order.filled_size
            if ex.remember(order):
                await self.strategy.on_order(order)
            if not order.is_open:
                stamps.pop(order_id, None)

    async def _sample(self, paper: PaperExchange, now: int) -> None:
        balances = await paper.fetch_balances()
        base = balances[self.base].total if self.base in balances else ZERO
        quote = balances[self.quote].total if self.quote in balances else ZERO
        price = self._last_price or ZERO
        point = EquityPoint(now, quote + base * price, base - self.balances.get(self.base, ZERO), price)
        if self._curve and self._curve[-1].timestamp == now:
            self._curve[-1] = point
        else:
            self._curve.append(point)
        self._next_sample = now + self._sample_every

    async def _finish(
        self, paper: PaperExchange, ex: _BacktestExchange, clock: ManualClock
    ) -> BacktestResult:
        await self.strategy.on_stop()
        await ex.cancel_open()
        await self._deliver(ex)
        await self._sample(paper, clock.now_ms())
        balances = await paper.fetch_balances()
        final = {c: b.total for c, b in balances.items() if b.total}
        report = build_report(
            symbol=self.data.symbol,
            base=self.base,
            quote=self.quote,
            fills=self._fills,
            orders=ex.placed,
            initial_balances={c: v for c, v in self.balances.items() if v},
            final_balances=final,
            curve=self._curve,
            quote_increment=paper.sim.symbol(self.native).quote_increment,
        )
        await paper.close()
        return BacktestResult(
            report, tuple(self._fills), tuple(ex.orders.values()), tuple(self.strategy.log_lines)
        )
