"""Runtime state of one listed symbol and of one user, as the venue's layers share it."""

from __future__ import annotations

from collections import defaultdict, deque
from decimal import Decimal

from simulator.accounts import Account
from simulator.engine import Book, Scale
from simulator.market.symbols import SymbolSpec
from simulator.venue.candles import CandleStore
from simulator.venue.orders import FillRecord, VenueOrder, tidy
from simulator.venue.rules import PairRules

__all__ = ["MarketState", "UserState"]

TRADE_HISTORY = 1000  # public trades kept per symbol
_CACHE = 50_000  # tidy Decimals kept per symbol (prices and sizes each)


class MarketState:
    """One symbol: its rules, book, public prints and candles, and (external mode) the
    orders parked for a replay to fill."""

    __slots__ = (
        "book",
        "candles",
        "external",
        "parked",
        "parked_gtt",
        "prices",
        "rules",
        "scale",
        "sizes",
        "spec",
        "trades",
    )

    def __init__(self, spec: SymbolSpec, book: Book, venue: str) -> None:
        self.spec = spec
        self.rules = PairRules(spec, venue)
        self.external = False  # fills come from outside (replay), orders are parked
        self.parked: dict[str, VenueOrder] = {}  # external mode: live orders in time priority
        self.parked_gtt: list[tuple[int, str]] = []
        self.scale = Scale(spec.price_increment, spec.base_increment)
        self.book = book
        self.trades: deque[tuple[int, int, int, bool, int]] = deque(maxlen=TRADE_HISTORY)
        self.candles = CandleStore()
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


class UserState:
    """One user's orders and history (the balances live in ``account``)."""

    __slots__ = (
        "account",
        "active",
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
        self.by_coid: dict[str, VenueOrder] = {}  # latest order per clientOid (active or done)
        self.done: defaultdict[str, deque[VenueOrder]] = defaultdict(deque)  # per symbol, oldest first
        self.fills: list[FillRecord] = []
        self.dcp: tuple[int, tuple[str, ...], int] | None = None  # timeout s, symbols, trigger ms
        self.keep_history = keep_history
