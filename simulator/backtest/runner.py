"""The backtest runner: a ``ManualClock``, a ``PaperExchange`` and market data sources.

Time moves event by event. Each event goes to the venue first (the replay matcher fills
what it reaches, or the synthetic market runs up to it), then the strategy hears about its
own orders and fills, then the event itself. So a strategy never sees data from its future,
and the same seed and data give the same report, byte for byte.

A run may trade several symbols: one source per symbol, their events merged in time order
(ties in the order of the strategy's symbols, then of each source), on one clock and one
account.
"""

from __future__ import annotations

import contextlib
import gc
import heapq
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from itertools import repeat
from operator import attrgetter
from typing import Any, Literal

import attrs

from exchanges import (
    Candle,
    ExchangeError,
    Fill,
    Interval,
    ManualClock,
    Order,
    OrderBook,
    OrderNotFound,
    OrderRequest,
    Ticker,
    Trade,
    codec_for,
    parse_symbol,
)
from simulator.market.synthetic import SyntheticConfig, SyntheticMarket
from simulator.paper import PaperExchange
from simulator.venue import VenueEvent
from simulator.venue.listing import SymbolSpec

from .columnar import CandleColumns, TradeColumns, check_columns
from .data import DataError, check_bars, check_replayable
from .instruments import merge_symbols
from .replay import FillRules, ReplayMatcher
from .report import EquityPoint, Report, SymbolPnl, build_report, symbol_pnl
from .strategy import Strategy
from .tracking import TrackingExchange
from .valuation import Valuation

__all__ = ["Backtest", "BacktestResult", "MarketData", "SetupError", "SyntheticData", "Unfunded"]

ZERO = Decimal(0)


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
    """The embedded synthetic market: no data needed. Bars of ``interval`` for ``duration_ms``.
    ``stream=False`` puts every step of the market through the book, not only those
    before the strategy looks (slower; see :class:`~simulator.market.SyntheticConfig`)."""

    symbol: str = "BTC/USDT"
    interval: Interval = Interval.M1
    duration_ms: int = 12 * 3600 * 1000
    start_ms: int = 1_700_000_000_000
    stream: bool = True


Source = MarketData | SyntheticData


@attrs.frozen(repr=False)
class BacktestResult:
    report: Report
    fills: tuple[Fill, ...]
    orders: tuple[Order, ...]
    log: tuple[str, ...]

    def __repr__(self) -> str:
        """Short: ``asyncio.run`` formats the result of its task when it restores the SIGINT
        handler (Python 3.11), and a long run's orders and fills took a third of a second."""
        symbols = ", ".join(self.report.symbols)
        return f"BacktestResult({symbols}, {len(self.orders)} orders, {len(self.fills)} fills)"


class _BacktestExchange(TrackingExchange):
    """The strategy's exchange: remembers its orders."""

    def __init__(self, inner: PaperExchange) -> None:
        super().__init__(inner)
        self.paper = inner
        #: each new order's stamp as placed: until it changes, the order is as placed
        self.placement_stamps: dict[str, tuple[int, int, int, int, int] | None] = {}
        #: called before the strategy reads a book or trades (a lazy synthetic market quotes)
        self.before_look: Callable[[], None] | None = None

    async def fetch_ticker(self, symbol: str) -> Ticker:
        if self.before_look is not None:
            self.before_look()
        return await super().fetch_ticker(symbol)

    async def fetch_order_book(self, symbol: str, depth: int | None = 20) -> OrderBook:
        if self.before_look is not None:
            self.before_look()
        return await super().fetch_order_book(symbol, depth)

    async def place_order(self, request: OrderRequest) -> Order:
        if self.before_look is not None:
            self.before_look()
        order = await super().place_order(request)
        self.placement_stamps[order.id] = self.paper.order_stamp(order.id)
        return order


def _overrides(strategy: Strategy, name: str) -> bool:
    return getattr(type(strategy), name) is not getattr(Strategy, name)


def _candle_low(bar: Candle) -> Decimal:
    return bar.low


def _candle_high(bar: Candle) -> Decimal:
    return bar.high


