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
    in milliseconds, without simulating the book.
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
    #: The longest a pair goes without a taker's trade (``None``: as the Poisson times fall).
    max_quiet_ms: int | None = None

    def __attrs_post_init__(self) -> None:
        if self.step_ms <= 0 or self.levels <= 0:
            raise ValueError("step_ms and levels must be positive")
        if not 0 <= self.correlation <= 1 or self.cross_basis_bps < 0:
            raise ValueError("correlation must be within [0, 1] and cross_basis_bps not negative")

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
    """Per-symbol state: the mid, the maker's quotes, a private random stream."""

    __slots__ = (
        "asks",
        "basis",
        "bids",
        "grid",
        "last_take",
        "legs",
        "lot_scale",
        "mid",
        "mkt",
        "rng",
        "sigma",
        "tick",
    )

    def __init__(self, mkt: MarketState, config: SyntheticConfig, seed: int) -> None:
        self.mkt = mkt
        spec = mkt.spec
        self.rng = random.Random(f"synthetic-{seed}-{spec.symbol}")
        self.tick = float(spec.price_increment)
        self.mid = float(spec.initial_price)
        vol = config.volatilities.get(spec.symbol, config.volatility)
        self.sigma = vol * math.sqrt(config.step_ms / _YEAR_MS)
        self.lot_scale = float(spec.base_min_size / spec.base_increment)  # lots per min size
        # Quotes sit on a fixed grid of prices, so a small move of the mid changes only the
        # edge levels instead of re-pricing the whole ladder.
        self.grid = max(1, round(self.mid * config.spacing_bps / 10_000 / self.tick))
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
        self._rng = random.Random(f"synthetic-{seed}-market")  # the common factor
        self._loading = math.sqrt(config.correlation)
        self._own = math.sqrt(1 - config.correlation)
        # the basis: an AR(1) with a half-life of about 14 steps and the configured spread
        self._revert = 0.05
        self._basis_sigma = config.cross_basis_bps / 10_000 * math.sqrt(1 - (1 - self._revert) ** 2)
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

    def step(self, venue: Venue, now_ms: int) -> None:  # noqa: ARG002 - MarketDriver's signature
        common = self._rng.gauss(0.0, 1.0)
        for agent in self._agents.values():
            self._walk(agent, common)
            self._quote(agent)
            self._take(agent, now_ms)
        self._next = now_ms + self.config.step_ms

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
        if agent.legs is not None:
            base, quote = agent.legs
            agent.basis = math.log(agent.mid * quote.mid / base.mid)

    @property
    def symbols(self) -> list[str]:
        return list(self._agents)

    # ---------------------------------------------------------------- agents

    def _walk(self, agent: _Agent, common: float) -> None:
        shock = agent.rng.gauss(0.0, 1.0)
        if agent.legs is None:
            z = self._loading * common + self._own * shock
            agent.mid *= math.exp(agent.sigma * z - agent.sigma * agent.sigma / 2)
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
        mid_ticks = agent.mid / agent.tick
        half = mid_ticks * cfg.spread_bps / 10_000
        top_bid = math.floor((mid_ticks - half) / grid) * grid
        low_ask = math.ceil((mid_ticks + half) / grid) * grid
        if low_ask <= top_bid:
            low_ask = top_bid + grid
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
                    lots = self._size(agent, cfg.level_size * (1 + 0.15 * k))
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
                lots = self._size(agent, cfg.taker_size, rng)
                prints.append((at, ticks, lots, taker_buy))
        self._desk.print_history(mkt, prints)
        agent.mid = mid
        return mids

    def _take(self, agent: _Agent, now: int) -> None:
        rate = self.config.taker_rate * self.config.step_ms / 1000
        rng = agent.rng
        count = 0
        threshold = math.exp(-rate)
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
        for _ in range(count):
            lots = self._size(agent, self.config.taker_size)
            self._place(agent, self._taker, rng.random() < 0.5, 0, lots, market=True)

    def _size(self, agent: _Agent, mean_min_sizes: float, rng: random.Random | None = None) -> int:
        """Lognormal size around ``mean_min_sizes`` minimum sizes, in lots (at least one
        minimum size)."""
        draw = (rng or agent.rng).lognormvariate(0.0, 0.6) * math.exp(-0.18)
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
