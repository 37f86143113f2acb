"""Runtime state of one listed symbol and of one user, as the venue's layers share it."""

from __future__ import annotations

from collections import defaultdict, deque
from decimal import Decimal
from functools import cache
from itertools import repeat
from operator import mul, truediv

from exchanges import Candle, Trade
from simulator.engine import Book, Scale
from simulator.ledger import Account
from simulator.venue.candles import CandleStore
from simulator.venue.listing import SymbolSpec
from simulator.venue.orders import Archived, FillRecord, VenueOrder, tidy
from simulator.venue.rules import PairRules

__all__ = ["BarRows", "MarketState", "PrintRows", "UserState", "power_of_ten", "to_lots", "to_ticks"]

TRADE_HISTORY = 1000  # public trades kept per symbol
_CACHE = 50_000  # tidy Decimals kept per symbol (prices and sizes each)
UNSETTLED_MAX = 1_000_000  # replayed rows kept checked but unfiled before filing them anyway


@cache
def power_of_ten(increment: Decimal) -> Decimal | None:
    """``1 / increment`` if ``increment`` is 10^-k (k >= 0): dividing by it is then an
    exact multiplication."""
    inverse = (1 / increment).normalize()
    sign, digits, exponent = inverse.as_tuple()
    if sign or digits != (1,) or not isinstance(exponent, int) or exponent < 0:
        return None
    return inverse


def to_ticks(prices: list[Decimal], increment: Decimal) -> list[int]:
    """Whole multiples of ``increment`` (as checked beforehand) in ticks, all at once."""
    scale = power_of_ten(increment)
    if scale is None:
        return [int(q) for q, _ in map(divmod, prices, repeat(increment))]
    return list(map(int, map(mul, prices, repeat(scale))))


def to_lots(sizes: list[Decimal], lot: Decimal) -> list[int]:
    """``int(size / lot)`` of each, all at once."""
    scale = power_of_ten(lot)
    if scale is None:
        return list(map(int, map(truediv, sizes, repeat(lot))))
    return list(map(int, map(mul, sizes, repeat(scale))))


class PrintRows:
    """Replayed prints, checked, waiting to be filed into trades and candles."""

    __slots__ = ("buys", "ids", "prices", "sizes", "times")

    def __init__(
        self, times: list[int], prices: list[Decimal], sizes: list[Decimal], buys: list[bool], ids: list[int]
    ) -> None:
        self.times, self.prices, self.sizes, self.buys = times, prices, sizes, buys
        self.ids = ids  # trade ids of the last len(ids) prints (those the history keeps)


class BarRows:
    """Replayed bars, checked, waiting to be filed into candles."""

    __slots__ = ("closes", "highs", "lows", "opens", "starts", "turnovers", "volumes")

    def __init__(
        self,
        starts: list[int],
        columns: list[list[Decimal]],
        volumes: list[Decimal],
        turnovers: list[Decimal | None],
    ) -> None:
        self.starts = starts
        self.opens, self.highs, self.lows, self.closes = columns
        self.volumes, self.turnovers = volumes, turnovers


