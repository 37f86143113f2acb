"""The whole simulated exchange: markets, books, accounts, orders, history, on one clock.

Both the in-process :class:`~simulator.PaperExchange` and the KuCoin HTTP facade sit on a
:class:`Venue`. It speaks KuCoin's concepts (users and their trade/main accounts, HF orders
with every KuCoin field, stop orders, the dead-man switch, ``lastId`` cursors) with
``Decimal`` amounts and epoch-ms times, and raises :mod:`exchanges.errors` types whose
``code`` and ``message`` are KuCoin's (``200004 Balance insufficient!``), so a facade maps
them to wire errors by ``err.code``.

Deterministic: the same seed, clock readings and calls give the same ids, fills and times.
Not thread-safe: drive it from one thread (or one event loop).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from heapq import heappop, heappush
from typing import TYPE_CHECKING, Any

import attrs

from exchanges import (
    STP,
    AboveMaximumSize,
    BadRequest,
    BadSymbol,
    BelowMinimumFunds,
    BelowMinimumSize,
    Clock,
    DuplicateClientOrderId,
    ExchangeError,
    InsufficientFunds,
    Interval,
    InvalidClientOrderId,
    InvalidPrecision,
    Liquidity,
    ManualClock,
    OrderNotFound,
    OrderType,
    PostOnlyWouldTake,
    PriceOutOfBand,
    Side,
    StopKind,
    TimeInForce,
    TooManyOpenOrders,
)
from simulator.accounts import FEE_COLLECTOR, Account, Accounts, Entry
from simulator.engine import (
    CANCELED,
    EXPIRED,
    FILLED,
    FLAG_BY_FUNDS,
    FLAG_FOK,
    FLAG_GTT,
    FLAG_HIDDEN,
    FLAG_ICEBERG,
    FLAG_IOC,
    FLAG_MARKET,
    FLAG_POST_ONLY,
    NEW,
    OPEN,
    PARTIAL,
    PENDING,
    REJECTED,
    STOP_ENTRY,
    STOP_LOSS,
    STP_CB,
    STP_CN,
    STP_CO,
    STP_DC,
    STP_NONE,
    UNLIMITED,
    Accepted,
    Amended,
    Book,
    Canceled,
    Event,
    Filled,
    Matched,
    Opened,
    Rejected,
    Scale,
    Triggered,
)
from simulator.market.driver import MarketDriver

if TYPE_CHECKING:
    from simulator.market.synthetic import SyntheticConfig, SyntheticMarket
from simulator.market.symbols import DEFAULT_CURRENCIES, DEFAULT_SYMBOLS, CurrencySpec, SymbolSpec
from simulator.venue.candles import CandleStore
from simulator.venue.ids import IdSource
from simulator.venue.orders import FillRecord, VenueOrder, fill_info, order_info, tidy
from simulator.venue.params import OrderParams
from simulator.venue.records import (
    AccountBalance,
    BookSnapshot,
    CancelAllResult,
    CandleBar,
    DcpInfo,
    FeeRates,
    FillInfo,
    LedgerEntry,
    Level1,
    OrderInfo,
    Page,
    PublicTrade,
    Stats24h,
)

__all__ = ["Venue", "VenueEvent"]

ZERO = Decimal(0)
ONE = Decimal(1)
_DAY_MS = 86_400_000
_COID = re.compile(r"[A-Za-z0-9_-]{1,40}")
_STP_CODES = {STP.CN: STP_CN, STP.CO: STP_CO, STP.CB: STP_CB, STP.DC: STP_DC}
_MAX_CANCEL_AFTER = 2_592_000
_TRADE_HISTORY = 1000
_REPLAY_USER = "replay-market"
_CACHE = 50_000
_t = tidy


@attrs.frozen(slots=True, kw_only=True)
class VenueEvent:
    """What subscribers hear: ``kind`` ``order`` (``change``: received, open, match,
    update, filled, canceled, rejected, triggered), ``fill`` (one side of a trade, for its
    owner) or ``trade`` (a public print). Built only when someone subscribed."""

    kind: str
    change: str
    time: int
    uid: str | None = None
    order: OrderInfo | None = None
    fill: FillInfo | None = None
    trade: PublicTrade | None = None


class _Market:
    """Runtime state of one symbol."""

    __slots__ = (
        "band",
        "book",
        "candles",
        "external",
        "parked",
        "parked_gtt",
        "prices",
        "scale",
        "sizes",
        "spec",
        "trades",
    )

    def __init__(self, spec: SymbolSpec, book: Book) -> None:
        self.spec = spec
        self.external = False  # fills come from outside (replay), orders are parked
        self.parked: dict[str, VenueOrder] = {}  # external mode: live orders in time priority
        self.parked_gtt: list[tuple[int, str]] = []
        self.scale = Scale(spec.price_increment, spec.base_increment)
        self.book = book
        self.trades: deque[tuple[int, int, int, bool, int]] = deque(maxlen=_TRADE_HISTORY)
        self.candles = CandleStore()
        self.band = spec.price_limit_rate
        self.prices: dict[int, Decimal] = {}  # tidy Decimal per tick count (a bounded cache)
        self.sizes: dict[int, Decimal] = {}

    def price(self, ticks: int) -> Decimal:
        """``ticks`` as a tidy price (``65000``, not ``65000.0``), cached."""
        value = self.prices.get(ticks)
        if value is None:
            if len(self.prices) >= _CACHE:
                self.prices.clear()
            value = self.prices[ticks] = tidy(self.scale.price(ticks))
        return value

    def size(self, lots: int) -> Decimal:
        value = self.sizes.get(lots)
        if value is None:
            if len(self.sizes) >= _CACHE:
                self.sizes.clear()
            value = self.sizes[lots] = tidy(self.scale.size(lots))
        return value


class _User:
    """One user's orders and history (the balances live in ``account``)."""

    __slots__ = (
        "account",
        "active",
        "active_coids",
        "by_coid",
        "counts",
        "dcp",
        "done",
        "fills",
        "keep_history",
        "rates",
        "uid",
    )

    def __init__(self, uid: str, account: Account, keep_history: bool) -> None:
        self.uid = uid
        self.rates: dict[str, tuple[Decimal, Decimal]] = {}  # actual fee rates per symbol
        self.account = account
        self.active: dict[str, VenueOrder] = {}  # open orders and waiting stops, oldest first
        self.counts: dict[str, int] = {}  # active orders per symbol
        self.active_coids: dict[str, VenueOrder] = {}
        self.by_coid: dict[str, VenueOrder] = {}  # latest order per clientOid
        self.done: dict[str, list[VenueOrder]] = {}
        self.fills: list[FillRecord] = []
        self.dcp: tuple[int, tuple[str, ...], int] | None = None  # timeout s, symbols, trigger ms
        self.keep_history = keep_history


def _err_venue(name: str) -> Callable[[str], dict[str, str]]:
    return lambda code: {"venue": name, "code": code}


