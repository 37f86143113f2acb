"""The backtest runner: a ``ManualClock``, a ``PaperExchange`` and market data sources.

Time moves event by event. Each event goes to the venue first (the replay matcher fills
what it reaches, or the synthetic market runs up to it), then the strategy hears about its
own orders and fills, then the event itself. So a strategy never sees data from its future,
and the same seed and data give the same report, byte for byte.

A run may trade several symbols: one source per symbol, their events merged in time order
(ties in the order of the strategy's symbols, then of each source), on one clock and one
account. It may trade on several venues too: one ``PaperExchange`` per venue (each with its
own account, fee rates, rulebook and pairs), all on the one clock, every venue's events
merged likewise.
"""

from __future__ import annotations

import contextlib
import gc
import heapq
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from functools import partial
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
from .strategy import DEFAULT_VENUE, Strategy, market_key, takes_venue
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
    venue: str = DEFAULT_VENUE  # whose market: its rules, fees and account trade the events

    def __attrs_post_init__(self) -> None:
        if self.kind == "candles" and self.interval is None:
            raise ValueError("candle data needs its interval")


@attrs.frozen
class SyntheticData:
    """The embedded synthetic market: no data needed. Bars of ``interval`` for ``duration_ms``.
    ``stream=False`` puts every step of the market through the book, not only those
    before the strategy looks (slower; see :class:`~simulator.market.SyntheticConfig`).

    On several venues, each venue runs its own market (its rules, fees, takers and book),
    all from the run's seed. With ``linked`` (the default) they quote one price path, each
    off it by its own mean-reverting basis of about ``venue_basis_bps``: a spread between
    venues that opens and closes, as a cross-venue strategy needs. Unlinked, each venue's
    price walks on its own and their spread drifts without bound."""

    symbol: str = "BTC/USDT"
    interval: Interval = Interval.M1
    duration_ms: int = 12 * 3600 * 1000
    start_ms: int = 1_700_000_000_000
    stream: bool = True
    venue: str = DEFAULT_VENUE
    linked: bool = True
    venue_basis_bps: float = 5.0

    def config(self, natives: tuple[str, ...], venue: str, several: bool) -> SyntheticConfig:
        """The market of ``venue``, tuned as its dialect serves it (alone: drawn as a
        lone venue's market; one of ``several``: with draws of its own)."""
        market = attrs.evolve(_tuned(venue), symbols=natives, warmup_ms=0, stream=self.stream)
        if not several:
            return market
        linked = self.linked
        basis = self.venue_basis_bps if linked else 0.0
        return attrs.evolve(market, name=venue, shared_walk=linked, venue_basis_bps=basis)


def _tuned(venue: str) -> SyntheticConfig:
    """The synthetic market as ``venue``'s dialect serves it (Binance's: a taker every
    second on average, never three seconds without one)."""
    if venue == "binance":
        from simulator.binance.build import SYNTHETIC

        return SYNTHETIC
    return SyntheticConfig()


Source = MarketData | SyntheticData
Balances = Mapping[str, Decimal] | Mapping[str, Mapping[str, Decimal]]
Rate = Decimal | Mapping[str, Decimal] | None


@attrs.frozen(repr=False)
class BacktestResult:
    """``fill_venues`` and ``order_venues`` name the venue of each fill and order (a run of
    several venues only: ids are each venue's own and may repeat across them)."""

    report: Report
    fills: tuple[Fill, ...]
    orders: tuple[Order, ...]
    log: tuple[str, ...]
    fill_venues: tuple[str, ...] = ()
    order_venues: tuple[str, ...] = ()

    def venue_of_fill(self, index: int) -> str:
        return self.fill_venues[index] if self.fill_venues else self.report.venue

    def __repr__(self) -> str:
        """Short: ``asyncio.run`` formats the result of its task when it restores the SIGINT
        handler (Python 3.11), and a long run's orders and fills took a third of a second."""
        symbols = ", ".join(self.report.symbols)
        return f"BacktestResult({symbols}, {len(self.orders)} orders, {len(self.fills)} fills)"