class MarketState:
    """One symbol: its rules, book, public prints and candles, and (external mode) the
    orders parked for a replay to fill."""

    __slots__ = (
        "_candles",
        "_trades",
        "book",
        "buy_fee_currency",
        "external",
        "fees_received",
        "parked",
        "parked_gtt",
        "prices",
        "rules",
        "scale",
        "sell_fee_currency",
        "sizes",
        "spec",
        "tape",
        "ticks",
        "unsettled",
        "unsettled_rows",
        "values",
    )

    def __init__(self, spec: SymbolSpec, book: Book, venue: str, *, fees_received: bool = False) -> None:
        self.spec = spec
        #: whether a trade's fee is paid in the asset received (a buy's in the base currency)
        #: rather than in the pair's fee currency (see ``Rulebook.fee_asset``)
        self.fees_received = fees_received
        self.buy_fee_currency = spec.base_currency if fees_received else spec.fee_currency
        self.sell_fee_currency = spec.quote_currency if fees_received else spec.fee_currency
        self.rules = PairRules(spec, venue)
        self.external = False  # fills come from outside (replay), orders are parked
        self.parked: dict[str, VenueOrder] = {}  # external mode: live orders in time priority
        self.parked_gtt: list[tuple[int, str]] = []
        self.scale = Scale(spec.price_increment, spec.base_increment)
        self.book = book
        self._trades: deque[tuple[int, int, int, bool, int]] = deque(maxlen=TRADE_HISTORY)
        self._candles = CandleStore()
        self.prices: dict[int, Decimal] = {}  # tidy Decimal per tick count (a bounded cache)
        self.sizes: dict[int, Decimal] = {}
        self.values: dict[int, Decimal] = {}  # tidy price x size per tick x lot count
        self.ticks: dict[Decimal, int] = {}  # replayed prices already checked, in ticks (bounded)
        # external mode: replayed prints and bars not applied yet (see External.replay_tape)
        self.tape: list[Trade | tuple[Candle, int]] | None = None
        # replayed rows applied (checked, the book moved, trade ids drawn) but not yet filed
        # into ``trades`` and ``candles``: filed when either is read, all at once
        self.unsettled: list[PrintRows | BarRows] = []
        self.unsettled_rows = 0

    @property
    def trades(self) -> deque[tuple[int, int, int, bool, int]]:
        """The latest public prints ``(trade_id, ticks, lots, taker_buy, time)``."""
        if self.unsettled:
            self.settle()
        return self._trades

    @property
    def candles(self) -> CandleStore:
        if self.unsettled:
            self.settle()
        return self._candles

    def add_print(self, row: tuple[int, int, int, bool, int], units: int) -> None:
        """File one print ``(trade_id, ticks, lots, taker_buy, time)`` of ``units`` funds."""
        if self.unsettled:
            self.settle()
        self._trades.append(row)
        self._candles.add(row[4], row[1], row[2], units)

    def defer(self, rows: PrintRows | BarRows, count: int) -> None:
        """Keep checked replayed rows to file later (when read, or when many wait)."""
        self.unsettled.append(rows)
        self.unsettled_rows += count
        if self.unsettled_rows > UNSETTLED_MAX:
            self.settle()

    def settle(self) -> None:
        """File the waiting replayed rows, in order: the same as printing them one by one."""
        batches = self.unsettled
        self.unsettled = []
        self.unsettled_rows = 0
        increment, scale = self.rules.price_increment, self.scale
        for rows in batches:
            if isinstance(rows, PrintRows):
                ticks = to_ticks(rows.prices, increment)
                lots = to_lots(rows.sizes, scale.lot)
                units = list(map(mul, ticks, lots))
                cut = len(ticks) - len(rows.ids)
                self._trades.extend(
                    zip(rows.ids, ticks[cut:], lots[cut:], rows.buys[cut:], rows.times[cut:], strict=True)
                )
                self._candles.add_many(rows.times, ticks, ticks, ticks, ticks, lots, units)
            else:
                columns = (rows.opens, rows.highs, rows.lows, rows.closes)
                o, h, lo, c = (to_ticks(column, increment) for column in columns)
                lots = to_lots(rows.volumes, scale.lot)
                units = [
                    q * (a + b + d + e) // 4 if t is None else scale.units(t)
                    for q, a, b, d, e, t in zip(lots, o, h, lo, c, rows.turnovers, strict=True)
                ]
                self._candles.add_many(rows.starts, o, h, lo, c, lots, units)

    def price(self, ticks: int) -> Decimal:
        """``ticks`` as a tidy price (``65000``, not ``65000.0``), cached."""
        value = self.prices.get(ticks)
        return _remember(self.prices, ticks, self.scale.price(ticks)) if value is None else value

    def size(self, lots: int) -> Decimal:
        value = self.sizes.get(lots)
        return _remember(self.sizes, lots, self.scale.size(lots)) if value is None else value

    def value(self, units: int) -> Decimal:
        """``units`` (ticks x lots) as a tidy quote amount, cached: a limit order's
        ``price x size``, which every placing needs for its hold and its ``funds``."""
        value = self.values.get(units)
        return _remember(self.values, units, self.scale.funds(units)) if value is None else value


def _remember(cache: dict[int, Decimal], key: int, amount: Decimal) -> Decimal:
    """``amount``, tidied, kept in ``cache`` (emptied when full: a bounded cache)."""
    if len(cache) >= _CACHE:
        cache.clear()
    value = cache[key] = tidy(amount)
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
        "hold_factors",
        "keep_history",
        "rates",
        "uid",
    )

    def __init__(self, uid: str, account: Account, keep_history: bool) -> None:
        self.uid = uid
        self.rates: dict[str, tuple[Decimal, Decimal]] = {}  # actual fee rates per symbol
        self.hold_factors: dict[str, Decimal] = {}  # 1 + the larger of them (filled with them)
        self.account = account
        self.active: dict[str, VenueOrder] = {}  # open orders and waiting stops, oldest first
        self.counts: dict[str, int] = {}  # active orders per symbol
        # the latest order with a clientOid (an object while active, else Archived)
        self.by_coid: dict[str, VenueOrder | Archived] = {}
        self.done: defaultdict[str, deque[Archived]] = defaultdict(deque)  # per symbol, oldest first
        self.fills: list[FillRecord] = []
        self.dcp: tuple[int, tuple[str, ...], int] | None = None  # timeout s, symbols, trigger ms
        self.keep_history = keep_history