class Venue:
    """A simulated KuCoin-like spot exchange.

    ``clock`` is read at every call (a ``ManualClock`` starting at 2023-11-14 by default);
    the venue's own time never goes back. ``synthetic`` turns on the embedded synthetic
    market (``True`` for the defaults, or a :class:`~simulator.market.SyntheticConfig`);
    other market models attach with :meth:`add_driver`. Fees default to KuCoin's VIP0
    rates. ``name`` is the ``venue`` written into raised errors.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        clock: Clock | None = None,
        symbols: Iterable[SymbolSpec] | None = None,
        currencies: Iterable[CurrencySpec] | None = None,
        synthetic: bool | SyntheticConfig = False,
        name: str = "paper",
        maker_fee_rate: Decimal | str = "0.001",
        taker_fee_rate: Decimal | str = "0.001",
        max_active_per_symbol: int = 200,
        max_active_per_account: int = 2000,
        max_done_per_symbol: int = 100_000,
    ) -> None:
        self.name = name
        self.seed = seed
        self.clock: Clock = clock if clock is not None else ManualClock()
        self.max_active_per_symbol = max_active_per_symbol
        self.max_active_per_account = max_active_per_account
        self.max_done_per_symbol = max_done_per_symbol
        self.ids = IdSource(seed)
        self._now = self.clock.now_ms()
        self.accounts = Accounts(
            self.ids.account_id,
            self.ids.ledger_id,
            maker_rate=Decimal(maker_fee_rate),
            taker_rate=Decimal(taker_fee_rate),
            venue=name,
        )
        self._users: dict[str, _User] = {}
        self._users[FEE_COLLECTOR] = _User(FEE_COLLECTOR, self.accounts.collector, False)
        self._orders: dict[str, VenueOrder] = {}  # every known order (users' done ones too)
        self._markets: dict[str, _Market] = {}
        self._currencies: dict[str, CurrencySpec] = {}
        self._drivers: list[MarketDriver] = []
        self._subscribers: list[Callable[[VenueEvent], None]] = []
        self._dcp_users: set[str] = set()
        self._handlers: dict[type[Event], Callable[[Any], None]] = {
            Matched: self._on_matched,
            Filled: self._on_done,
            Canceled: self._on_done,
            Rejected: self._on_done,
            Amended: self._on_amended,
            Triggered: self._on_triggered,
            Opened: self._on_opened,
            Accepted: self._on_accepted,
        }
        for currency in currencies if currencies is not None else DEFAULT_CURRENCIES:
            self._currencies[currency.currency] = currency
        for spec in symbols if symbols is not None else DEFAULT_SYMBOLS:
            self.add_symbol(spec)
        if synthetic:
            from simulator.market.synthetic import SyntheticConfig, SyntheticMarket

            config = synthetic if isinstance(synthetic, SyntheticConfig) else SyntheticConfig()
            self.synthetic: SyntheticMarket | None = SyntheticMarket(self, config, seed=seed)
            self.add_driver(self.synthetic)
        else:
            self.synthetic = None

    @classmethod
    def from_config(
        cls, config: Mapping[str, Any], *, seed: int | None = None, clock: Clock | None = None
    ) -> Venue:
        """Build from plain data (the ``[venue]`` table of a TOML file). Keys, all optional:

        ``seed``, ``name``, ``maker_fee_rate``, ``taker_fee_rate``, ``max_active_per_symbol``,
        ``max_active_per_account``; ``default_symbols`` (keep the built-in pairs, default
        true); ``symbols`` (a list of tables, or a table keyed by symbol, KuCoin or snake
        case keys; a pair of the same name replaces the built-in one); ``currencies``;
        ``synthetic`` (true/false, or a table of :class:`SyntheticConfig` fields, with an
        optional ``enabled``); ``external`` (symbols switched to external matching);
        ``users`` (list of ``{uid, balances = {CUR = "amount"}, maker_fee_rate,
        taker_fee_rate}``). The ``seed`` and ``clock`` arguments win over the table.
        """
        from simulator.market.symbols import currencies_from_config, symbols_from_config
        from simulator.market.synthetic import SyntheticConfig

        known = {
            "seed",
            "name",
            "maker_fee_rate",
            "taker_fee_rate",
            "max_active_per_symbol",
            "max_active_per_account",
            "default_symbols",
            "symbols",
            "currencies",
            "synthetic",
            "external",
            "users",
        }
        unknown = set(config) - known
        if unknown:
            raise ValueError(f"unknown venue settings: {sorted(unknown)}")
        symbols: dict[str, SymbolSpec] = {}
        if config.get("default_symbols", True):
            symbols.update((s.symbol, s) for s in DEFAULT_SYMBOLS)
        if "symbols" in config:
            symbols.update((s.symbol, s) for s in symbols_from_config(config["symbols"]))
        currencies = list(DEFAULT_CURRENCIES)
        if "currencies" in config:
            extra = {c.currency: c for c in currencies_from_config(config["currencies"])}
            currencies = [extra.pop(c.currency, c) for c in currencies] + list(extra.values())
        synthetic: Any = config.get("synthetic", False)
        if isinstance(synthetic, Mapping):
            synthetic = SyntheticConfig.from_mapping(synthetic) if synthetic.get("enabled", True) else False
        kwargs: dict[str, Any] = {}
        for key in (
            "name",
            "maker_fee_rate",
            "taker_fee_rate",
            "max_active_per_symbol",
            "max_active_per_account",
        ):
            if key in config:
                kwargs[key] = str(config[key]) if key.endswith("rate") else config[key]
        venue = cls(
            seed=seed if seed is not None else int(config.get("seed", 0)),
            clock=clock,
            symbols=list(symbols.values()),
            currencies=currencies,
            synthetic=synthetic,
            **kwargs,
        )
        for symbol in config.get("external", ()):
            venue.set_external(symbol)
        for user in config.get("users", ()):
            venue.create_user(
                user.get("uid"),
                {k: str(v) for k, v in user.get("balances", {}).items()},
                maker_fee_rate=user.get("maker_fee_rate"),
                taker_fee_rate=user.get("taker_fee_rate"),
            )
        return venue

    def _error(self, cls: type[ExchangeError], message: str, code: str, **fields: Any) -> ExchangeError:
        return cls(message, venue=self.name, code=code, **fields)

    # ================================================================== clock

    @property
    def now(self) -> int:
        """The venue's time (ms) as of the last sync."""
        return self._now

    def sync(self) -> int:
        """Bring the venue up to the clock: run market drivers, GTT expiries and dead-man
        switches that fall due, in time order. Every public call does this first; a
        served exchange also calls it periodically so the market moves between requests."""
        target = self.clock.now_ms()
        if target > self._now:
            self._advance(target)
        return self._now

    def _advance(self, target: int) -> None:
        while True:
            t = target
            for driver in self._drivers:
                nt = driver.next_time()
                if nt is not None and nt < t:
                    t = nt
            for mkt in self._markets.values():
                nx = mkt.book.next_expiry()
                if nx is not None and nx < t:
                    t = nx
                if mkt.parked_gtt and mkt.parked_gtt[0][0] < t:
                    t = mkt.parked_gtt[0][0]
            for uid in self._dcp_users:
                dcp = self._users[uid].dcp
                if dcp is not None and dcp[2] < t:
                    t = dcp[2]
            if t > self._now:
                self._now = t
            now = self._now
            for mkt in self._markets.values():
                nx = mkt.book.next_expiry()
                if nx is not None and nx <= now:
                    mkt.book.expire(now)
                if mkt.parked_gtt and mkt.parked_gtt[0][0] <= now:
                    self._expire_parked(mkt, now)
            if self._dcp_users:
                self._fire_dcp(now)
            for driver in self._drivers:
                nt = driver.next_time()
                if nt is not None and nt <= now:
                    driver.step(self, now)
                    after = driver.next_time()
                    if after is not None and after <= now:
                        raise RuntimeError(f"market driver {driver!r} did not move past {now}")
            if now >= target:
                return

    def advance_to(self, now_ms: int) -> int:
        """Move the venue's time to ``now_ms`` (if later) regardless of the clock, running
        whatever falls due; for a task that drives a served venue in real time."""
        if now_ms > self._now:
            self._advance(now_ms)
        return self._now

    def add_driver(self, driver: MarketDriver) -> None:
        """Attach a market model (synthetic agents, replayed data); it runs as time passes."""
        self._drivers.append(driver)

    def subscribe(self, callback: Callable[[VenueEvent], None]) -> Callable[[], None]:
        """Hear order changes, fills and public trades as they happen; returns an
        unsubscribe function. Callbacks run synchronously inside venue calls."""
        self._subscribers.append(callback)
        self._announce()

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)
                self._announce()

        return unsubscribe

    def _announce(self) -> None:
        """Books build Accepted events only when a subscriber will hear them."""
        for mkt in self._markets.values():
            mkt.book.emit_accepted = bool(self._subscribers)

    # ================================================================== reference data

    def add_symbol(self, spec: SymbolSpec) -> None:
        """List a pair (its currencies are added with default specs if unknown)."""
        if spec.symbol in self._markets:
            raise ValueError(f"symbol {spec.symbol} already listed")
        band = int(spec.price_limit_rate * 1_000_000)
        book = Book(
            band_ppm=band,
            listener=self._on_event,
            trade_ids=self.ids.trade_ids,
            sequence=self.ids.sequence_base,
        )
        mkt = _Market(spec, book)
        book.admit = self._admit
        book.emit_accepted = bool(self._subscribers)
        self._markets[spec.symbol] = mkt
        for code in (spec.base_currency, spec.quote_currency):
            self._currencies.setdefault(code, CurrencySpec(currency=code))

    def symbols(self, market: str | None = None) -> list[SymbolSpec]:
        """Every listed pair (``market`` filters on KuCoin's market name, e.g. ``USDS``)."""
        return [m.spec for m in self._markets.values() if market is None or m.spec.market == market]

    def symbol(self, symbol: str) -> SymbolSpec:
        return self._market(symbol).spec

    def market_names(self) -> list[str]:
        """KuCoin's ``GET /api/v1/markets``: the market groups in use."""
        return sorted({m.spec.market for m in self._markets.values()})

    def currencies(self) -> list[CurrencySpec]:
        return list(self._currencies.values())

    def currency(self, code: str) -> CurrencySpec:
        spec = self._currencies.get(code)
        if spec is None:
            raise self._error(BadRequest, f"currency {code} not exists", "900001")
        return spec

    def _market(self, symbol: str) -> _Market:
        mkt = self._markets.get(symbol)
        if mkt is None:
            raise self._error(BadSymbol, f"symbol {symbol!r} not exists", "900001")
        return mkt

    # ================================================================== market data

    def book(self, symbol: str) -> Book:
        """The engine book of ``symbol`` (read it; change it only through the venue)."""
        return self._market(symbol).book

    def last_price(self, symbol: str) -> Decimal | None:
        mkt = self._market(symbol)
        self.sync()
        return mkt.scale.price(mkt.book.last_price) if mkt.book.last_price else None

    def reference_price(self, symbol: str) -> Decimal:
        """Last trade price, else the mid of the book, else the symbol's initial price."""
        mkt = self._market(symbol)
        self.sync()
        return self._reference(mkt)

    def _reference(self, mkt: _Market) -> Decimal:
        book = mkt.book
        if book.last_price:
            return mkt.scale.price(book.last_price)
        bid, ask = book.best()
        if bid is not None and ask is not None:
            return mkt.scale.price(bid + ask) / 2
        return mkt.spec.initial_price

    def level1(self, symbol: str) -> Level1:
        mkt = self._market(symbol)
        now = self.sync()
        book = mkt.book
        scale = mkt.scale
        bid, ask = self._best_visible(mkt)
        return Level1(
            symbol=symbol,
            time=now,
            sequence=book.sequence,
            price=_t(scale.price(book.last_price)) if book.last_price else None,
            size=_t(scale.size(book.last_size)) if book.last_price else None,
            best_bid=_t(scale.price(bid[0])) if bid else None,
            best_bid_size=_t(scale.size(bid[1])) if bid else None,
            best_ask=_t(scale.price(ask[0])) if ask else None,
            best_ask_size=_t(scale.size(ask[1])) if ask else None,
        )

    def stats(self, symbol: str, uid: str | None = None) -> Stats24h:
        """Rolling 24 h statistics (fee rates: ``uid``'s if given, else the defaults)."""
        mkt = self._market(symbol)
        now = self.sync()
        return self._stats(mkt, now, uid)

    def all_stats(self, uid: str | None = None) -> list[Stats24h]:
        now = self.sync()
        return [self._stats(mkt, now, uid) for mkt in self._markets.values()]

    def _stats(self, mkt: _Market, now: int, uid: str | None) -> Stats24h:
        scale = mkt.scale
        spec = mkt.spec
        book = mkt.book
        bid, ask = self._best_visible(mkt)
        window = mkt.candles.window(now - _DAY_MS + 1, now + 1)
        last = scale.price(book.last_price) if book.last_price else None
        rates = self._rates_for(uid, spec)
        if window is None:
            open_ = high = low = change = change_rate = average = None
            vol = vol_value = ZERO
        else:
            _, o, h, lo, _, lots, units = window
            open_, high, low = scale.price(o), scale.price(h), scale.price(lo)
            vol = scale.size(lots)
            vol_value = scale.funds(units)
            change = (last - open_) if last is not None else None
            change_rate = (change / open_).quantize(Decimal("0.0001")) if change is not None else None
            average = (
                (vol_value / vol).quantize(spec.price_increment / 1000, rounding=ROUND_FLOOR) if vol else None
            )
        buy = _t(scale.price(bid[0])) if bid else None
        sell = _t(scale.price(ask[0])) if ask else None
        return Stats24h(
            symbol=spec.symbol,
            symbol_name=spec.name,
            time=now,
            buy=buy,
            best_bid_size=_t(scale.size(bid[1])) if bid else None,
            sell=sell,
            best_ask_size=_t(scale.size(ask[1])) if ask else None,
            change_rate=_t(change_rate) if change_rate is not None else None,
            change_price=_t(change) if change is not None else None,
            open=_t(open_) if open_ is not None else None,
            high=_t(high) if high is not None else None,
            low=_t(low) if low is not None else None,
            vol=_t(vol),
            vol_value=_t(vol_value),
            last=_t(last) if last is not None else None,
            average_price=_t(average) if average is not None else None,
            maker_fee_rate=rates.maker,
            taker_fee_rate=rates.taker,
            maker_coefficient=spec.maker_fee_coefficient,
            taker_coefficient=spec.taker_fee_coefficient,
        )

    def _best_visible(self, mkt: _Market) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
        if mkt.external:
            bids, asks = self._parked_depth(mkt, 1)
            return (bids[0] if bids else None), (asks[0] if asks else None)
        return mkt.book.best_visible(True), mkt.book.best_visible(False)

    @staticmethod
    def _parked_depth(mkt: _Market, depth: int | None) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """External mode: the parked limit orders' visible sizes, aggregated by price."""
        bids: dict[int, int] = {}
        asks: dict[int, int] = {}
        for o in mkt.parked.values():
            if o.flags & (FLAG_MARKET | FLAG_HIDDEN):
                continue
            shown = o.shown if o.flags & FLAG_ICEBERG else o.remaining
            side = bids if o.is_buy else asks
            side[o.price] = side.get(o.price, 0) + shown
        bid_rows = sorted(bids.items(), reverse=True)
        ask_rows = sorted(asks.items())
        if depth is not None:
            bid_rows, ask_rows = bid_rows[:depth], ask_rows[:depth]
        return bid_rows, ask_rows

    def order_book(self, symbol: str, depth: int | None = 20) -> BookSnapshot:
        """Visible book aggregated by price, ``depth`` levels a side (``None``: full)."""
        mkt = self._market(symbol)
        now = self.sync()
        bids, asks = self._parked_depth(mkt, depth) if mkt.external else mkt.book.depth(depth)
        scale = mkt.scale
        return BookSnapshot(
            symbol=symbol,
            time=now,
            sequence=mkt.book.sequence,
            bids=tuple((_t(scale.price(p)), _t(scale.size(q))) for p, q in bids),
            asks=tuple((_t(scale.price(p)), _t(scale.size(q))) for p, q in asks),
        )

    def trades(self, symbol: str, limit: int = 100) -> list[PublicTrade]:
        """The latest public trades, oldest first (at most the last 1000 are kept)."""
        mkt = self._market(symbol)
        self.sync()
        rows = list(mkt.trades)[-limit:] if limit > 0 else []
        return [self._public_trade(mkt, row) for row in rows]

    def _public_trade(self, mkt: _Market, row: tuple[int, int, int, bool, int]) -> PublicTrade:
        trade_id, price, lots, taker_buy, time = row
        return PublicTrade(
            symbol=mkt.spec.symbol,
            sequence=trade_id,
            trade_id=trade_id,
            price=_t(mkt.scale.price(price)),
            size=_t(mkt.scale.size(lots)),
            side=Side.BUY if taker_buy else Side.SELL,
            time=time,
            time_ns=time * 1_000_000,
        )

    def candles(
        self,
        symbol: str,
        interval: Interval | str,
        start: int | None = None,
        end: int | None = None,
        limit: int | None = None,
    ) -> list[CandleBar]:
        """Bars whose start lies in ``[start, end)``, oldest first; ``limit`` keeps the
        newest ``limit`` of them (KuCoin answers at most 1500). Intervals take the unified
        or KuCoin spelling (``1m``/``1min``, ``1w``/``1week``, ``1M``/``1month``)."""
        mkt = self._market(symbol)
        now = self.sync()
        try:
            iv = Interval.parse(interval)
        except ValueError as err:
            raise self._error(BadRequest, str(err), "400100") from None
        lo = 0 if start is None else start
        hi = now + 1 if end is None else end
        rows = mkt.candles.bars(iv, lo, hi)
        if limit is not None:
            rows = rows[-limit:] if limit > 0 else []
        scale = mkt.scale
        return [
            CandleBar(
                symbol=symbol,
                interval=iv,
                start=s,
                open=_t(scale.price(o)),
                close=_t(scale.price(c)),
                high=_t(scale.price(h)),
                low=_t(scale.price(lo_)),
                volume=_t(scale.size(lots)),
                turnover=_t(scale.funds(units)),
            )
            for s, o, h, lo_, c, lots, units in rows
        ]

    # ================================================================== users and accounts

    def create_user(
        self,
        uid: str | int | None = None,
        balances: Mapping[str, Decimal | str | int] | None = None,
        *,
        maker_fee_rate: Decimal | str | None = None,
        taker_fee_rate: Decimal | str | None = None,
        keep_history: bool = True,
        keep_ledger: bool = True,
    ) -> str:
        """Open a user with trade-account ``balances`` (deposits, in the ledger); returns
        the uid (generated, like KuCoin's numeric uids, when not given). System users
        (market agents) turn history and ledger off to stay fast and small."""
        self.sync()
        user = self._new_user(uid, keep_history=keep_history, keep_ledger=keep_ledger)
        account = user.account
        if maker_fee_rate is not None:
            account.maker_rate = Decimal(maker_fee_rate)
        if taker_fee_rate is not None:
            account.taker_rate = Decimal(taker_fee_rate)
        for currency, amount in (balances or {}).items():
            if Decimal(amount) != 0:
                self.deposit(user.uid, currency, amount)
        return user.uid

    def _new_user(self, uid: str | int | None, *, keep_history: bool, keep_ledger: bool) -> _User:
        """Open a user without moving the clock (market agents are made during setup)."""
        uid = str(100_000_000 + len(self._users)) if uid is None else str(uid)
        if uid in self._users:
            raise self._error(BadRequest, f"user {uid!r} already exists", "400100")
        account = self.accounts.open(uid, keep_ledger=keep_ledger)
        user = self._users[uid] = _User(uid, account, keep_history)
        return user

    def users(self) -> list[str]:
        return [uid for uid in self._users if uid != FEE_COLLECTOR]

    def has_user(self, uid: str) -> bool:
        return uid in self._users

    def _user(self, uid: str | int) -> _User:
        user = self._users.get(uid) if isinstance(uid, str) else self._users.get(str(uid))
        if user is None:
            raise self._error(BadRequest, f"unknown user {uid!r}", "400100")
        return user

    def deposit(
        self, uid: str, currency: str, amount: Decimal | str | int, account_type: str = "trade"
    ) -> None:
        """Credit ``amount`` from outside the venue (a deposit ledger entry)."""
        user = self._user(uid)
        now = self.sync()
        self._currencies.setdefault(currency, CurrencySpec(currency=currency))
        self.accounts.deposit(user.account, currency, self._amount("amount", amount), now, account_type)

    def withdraw(
        self, uid: str, currency: str, amount: Decimal | str | int, account_type: str = "trade"
    ) -> None:
        user = self._user(uid)
        now = self.sync()
        self.accounts.withdraw(user.account, currency, self._amount("amount", amount), now, account_type)

    def transfer(
        self, uid: str, currency: str, amount: Decimal | str | int, from_type: str, to_type: str
    ) -> None:
        """Move available funds between the user's ``main`` and ``trade`` accounts."""
        user = self._user(uid)
        now = self.sync()
        self.accounts.transfer(
            user.account, currency, self._amount("amount", amount), from_type.lower(), to_type.lower(), now
        )

    def accounts_of(
        self, uid: str, currency: str | None = None, account_type: str | None = None
    ) -> list[AccountBalance]:
        """``GET /api/v1/accounts``: one row per (type, currency) the user ever held."""
        user = self._user(uid)
        self.sync()
        rows = []
        for (kind, cur), wallet in user.account.wallets.items():
            if (currency is None or cur == currency) and (account_type is None or kind == account_type):
                rows.append(
                    AccountBalance(
                        id=wallet.id,
                        currency=cur,
                        type=kind,
                        balance=_t(wallet.total),
                        available=_t(wallet.total - wallet.hold),
                        holds=_t(wallet.hold),
                    )
                )
        return rows

    def account(self, uid: str, account_id: str) -> AccountBalance:
        for row in self.accounts_of(uid):
            if row.id == account_id:
                return row
        raise self._error(BadRequest, "account not exists", "400100")

    def balance(self, uid: str, currency: str, account_type: str = "trade") -> AccountBalance:
        """One currency of one account (zero, with a fresh id, if never used)."""
        user = self._user(uid)
        self.sync()
        wallet = self.accounts.wallet(user.account, currency, account_type)
        return AccountBalance(
            id=wallet.id,
            currency=currency,
            type=account_type,
            balance=_t(wallet.total),
            available=_t(wallet.total - wallet.hold),
            holds=_t(wallet.hold),
        )

    def ledger(
        self,
        uid: str,
        *,
        currency: str | None = None,
        direction: str | None = None,
        biz_type: str | None = None,
        account_type: str | None = None,
        start: int | None = None,
        end: int | None = None,
        last_id: int | None = None,
        limit: int | None = 100,
        include_holds: bool = False,
    ) -> list[LedgerEntry]:
        """Ledger entries, newest first; ``last_id`` returns those older than it (HF
        cursor), ``start``/``end`` bound ``created_at`` (inclusive). Hold and release
        entries only with ``include_holds`` (KuCoin's ledgers do not show them)."""
        user = self._user(uid)
        self.sync()
        out: list[LedgerEntry] = []
        for entry in reversed(user.account.entries):
            if last_id is not None and entry.id >= last_id:
                continue
            if not include_holds and entry.kind in ("hold", "release"):
                continue
            if currency is not None and entry.wallet.currency != currency:
                continue
            if account_type is not None and entry.wallet.account_type != account_type.lower():
                continue
            if start is not None and entry.time < start:
                break
            if end is not None and entry.time > end:
                continue
            row = self._ledger_entry(uid, entry)
            if direction is not None and row.direction != direction:
                continue
            if biz_type is not None and row.biz_type != biz_type:
                continue
            out.append(row)
            if limit is not None and len(out) >= limit:
                break
        return out

    @staticmethod
    def _ledger_entry(uid: str, entry: Entry) -> LedgerEntry:
        context: dict[str, str] = {}
        if entry.context is not None:
            context = {"symbol": entry.context[0], "orderId": entry.context[1]}
            if entry.context[2]:
                context["tradeId"] = entry.context[2]
        return LedgerEntry(
            id=entry.id,
            uid=uid,
            account_id=entry.wallet.id,
            currency=entry.wallet.currency,
            amount=_t(abs(entry.delta)),
            direction="out" if entry.delta < 0 or (entry.delta == 0 and entry.hold_delta > 0) else "in",
            fee=_t(entry.fee),
            balance=_t(entry.total_after),
            hold_delta=_t(entry.hold_delta),
            account_type=entry.wallet.account_type.upper(),
            biz_type=entry.biz_type,
            kind=entry.kind,
            created_at=entry.time,
            context=context,
        )

    def fee_rates(self, uid: str | None, symbol: str) -> FeeRates:
        """Actual rates of ``uid`` on ``symbol``: base rate x the symbol's coefficient."""
        spec = self._market(symbol).spec
        return self._rates_for(uid, spec)

    def base_fee_rates(self, uid: str | None = None) -> FeeRates:
        """``GET /api/v1/base-fee``: the user's base rates (``symbol`` empty)."""
        if uid is None:
            return FeeRates(symbol="", maker=self.accounts.maker_rate, taker=self.accounts.taker_rate)
        account = self._user(uid).account
        return FeeRates(symbol="", maker=account.maker_rate, taker=account.taker_rate)

    def set_fee_rates(
        self, uid: str, maker: Decimal | str, taker: Decimal | str, symbol: str | None = None
    ) -> None:
        """Change a user's base rates, for all symbols or one."""
        user = self._user(uid)
        account = user.account
        user.rates.clear()
        pair = (Decimal(maker), Decimal(taker))
        if symbol is None:
            account.maker_rate, account.taker_rate = pair
        else:
            self._market(symbol)
            account.fee_overrides[symbol] = pair

    def _rates_for(self, uid: str | None, spec: SymbolSpec) -> FeeRates:
        if uid is None:
            maker, taker = self.accounts.maker_rate, self.accounts.taker_rate
        else:
            maker, taker = self._user(uid).account.rates(spec.symbol)
        return FeeRates(
            symbol=spec.symbol,
            maker=maker * spec.maker_fee_coefficient,
            taker=taker * spec.taker_fee_coefficient,
        )

    # ================================================================== placing orders

    def place_order(self, uid: str, params: OrderParams) -> OrderInfo:
        """Place an order with KuCoin's semantics; returns it after matching.

        Raises ``BadSymbol`` (900001), ``InvalidOrder`` subtypes (400100: precision, size,
        funds, client id; ``PostOnlyWouldTake``; ``PriceOutOfBand`` 400760;
        ``TooManyOpenOrders`` 200003; ``DuplicateClientOrderId``), ``InsufficientFunds``
        (200004) or ``BadRequest`` (400100). A rejected order leaves no trace.
        """
        user = self._user(uid)
        now = self.sync()
        order = self._build(user, params, now, stop=params.stop is not None or params.stop_price is not None)
        self._submit(order)
        return order_info(order)

    def place_stop_order(self, uid: str, params: OrderParams) -> OrderInfo:
        """Place a stop order (``stop_price`` required; ``stop`` inferred when absent:
        ``entry`` if the stop price is at or above the last price, else ``loss``). Its id
        starts with ``vs``; it holds nothing until triggered."""
        if params.stop_price is None:
            raise self._error(BadRequest, "stopPrice is required", "400100")
        return self.place_order(uid, params)

    def test_order(self, uid: str, params: OrderParams) -> str:
        """KuCoin's order test: validate everything (balance included) without placing;
        returns the order id it would have had (a placeholder)."""
        user = self._user(uid)
        now = self.sync()
        is_stop = params.stop is not None or params.stop_price is not None
        order = self._build(user, params, now, stop=is_stop, test=True)
        self._check_limits(order)
        if not is_stop:
            currency, amount = self._hold_for(order)
            wallet = user.account.wallets.get(("trade", currency))
            available = (wallet.total - wallet.hold) if wallet is not None else ZERO
            if amount > available or (amount == 0 and available <= 0):
                raise self._error(InsufficientFunds, "Balance insufficient!", "200004")
        return str(order.id)

    def place_orders(self, uid: str, batch: Iterable[OrderParams]) -> list[OrderInfo | ExchangeError]:
        """Batch place: each order independently; a failure is returned in its slot."""
        results: list[OrderInfo | ExchangeError] = []
        for params in batch:
            try:
                results.append(self.place_order(uid, params))
            except ExchangeError as err:
                results.append(err)
        return results

    def _amount(self, name: str, value: object) -> Decimal:
        if isinstance(value, Decimal):
            result = value
        elif isinstance(value, str | int) and not isinstance(value, bool):
            try:
                result = Decimal(value)
            except InvalidOperation:
                raise self._error(BadRequest, f"{name} invalid: {value!r}", "400100") from None
        else:
            raise self._error(BadRequest, f"{name} invalid: {value!r}", "400100")
        if not result.is_finite() or result <= 0:
            raise self._error(BadRequest, f"{name} must be positive: {value!r}", "400100")
        return result

    def _build(
        self, user: _User, p: OrderParams, now: int, *, stop: bool = False, test: bool = False
    ) -> VenueOrder:
        """Validate ``p`` KuCoin's way and make the (not yet placed) order."""
        return self._build_fields(
            user,
            now,
            p.symbol,
            p.side,
            p.type,
            p.client_oid,
            p.price,
            p.size,
            p.funds,
            p.time_in_force,
            p.cancel_after,
            p.post_only,
            p.hidden,
            p.iceberg,
            p.visible_size,
            p.stp,
            p.remark,
            p.tags,
            p.stop,
            p.stop_price,
            stop_order=stop,
            test=test,
        )

    def _build_fields(
        self,
        user: _User,
        now: int,
        symbol: str,
        side: Side | str,
        type: OrderType | str,
        client_oid: str | None,
        price: object,
        size: object,
        funds: object,
        time_in_force: TimeInForce | str | None,
        cancel_after: object,
        post_only: object,
        hidden: object,
        iceberg: object,
        visible_size: object,
        stp: STP | str | None,
        remark: object,
        tags: object,
        stop: StopKind | str | None,
        stop_price: object,
        *,
        stop_order: bool = False,
        test: bool = False,
        checked_ids: bool = False,
    ) -> VenueOrder:
        """The checks and conversions of :meth:`_build`, on plain values (the paper
        exchange calls this directly with a request's already typed fields)."""
        mkt = self._markets.get(symbol)
        if mkt is None:
            raise self._error(BadSymbol, f"symbol {symbol!r} not exists", "900001")
        spec = mkt.spec
        if not spec.enable_trading:
            raise self._error(BadSymbol, "validation.createOrder.symbolNotAvailable", "400600")
        if side is Side.BUY or side == "buy":
            is_buy = True
        elif side is Side.SELL or side == "sell":
            is_buy = False
        else:
            raise self._error(BadRequest, f"side invalid: {side!r}", "400100")
        if type is OrderType.LIMIT or type == "limit":
            otype = OrderType.LIMIT
        elif type is OrderType.MARKET or type == "market":
            otype = OrderType.MARKET
        else:
            raise self._error(BadRequest, f"type invalid: {type!r}", "400100")
        if (
            client_oid is not None
            and not checked_ids
            and (not isinstance(client_oid, str) or not _COID.fullmatch(client_oid))
        ):
            raise self._error(
                InvalidClientOrderId,
                "clientOid invalid: at most 40 letters, digits, '_' or '-'",
                "400100",
            )
        if remark is not None or tags is not None:
            for name, text in (("remark", remark), ("tags", tags)):
                if text is not None and (not isinstance(text, str) or len(text) > 20 or not text.isascii()):
                    raise self._error(BadRequest, f"{name} must be at most 20 ASCII characters", "400100")
        if post_only is not False or hidden is not False or iceberg is not False:
            for name, flag in (("post_only", post_only), ("hidden", hidden), ("iceberg", iceberg)):
                if flag is not True and flag is not False:
                    raise self._error(BadRequest, f"{name} must be a boolean", "400100")
        flags = 0
        price_ticks = 0
        size_lots = 0
        funds_req: Decimal | None = None
        size_d: Decimal | None = None
        if otype is OrderType.LIMIT:
            if price is None:
                raise self._error(BadRequest, "price is required for a limit order", "400100")
            if size is None:
                raise self._error(BadRequest, "size is required for a limit order", "400100")
            if funds is not None:
                raise self._error(BadRequest, "funds is only for market orders", "400100")
            price_d = self._amount("price", price)
            size_d = self._amount("size", size)
            price_ticks = self._ticks(mkt, price_d, "price")
            size_lots = self._lots(mkt, size_d)
            value = price_d * size_d
            if value < spec.min_funds:
                raise self._error(
                    BelowMinimumFunds,
                    f"The order funds should more then {spec.min_funds} {spec.quote_currency}.",
                    "400100",
                    field="funds",
                    value=value,
                    limit=spec.min_funds,
                )
        else:
            flags |= FLAG_MARKET
            if price is not None:
                raise self._error(BadRequest, "a market order takes no price", "400100")
            if (size is None) == (funds is None):
                raise self._error(BadRequest, "a market order needs exactly one of size or funds", "400100")
            if size is not None:
                size_d = self._amount("size", size)
                size_lots = self._lots(mkt, size_d)
            else:
                funds_req = self._check_funds(mkt, self._amount("funds", funds))
                flags |= FLAG_BY_FUNDS
                size_lots = UNLIMITED
        if time_in_force is None or time_in_force is TimeInForce.GTC:
            tif = TimeInForce.GTC
        else:
            try:
                tif = TimeInForce(time_in_force)
            except ValueError:
                raise self._error(BadRequest, f"timeInForce invalid: {time_in_force!r}", "400100") from None
        expire_after: int | None = None
        if otype is OrderType.MARKET:
            tif = TimeInForce.GTC  # market orders ignore time in force
        elif tif is TimeInForce.IOC:
            flags |= FLAG_IOC
        elif tif is TimeInForce.FOK:
            flags |= FLAG_FOK
        elif tif is TimeInForce.GTT:
            ca = cancel_after
            if ca is not None and (not isinstance(ca, int) or isinstance(ca, bool) or ca > _MAX_CANCEL_AFTER):
                raise self._error(BadRequest, f"cancelAfter invalid: {ca!r}", "400100")
            if ca is not None and ca > 0:
                expire_after = ca
                flags |= FLAG_GTT
        visible_lots = 0
        if otype is OrderType.MARKET:
            if post_only or hidden or iceberg:
                raise self._error(BadRequest, "postOnly, hidden and iceberg are for limit orders", "400100")
        else:
            if post_only:
                flags |= FLAG_POST_ONLY
            if iceberg:
                if visible_size is None:
                    raise self._error(BadRequest, "visibleSize is required for an iceberg order", "400100")
                visible = self._amount("visibleSize", visible_size)
                visible_lots = self._lots(mkt, visible, "visibleSize", check_limits=False)
                assert size_d is not None
                if visible > size_d or visible * 20 < size_d or visible < spec.base_min_size:
                    raise self._error(
                        BadRequest,
                        "visibleSize must be between 1/20 of size (and the minimum size) and size",
                        "400100",
                    )
                flags |= FLAG_ICEBERG
            elif hidden:
                flags |= FLAG_HIDDEN
        stp_code = STP_NONE
        stp_req: STP | None = None
        if stp is not None:
            try:
                stp_req = stp if isinstance(stp, STP) else STP(stp)
            except ValueError:
                raise self._error(BadRequest, f"stp invalid: {stp!r}", "400100") from None
            if stp_req is STP.DC and otype is OrderType.MARKET:
                raise self._error(BadRequest, "STP DC is not available for market orders", "400100")
            stp_code = _STP_CODES[stp_req]
        stop_kind = 0
        stop_ticks = 0
        if stop_order:
            if stop_price is None:
                raise self._error(BadRequest, "stopPrice is required for a stop order", "400100")
            stop_d = self._amount("stopPrice", stop_price)
            stop_ticks = self._ticks(mkt, stop_d, "stopPrice")
            if stop is None:
                stop_kind = STOP_ENTRY if stop_d >= self._reference(mkt) else STOP_LOSS
            else:
                try:
                    kind = stop if isinstance(stop, StopKind) else StopKind(stop)
                except ValueError:
                    raise self._error(BadRequest, f"stop invalid: {stop!r}", "400100") from None
                stop_kind = STOP_LOSS if kind is StopKind.LOSS else STOP_ENTRY
        if test:
            order_id = self.ids.test_order_id(now)
        else:
            order_id = self.ids.stop_id() if stop_order else self.ids.order_id(now)
        order = VenueOrder(order_id, user, mkt, is_buy, price_ticks, size_lots, flags, now)
        order.client_oid = client_oid
        order.remark = remark  # type: ignore[assignment]
        order.tags = tags  # type: ignore[assignment]
        order.tif = tif
        order.stp = stp_code
        order.stp_req = stp_req
        order.visible = visible_lots
        order.funds_req = funds_req
        order.stop = stop_kind
        order.stop_price = stop_ticks
        order.otype = otype
        if expire_after is not None:
            order.cancel_after = expire_after
            order.expire_at = now + expire_after * 1000
        order.maker_rate, order.taker_rate = self._user_rates(user, mkt)
        return order

    def _check_funds(self, mkt: _Market, funds: Decimal) -> Decimal:
        spec = mkt.spec
        if funds % spec.quote_increment:
            raise self._error(
                InvalidPrecision,
                "The amount increment is invalid.",
                "400100",
                field="funds",
                value=funds,
                increment=spec.quote_increment,
            )
        if funds < spec.quote_min_size or funds < spec.min_funds:
            least = max(spec.quote_min_size, spec.min_funds)
            raise self._error(
                BelowMinimumFunds,
                f"The order funds should more then {least} {spec.quote_currency}.",
                "400100",
                field="funds",
                value=funds,
                limit=least,
            )
        if funds > spec.quote_max_size:
            raise self._error(
                AboveMaximumSize,
                f"The order funds should less then {spec.quote_max_size} {spec.quote_currency}.",
                "400100",
                field="funds",
                value=funds,
                limit=spec.quote_max_size,
            )
        return funds

    def _user_rates(self, user: _User, mkt: _Market) -> tuple[Decimal, Decimal]:
        """Actual (maker, taker) rates of ``user`` on ``mkt``, cached until rates change."""
        symbol = mkt.spec.symbol
        rates = user.rates.get(symbol)
        if rates is None:
            maker, taker = user.account.rates(symbol)
            rates = user.rates[symbol] = (
                maker * mkt.spec.maker_fee_coefficient,
                taker * mkt.spec.taker_fee_coefficient,
            )
        return rates

    def _system_order(
        self, user: _User, mkt: _Market, is_buy: bool, price: int, lots: int, flags: int, stp: int = STP_NONE
    ) -> VenueOrder:
        """An order for a market agent, in ticks and lots, skipping the request checks."""
        order = VenueOrder(self.ids.order_id(self._now), user, mkt, is_buy, price, lots, flags, self._now)
        order.maker_rate, order.taker_rate = self._user_rates(user, mkt)
        order.stp = stp
        return order

    def _ticks(self, mkt: _Market, price: Decimal, name: str) -> int:
        q, r = divmod(price, mkt.spec.price_increment)
        if r or not q:
            raise self._error(
                InvalidPrecision,
                "Price increment invalid.",
                "400100",
                field=name,
                value=price,
                increment=mkt.spec.price_increment,
            )
        return int(q)

    def _lots(self, mkt: _Market, size: Decimal, name: str = "size", check_limits: bool = True) -> int:
        spec = mkt.spec
        q, r = divmod(size, spec.base_increment)
        if r or not q:
            raise self._error(
                InvalidPrecision,
                "Order size increment invalid.",
                "400100",
                field=name,
                value=size,
                increment=spec.base_increment,
            )
        if check_limits:
            if size < spec.base_min_size:
                raise self._error(
                    BelowMinimumSize,
                    "Order size below the minimum requirement.",
                    "400100",
                    field=name,
                    value=size,
                    limit=spec.base_min_size,
                )
            if size > spec.base_max_size:
                raise self._error(
                    AboveMaximumSize,
                    "Order size above the maximum requirement.",
                    "400100",
                    field=name,
                    value=size,
                    limit=spec.base_max_size,
                )
        return int(q)

    def _check_limits(self, order: VenueOrder) -> None:
        user = order.user
        symbol = order.mkt.spec.symbol
        if user.counts.get(symbol, 0) >= self.max_active_per_symbol:
            raise self._error(
                TooManyOpenOrders,
                f"Exceeded the maximum number of active orders ({self.max_active_per_symbol}) for {symbol}",
                "200003",
            )
        if len(user.active) >= self.max_active_per_account:
            raise self._error(
                TooManyOpenOrders,
                f"Exceeded the maximum number of active orders ({self.max_active_per_account}) per account",
                "200003",
            )
        coid = order.client_oid
        if coid is not None and coid in user.active_coids:
            raise self._error(DuplicateClientOrderId, "validation.createOrder.clientOidDuplicated", "400100")

    def _hold_for(self, o: VenueOrder) -> tuple[str, Decimal]:
        """What ``o`` must hold: ``(currency, amount)``. Limit buys hold price x size plus
        the larger fee rate; market buys by funds hold funds plus the taker fee; market buys
        by size hold the whole available quote balance (as KuCoin does, briefly: the rest
        is released when the order ends); sells hold the size, or for market sells by funds
        the whole available base balance."""
        spec = o.mkt.spec
        scale = o.mkt.scale
        if o.is_buy:
            currency = spec.quote_currency
            if not o.flags & FLAG_MARKET:
                rate = o.maker_rate if o.maker_rate > o.taker_rate else o.taker_rate
                return currency, scale.price(o.price) * scale.size(o.remaining) * (ONE + rate)
            if o.flags & FLAG_BY_FUNDS:
                assert o.funds_req is not None
                return currency, o.funds_req * (ONE + o.taker_rate)
            return currency, self._available(o.user, currency)
        currency = spec.base_currency
        if o.flags & FLAG_BY_FUNDS:
            return currency, self._available(o.user, currency)
        return currency, scale.size(o.remaining)

    @staticmethod
    def _available(user: _User, currency: str) -> Decimal:
        wallet = user.account.wallets.get(("trade", currency))
        return ZERO if wallet is None else wallet.total - wallet.hold

    def _take_hold(self, o: VenueOrder) -> None:
        """Hold what ``o`` needs (raises ``InsufficientFunds``) and size its buying power."""
        currency, amount = self._hold_for(o)
        if amount <= 0:
            raise self._error(InsufficientFunds, "Balance insufficient!", "200004")
        account = o.user.account
        ctx = (o.mkt.spec.symbol, str(o.id), "") if account.keep_ledger else None
        self.accounts.hold(account, currency, amount, self._now, ctx)
        o.hold_currency = currency
        o.hold_left = amount
        flags = o.flags
        if flags & FLAG_MARKET:
            scale = o.mkt.scale
            if o.is_buy:
                if flags & FLAG_BY_FUNDS:
                    assert o.funds_req is not None
                    o.funds_limit = scale.units(o.funds_req)
                else:  # buying power: what the hold pays for, fee included
                    o.funds_limit = scale.units(amount / (ONE + o.taker_rate))
            elif flags & FLAG_BY_FUNDS:
                assert o.funds_req is not None
                o.funds_limit = scale.units(o.funds_req)
                lots = int(amount / scale.lot)
                o.size = o.remaining = lots

    def _submit(self, o: VenueOrder) -> None:
        """Check caps and client id, hold, register, and hand to the engine."""
        self._check_limits(o)
        user = o.user
        is_stop = bool(o.stop)
        if not is_stop:
            self._take_hold(o)
        oid = o.id
        assert isinstance(oid, str)
        self._orders[oid] = o
        user.active[oid] = o
        symbol = o.mkt.spec.symbol
        user.counts[symbol] = user.counts.get(symbol, 0) + 1
        coid = o.client_oid
        if coid is not None:
            user.active_coids[coid] = o
            user.by_coid[coid] = o
        mkt = o.mkt
        if mkt.external and not is_stop:
            self._on_accepted(Accepted(o, self._now))
            self._park(o)
            return
        mkt.book.submit(o, self._now)
        if o.status == REJECTED and not is_stop:
            self._raise_rejection(o)

    def _raise_rejection(self, o: VenueOrder) -> None:
        reason = o.reason
        if reason == "post_only":
            raise self._error(PostOnlyWouldTake, "Post only order would take liquidity, canceled", "400100")
        if reason == "price_band":
            mkt = o.mkt
            book = mkt.book
            rate = mkt.spec.price_limit_rate
            if o.is_buy:
                bid_ref = book.best_ask if book.best()[1] is not None else book.last_price
                limit = mkt.scale.price(bid_ref) * (ONE + rate)
                message = f"order price should be less than {limit.normalize():f}"
            else:
                ask_ref = book.best_bid if book.best()[0] is not None else book.last_price
                limit = mkt.scale.price(ask_ref) * (ONE - rate)
                message = f"order price should be more than {limit.normalize():f}"
            raise self._error(PriceOutOfBand, message, "400760")
        raise self._error(BadRequest, f"order rejected: {reason}", "400100")

    def _admit(self, o: Any) -> str | None:
        """A stop order triggered: hold for it now, or reject it."""
        assert isinstance(o, VenueOrder)
        try:
            self._take_hold(o)
        except InsufficientFunds:
            return "insufficient_funds"
        return None

    # ================================================================== cancel, amend

    def _find(
        self, user: _User, symbol: str | None, order_id: str | None, client_oid: str | None
    ) -> VenueOrder:
        if (order_id is None) == (client_oid is None):
            raise self._error(BadRequest, "pass exactly one of orderId or clientOid", "400100")
        if order_id is not None:
            order = self._orders.get(order_id)
            if order is None or order.user is not user:
                order = None
        else:
            assert client_oid is not None
            order = user.by_coid.get(client_oid)
        if order is None or (symbol is not None and order.mkt.spec.symbol != symbol):
            raise self._error(OrderNotFound, "order not exist.", "400100")
        return order

    def _find_active(
        self, user: _User, symbol: str | None, order_id: str | None, client_oid: str | None
    ) -> VenueOrder:
        try:
            order = self._find(user, symbol, order_id, client_oid)
        except OrderNotFound:
            order = None
        if order is None or order.status >= FILLED:
            raise self._error(OrderNotFound, "order_not_exist_or_not_allow_to_cancel", "400100")
        return order

    def cancel_order(
        self,
        uid: str,
        symbol: str | None = None,
        *,
        order_id: str | None = None,
        client_oid: str | None = None,
    ) -> OrderInfo:
        """Cancel an open order (or a waiting stop order) and return its final state.
        ``OrderNotFound`` (400100) if it is unknown, already done, or not this user's."""
        user = self._user(uid)
        now = self.sync()
        order = self._find_active(user, symbol, order_id, client_oid)
        self._cancel(order, now)
        return order_info(order)

    def cancel_partial(
        self, uid: str, symbol: str, order_id: str, cancel_size: Decimal | str | int
    ) -> OrderInfo:
        """Cancel ``cancel_size`` of an open order, keeping its place in the queue (all of
        what remains, or more, cancels the order)."""
        user = self._user(uid)
        now = self.sync()
        order = self._find_active(user, symbol, order_id, None)
        size = self._amount("cancelSize", cancel_size)
        lots = self._lots(order.mkt, size, "cancelSize", check_limits=False)
        if order.status == PENDING:
            raise self._error(BadRequest, "partial cancel does not apply to stop orders", "400100")
        self._reduce(order, lots, now)
        return order_info(order)

    def cancel_all(
        self, uid: str, symbol: str | None = None, *, include_stops: bool = True
    ) -> CancelAllResult:
        """Cancel every open order of the user (on one symbol, or all); waiting stop
        orders too unless ``include_stops`` is false (KuCoin's HF cancel-all leaves them)."""
        user = self._user(uid)
        now = self.sync()
        if symbol is not None:
            self._market(symbol)
        cancelled: list[str] = []
        touched: list[str] = []
        for order in list(user.active.values()):
            sym = order.mkt.spec.symbol
            if symbol is not None and sym != symbol:
                continue
            if order.status == PENDING and not include_stops:
                continue
            if order.status < FILLED:
                self._cancel(order, now)
                cancelled.append(str(order.id))
                if sym not in touched:
                    touched.append(sym)
        succeeded = (symbol,) if symbol is not None else tuple(touched)
        return CancelAllResult(succeeded=succeeded, cancelled_ids=tuple(cancelled))

    def alter_order(
        self,
        uid: str,
        symbol: str,
        *,
        order_id: str | None = None,
        client_oid: str | None = None,
        new_price: Decimal | str | int | None = None,
        new_size: Decimal | str | int | None = None,
    ) -> OrderInfo:
        """KuCoin's modify (``/api/v1/hf/orders/alter``): cancel the order and place a new
        one with the new price and/or size, keeping the other fields and the clientOid.
        ``new_size`` is the new total: the replacement's size is ``new_size`` minus what
        already filled; at or below that, the order simply ends. Returns the replacement
        (its ``id`` is KuCoin's ``newOrderId``), or the ended order."""
        user = self._user(uid)
        now = self.sync()
        old = self._find_active(user, symbol, order_id, client_oid)
        if old.otype is not OrderType.LIMIT or old.status == 0:
            raise self._error(BadRequest, "only open limit orders can be modified", "400100")
        if new_price is None and new_size is None:
            raise self._error(BadRequest, "newPrice or newSize is required", "400100")
        scale = old.mkt.scale
        price = self._amount("newPrice", new_price) if new_price is not None else scale.price(old.price)
        total = self._amount("newSize", new_size) if new_size is not None else scale.size(old.size)
        filled = scale.size(old.filled)
        params = OrderParams(
            symbol=symbol,
            side=Side.BUY if old.is_buy else Side.SELL,
            type=OrderType.LIMIT,
            client_oid=old.client_oid,
            price=price,
            size=total - filled if total > filled else total,
            time_in_force=old.tif,
            cancel_after=old.cancel_after,
            post_only=bool(old.flags & FLAG_POST_ONLY),
            hidden=bool(old.flags & FLAG_HIDDEN),
            iceberg=bool(old.flags & FLAG_ICEBERG),
            visible_size=scale.size(old.visible) if old.flags & FLAG_ICEBERG else None,
            stp=old.stp_req,
            remark=old.remark,
            tags=old.tags,
        )
        if total <= filled:
            self._cancel(old, now, "amended")
            return order_info(old)
        replacement = self._build(user, params, now)  # validate before cancelling
        self._cancel(old, now, "amended")
        self._submit(replacement)
        return order_info(replacement)

    def amend_order(
        self,
        uid: str,
        symbol: str,
        order_id: str,
        *,
        new_price: Decimal | str | int | None = None,
        new_size: Decimal | str | int | None = None,
    ) -> OrderInfo:
        """Amend an open limit order in place (same id): a smaller size keeps its queue
        priority; a larger size or a new price loses it (and may trade at once). Holds are
        adjusted first, so a costlier amend the balance cannot cover raises
        ``InsufficientFunds`` and leaves the order untouched."""
        user = self._user(uid)
        now = self.sync()
        order = self._find_active(user, symbol, order_id, None)
        if order.otype is not OrderType.LIMIT or order.status == PENDING:
            raise self._error(BadRequest, "only open limit orders can be amended", "400100")
        mkt = order.mkt
        price_ticks = None
        size_lots = None
        if new_price is not None:
            price_ticks = self._ticks(mkt, self._amount("newPrice", new_price), "newPrice")
        if new_size is not None:
            size_lots = self._lots(mkt, self._amount("newSize", new_size), "newSize")
        remaining = order.remaining if size_lots is None else size_lots - order.filled
        if remaining > 0:
            price = mkt.scale.price(order.price if price_ticks is None else price_ticks)
            if price * mkt.scale.size(remaining + order.filled) < mkt.spec.min_funds:
                raise self._error(
                    BelowMinimumFunds,
                    f"The order funds should more then {mkt.spec.min_funds} {mkt.spec.quote_currency}.",
                    "400100",
                )
            if order.is_buy:
                rate = max(order.maker_rate, order.taker_rate)
                need = price * mkt.scale.size(remaining) * (ONE + rate)
            else:
                need = mkt.scale.size(remaining)
            extra = need - order.hold_left
            if extra > 0:
                account = user.account
                ctx = (mkt.spec.symbol, str(order.id), "") if account.keep_ledger else None
                self.accounts.hold(account, order.hold_currency, extra, now, ctx)
                order.hold_left += extra
        self._amend(order, now, price_ticks, size_lots)
        if order.status < FILLED:
            self._trim_hold(order)
        return order_info(order)

    def _cancel(self, o: VenueOrder, now: int, reason: str = "canceled") -> None:
        mkt = o.mkt
        if str(o.id) in mkt.parked:
            self._end_parked(o, now, CANCELED, reason)
        else:
            mkt.book.cancel(o.id, now, reason)

    def _reduce(self, o: VenueOrder, lots: int, now: int) -> None:
        mkt = o.mkt
        if str(o.id) not in mkt.parked:
            mkt.book.reduce(o.id, lots, now)
            return
        if lots >= o.remaining:
            self._end_parked(o, now, CANCELED, "partial_cancel")
            return
        o.remaining -= lots
        if o.flags & FLAG_ICEBERG:
            o.shown = min(o.shown, o.remaining)
        self._on_amended(Amended(o, now, lots, o.price, "partial_cancel"))

    def _amend(self, o: VenueOrder, now: int, price: int | None, size: int | None) -> None:
        mkt = o.mkt
        oid = str(o.id)
        if oid not in mkt.parked:
            mkt.book.amend(o.id, now, price=price, size=size)
            return
        new_price = o.price if price is None else price
        new_remaining = o.remaining if size is None else size - o.filled
        if new_remaining <= 0:
            self._end_parked(o, now, CANCELED, "amended")
            return
        loses_priority = new_price != o.price or new_remaining > o.remaining
        cut = max(o.remaining - new_remaining, 0)
        old_price = o.price
        o.price = new_price
        o.remaining = new_remaining
        if size is not None:
            o.size = size
        if o.flags & FLAG_ICEBERG:
            o.shown = min(o.visible, o.remaining)
        if loses_priority:
            del mkt.parked[oid]
            mkt.parked[oid] = o
        self._on_amended(Amended(o, now, cut, old_price, "amended"))

    # ================================================================== queries

    def get_order(
        self,
        uid: str,
        symbol: str | None = None,
        *,
        order_id: str | None = None,
        client_oid: str | None = None,
    ) -> OrderInfo:
        """One order by id, or the latest with that clientOid; ``OrderNotFound`` if none."""
        user = self._user(uid)
        self.sync()
        return order_info(self._find(user, symbol, order_id, client_oid))

    def active_orders(self, uid: str, symbol: str | None = None, *, stops: bool = False) -> list[OrderInfo]:
        """Open orders, newest first (waiting stop orders only with ``stops``)."""
        user = self._user(uid)
        self.sync()
        return [
            order_info(o)
            for o in reversed(list(user.active.values()))
            if (symbol is None or o.mkt.spec.symbol == symbol) and (stops or o.status != PENDING)
        ]

    def active_symbols(self, uid: str) -> list[str]:
        """Symbols where the user has open (non-stop) orders."""
        user = self._user(uid)
        self.sync()
        seen: dict[str, None] = {}
        for o in user.active.values():
            if o.status != PENDING:
                seen.setdefault(o.mkt.spec.symbol, None)
        return list(seen)

    def done_orders(
        self,
        uid: str,
        symbol: str,
        *,
        side: Side | str | None = None,
        type: OrderType | str | None = None,
        start: int | None = None,
        end: int | None = None,
        last_id: int | None = None,
        limit: int = 20,
    ) -> Page[OrderInfo]:
        """Done orders of ``symbol``, most recently done first. ``last_id`` (the previous
        page's) continues with older ones; ``start``/``end`` bound the done time."""
        user = self._user(uid)
        self.sync()
        self._market(symbol)
        items: list[OrderInfo] = []
        side_v = None if side is None else Side(side)
        type_v = None if type is None else OrderType(type)
        for o in reversed(user.done.get(symbol, ())):
            assert o.done_id is not None
            if last_id is not None and o.done_id >= last_id:
                continue
            if start is not None and o.updated_at < start:
                break
            if end is not None and o.updated_at > end:
                continue
            if side_v is not None and o.is_buy != (side_v is Side.BUY):
                continue
            if type_v is not None and o.otype is not type_v:
                continue
            items.append(order_info(o))
            if len(items) >= limit:
                break
        return Page(items=tuple(items), last_id=items[-1].done_id if items else None)

    def fills(
        self,
        uid: str,
        symbol: str | None = None,
        *,
        order_id: str | None = None,
        side: Side | str | None = None,
        type: OrderType | str | None = None,
        start: int | None = None,
        end: int | None = None,
        last_id: int | None = None,
        limit: int = 20,
    ) -> Page[FillInfo]:
        """The user's fills, newest first, with the same cursor rules as done orders."""
        user = self._user(uid)
        self.sync()
        if symbol is not None:
            self._market(symbol)
        side_v = None if side is None else Side(side)
        type_v = None if type is None else OrderType(type)
        items: list[FillInfo] = []
        for f in reversed(user.fills):
            o = f.order
            if last_id is not None and f.id >= last_id:
                continue
            if start is not None and f.time < start:
                break
            if end is not None and f.time > end:
                continue
            if symbol is not None and o.mkt.spec.symbol != symbol:
                continue
            if order_id is not None and o.id != order_id:
                continue
            if side_v is not None and o.is_buy != (side_v is Side.BUY):
                continue
            if type_v is not None and o.otype is not type_v:
                continue
            items.append(fill_info(f))
            if len(items) >= limit:
                break
        return Page(items=tuple(items), last_id=items[-1].id if items else None)

    # ================================================================== stop orders

    def stop_orders(
        self,
        uid: str,
        *,
        symbol: str | None = None,
        side: Side | str | None = None,
        type: OrderType | str | None = None,
        start: int | None = None,
        end: int | None = None,
        order_ids: Iterable[str] | None = None,
    ) -> list[OrderInfo]:
        """Waiting (untriggered) stop orders, newest first."""
        user = self._user(uid)
        self.sync()
        wanted = set(order_ids) if order_ids is not None else None
        side_v = None if side is None else Side(side)
        type_v = None if type is None else OrderType(type)
        out = []
        for o in reversed(list(user.active.values())):
            if o.status != PENDING:
                continue
            if symbol is not None and o.mkt.spec.symbol != symbol:
                continue
            if wanted is not None and o.id not in wanted:
                continue
            if side_v is not None and o.is_buy != (side_v is Side.BUY):
                continue
            if type_v is not None and o.otype is not type_v:
                continue
            if (start is not None and o.created_at < start) or (end is not None and o.created_at > end):
                continue
            out.append(order_info(o))
        return out

    def get_stop_order(
        self, uid: str, *, order_id: str | None = None, client_oid: str | None = None
    ) -> OrderInfo:
        """A stop order (waiting, triggered or done) by id or clientOid."""
        user = self._user(uid)
        self.sync()
        if order_id is not None:
            order = self._orders.get(order_id)
            if order is None or order.user is not user or not order.stop:
                raise self._error(OrderNotFound, "stop order not exist.", "400100")
            return order_info(order)
        found = self._find(user, None, None, client_oid)
        if not found.stop:
            raise self._error(OrderNotFound, "stop order not exist.", "400100")
        return order_info(found)

    def cancel_stop_order(
        self,
        uid: str,
        *,
        order_id: str | None = None,
        client_oid: str | None = None,
        symbol: str | None = None,
    ) -> OrderInfo:
        """Cancel a waiting stop order; ``OrderNotFound`` once triggered or done."""
        user = self._user(uid)
        now = self.sync()
        order = self._find_active(user, symbol, order_id, client_oid)
        if order.status != PENDING:
            raise self._error(OrderNotFound, "stop order not exist or already triggered", "400100")
        self._cancel(order, now)
        return order_info(order)

    def cancel_stop_orders(
        self, uid: str, *, symbol: str | None = None, order_ids: Iterable[str] | None = None
    ) -> list[str]:
        """Cancel waiting stop orders (all, one symbol's, or those listed); their ids."""
        wanted = set(order_ids) if order_ids is not None else None
        now = self.sync()
        user = self._user(uid)
        done = []
        for o in list(user.active.values()):
            if o.status != PENDING:
                continue
            if symbol is not None and o.mkt.spec.symbol != symbol:
                continue
            if wanted is not None and o.id not in wanted:
                continue
            self._cancel(o, now)
            done.append(str(o.id))
        return done

    # ================================================================== dead-man switch

    def set_dcp(self, uid: str, timeout: int, symbols: Iterable[str] | None = None) -> DcpInfo | None:
        """KuCoin's dead-cancel-all: cancel the user's orders (on ``symbols``, else all)
        unless called again within ``timeout`` seconds (5..86400); -1 turns it off."""
        user = self._user(uid)
        now = self.sync()
        if timeout == -1:
            user.dcp = None
            self._dcp_users.discard(uid)
            return None
        if not isinstance(timeout, int) or isinstance(timeout, bool) or not 5 <= timeout <= 86400:
            raise self._error(BadRequest, "timeout must be -1 or between 5 and 86400 seconds", "400100")
        chosen = tuple(symbols or ())
        if len(chosen) > 50:
            raise self._error(BadRequest, "at most 50 symbols", "400100")
        for sym in chosen:
            self._market(sym)
        user.dcp = (timeout, chosen, now + timeout * 1000)
        self._dcp_users.add(uid)
        return self._dcp_info(user, now)

    def get_dcp(self, uid: str) -> DcpInfo | None:
        user = self._user(uid)
        now = self.sync()
        return self._dcp_info(user, now) if user.dcp is not None else None

    @staticmethod
    def _dcp_info(user: _User, now: int) -> DcpInfo:
        assert user.dcp is not None
        timeout, symbols, trigger = user.dcp
        return DcpInfo(
            timeout=timeout, symbols=symbols, current_time=now // 1000, trigger_time=trigger // 1000
        )

    def _fire_dcp(self, now: int) -> None:
        for uid in sorted(self._dcp_users):
            user = self._users[uid]
            if user.dcp is None or user.dcp[2] > now:
                continue
            _, symbols, _ = user.dcp
            user.dcp = None
            self._dcp_users.discard(uid)
            for o in list(user.active.values()):
                if (
                    o.status < FILLED
                    and o.status != PENDING
                    and (not symbols or o.mkt.spec.symbol in symbols)
                ):
                    self._cancel(o, now, "dcp")

    # ================================================================== external matching (replay)

    def set_external(self, symbol: str, external: bool = True) -> None:
        """Switch ``symbol`` to external matching: orders are validated and their holds
        taken as usual, then parked (never matched by the engine, market and crossing
        orders included) until :meth:`external_fill` / :meth:`external_end` settle them.
        A replay decides the fills; :meth:`record_trade` / :meth:`record_candle` feed the
        public data. Only allowed while the symbol has no resting or parked orders."""
        mkt = self._market(symbol)
        self.sync()
        if mkt.book.resting_count or mkt.parked:
            raise self._error(BadRequest, f"{symbol} has live orders; cancel them first", "400100")
        mkt.external = external
        mkt.book.divert = self._park if external else None

    def is_external(self, symbol: str) -> bool:
        return self._market(symbol).external

    def parked_orders(self, symbol: str) -> list[OrderInfo]:
        """External mode: live orders of ``symbol`` in time priority (oldest first); their
        ``created_at`` (or ``stop_trigger_time`` for triggered stops) is when they arrived."""
        mkt = self._market(symbol)
        self.sync()
        return [order_info(o) for o in mkt.parked.values()]

    def _park(self, o: Any) -> None:
        assert isinstance(o, VenueOrder)
        mkt = o.mkt
        now = self._now
        oid = str(o.id)
        mkt.parked[oid] = o
        if o.flags & FLAG_MARKET:
            o.status = NEW
            return
        o.status = OPEN if not o.filled else PARTIAL
        if o.flags & FLAG_ICEBERG:
            o.shown = min(o.visible, o.remaining)
        if o.flags & FLAG_GTT and o.expire_at:
            heappush(mkt.parked_gtt, (o.expire_at, oid))
        self._on_opened(Opened(o, now))

    def _expire_parked(self, mkt: _Market, now: int) -> None:
        heap = mkt.parked_gtt
        while heap and heap[0][0] <= now:
            at, oid = heappop(heap)
            o = mkt.parked.get(oid)
            if o is not None and o.expire_at == at:
                self._end_parked(o, now, EXPIRED, "expired")

    def _end_parked(self, o: VenueOrder, now: int, status: int, reason: str | None) -> None:
        del o.mkt.parked[str(o.id)]
        o.status = status
        o.reason = reason
        if status == FILLED:
            self._on_done(Filled(o, now))
        else:
            o.remaining = 0
            o.shown = 0
            self._on_done(Canceled(o, now, reason or "canceled"))

    def external_fill(
        self,
        order_id: str,
        price: Decimal | str | int,
        size: Decimal | str | int,
        liquidity: Liquidity | str,
        *,
        time: int | None = None,
    ) -> FillInfo | None:
        """Book a fill of a parked order decided outside the engine, exactly as an engine
        fill: balances, the maker or taker fee, ledger, order state, fill record, events.
        The counterparty is the replay's market (a system user funded as needed). An order
        that becomes completely filled ends. Returns the fill (``None`` for users that keep
        no history)."""
        self.sync()
        o = self._orders.get(order_id)
        if o is None or str(o.id) not in o.mkt.parked:
            raise self._error(OrderNotFound, "order not exist.", "400100")
        mkt = o.mkt
        now = self._now if time is None else time
        liq = Liquidity(liquidity)
        p = self._amount("price", price)
        q = self._amount("size", size)
        ticks = self._ticks(mkt, p, "price")
        lots = self._lots(mkt, q, check_limits=False)
        if lots > o.remaining:
            raise self._error(BadRequest, f"fill of {q} exceeds the order's remaining size", "400100")
        if not o.flags & FLAG_MARKET and (ticks > o.price if o.is_buy else ticks < o.price):
            raise self._error(BadRequest, f"fill price {p} is beyond the order's limit", "400100")
        units = ticks * lots
        if o.funds_limit and o.filled_funds + units > o.funds_limit:
            raise self._error(BadRequest, "fill exceeds the order's funds", "400100")
        is_maker = liq is Liquidity.MAKER
        rate = o.maker_rate if is_maker else o.taker_rate
        scale = mkt.scale
        price_d, size_d, funds = scale.price(ticks), scale.size(lots), scale.funds(units)
        fee = funds * rate
        if o.is_buy and funds + fee > o.hold_left:
            raise self._error(InsufficientFunds, "fill costs more than the order holds", "200004")
        o.remaining -= lots
        o.filled += lots
        o.filled_funds += units
        if o.flags & FLAG_ICEBERG:
            o.shown = min(o.visible, o.remaining)
        if o.status < PARTIAL:
            o.status = PARTIAL
        counter = self._market_counterparty(mkt, o.is_buy, size_d, funds)
        trade_id = next(self.ids.trade_ids)
        fills_before = len(o.user.fills)
        self._settle(o, price_d, size_d, funds, fee, rate, is_maker, False, trade_id, counter, now)
        if fee:
            self.accounts.collect_fee(mkt.spec.quote_currency, fee, now, (mkt.spec.symbol, "", str(trade_id)))
        if o.remaining == 0:
            self._end_parked(o, now, FILLED, None)
        fill = o.user.fills[-1] if len(o.user.fills) > fills_before else None
        return fill_info(fill) if fill is not None else None

    def external_end(
        self, order_id: str, reason: str = "canceled", *, filled: bool = False, time: int | None = None
    ) -> OrderInfo:
        """End a parked order's remainder (IOC/FOK/market leftovers, or a market-by-funds
        order whose funds are spent: ``filled=True`` ends it as filled), releasing holds."""
        self.sync()
        o = self._orders.get(order_id)
        if o is None or str(o.id) not in o.mkt.parked:
            raise self._error(OrderNotFound, "order not exist.", "400100")
        now = self._now if time is None else time
        self._end_parked(
            o, now, FILLED if filled or o.remaining == 0 else CANCELED, None if filled else reason
        )
        return order_info(o)

    def _market_counterparty(
        self, mkt: _Market, user_buys: bool, size: Decimal, funds: Decimal
    ) -> VenueOrder:
        """The replay's side of an external fill: a system user that delivers what the
        user buys (deposited as needed, so every currency stays accounted for)."""
        user = self._users.get(_REPLAY_USER)
        if user is None:
            user = self._new_user(_REPLAY_USER, keep_history=False, keep_ledger=False)
        spec = mkt.spec
        account = user.account
        now = self._now
        if user_buys:
            give, get = spec.base_currency, spec.quote_currency
            amount, proceeds = size, funds
        else:
            give, get = spec.quote_currency, spec.base_currency
            amount, proceeds = funds, size
        wallet = self.accounts.wallet(account, give)
        if wallet.total - wallet.hold < amount:
            self.accounts.deposit(account, give, amount - (wallet.total - wallet.hold), now)
        self.accounts.hold(account, give, amount, now)
        self.accounts.spend_held(account, give, amount, ZERO, now, None)
        self.accounts.receive(account, get, proceeds, ZERO, now, None)
        return VenueOrder("", user, mkt, not user_buys, 0, 0, FLAG_MARKET, now)

    def record_trade(
        self,
        symbol: str,
        price: Decimal | str | int,
        size: Decimal | str | int,
        taker_side: Side | str,
        *,
        time: int | None = None,
    ) -> None:
        """Print a trade that happened elsewhere (replayed data): public trades, candles,
        24 h stats and the last price (which triggers stop orders). Sizes below one lot
        are rounded down to the lot; nothing is matched."""
        mkt = self._market(symbol)
        self.sync()
        now = self._now if time is None else time
        ticks = self._ticks(mkt, self._amount("price", price), "price")
        lots = int(self._amount("size", size) / mkt.scale.lot)
        trade_id = next(self.ids.trade_ids)
        self._record_print(mkt, trade_id, ticks, lots, ticks * lots, Side(taker_side) is Side.BUY, now)
        book = mkt.book
        book.last_size = lots
        book.last_taker_buy = Side(taker_side) is Side.BUY
        book.set_last_price(ticks, now)

    def record_candle(
        self,
        symbol: str,
        start: int,
        open: Decimal | str | int,
        high: Decimal | str | int,
        low: Decimal | str | int,
        close: Decimal | str | int,
        volume: Decimal | str | int,
        turnover: Decimal | str | int | None = None,
    ) -> None:
        """Add a replayed bar (any interval; bars must come in time order) to the candle
        store, and move the last price to its close (stop orders see the close only)."""
        mkt = self._market(symbol)
        self.sync()
        scale = mkt.scale
        o, h, lo, c = (
            self._ticks(mkt, self._amount(n, v), n)
            for n, v in (("open", open), ("high", high), ("low", low), ("close", close))
        )
        vol = Decimal(volume)
        lots = int(vol / scale.lot)
        units = lots * (o + h + lo + c) // 4 if turnover is None else scale.units(Decimal(turnover))
        mkt.candles.add_bar(start, o, h, lo, c, lots, units)
        book = mkt.book
        book.last_size = 0
        book.set_last_price(c, max(start, self._now))

    # ================================================================== engine events

    def _on_event(self, event: Event) -> None:
        self._handlers[type(event)](event)

    def _emit_order(self, o: VenueOrder, change: str, time: int) -> None:
        if o.user.keep_history:
            info = order_info(o)
            ev = VenueEvent(kind="order", change=change, time=time, uid=o.uid, order=info)
            for callback in list(self._subscribers):
                callback(ev)

    def _on_accepted(self, ev: Accepted) -> None:
        if self._subscribers:
            o = ev.order
            assert isinstance(o, VenueOrder)
            self._emit_order(o, "received", ev.time)

    def _on_opened(self, ev: Opened) -> None:
        o = ev.order
        assert isinstance(o, VenueOrder)
        o.updated_at = ev.time
        if self._subscribers:
            self._emit_order(o, "open", ev.time)

    def _on_triggered(self, ev: Triggered) -> None:
        o = ev.order
        assert isinstance(o, VenueOrder)
        o.trigger_time = ev.time
        o.updated_at = ev.time
        if self._subscribers:
            self._emit_order(o, "triggered", ev.time)

    def _on_amended(self, ev: Amended) -> None:
        o = ev.order
        assert isinstance(o, VenueOrder)
        o.updated_at = ev.time
        if o.status < FILLED and o.hold_left:
            self._trim_hold(o)
        if self._subscribers:
            self._emit_order(o, "update", ev.time)

    def _trim_hold(self, o: VenueOrder) -> None:
        """Release what ``o`` holds beyond what its remaining size could still cost."""
        if o.flags & FLAG_MARKET:
            return
        scale = o.mkt.scale
        if o.is_buy:
            rate = o.maker_rate if o.maker_rate > o.taker_rate else o.taker_rate
            need = scale.price(o.price) * scale.size(o.remaining) * (ONE + rate)
        else:
            need = scale.size(o.remaining)
        excess = o.hold_left - need
        if excess > 0:
            account = o.user.account
            ctx = (o.mkt.spec.symbol, str(o.id), "") if account.keep_ledger else None
            self.accounts.release(account, o.hold_currency, excess, self._now, ctx)
            o.hold_left = need

    def _on_done(self, ev: Filled | Canceled | Rejected) -> None:
        o = ev.order
        assert isinstance(o, VenueOrder)
        now = ev.time
        o.updated_at = now
        user = o.user
        if o.hold_left:
            account = user.account
            ctx = (o.mkt.spec.symbol, str(o.id), "") if account.keep_ledger else None
            self.accounts.release(account, o.hold_currency, o.hold_left, now, ctx)
            o.hold_left = ZERO
        oid = o.id
        assert isinstance(oid, str)
        if user.active.pop(oid, None) is not None:
            symbol = o.mkt.spec.symbol
            user.counts[symbol] -= 1
            coid = o.client_oid
            if coid is not None and user.active_coids.get(coid) is o:
                del user.active_coids[coid]
        if o.status == REJECTED and not o.stop:
            # refused on entry: the caller gets an error and the order leaves no trace
            self._orders.pop(oid, None)
            coid = o.client_oid
            if coid is not None and user.by_coid.get(coid) is o:
                del user.by_coid[coid]
            return
        if user.keep_history:
            o.done_id = self.ids.done_id()
            done = user.done.setdefault(o.mkt.spec.symbol, [])
            done.append(o)
            if len(done) > self.max_done_per_symbol:
                old = done.pop(0)
                if self._orders.get(str(old.id)) is old:
                    del self._orders[str(old.id)]
            if self._subscribers:
                change = (
                    "filled" if o.status == FILLED else ("rejected" if o.status == REJECTED else "canceled")
                )
                self._emit_order(o, change, now)
        else:
            self._orders.pop(oid, None)
            coid = o.client_oid
            if coid is not None and user.by_coid.get(coid) is o:
                del user.by_coid[coid]

    def _on_matched(self, ev: Matched) -> None:
        taker = ev.order
        maker = ev.maker
        assert isinstance(taker, VenueOrder) and isinstance(maker, VenueOrder)
        mkt = taker.mkt
        scale = mkt.scale
        now = ev.time
        price = scale.price(ev.price)
        size = scale.size(ev.size)
        funds = scale.funds(ev.funds)
        t_rate = taker.maker_rate if ev.taker_is_maker else taker.taker_rate
        m_rate = maker.taker_rate if ev.maker_pays_taker else maker.maker_rate
        t_fee = funds * t_rate
        m_fee = funds * m_rate
        trade_id = ev.trade_id
        self._settle(taker, price, size, funds, t_fee, t_rate, ev.taker_is_maker, False, trade_id, maker, now)
        self._settle(
            maker,
            price,
            size,
            funds,
            m_fee,
            m_rate,
            not ev.taker_is_maker,
            ev.maker_pays_taker,
            trade_id,
            taker,
            now,
        )
        fees = t_fee + m_fee
        if fees:
            ctx = (mkt.spec.symbol, "", str(trade_id))
            self.accounts.collect_fee(mkt.spec.quote_currency, fees, now, ctx)
        public_buy = taker.is_buy if not ev.taker_is_maker else maker.is_buy
        self._record_print(mkt, trade_id, ev.price, ev.size, ev.funds, public_buy, now)

    def _record_print(
        self, mkt: _Market, trade_id: int, price: int, lots: int, units: int, taker_buy: bool, now: int
    ) -> None:
        row = (trade_id, price, lots, taker_buy, now)
        mkt.trades.append(row)
        mkt.candles.add(now, price, lots, units)
        if self._subscribers:
            ev = VenueEvent(kind="trade", change="match", time=now, trade=self._public_trade(mkt, row))
            for callback in list(self._subscribers):
                callback(ev)

    def _settle(
        self,
        o: VenueOrder,
        price: Decimal,
        size: Decimal,
        funds: Decimal,
        fee: Decimal,
        rate: Decimal,
        is_maker: bool,
        force_taker: bool,
        trade_id: int,
        counter: VenueOrder,
        now: int,
    ) -> None:
        user = o.user
        account = user.account
        spec = o.mkt.spec
        accounts = self.accounts
        ctx = (spec.symbol, str(o.id), str(trade_id)) if account.keep_ledger else None
        if o.is_buy:
            cost = funds + fee
            accounts.spend_held(account, spec.quote_currency, cost, fee, now, ctx)
            o.hold_left -= cost
            accounts.receive(account, spec.base_currency, size, ZERO, now, ctx)
        else:
            accounts.spend_held(account, spec.base_currency, size, ZERO, now, ctx)
            o.hold_left -= size
            accounts.receive(account, spec.quote_currency, funds - fee, fee, now, ctx)
        o.fee += fee
        o.updated_at = now
        if user.keep_history:
            record = FillRecord(
                self.ids.fill_id(),
                o,
                str(counter.id),
                trade_id,
                price,
                size,
                funds,
                fee,
                rate,
                is_maker,
                force_taker,
                now,
            )
            user.fills.append(record)
            if self._subscribers:
                ev = VenueEvent(kind="fill", change="match", time=now, uid=o.uid, fill=fill_info(record))
                for callback in list(self._subscribers):
                    callback(ev)
                self._emit_order(o, "match", now)

    # ================================================================== invariants

    def audit(self) -> list[str]:
        """Check the venue's books and balances; returns the problems found (none: ``[]``).

        Every currency equals its net deposits over all accounts (fee collector included);
        each wallet's hold equals what its open orders hold and covers what they still
        need; ledgers (where kept) sum to the balances; no book is crossed at rest; no
        order has filled more than its size.
        """
        problems: list[str] = []
        deposited = self.accounts.deposited
        currencies = {cur for a in self.accounts for (_, cur) in a.wallets} | set(deposited)
        for cur in sorted(currencies):
            total = self.accounts.total(cur)
            if total != deposited.get(cur, ZERO):
                problems.append(f"{cur}: accounts hold {total}, deposits net {deposited.get(cur, ZERO)}")
        for user in self._users.values():
            account = user.account
            held: dict[str, Decimal] = {}
            for o in user.active.values():
                if o.hold_left < 0:
                    problems.append(f"order {o.id} holds {o.hold_left}")
                if o.hold_left:
                    held[o.hold_currency] = held.get(o.hold_currency, ZERO) + o.hold_left
                if o.status != PENDING and not o.flags & FLAG_MARKET:
                    currency, need = self._hold_for(o)
                    if o.hold_left < need:
                        problems.append(f"order {o.id} holds {o.hold_left} {currency} < needed {need}")
                if o.size != UNLIMITED and o.filled > o.size:
                    problems.append(f"order {o.id} filled {o.filled} > size {o.size}")
            for (kind, cur), wallet in account.wallets.items():
                if wallet.hold < 0 or wallet.total < 0:
                    problems.append(f"{user.uid} {kind} {cur}: total {wallet.total} hold {wallet.hold}")
                expected = held.get(cur, ZERO) if kind == "trade" else ZERO
                if wallet.hold != expected:
                    problems.append(f"{user.uid} {kind} {cur}: hold {wallet.hold} != open orders' {expected}")
            if account.keep_ledger:
                sums: dict[int, tuple[Decimal, Decimal]] = {}
                for entry in account.entries:
                    t, h = sums.get(id(entry.wallet), (ZERO, ZERO))
                    sums[id(entry.wallet)] = (t + entry.delta, h + entry.hold_delta)
                for wallet in account.wallets.values():
                    t, h = sums.get(id(wallet), (ZERO, ZERO))
                    if (t, h) != (wallet.total, wallet.hold):
                        problems.append(
                            f"{user.uid} {wallet.currency}: ledger sums {t}/{h} "
                            f"!= {wallet.total}/{wallet.hold}"
                        )
        for symbol, mkt in self._markets.items():
            problems.extend(f"{symbol}: {problem}" for problem in mkt.book.audit())
            bid, ask = mkt.book.best()
            if bid is not None and ask is not None and bid >= ask:
                problems.append(f"{symbol}: book crossed at rest ({bid} >= {ask})")
        return problems