@attrs.define(eq=False)
class _Lane:
    """One symbol of the run: its source, its replay matcher and tape, how its events read."""

    symbol: str  # unified
    native: str
    source: Source
    opening: Decimal | None = None  # the price before the first event
    last: Any = None  # the latest event replayed
    matcher: ReplayMatcher | None = None
    band: tuple[Decimal, Decimal] | None = None  # prices its events may take unmatched
    defer: Callable[[Any], None] | None = None
    time_of: Callable[[Any], int] = attrgetter("timestamp")
    price_of: Callable[[Any], Decimal] = attrgetter("price")
    low_of: Callable[[Any], Decimal] = attrgetter("price")
    high_of: Callable[[Any], Decimal] = attrgetter("price")
    match: Callable[[Any, int], None] | None = None
    taped: Callable[[Any, int], Any] | None = None
    callback: Callable[[Any], Awaitable[None]] | None = None

    @property
    def price(self) -> Decimal | None:
        return self.opening if self.last is None else self.price_of(self.last)


def _merged(lanes: Sequence[_Lane]) -> Iterator[tuple[int, Any]]:
    """``(lane, event)`` for every lane's events in time order; ties go to the earlier lane,
    then to the earlier event of its source. Each source is read once, in order."""
    sources = []
    for lane in lanes:
        assert isinstance(lane.source, MarketData)
        sources.append(lane.source.events)
    if len(sources) == 1:
        return zip(repeat(0), sources[0])
    pairs = enumerate(zip(lanes, sources, strict=True))
    streams = [_keyed(k, lane.time_of, events) for k, (lane, events) in pairs]
    return ((k, event) for _, k, _, event in heapq.merge(*streams))


def _keyed(
    k: int, time_of: Callable[[Any], int], events: Iterable[Any]
) -> Iterator[tuple[int, int, int, Any]]:
    for i, event in enumerate(events):
        yield time_of(event), k, i, event