class _BacktestExchange(TrackingExchange):
    """The strategy's exchange: remembers its orders."""

    def __init__(self, inner: PaperExchange, name: str = DEFAULT_VENUE) -> None:
        super().__init__(inner)
        self.paper = inner
        self.name = name
        #: what the strategy has been told, per venue (order and fill ids are the venue's own)
        self.stamps: dict[str, tuple[int, int, int, int, int] | None] = {}  # of delivered open orders
        self.delivered: dict[str, Decimal] = {}
        self.fills_since: dict[str, int] = {}  # per order, the time of its latest fill delivered
        self.seen_fills: set[str] = set()
        self.fills: list[Fill] = []
        self.totals_at = -1  # how many fills the totals below were read after
        self.totals_cache: dict[str, Decimal] = {}
        self.valuation: Valuation | None = None
        self.lanes: list[_Lane] = []
        self.on_fill: Callable[[Fill], Awaitable[None]] | None = None
        self.on_order: Callable[[Order], Awaitable[None]] | None = None
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
    venue: str = DEFAULT_VENUE
    ex: _BacktestExchange | None = None
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
        balances: Balances,
        seed: int = 0,
        rules: FillRules | None = None,
        maker_fee_rate: Rate = None,
        taker_fee_rate: Rate = None,
        sample_ms: int | None = None,
        progress: Callable[[int, int], None] | None = None,
        symbols: Sequence[SymbolSpec] = (),
    ) -> None:
        """``data``: one source, or one per market the strategy trades (all recorded, or all
        synthetic over the same span). ``symbols``: the rules of instruments to trade
        besides (or instead of) the built-in pairs of the default venue (see
        :func:`~simulator.backtest.instruments.instrument`).

        On several venues, ``balances`` either funds every venue's account alike
        (``{"USDT": ...}``) or each its own (``{"kucoin": {...}, "binance": {...}}``); a
        fee rate is one for all or one per venue (``{"binance": Decimal("0.00075")}``; a
        venue left out keeps its default)."""
        sources = _sources(strategy, data)
        self.strategy = strategy
        self.sources = sources
        self.data = sources[0]
        self.venues = tuple(dict.fromkeys(s.venue for s in sources))
        self._funds = _per_venue_balances(balances, self.venues)
        self.balances = self._funds[self.venues[0]]
        self.seed = seed
        self.rules = rules or FillRules()
        self.fees = (maker_fee_rate, taker_fee_rate)
        self._several_venues = len(self.venues) > 1
        self.sample_ms = sample_ms
        self.progress = progress
        self.symbols = tuple(symbols)
        self.base, self.quote = parse_symbol(self.data.symbol)
        self.native = codec_for("kucoin").to_native(self.data.symbol)
        codec = codec_for("kucoin")
        self._lanes = [_Lane(s.symbol, codec.to_native(s.symbol), s, s.venue) for s in sources]
        self._valuation = Valuation([s.symbol for s in sources]) if len(sources) > 1 else None
        if self._valuation is not None:
            self.quote = self._valuation.currency
        self._curve: list[EquityPoint] = []
        self._next_sample = 0
        self._sample_every = 0
        self._fills: list[Fill] = []
        self._fill_venues: list[str] = []
        self._exs: list[_BacktestExchange] = []

    # --- set-up ---------------------------------------------------------------------------------

    def _paper(self, clock: ManualClock, synthetic: Any, venue: str = DEFAULT_VENUE) -> PaperExchange:
        maker, taker = (_rate_of(rate, venue) for rate in self.fees)
        declared = venue == DEFAULT_VENUE and self.symbols  # (declared rules name KuCoin's pairs)
        try:
            return PaperExchange(
                self._funds[venue],
                seed=self.seed,
                clock=clock,
                synthetic=synthetic,
                symbols=merge_symbols(self.symbols) if declared else None,
                maker_fee_rate=maker,
                taker_fee_rate=taker,
                dialect=venue,
            )
        except ValueError as err:
            if "dialect" in str(err):
                raise SetupError(f"no paper venue {venue!r}: a backtest trades on kucoin or binance") from err
            raise

    def _open_venues(self, clock: ManualClock, synthetic: Any) -> list[_BacktestExchange]:
        """One paper venue per venue traded, on the one clock; each lane joins its venue's
        (``synthetic``: for all of them, or a mapping of each venue's)."""
        exs = []
        for venue in self.venues:
            market = synthetic.get(venue, False) if isinstance(synthetic, Mapping) else synthetic
            ex = _BacktestExchange(self._paper(clock, market, venue), venue)
            ex.on_fill = self._heard("on_fill", venue)
            ex.on_order = self._heard("on_order", venue)
            ex.lanes = [lane for lane in self._lanes if lane.venue == venue]
            for lane in ex.lanes:
                lane.ex = ex
                if venue != DEFAULT_VENUE:
                    lane.native = _native(ex.paper, lane.symbol)
            if self._several_venues:
                ex.valuation = Valuation([lane.symbol for lane in ex.lanes], self.quote)
            exs.append(ex)
        self._exs = exs
        return exs

    def _check_funded(self) -> None:
        for venue, balances in self._funds.items():
            held = {c for c, amount in balances.items() if amount}
            lanes = [lane for lane in self._lanes if lane.venue == venue]
            if not any(held & set(parse_symbol(lane.symbol)) for lane in lanes):
                base, quote = parse_symbol(lanes[0].symbol)
                where = lanes[0].symbol if not self._several_venues else market_key(venue, lanes[0].symbol)
                raise Unfunded(where, base, quote, dict(balances))

    def _check_valued(self) -> None:
        valuation = self._valuation
        if valuation is not None and not self._several_venues and valuation.unreachable:
            raise SetupError(
                f"the pairs traded link no path from {', '.join(valuation.unreachable)} to "
                f"{valuation.currency}: the run's equity could not be counted in one currency"
            )
        for ex in self._exs:
            if ex.valuation is not None and ex.valuation.unreachable:
                raise SetupError(
                    f"the pairs traded on {ex.name} link no path from {', '.join(ex.valuation.unreachable)} "
                    f"to {self.quote}, the currency the run counts its equity in: the venues share no "
                    f"quote currency (trade, on {ex.name}, a pair that links them)"
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
            wants = _overrides(strategy, "on_candle")
            lane.callback = self._heard("on_candle", lane.venue) if wants else None
        else:
            lane.match = lambda trade, _now: matcher.on_trade(trade)
            lane.taped = lambda trade, _venue_ms: trade
            wants = _overrides(strategy, "on_trade")
            lane.callback = self._heard("on_trade", lane.venue) if wants else None

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
            exs = self._open_venues(clock, False)
            for lane in lanes:
                assert lane.ex is not None
                self._prepare(lane, lane.ex.paper)
            self._check_funded()
            self._check_valued()
            ex = exs[0]
            data = self.data
            assert isinstance(data, MarketData)
            iv_ms = data.interval.ms if data.interval else 0
            self._sample_every = self.sample_ms or (iv_ms or 60_000)
            await self._sample(ex, start)
        strategy = self.strategy
        strategy.bind(ex, {each.name: each for each in exs})
        await strategy.on_start()
        if mixed:
            await self._replay_mixed(lanes[0], iv_ms, clock, ex)
        elif self._several_venues:
            await self._replay_venues(lanes, clock, exs)
        else:
            await self._replay(lanes, clock, ex)
        return await self._finish(ex, clock)

    # The loop below runs once per event: it keeps to locals. While the strategy has nothing
    # open (so nothing can fill), or nothing the event can reach, it only puts the event on
    # the venue's replay tape, which the venue applies, in order, before anything reads it
    # (its next sync). Otherwise the matcher fills what the event reaches, then records it.

    async def _replay(
        self, lanes: Sequence[_Lane], clock: ManualClock, ex: _BacktestExchange
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
                await self._sample(ex, now)
            if progress is not None and i % report_every == 0:
                progress(i + 1, total)
        for each in lanes:
            each.matcher.last_price = each.price  # type: ignore[union-attr]

    async def _replay_venues(
        self, lanes: Sequence[_Lane], clock: ManualClock, exs: Sequence[_BacktestExchange]
    ) -> None:
        """The loop above for several venues: an event reaches its own venue's book; what
        the strategy then did on any venue is delivered before the next event."""
        total = sum(_length(lane.source) for lane in lanes)
        report_every = max(total // 200, 1)
        acted = {ex.name: ex.acted for ex in exs}
        for i, (k, event) in enumerate(_merged(lanes)):
            lane = lanes[k]
            ex = lane.ex
            assert ex is not None and lane.matcher is not None and lane.taped is not None
            now = lane.time_of(event)
            if now > clock.now_ms():
                clock.set_ms(now)
            matched = bool(ex.open)
            if matched:
                lane.matcher.last_price = lane.price if lane.last is not None else None
                assert lane.match is not None
                lane.match(event, now)
                await self._deliver(ex)
            else:
                assert lane.defer is not None
                lane.defer(lane.taped(event, clock.now_ms()))
            lane.last = event
            if lane.callback is not None:
                await lane.callback(event)
            for each in exs:
                if each.open and ((matched and each is ex) or each.acted != acted[each.name]):
                    acted[each.name] = each.acted
                    await self._deliver(each)
            if now >= self._next_sample:
                await self._sample(exs[0], now)
            if self.progress is not None and i % report_every == 0:
                self.progress(i + 1, total)
        for each_lane in lanes:
            assert each_lane.matcher is not None
            each_lane.matcher.last_price = each_lane.price

    async def _replay_mixed(
        self,
        lane: _Lane,
        iv_ms: int,
        clock: ManualClock,
        ex: _BacktestExchange,
    ) -> None:
        """Events of both kinds (or of the other kind than the data says): one at a time."""
        strategy = self.strategy
        on_candle = self._heard("on_candle", lane.venue)
        on_trade = self._heard("on_trade", lane.venue)
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
                    await on_candle(event)
            elif wants_trade:
                await on_trade(event)
            if ex.has_open:
                await self._deliver(ex)
            if now >= self._next_sample:
                await self._sample(ex, now)
            if self.progress is not None and i % report_every == 0:
                self.progress(i + 1, total)

    # --- the embedded synthetic market ---------------------------------------------------------

    async def _run_synthetic(self, data: SyntheticData) -> BacktestResult:
        iv = data.interval
        start_ms = -(-data.start_ms // iv.ms) * iv.ms  # bars are aligned to the interval
        clock = ManualClock(start_ms)
        with _setting_up():
            exs = await self._start_synthetic(data, clock)
            ex = exs[0]
            await self._sample(ex, start_ms)
        strategy = self.strategy
        strategy.bind(ex, {each.name: each for each in exs})
        await strategy.on_start()
        heard = _overrides(strategy, "on_trade")
        prints = [self._prints_heard(each) if heard else None for each in exs]
        wants_book = _overrides(strategy, "on_book")
        on_books = [self._heard("on_book", each.name) for each in exs]
        steps = data.duration_ms // iv.ms
        report_every = max(steps // 200, 1)
        for k in range(steps):
            bar_start = start_ms + k * iv.ms
            now = bar_start + iv.ms
            if now > clock.now_ms():
                clock.set_ms(now)
            for each in exs:
                each.paper.sim.sync()
                await self._deliver(each)
            for each, heard_prints in zip(exs, prints, strict=True):
                await self._synthetic_bar(each, heard_prints, bar_start, now, iv)
            if wants_book:
                for each, on_book in zip(exs, on_books, strict=True):
                    for lane in each.lanes:
                        await on_book(await each.fetch_order_book(lane.symbol))
            for each in exs:
                await self._deliver(each)
            if now >= self._next_sample:
                await self._sample(ex, now)
            if self.progress is not None and k % report_every == 0:
                self.progress(k + 1, steps)
        return await self._finish(ex, clock)

    async def _start_synthetic(self, data: SyntheticData, clock: ManualClock) -> list[_BacktestExchange]:
        iv = data.interval
        if data.duration_ms < iv.ms:
            seconds = data.duration_ms // 1000
            raise SetupError(f"a synthetic run of {seconds} s is shorter than one {iv.value} bar")
        if self.rules.latency_ms or self.rules.latency_jitter_ms:
            # (moving the shared clock on at each placement would show the strategy, in
            # the same callback, trades and a time from its future)
            raise SetupError("latency and jitter apply to replayed data, not to the synthetic market")
        configs = {
            venue: data.config(
                tuple(lane.native for lane in self._lanes if lane.venue == venue), venue, self._several_venues
            )
            for venue in self.venues
        }
        exs = self._open_venues(clock, configs)
        for ex in exs:
            paper = ex.paper
            market = next(d for d in paper.sim.drivers if isinstance(d, SyntheticMarket))
            market.lazy = True  # (the strategy reads books and trades only through ex)
            ex.before_look = market.look
            for lane in ex.lanes:
                ticker = await paper.fetch_ticker(lane.symbol)
                lane.opening = ticker.last or ticker.bid
                lane.price_of = attrgetter("close")
        self._check_funded()
        self._check_valued()
        self._sample_every = self.sample_ms or iv.ms
        return exs

    def _prints_heard(self, ex: _BacktestExchange) -> list[Trade]:
        """Every print of the venue's symbols from now on, as it happens (the venue keeps
        only its last 1000): the runner hands them to the strategy bar by bar."""
        prints: list[Trade] = []
        unified = {lane.native: lane.symbol for lane in ex.lanes}
        paper = ex.paper

        def hear(event: VenueEvent) -> None:
            t = event.trade
            if event.kind == "trade" and t is not None and t.symbol in unified:
                prints.append(Trade(id=str(t.trade_id), symbol=unified[t.symbol], price=t.price,
                                    size=t.size, side=t.side, timestamp=t.time))  # fmt: skip

        paper.sim.subscribe(hear)
        return prints

    async def _synthetic_bar(
        self,
        ex: _BacktestExchange,
        prints: list[Trade] | None,
        bar_start: int,
        now: int,
        iv: Interval,
    ) -> None:
        """The strategy hears the venue's prints of the bar, then each of its symbols' bar
        that closed."""
        paper = ex.paper
        if prints is not None:
            on_trade = self._heard("on_trade", ex.name)
            due = [t for t in prints if t.timestamp < now]
            del prints[: len(due)]
            for trade in due:
                await on_trade(trade)
        on_candle = self._heard("on_candle", ex.name)
        for lane in ex.lanes:
            bars = await paper.fetch_candles(lane.symbol, iv, bar_start, now)
            for bar in bars:
                if bar.start + iv.ms > now:  # never a bar still forming
                    continue
                lane.last = bar
                await on_candle(bar)

    # --- shared ---------------------------------------------------------------------------------

    def _heard(self, name: str, venue: str) -> Callable[[Any], Awaitable[None]]:
        """The strategy's callback ``name``, told ``venue`` when it asks (``venue=``)."""
        method: Callable[..., Awaitable[None]] = getattr(self.strategy, name)
        return partial(method, venue=venue) if takes_venue(method) else method

    async def _deliver(self, ex: _BacktestExchange) -> None:
        """Tell the strategy about its orders that changed and fills it has not seen."""
        paper = ex.paper
        stamps = ex.stamps
        placed = ex.placement_stamps
        delivered, fills_since, seen_fills = ex.delivered, ex.fills_since, ex.seen_fills
        on_fill, on_order = ex.on_fill, ex.on_order
        assert on_fill is not None and on_order is not None
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
            if order.filled_size > delivered.get(order_id, ZERO):
                # an order's fills come in time order: those not yet seen are no older than
                # the latest seen (a bound that spares reading the whole fill history)
                since = fills_since.get(order_id, order.created_at)
                fills = await paper.fetch_fills(order.symbol, order_id=order_id, start=since)
                for fill in sorted(fills, key=lambda f: (f.timestamp, f.id)):
                    if fill.id not in seen_fills:
                        seen_fills.add(fill.id)
                        self._fills.append(fill)
                        self._fill_venues.append(ex.name)
                        ex.fills.append(fill)
                        await on_fill(fill)
                    since = max(since, fill.timestamp)
                fills_since[order_id] = since
                delivered[order_id] = order.filled_size
            if ex.remember(order):
                await on_order(order)
            if not order.is_open:
                stamps.pop(order_id, None)

    def _prices(self, lanes: Sequence[_Lane] | None = None) -> dict[str, Decimal]:
        return {lane.symbol: price for lane in lanes or self._lanes if (price := lane.price) is not None}

    async def _totals(self, ex: _BacktestExchange) -> dict[str, Decimal]:
        """Every currency's total balance. Only fills change a total (holds move amounts
        within it), and every fill is delivered before a sample: until a new one comes,
        the totals last read stand, and the venue is left alone (a sample at every bar
        would otherwise sync it, and file replayed events one by one, at every bar)."""
        seen = len(ex.fills)
        if ex.totals_at != seen:
            balances = await ex.paper.fetch_balances()
            ex.totals_cache = {c: b.total for c, b in balances.items()}
            ex.totals_at = seen
        return ex.totals_cache

    async def _sample(self, ex: _BacktestExchange, now: int) -> None:
        """The equity now (every venue's, for several), the first market's position and
        price (and every market's price, for several)."""
        lanes = self._lanes
        totals = await self._totals(ex)
        base = totals.get(self.base, ZERO)
        price = lanes[0].price or ZERO
        if self._several_venues:
            equity = await self._equity_of_venues()
        elif self._valuation is None:
            equity = totals.get(self.quote, ZERO) + base * price
        else:
            equity = self._valuation.total(totals, self._prices())
        position = base - self.balances.get(self.base, ZERO)
        if len(lanes) > 1:
            point = EquityPoint(now, equity, position, price, tuple(lane.price or ZERO for lane in lanes))
        else:
            point = EquityPoint(now, equity, position, price)
        if self._curve and self._curve[-1].timestamp == now:
            self._curve[-1] = point
        else:
            self._curve.append(point)
        self._next_sample = now + self._sample_every

    async def _equity_of_venues(self) -> Decimal:
        """Each venue's holdings valued at its own prices, in the run's currency."""
        equity = ZERO
        for each in self._exs:
            assert each.valuation is not None
            equity += each.valuation.total(await self._totals(each), self._prices(each.lanes))
        return equity

    async def _finish(self, ex: _BacktestExchange, clock: ManualClock) -> BacktestResult:
        await self.strategy.on_stop()
        for each in self._exs:
            await each.cancel_open()
            await self._deliver(each)
        await self._sample(ex, clock.now_ms())
        finals = {}
        for each in self._exs:
            balances = await each.paper.fetch_balances()
            finals[each.name] = {c: b.total for c, b in balances.items() if b.total}
        several = self._several_venues
        rows = self._per_symbol() if self._valuation is not None else None
        report = build_report(
            symbol=self.data.symbol,
            base=self.base,
            quote=self.quote,
            fills=self._fills,
            orders=sum(each.placed for each in self._exs),
            initial_balances=_summed(self._funds.values()),
            final_balances=_summed(finals.values()),
            curve=self._curve,
            quote_increment=self._increment(),
            per_symbol=rows,
            rates=self._rates() if not several else None,
            row_rates=self._row_rates() if several else None,
            row_fills=[self._lane_fills(lane) for lane in self._lanes] if several else None,
            venue=self.venues[0],
            venue_balances={v: (dict(self._funds[v]), finals[v]) for v in self.venues} if several else None,
            increments=self._increments(
                {c for amounts in (*self._funds.values(), *finals.values()) for c in amounts}
                | {f.fee_currency for f in self._fills}
            ),
        )
        for each in self._exs:
            await each.paper.close()
        orders = [(each.name, order) for each in self._exs for order in each.orders.values()]
        return BacktestResult(
            report,
            tuple(self._fills),
            tuple(order for _, order in orders),
            tuple(self.strategy.log_lines),
            fill_venues=tuple(self._fill_venues) if several else (),
            order_venues=tuple(name for name, _ in orders) if several else (),
        )

    def _lane_fills(self, lane: _Lane) -> list[Fill]:
        assert lane.ex is not None
        return [f for f in lane.ex.fills if f.symbol == lane.symbol]

    def _increment(self) -> Decimal:
        """What the report's amounts are rounded to: its currency's increment, as quoted by
        the first pair in it (or the first pair's)."""
        for lane in self._lanes:
            if parse_symbol(lane.symbol)[1] == self.quote:
                return _quote_increment(lane)
        return _quote_increment(self._lanes[0])

    def _increments(self, held: Iterable[str]) -> dict[str, Decimal]:
        """One display step per currency: a quote's as the first market in it quotes it,
        any other currency's as the first venue that lists it gives its precision (or, for
        a declared instrument's base, as its pair's size increment)."""
        steps: dict[str, Decimal] = {}
        for lane in self._lanes:
            steps.setdefault(parse_symbol(lane.symbol)[1], _quote_increment(lane))
        for lane in self._lanes:
            assert lane.ex is not None
            base = parse_symbol(lane.symbol)[0]
            if base not in steps:
                listed = self._precision(base)
                steps[base] = listed or lane.ex.paper.sim.symbol(lane.native).base_increment
        for currency in held:
            if currency not in steps and (listed := self._precision(currency)) is not None:
                steps[currency] = listed
        return steps

    def _precision(self, currency: str) -> Decimal | None:
        for ex in self._exs:
            with contextlib.suppress(ExchangeError):
                return Decimal(1).scaleb(-ex.paper.sim.currency(currency).precision)
        return None

    def _rates(self) -> dict[str, Decimal] | None:
        """Every currency's value in the report's currency at the end (several symbols only)."""
        valuation = self._valuation
        if valuation is None:
            return None
        prices = self._prices()
        return {currency: valuation.rate(currency, prices) for currency in valuation.paths}

    def _row_rates(self) -> list[Decimal]:
        """Each market's quote currency in the report's, at its own venue's last prices."""
        rates = []
        for lane in self._lanes:
            assert lane.ex is not None and lane.ex.valuation is not None
            quote = parse_symbol(lane.symbol)[1]
            rates.append(lane.ex.valuation.rate(quote, self._prices(lane.ex.lanes)))
        return rates

    def _per_symbol(self) -> list[SymbolPnl]:
        rows = []
        several = self._several_venues
        for lane in self._lanes:
            base, quote = parse_symbol(lane.symbol)
            fills = self._lane_fills(lane)
            increment = _quote_increment(lane)
            row = symbol_pnl(lane.symbol, base, quote, fills, lane.price or ZERO, increment)
            rows.append(attrs.evolve(row, venue=lane.venue) if several else row)
        return rows


def _quote_increment(lane: _Lane) -> Decimal:
    assert lane.ex is not None
    return lane.ex.paper.sim.symbol(lane.native).quote_increment


def _summed(amounts: Iterable[Mapping[str, Decimal]]) -> dict[str, Decimal]:
    """Each currency's amount over every venue (those held somewhere)."""
    total: dict[str, Decimal] = {}
    for each in amounts:
        for currency, amount in each.items():
            if amount:
                total[currency] = total.get(currency, ZERO) + amount
    return total


def _native(paper: PaperExchange, symbol: str) -> str:
    """``symbol``'s name on ``paper``'s venue (an unlisted one keeps KuCoin's spelling, for
    the venue to refuse with its code)."""
    for spec in paper.sim.symbols():
        if spec.unified == symbol:
            return spec.symbol
    return codec_for("kucoin").to_native(symbol)


def _rate_of(rate: Rate, venue: str) -> Decimal | None:
    if isinstance(rate, Mapping):
        return rate.get(venue)
    return rate


def _per_venue_balances(balances: Balances, venues: Sequence[str]) -> dict[str, Mapping[str, Decimal]]:
    """Each venue's starting balances: the same for all, or each its own."""
    values = list(balances.values())
    if values and all(isinstance(v, Mapping) for v in values):
        unknown = [v for v in balances if v not in venues]
        if unknown:
            raise ValueError(f"balances for {', '.join(unknown)}: the run trades on {', '.join(venues)}")
        return {venue: dict(balances.get(venue) or {}) for venue in venues}  # type: ignore[arg-type]
    if any(isinstance(v, Mapping) for v in values):
        raise ValueError("balances map either currency to amount or venue to balances, not both")
    return dict.fromkeys(venues, balances)  # type: ignore[arg-type]


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
    """The sources in the order of the strategy's markets (its first one leads the report)."""
    given: tuple[Source, ...] = (data,) if isinstance(data, MarketData | SyntheticData) else tuple(data)
    if not given:
        raise ValueError("no data source")
    several = len({s.venue for s in given} | {venue for venue, _ in strategy.markets}) > 1

    def name(venue: str, symbol: str) -> str:
        return market_key(venue, symbol) if several else symbol

    by_market: dict[tuple[str, str], Source] = {}
    for source in given:
        market = (source.venue, source.symbol)
        if market in by_market:
            raise ValueError(f"two data sources for {name(*market)}")
        by_market[market] = source
    wanted = strategy.markets
    if set(by_market) != set(wanted):
        raise ValueError(
            f"the data is for {', '.join(name(*m) for m in by_market)}, "
            f"the strategy trades {', '.join(name(*m) for m in wanted)}"
        )
    sources = tuple(by_market[market] for market in wanted)
    synthetic = [s for s in sources if isinstance(s, SyntheticData)]
    if synthetic and len(synthetic) != len(sources):
        raise ValueError("a run replays recorded data or runs the synthetic market, not both")
    spans = {attrs.evolve(s, symbol="", venue="") for s in synthetic}
    if len(spans) > 1:
        raise ValueError(
            "synthetic sources of one run share their interval, duration, start and the link between venues"
        )
    return sources
