"""The embedded synthetic market: seeded agents that keep a live book with no data at all.

Per symbol, a mid price follows a geometric random walk with a realistic volatility, its
shocks correlated across symbols through one market factor (crypto majors move together).
A cross pair whose base and quote both trade against a third currency (ETH-BTC, beside
ETH-USDT and BTC-USDT) follows the ratio of those legs, off by a small mean-reverting
basis, so no free triangular arbitrage opens up as the legs wander. A market maker quotes
``levels`` prices a side around the mid (sizes growing with distance) and re-quotes as it
moves; background takers send market orders at Poisson times. Both agents are ordinary
users of the venue (funded system accounts, no ledger or history), trading through the
same engine, so users see trades, a moving ticker, a full book, fills when the market
moves through their orders, and slippage on large market orders.

The random walk and the order sizes are drawn as floats (a model, not money) and turned
into integer ticks and lots before anything reaches the book.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from exchanges import ExchangeError
from simulator.engine import FILLED
from simulator.venue import MarketState, UserState, Venue, VenueOrder

from .draws import Normals

__all__ = ["SyntheticConfig", "SyntheticMarket"]

_YEAR_MS = 365 * 86_400_000
_WARMUP_STEP = 10_000  # ms between the warm-up's mids
_MAKER = "synthetic-maker"
_TAKER = "synthetic-taker"


def _decimal_or_float(value: object) -> float:
    if isinstance(value, Decimal | int | float | str):
        return float(value)
    raise TypeError(f"expected a number, got {value!r}")


@attrs.frozen(slots=True, kw_only=True)
class SyntheticConfig:
    """Knobs of the synthetic market (defaults give a KuCoin-like book for the defaults).

    ``symbols``: which pairs get agents (``None``: all). Sizes are multiples of each pair's
    ``base_min_size``: a level holds about ``level_size`` of them (more further out), a
    taker order about ``taker_size``. ``volatility`` is annualised (0.6 = 60 %/year),
    per-symbol overrides in ``volatilities``; ``correlation`` is that of any two pairs'
    returns (through a common factor). A cross pair (see the module) stays within about
    ``cross_basis_bps`` (the standard deviation of its log basis) of its legs' ratio.
    ``max_quiet_ms`` bounds the time between a pair's takers: past it, one trades anyway.
    ``warmup_ms`` of history (trades, candles, 24 h statistics) is generated before the
    venue's start time, so a newcomer's first requests see a market with a past; it is
    drawn from the same model (the mids' walks, takers at the quotes) but printed directly,
    in milliseconds, without simulating the book. ``stream``: while nobody else has an
    order in a pair's book and the venue is moving on past a step (a backtest between two
    looks at the market), its takers' trades are printed straight from the model and the
    ladder is quoted through the engine only at the last step before a look; ``False``
    puts every step through the book.
    """

    step_ms: int = 1000
    symbols: tuple[str, ...] | None = None
    levels: int = 20
    spread_bps: float = attrs.field(default=1.0, converter=_decimal_or_float)
    spacing_bps: float = attrs.field(default=1.5, converter=_decimal_or_float)
    level_size: float = attrs.field(default=4000.0, converter=_decimal_or_float)
    taker_rate: float = attrs.field(default=0.5, converter=_decimal_or_float)  # market orders per second
    taker_size: float = attrs.field(default=1500.0, converter=_decimal_or_float)
    volatility: float = attrs.field(default=0.6, converter=_decimal_or_float)
    volatilities: Mapping[str, float] = attrs.field(factory=dict)
    correlation: float = attrs.field(default=0.7, converter=_decimal_or_float)
    cross_basis_bps: float = attrs.field(default=3.0, converter=_decimal_or_float)
    warmup_ms: int = 900_000
    stream: bool = True
    #: The longest a pair goes without a taker's trade (``None``: as the Poisson times fall).
    max_quiet_ms: int | None = None
    name: str = ""
    shared_walk: bool = True
    venue_basis_bps: float = attrs.field(default=0.0, converter=_decimal_or_float)

    def __attrs_post_init__(self) -> None:
        if self.step_ms <= 0 or self.levels <= 0:
            raise ValueError("step_ms and levels must be positive")
        if not 0 <= self.correlation <= 1 or self.cross_basis_bps < 0 or self.venue_basis_bps < 0:
            raise ValueError(
                "correlation must be within [0, 1], cross_basis_bps and venue_basis_bps not negative"
            )

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> SyntheticConfig:
        """From plain data (a TOML table); unknown keys are an error."""
        fields = dict(data)
        if "symbols" in fields and fields["symbols"] is not None:
            fields["symbols"] = tuple(fields["symbols"])
        if "volatilities" in fields:
            fields["volatilities"] = {k: float(v) for k, v in fields["volatilities"].items()}
        fields.pop("enabled", None)
        return cls(**fields)


class _Agent:
    """Per-symbol state: the mid, the maker's quotes, private random streams (the mid's
    walk, the takers' flow and the maker's sizes apart, so that the market's path is the
    same whether its trades go through the book or are printed straight)."""

    __slots__ = (
        "apart", "asks", "basis", "bids", "depth", "flow", "flow_sizes", "grid", "last_take", "legs",
        "lot_scale", "mid", "mkt", "noise", "path", "shocks", "sigma", "sizes", "tick",
    )  # fmt: skip

    def __init__(self, mkt: MarketState, config: SyntheticConfig, seed: int) -> None:
        self.mkt = mkt
        spec = mkt.spec
        own = f"{config.name}-" if config.name else ""
        walk = "" if config.shared_walk else own
        self.shocks = Normals(f"synthetic-{walk}{seed}-{spec.symbol}")
        self.flow = random.Random(f"synthetic-flow-{own}{seed}-{spec.symbol}")
        self.flow_sizes = Normals(f"synthetic-flow-sizes-{own}{seed}-{spec.symbol}")
        self.sizes = Normals(f"synthetic-sizes-{own}{seed}-{spec.symbol}")
        #: the venue's own basis off the walk (``path``): its draws and its log value
        self.apart = Normals(f"synthetic-apart-{own}{seed}-{spec.symbol}") if config.venue_basis_bps else None
        self.noise = 0.0
        self.tick = float(spec.price_increment)
        self.mid = float(spec.initial_price)
        self.path = self.mid
        vol = config.volatilities.get(spec.symbol, config.volatility)
        self.sigma = vol * math.sqrt(config.step_ms / _YEAR_MS)
        self.lot_scale = float(spec.base_min_size / spec.base_increment)  # lots per min size
        # Quotes sit on a fixed grid of prices, so a small move of the mid changes only the
        # edge levels instead of re-pricing the whole ladder.
        self.grid = max(1, round(self.mid * config.spacing_bps / 10_000 / self.tick))
        #: what each level of the ladder holds on average, nearest first (in lots)
        least = int(self.lot_scale)
        self.depth = [
            max(int(config.level_size * (1 + 0.15 * k) * self.lot_scale), least) for k in range(config.levels)
        ]
        self.bids: dict[int, VenueOrder] = {}  # price ticks -> maker order
        self.asks: dict[int, VenueOrder] = {}
        #: a cross pair's legs (base/common quote, quote/common quote), walked before it,
        #: and its log deviation from their ratio
        self.legs: tuple[_Agent, _Agent] | None = None
        self.basis = 0.0
        self.last_take = -1  # venue time of its taker's last order (-1: none yet)


class SyntheticMarket:
    """A :class:`~simulator.market.MarketDriver` running the agents of every configured
    symbol every ``step_ms`` of venue time."""

    def __init__(self, venue: Venue, config: SyntheticConfig, *, seed: int = 0) -> None:
        self.config = config
        desk = self._desk = venue.agents
        self._next = venue.now
        agents = [
            _Agent(desk.market(spec.symbol), config, seed)
            for spec in venue.symbols()
            if config.symbols is None or spec.symbol in config.symbols
        ]
        _link_crosses(agents)
        # legs walk first, so that a cross pair follows their new ratio within the step
        self._agents = {a.mkt.spec.symbol: a for a in sorted(agents, key=lambda a: a.legs is not None)}
        walk = f"{config.name}-" if config.name and not config.shared_walk else ""
        self._common = Normals(f"synthetic-{walk}{seed}-market")  # the common factor
        self._loading = math.sqrt(config.correlation)
        self._own = math.sqrt(1 - config.correlation)
        # the basis: an AR(1) with a half-life of about 14 steps and the configured spread
        self._revert = 0.05
        #: the chance that no taker comes in a step (the Poisson draw's threshold)
        self._no_taker = math.exp(-config.taker_rate * config.step_ms / 1000)
        self._basis_sigma = config.cross_basis_bps / 10_000 * math.sqrt(1 - (1 - self._revert) ** 2)
        self._apart_sigma = config.venue_basis_bps / 10_000 * math.sqrt(1 - (1 - self._revert) ** 2)
        #: quote the ladders only at :meth:`look`, not before every sync: for a runner that
        #: knows when anyone reads a book or trades (a backtest's strategy), and says so
        self.lazy = False
        self._stale = False
        self._maker: UserState = desk.open(_MAKER)
        self._taker: UserState = desk.open(_TAKER)
        self._funded: dict[str, Decimal] = {}
        if config.warmup_ms > 0:
            start = venue.now - config.warmup_ms
            factor_rng = random.Random(f"synthetic-warmup-{seed}-market")
            common = [factor_rng.gauss(0.0, 1.0) for _ in range(start, venue.now, _WARMUP_STEP)]
            paths: dict[str, list[float]] = {}
            for symbol, agent in self._agents.items():
                paths[symbol] = self._warm_up(agent, start, venue.now, seed, common, paths)
        for agent in self._agents.values():
            self._fund(agent)
        for agent in self._agents.values():
            self._quote(agent)  # a full book from the first instant

    # ---------------------------------------------------------------- driver protocol

    def next_time(self) -> int | None:
        return self._next

    def step(self, venue: Venue, now_ms: int) -> None:
        """One step of every symbol's agents. While nobody else has an order in a book and
        the venue is moving on past this step (a backtest's stretch between two looks at
        the market), the takers' trades are printed straight from the model against the
        maker's ladder as it stands on average, and the ladder itself is quoted through
        the engine only at the last step before someone can look: a stream of prints
        instead of every order materialised, the same path of mids and flow of takers.
        Steps that only print run on, in this one call, up to that last step or until
        anything else of the venue falls due."""
        desk = self._desk
        step_ms = self.config.step_ms
        horizon = desk.horizon
        stream, lazy = self.config.stream, self.lazy
        maker, taker = self._maker, self._taker
        agents = list(self._agents.values())
        quiet = [stream and not desk.crowded(a.mkt, maker, taker) for a in agents]
        alone = all(quiet) and len(venue.drivers) == 1
        until = desk.quiet_until() if alone else None
        t = now_ms
        while True:
            common = self._common.next()
            unseen = lazy or t + step_ms <= horizon
            for agent, calm in zip(agents, quiet, strict=True):
                self._walk(agent, common)
                if unseen and calm:
                    self._print_takes(agent, t)
                    self._stale = True
                else:
                    self._quote(agent)
                    self._take(agent, t)
            t += step_ms
            more = t <= horizon if lazy else t + step_ms <= horizon
            if not (alone and unseen and more and (until is None or t < until)):
                break
        self._next = t

    def look(self) -> None:
        """Quote every ladder at its mid now, if the market streamed on since it last did:
        what a :attr:`lazy` market needs before anyone reads a book or trades into it."""
        if self._stale:
            self._stale = False
            for agent in self._agents.values():
                self._quote(agent)

    # ---------------------------------------------------------------- steering

    def mid(self, symbol: str) -> Decimal:
        """The current model mid (rounded to the tick)."""
        agent = self._agents[symbol]
        return agent.mkt.scale.price(round(agent.mid / agent.tick))

    def set_mid(self, symbol: str, price: Decimal | str) -> None:
        """Move the mid (e.g. to follow replayed prices); quotes follow at the next step.
        A cross pair's basis moves instead, so it keeps following its legs from there."""
        agent = self._agents[symbol]
        agent.mid = float(Decimal(price))
        agent.path = agent.mid / math.exp(agent.noise)
        if agent.legs is not None:
            base, quote = agent.legs
            agent.basis = math.log(agent.mid * quote.mid / base.mid)

    @property
    def symbols(self) -> list[str]:
        return list(self._agents)

    # ---------------------------------------------------------------- agents

    def _walk(self, agent: _Agent, common: float) -> None:
        shock = agent.shocks.next()
        if agent.legs is None:
            sigma = agent.sigma
            move = math.exp(sigma * (self._loading * common + self._own * shock) - sigma * sigma / 2)
            if agent.apart is None:
                agent.mid *= move
            else:
                agent.path *= move
                agent.noise = agent.noise * (1 - self._revert) + self._apart_sigma * agent.apart.next()
                agent.mid = agent.path * math.exp(agent.noise)
        else:
            base, quote = agent.legs
            agent.basis = agent.basis * (1 - self._revert) + self._basis_sigma * shock
            agent.mid = base.mid / quote.mid * math.exp(agent.basis)
        floor = agent.tick * 20
        if agent.mid < floor:
            agent.mid = floor

    def _fund(self, agent: _Agent) -> None:
        """Keep the agents rich enough to quote and take for a long while."""
        desk = self._desk
        spec = agent.mkt.spec
        size = float(spec.base_min_size) * self.config.level_size * self.config.levels * 40
        base_amount = Decimal(str(round(size, 8))).quantize(spec.base_increment)
        quote_amount = Decimal(str(round(size * agent.mid, 2)))
        for user in (self._maker, self._taker):
            for currency, amount in ((spec.base_currency, base_amount), (spec.quote_currency, quote_amount)):
                desk.top_up(user, currency, amount)

    def _quote(self, agent: _Agent) -> None:
        desk = self._desk
        cfg = self.config
        grid = agent.grid
        top_bid, low_ask = self._top(agent)
        want_bids = {top_bid - k * grid: k for k in range(cfg.levels) if top_bid - k * grid > 0}
        want_asks = {low_ask + k * grid: k for k in range(cfg.levels)}
        for quotes, wanted in ((agent.bids, want_bids), (agent.asks, want_asks)):
            for price, order in list(quotes.items()):
                if order.status >= FILLED:
                    del quotes[price]
                elif price not in wanted:
                    desk.cancel(order)
                    del quotes[price]
        for is_buy, quotes, wanted in ((True, agent.bids, want_bids), (False, agent.asks, want_asks)):
            for price, k in wanted.items():
                if price not in quotes:
                    lots = self._size(agent, cfg.level_size * (1 + 0.15 * k), agent.sizes.next())
                    placed = self._place(agent, self._maker, is_buy, price, lots)
                    if placed is not None:
                        quotes[price] = placed

    def _warm_up(
        self,
        agent: _Agent,
        start: int,
        end: int,
        seed: int,
        common: list[float],
        paths: Mapping[str, list[float]],
    ) -> list[float]:
        """Print the history of ``[start, end)``: the mid walks in 10 s steps (the same
        volatility and common factor; a cross pair follows its legs' ``paths``), takers
        trade at the quotes around it at Poisson times. Returns the mid at each step."""
        cfg = self.config
        mkt = agent.mkt
        rng = random.Random(f"synthetic-warmup-{seed}-{mkt.spec.symbol}")
        step = _WARMUP_STEP
        sigma = agent.sigma * math.sqrt(step / cfg.step_ms)
        legs = None
        if agent.legs is not None:
            legs = (paths[agent.legs[0].mkt.spec.symbol], paths[agent.legs[1].mkt.spec.symbol])
        revert = 1 - (1 - self._revert) ** (step / cfg.step_ms)  # the same basis, sampled every step
        basis_sigma = cfg.cross_basis_bps / 10_000 * math.sqrt(1 - (1 - revert) ** 2)
        mids: list[float] = []
        half = cfg.spread_bps / 10_000 + 0.5 * cfg.spacing_bps / 10_000
        rate = cfg.taker_rate * step / 1000
        tick = agent.tick
        mid = agent.mid
        prints = []
        for i, t in enumerate(range(start, end, step)):
            shock = rng.gauss(0.0, 1.0)
            if legs is None:
                z = self._loading * common[i] + self._own * shock
                mid *= math.exp(sigma * z - sigma * sigma / 2)
            else:
                agent.basis = agent.basis * (1 - revert) + basis_sigma * shock
                mid = legs[0][i] / legs[1][i] * math.exp(agent.basis)
            mid = max(mid, tick * 20)
            mids.append(mid)
            count = 0
            threshold = math.exp(-rate)
            p = rng.random()
            while p > threshold:
                count += 1
                p *= rng.random()
            for at in sorted(t + int(rng.random() * step) for _ in range(count)):
                taker_buy = rng.random() < 0.5
                price = mid * (1 + half) if taker_buy else mid * (1 - half)
                ticks = max(1, round(price / tick))
                lots = self._size(agent, cfg.taker_size, rng.gauss(0.0, 1.0))
                prints.append((at, ticks, lots, taker_buy))
        self._desk.print_history(mkt, prints)
        agent.mid = agent.path = mid
        return mids

    def _takers(self, agent: _Agent, now: int) -> int:
        """How many market orders arrive this step (Poisson, at most 50; one at least when
        the step after would be past ``max_quiet_ms`` since the last)."""
        rng = agent.flow
        count = 0
        threshold = self._no_taker
        p = rng.random()
        while p > threshold and count < 50:
            count += 1
            p *= rng.random()
        quiet = self.config.max_quiet_ms
        if quiet is not None:
            if count == 0 and agent.last_take >= 0 and now - agent.last_take + self.config.step_ms > quiet:
                count = 1  # (the next step would be past the longest quiet time)
            if count or agent.last_take < 0:
                agent.last_take = now
        return count

    def _take(self, agent: _Agent, now: int) -> None:
        rng, sizes = agent.flow, agent.flow_sizes
        for _ in range(self._takers(agent, now)):
            lots = self._size(agent, self.config.taker_size, sizes.next())
            self._place(agent, self._taker, rng.random() < 0.5, 0, lots, market=True)

    def _print_takes(self, agent: _Agent, now: int) -> None:
        """The takers of this step, walking the ladder the maker would quote around the mid
        (each level as deep as it is on average), printed as the engine would print them:
        one trade per level reached, at its price."""
        count = self._takers(agent, now)
        if not count:
            return
        rng, sizes = agent.flow, agent.flow_sizes
        top_bid, low_ask = self._top(agent)
        grid, depth, mkt = agent.grid, agent.depth, agent.mkt
        levels = len(depth)
        print_trade = self._desk.print_trade
        for _ in range(count):
            lots = self._size(agent, self.config.taker_size, sizes.next())
            buy = rng.random() < 0.5
            price, step = (low_ask, grid) if buy else (top_bid, -grid)
            k = 0
            while lots > 0 and k < levels and price > 0:
                take = min(lots, depth[k])
                print_trade(mkt, price, take, buy, now)
                lots -= take
                price += step
                k += 1

    def _top(self, agent: _Agent) -> tuple[int, int]:
        """The maker's best bid and ask (ticks) around the mid: its ladder's inner edge."""
        cfg = self.config
        grid = agent.grid
        mid_ticks = agent.mid / agent.tick
        half = mid_ticks * cfg.spread_bps / 10_000
        top_bid = math.floor((mid_ticks - half) / grid) * grid
        low_ask = math.ceil((mid_ticks + half) / grid) * grid
        if low_ask <= top_bid:
            low_ask = top_bid + grid
        return top_bid, low_ask

    @staticmethod
    def _size(agent: _Agent, mean_min_sizes: float, normal: float) -> int:
        """Lognormal size around ``mean_min_sizes`` minimum sizes, in lots (at least one
        minimum size), from a standard ``normal`` draw."""
        draw = math.exp(0.6 * normal - 0.18)  # (lognormal, mean 1)
        lots = int(mean_min_sizes * draw * agent.lot_scale)
        least = int(agent.lot_scale)
        return lots if lots > least else least

    def _place(
        self, agent: _Agent, user: UserState, is_buy: bool, price: int, lots: int, market: bool = False
    ) -> VenueOrder | None:
        try:
            return self._desk.place(user, agent.mkt, is_buy, price, lots, market)
        except ExchangeError:  # refused (funds, price band): skip it this step
            self._fund(agent)
            return None


def _link_crosses(agents: list[_Agent]) -> None:
    """Give each pair whose base and quote both trade against a third currency among
    ``agents`` its two legs (the first such currency in the agents' order)."""
    by_pair = {(a.mkt.spec.base_currency, a.mkt.spec.quote_currency): a for a in agents}
    for agent in agents:
        base, quote = agent.mkt.spec.base_currency, agent.mkt.spec.quote_currency
        for (leg_base, common), leg in by_pair.items():
            other = by_pair.get((quote, common))
            if leg_base == base and common != quote and other is not None and leg is not agent:
                if leg.legs is None and other.legs is None:  # (legs of legs: not chained)
                    agent.legs = (leg, other)
                    agent.basis = math.log(agent.mid * other.mid / leg.mid)
                break