class Backtest:
    def __init__(
        self,
        strategy: Strategy,
        data: Source | Sequence[Source],
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
        """``data``: one source, or one per symbol the strategy trades (all recorded, or all
        synthetic over the same span). ``symbols``: the rules of instruments to trade
        besides (or instead of) the built-in pairs (see
        :func:`~simulator.backtest.instruments.instrument`)."""
        sources = _sources(strategy, data)
        self.strategy = strategy
        self.sources = sources
        self.data = sources[0]
        self.balances = balances
        self.seed = seed
        self.rules = rules or FillRules()
        self.fees = (maker_fee_rate, taker_fee_rate)
        self.sample_ms = sample_ms
        self.progress = progress
        self.symbols = tuple(symbols)
        self.base, self.quote = parse_symbol(self.data.symbol)
        self.native = codec_for("kucoin").to_native(self.data.symbol)
        codec = codec_for("kucoin")
        self._lanes = [_Lane(s.symbol, codec.to_native(s.symbol), s) for s in sources]
        self._valuation = Valuation([s.symbol for s in sources]) if len(sources) > 1 else None
        if self._valuation is not None:
            self.quote = self._valuation.currency
        self._curve: list[EquityPoint] = []
        self._next_sample = 0
        self._sample_every = 0
        self._fills: list[Fill] = []
        self._seen_fills: set[str] = set()
        self._delivered: dict[str, Decimal] = {}
        self._fills_since: dict[str, int] = {}  # per order, the time of its latest fill delivered
        self._totals_at = -1  # how many fills the totals below were read after
        self._totals_cache: dict[str, Decimal] = {}
        self._stamps: dict[str, tuple[int, int, int, int, int] | None] = {}  # of delivered open orders

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
        held = {c for c, amount in self.balances.items() if amount}
        for lane in self._lanes:
            base, quote = parse_symbol(lane.symbol)
            if base in held or quote in held:
                return
        raise Unfunded(self.data.symbol, self.base, parse_symbol(self.data.symbol)[1], self.balances)

    def _check_valued(self) -> None:
        valuation = self._valuation
        if valuation is not None and valuation.unreachable:
            raise SetupError(
                f"the pairs traded link no path from {', '.join(valuation.unreachable)} to "
                f"{valuation.currency}: the run's equity could not be counted in one currency"
            )

    async def run(self) -> BacktestResult:
        # What exists before the run (the recorded events above all: hundreds of thousands of
        # objects) lives through it: a full garbage collection need not walk it every time
        # the run's own allocations trigger one (a third of a replay's time when one fell in).
        gc.freeze()
        try:
            if isinstance(self.data, SyntheticData):
                return await self._run_synthetic(self.data)
            return await self._run_replay()
        finally:
            gc.unfreeze()

    # --- replay of recorded data ---------------------------------------------------------------

    def _prepare(self, lane: _Lane, paper: PaperExchange) -> None:
        """Check ``lane``'s data against its symbol's rules and set its matcher and readers."""
        data = lane.source
        assert isinstance(data, MarketData)
        events = data.events
        venue = paper.sim
        tick = venue.symbol(lane.native).price_increment
        if isinstance(events, CandleColumns | TradeColumns):
            check_columns(events, lane.native, tick)
        else:
            check_replayable(events, lane.native, tick)
            if data.kind == "candles" and data.interval is not None:
                check_bars([e for e in events if isinstance(e, Candle)], data.interval)
        venue.set_external(lane.native)
        lane.matcher = matcher = ReplayMatcher(venue, lane.native, self.rules, self.seed)
        lane.defer = venue.replay_tape(lane.native).append
        first = events[0]
        lane.opening = first.open if isinstance(first, Candle) else first.price
        strategy = self.strategy
        if _is_candles(data):
            iv_ms = data.interval.ms if data.interval else 0
            lane.time_of = lambda bar: bar.start + iv_ms  # a bar is seen at its close
            lane.price_of, lane.low_of, lane.high_of = attrgetter("close"), _candle_low, _candle_high
            lane.match = matcher.on_candle
            lane.taped = lambda bar, venue_ms: (bar, venue_ms)  # recorded as of the venue's time now
            lane.callback = strategy.on_candle if _overrides(strategy, "on_candle") else None
        else:
            lane.match = lambda trade, _now: matcher.on_trade(trade)
            lane.taped = lambda trade, _venue_ms: trade
            lane.callback = strategy.on_trade if _overrides(strategy, "on_trade") else None

    async def _run_replay(self) -> BacktestResult:
        lanes = self._lanes
        for lane in lanes:
            assert isinstance(lane.source, MarketData)
            if not lane.source.events:
                raise ValueError(f"no market data to replay for {lane.symbol}")
        mixed = [lane for lane in lanes if not _uniform(lane.source)]
        if mixed and len(lanes) > 1:
            raise DataError(
                f"{mixed[0].symbol}: each source of a run of several symbols holds one kind of event"
            )
        firsts = [lane.source.events[0] for lane in lanes]  # type: ignore[union-attr]
        start = min(e.start if isinstance(e, Candle) else e.timestamp for e in firsts)
        clock = ManualClock(start)
        with _setting_up():
            paper = self._paper(clock, False)
            for lane in lanes:
                self._prepare(lane, paper)
            self._check_funded()
            self._check_valued()
            ex = _BacktestExchange(paper)
            data = self.data
            assert isinstance(data, MarketData)
            iv_ms = data.interval.ms if data.interval else 0
            self._sample_every = self.sample_ms or (iv_ms or 60_000)
            await self._sample(paper, start)
        strategy = self.strategy
        strategy.bind(ex)
        await strategy.on_start()
        if mixed:
            await self._replay_mixed(lanes[0], iv_ms, clock, paper, ex)
        else:
            await self._replay(lanes, clock, paper, ex)
        return await self._finish(paper, ex, clock)

    # The loop below runs once per event: it keeps to locals. While the strategy has nothing
    # open (so nothing can fill), or nothing the event can reach, it only puts the event on
    # the venue's replay tape, which the venue applies, in order, before anything reads it
    # (its next sync). Otherwise the matcher fills what the event reaches, then records it.

    async def _replay(
        self, lanes: Sequence[_Lane], clock: ManualClock, paper: PaperExchange, ex: _BacktestExchange
    ) -> None:
        live = ex.open
        now_ms, set_ms = clock.now_ms, clock.set_ms
        deliver, progress = self._deliver, self.progress
        total = sum(_length(lane.source) for lane in lanes)
        report_every = max(total // 200, 1)
        acted = ex.acted
        k_now = -1
        lane = lanes[0]
        defer: Any = None
        low_of: Any = None
        high_of: Any = None
        time_of: Any = None
        taped: Any = None
        match: Any = None
        callback: Any = None
        matcher: Any = None
        for i, (k, event) in enumerate(_merged(lanes)):
            if k != k_now:
                k_now, lane = k, lanes[k]
                defer, taped, match, callback = lane.defer, lane.taped, lane.match, lane.callback
                low_of, high_of, time_of, matcher = lane.low_of, lane.high_of, lane.time_of, lane.matcher
            now = time_of(event)
            clock_ms = now_ms()
            if now > clock_ms:
                set_ms(now)
                clock_ms = now
            quiet = True
            if live:
                band = lane.band
                if band is not None and band[0] < low_of(event) and high_of(event) < band[1]:
                    defer(taped(event, clock_ms))
                else:
                    matcher.last_price = lane.price if lane.last is not None else None
                    match(event, now)
                    await deliver(ex)
                    quiet = False
            else:
                defer(taped(event, clock_ms))
            lane.last = event
            if callback is not None:
                await callback(event)
            if live and (not quiet or ex.acted != acted):
                acted = ex.acted
                await deliver(ex)
                for each in lanes:
                    last = each.price if each.last is not None else None
                    each.band = each.matcher.quiet_band(last)  # type: ignore[union-attr]
            if now >= self._next_sample:
                await self._sample(paper, now)
            if progress is not None and i % report_every == 0:
                progress(i + 1, total)
        for each in lanes:
            each.matcher.last_price = each.price  # type: ignore[union-attr]

    async def _replay_mixed(
        self,
        lane: _Lane,
        iv_ms: int,
        clock: ManualClock,
        paper: PaperExchange,
        ex: _BacktestExchange,
    ) -> None:
        """Events of both kinds (or of the other kind than the data says): one at a time."""
        strategy = self.strategy
        matcher = lane.matcher
        assert matcher is not None and isinstance(lane.source, MarketData)
        events = lane.source.events
        wants_trade, wants_candle = _overrides(strategy, "on_trade"), _overrides(strategy, "on_candle")
        total = len(events)
        report_every = max(total // 200, 1)
        lane.price_of = _event_price
        for i, event in enumerate(events):
            if isinstance(event, Candle):
                now = event.start + iv_ms
                if now > clock.now_ms():
                    clock.set_ms(now)
                matcher.on_candle(event, now, match=ex.has_open)
            else:
                now = event.timestamp
                if now > clock.now_ms():
                    clock.set_ms(now)
                matcher.on_trade(event, match=ex.has_open)
            lane.last = event
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

    async def _run_synthetic(self, data: SyntheticData) -> BacktestResult:
        iv = data.interval
        start_ms = -(-data.start_ms // iv.ms) * iv.ms  # bars are aligned to the interval
        clock = ManualClock(start_ms)
        with _setting_up():
            paper, ex = await self._start_synthetic(data, clock)
            await self._sample(paper, start_ms)
        strategy = self.strategy
        strategy.bind(ex)
        await strategy.on_start()
        prints = self._prints_heard(paper) if _overrides(strategy, "on_trade") else None
        wants_book = _overrides(strategy, "on_book")
        steps = data.duration_ms // iv.ms
        report_every = max(steps // 200, 1)
        for k in range(steps):
            bar_start = start_ms + k * iv.ms
            now = bar_start + iv.ms
            if now > clock.now_ms():
                clock.set_ms(now)
            paper.sim.sync()
            await self._deliver(ex)
            await self._synthetic_bar(paper, prints, bar_start, now, iv)
            if wants_book:
                for lane in self._lanes:
                    await strategy.on_book(await ex.fetch_order_book(lane.symbol))
            await self._deliver(ex)
            if now >= self._next_sample:
                await self._sample(paper, now)
            if self.progress is not None and k % report_every == 0:
                self.progress(k + 1, steps)
        return await self._finish(paper, ex, clock)

    async def _start_synthetic(
        self, data: SyntheticData, clock: ManualClock
    ) -> tuple[PaperExchange, _BacktestExchange]:
        iv = data.interval
        if data.duration_ms < iv.ms:
            seconds = data.duration_ms // 1000
            raise SetupError(f"a synthetic run of {seconds} s is shorter than one {iv.value} bar")
        if self.rules.latency_ms or self.rules.latency_jitter_ms:
            # (moving the shared clock on at each placement would show the strategy, in
            # the same callback, trades and a time from its future)
            raise SetupError("latency and jitter apply to replayed data, not to the synthetic market")
        natives = tuple(lane.native for lane in self._lanes)
        config = SyntheticConfig(symbols=natives, warmup_ms=0, stream=data.stream)
        paper = self._paper(clock, config)
        ex = _BacktestExchange(paper)
        market = next(d for d in paper.sim.drivers if isinstance(d, SyntheticMarket))
        market.lazy = True  # (the strategy reads books and trades only through ex)
        ex.before_look = market.look
        for lane in self._lanes:
            ticker = await paper.fetch_ticker(lane.symbol)
            lane.opening = ticker.last or ticker.bid
            lane.price_of = attrgetter("close")
        self._check_funded()
        self._check_valued()
        self._sample_every = self.sample_ms or iv.ms
        return paper, ex

    def _prints_heard(self, paper: PaperExchange) -> list[Trade]:
        """Every print of the run's symbols from now on, as it happens (the venue keeps
        only its last 1000): the runner hands them to the strategy bar by bar."""
        prints: list[Trade] = []
        unified = {lane.native: lane.symbol for lane in self._lanes}

        def hear(event: VenueEvent) -> None:
            t = event.trade
            if event.kind == "trade" and t is not None and t.symbol in unified:
                prints.append(Trade(id=str(t.trade_id), symbol=unified[t.symbol], price=t.price,
                                    size=t.size, side=t.side, timestamp=t.time))  # fmt: skip

        paper.sim.subscribe(hear)
        return prints

    async def _synthetic_bar(
        self,
        paper: PaperExchange,
        prints: list[Trade] | None,
        bar_start: int,
        now: int,
        iv: Interval,
    ) -> None:
        """The strategy hears the prints of the bar, then each symbol's bar that closed."""
        strategy = self.strategy
        if prints is not None:
            due = [t for t in prints if t.timestamp < now]
            del prints[: len(due)]
            for trade in due:
                await strategy.on_trade(trade)
        for lane in self._lanes:
            bars = await paper.fetch_candles(lane.symbol, iv, bar_start, now)
            for bar in bars:
                if bar.start + iv.ms > now:  # never a bar still forming
                    continue
                lane.last = bar
                await strategy.on_candle(bar)

    # --- shared ---------------------------------------------------------------------------------

    async def _deliver(self, ex: _BacktestExchange) -> None:
        """Tell the strategy about its orders that changed and fills it has not seen."""
        paper = ex.paper
        stamps = self._stamps
        placed = ex.placement_stamps
        for order_id in ex.take_pending():
            order = ex.orders[order_id]
            as_placed = placed.pop(order_id, None) if placed else None
            if order.is_open:
                stamp = paper.order_stamp(order_id)
                if stamp is not None and (stamps.get(order_id) or as_placed) == stamp:
                    stamps[order_id] = stamp
                    continue  # unchanged since last delivered (or placed)
                stamps[order_id] = stamp
                try:
                    order = await paper.fetch_order(order.symbol, order_id=order_id)
                except OrderNotFound:
                    continue
            if order.filled_size > self._delivered.get(order_id, ZERO):
                # an order's fills come in time order: those not yet seen are no older than
                # the latest seen (a bound that spares reading the whole fill history)
                since = self._fills_since.get(order_id, order.created_at)
                fills = await paper.fetch_fills(order.symbol, order_id=order_id, start=since)
                for fill in sorted(fills, key=lambda f: (f.timestamp, f.id)):
                    if fill.id not in self._seen_fills:
                        self._seen_fills.add(fill.id)
                        self._fills.append(fill)
                        await self.strategy.on_fill(fill)
                    since = max(since, fill.timestamp)
                self._fills_since[order_id] = since
                self._delivered[order_id] = order.filled_size
            if ex.remember(order):
                await self.strategy.on_order(order)
            if not order.is_open:
                stamps.pop(order_id, None)

    def _prices(self) -> dict[str, Decimal]:
        return {lane.symbol: price for lane in self._lanes if (price := lane.price) is not None}

    async def _totals(self, paper: PaperExchange) -> dict[str, Decimal]:
        """Every currency's total balance. Only fills change a total (holds move amounts
        within it), and every fill is delivered before a sample: until a new one comes,
        the totals last read stand, and the venue is left alone (a sample at every bar
        would otherwise sync it, and file replayed events one by one, at every bar)."""
        seen = len(self._fills)
        if self._totals_at != seen:
            balances = await paper.fetch_balances()
            self._totals_cache = {c: b.total for c, b in balances.items()}
            self._totals_at = seen
        return self._totals_cache

    async def _sample(self, paper: PaperExchange, now: int) -> None:
        totals = await self._totals(paper)
        base = totals.get(self.base, ZERO)
        price = self._lanes[0].price or ZERO
        if self._valuation is None:
            equity = totals.get(self.quote, ZERO) + base * price
        else:
            equity = self._valuation.total(totals, self._prices())
        point = EquityPoint(now, equity, base - self.balances.get(self.base, ZERO), price)
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
            quote_increment=self._increment(paper),
            per_symbol=self._per_symbol(paper) if self._valuation is not None else None,
            rates=self._rates(),
        )
        await paper.close()
        return BacktestResult(
            report, tuple(self._fills), tuple(ex.orders.values()), tuple(self.strategy.log_lines)
        )

    def _increment(self, paper: PaperExchange) -> Decimal:
        """What the report's amounts are rounded to: its currency's increment, as quoted by
        the first pair in it (or the first pair's)."""
        for lane in self._lanes:
            if parse_symbol(lane.symbol)[1] == self.quote:
                return paper.sim.symbol(lane.native).quote_increment
        return paper.sim.symbol(self.native).quote_increment

    def _rates(self) -> dict[str, Decimal] | None:
        """Every currency's value in the report's currency at the end (several symbols only)."""
        valuation = self._valuation
        if valuation is None:
            return None
        prices = self._prices()
        return {currency: valuation.rate(currency, prices) for currency in valuation.paths}

    def _per_symbol(self, paper: PaperExchange) -> list[SymbolPnl]:
        rows = []
        for lane in self._lanes:
            base, quote = parse_symbol(lane.symbol)
            fills = [f for f in self._fills if f.symbol == lane.symbol]
            increment = paper.sim.symbol(lane.native).quote_increment
            rows.append(symbol_pnl(lane.symbol, base, quote, fills, lane.price or ZERO, increment))
        return rows


def _length(source: Source) -> int:
    return len(source.events) if isinstance(source, MarketData) else 0


def _event_price(event: Candle | Trade) -> Decimal:
    return event.close if isinstance(event, Candle) else event.price


def _is_candles(data: MarketData) -> bool:
    return isinstance(data.events, CandleColumns) or (
        data.kind == "candles" and isinstance(data.events[0], Candle)
    )


def _uniform(source: Source) -> bool:
    """Whether every event is of the kind the data says."""
    assert isinstance(source, MarketData)
    events = source.events
    if isinstance(events, CandleColumns | TradeColumns):
        return True
    kind = Candle if source.kind == "candles" else Trade
    return all(isinstance(e, kind) for e in events)


def _sources(strategy: Strategy, data: Source | Sequence[Source]) -> tuple[Source, ...]:
    """The sources in the order of the strategy's symbols (its first one leads the report)."""
    given: tuple[Source, ...] = (data,) if isinstance(data, MarketData | SyntheticData) else tuple(data)
    if not given:
        raise ValueError("no data source")
    by_symbol: dict[str, Source] = {}
    for source in given:
        if source.symbol in by_symbol:
            raise ValueError(f"two data sources for {source.symbol}")
        by_symbol[source.symbol] = source
    wanted = strategy.symbols
    if set(by_symbol) != set(wanted):
        raise ValueError(f"the data is for {', '.join(by_symbol)}, the strategy trades {', '.join(wanted)}")
    sources = tuple(by_symbol[symbol] for symbol in wanted)
    synthetic = [s for s in sources if isinstance(s, SyntheticData)]
    if synthetic and len(synthetic) != len(sources):
        raise ValueError("a run replays recorded data or runs the synthetic market, not both")
    spans = {(s.interval, s.duration_ms, s.start_ms, s.stream) for s in synthetic}
    if len(spans) > 1:
        raise ValueError("synthetic sources of one run share their interval, duration and start")
    return sources
