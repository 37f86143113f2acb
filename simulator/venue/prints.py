"""Replayed market data (a backtest's trades and candles) printed into the public data:
trades, candles, 24 h stats and the last price, one by one or from tapes in bulk."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from decimal import Decimal
from itertools import islice, repeat
from operator import mod

from exchanges import Candle, Side, Trade
from simulator.venue.amounts import Amounts
from simulator.venue.broadcast import Broadcast
from simulator.venue.ids import IdSource
from simulator.venue.registry import Markets
from simulator.venue.settlement import Settlement
from simulator.venue.state import TRADE_HISTORY, BarRows, MarketState, PrintRows, to_lots
from simulator.venue.timeline import Timeline

__all__ = ["Prints"]

_BUY, _SELL = Side.BUY, Side.SELL
_SIDES = frozenset((Side.BUY, Side.SELL))
_TICK_CACHE = 50_000  # checked replay prices kept per symbol


def _decimals(values: Sequence[object]) -> bool:
    return set(map(type, values)) == {Decimal}


class Prints:
    """Printing trades and bars that happened elsewhere; tapes of them applied at the next
    sync (:attr:`Timeline.pending`)."""

    def __init__(
        self,
        markets: Markets,
        settlement: Settlement,
        broadcast: Broadcast,
        ids: IdSource,
        time: Timeline,
        amounts: Amounts,
    ) -> None:
        self._markets = markets
        self._settlement = settlement
        self._broadcast = broadcast
        self._ids = ids
        self._time = time
        self._amounts = amounts
        self._taped: list[MarketState] = []  # markets with a replay tape

    @property
    def waiting(self) -> bool:
        """Whether replayed events wait on a tape (recording them would have synced)."""
        return any(mkt.tape for mkt in self._taped)

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
        mkt = self._markets.get(symbol)
        self._time.sync()
        self._print_trade(mkt, price, size, taker_side, self._time.now if time is None else time)

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
        mkt = self._markets.get(symbol)
        self._time.sync()
        self._print_bar(mkt, start, open, high, low, close, volume, turnover, self._time.now)

    def replay_tape(self, symbol: str) -> list[Trade | tuple[Candle, int]]:
        """A list to append replayed events of ``symbol`` to, cheaply, instead of calling
        :meth:`record_trade` / :meth:`record_candle` for each: a ``Trade`` is recorded as
        ``record_trade(symbol, t.price, t.size, t.side, time=t.timestamp)``, a ``(bar,
        now)`` pair as ``record_candle`` of the bar (``quote_volume`` as its turnover, if
        any) with the venue's time at ``now``. They are applied in order, all at once, at
        the venue's next sync (which every call does first), so no reader ever sees the
        data without them, and the result is the same as recording them one by one (a
        value they would refuse raises at that sync; the events after it are dropped).
        Checked and applied to the book then, prints and bars are filed into the public
        trades and candles only when those are next read.

        Meant for stretches where nothing of ``symbol`` is live (no parked orders and no
        waiting stops): a replay matches its orders against the tape's events only after
        they are applied, so while orders are live, record each event with the venue
        synced (call any method first, or use record_trade / record_candle)."""
        mkt = self._markets.get(symbol)
        if mkt.tape is None:
            mkt.tape = []
            self._taped.append(mkt)
            self._time.pending = self.apply_tapes
        return mkt.tape

    def apply_tapes(self) -> None:
        """Apply what waits on the tapes, in order (every sync does this first)."""
        for mkt in self._taped:
            tape = mkt.tape
            if tape:
                events = tape[:]
                tape.clear()
                if not self._apply_in_bulk(mkt, events):
                    for event in events:
                        self._apply_one(mkt, event)

    def _apply_one(self, mkt: MarketState, event: Trade | tuple[Candle, int]) -> None:
        if isinstance(event, tuple):
            c, now = event
            turnover = c.quote_volume or None
            self._print_bar(mkt, c.start, c.open, c.high, c.low, c.close, c.volume, turnover, now)
        else:
            self._print_trade(mkt, event.price, event.size, event.side, event.timestamp)

    # ---------------------------------------------------------------- printing

    def _tick(self, mkt: MarketState, name: str, price: Decimal | str | int) -> int:
        """``price`` in ticks, checked (a bounded cache of the prices seen)."""
        cache = mkt.ticks
        try:
            ticks = cache.get(price) if isinstance(price, Decimal) else None
        except TypeError:  # a signalling NaN: refused below
            ticks = None
        if ticks is None:
            ticks = mkt.rules.ticks(self._amounts.amount(name, price), name)
            if isinstance(price, Decimal):
                if len(cache) >= _TICK_CACHE:
                    cache.clear()
                cache[price] = ticks
        return ticks

    def _print_trade(
        self,
        mkt: MarketState,
        price: Decimal | str | int,
        size: Decimal | str | int,
        side: Side | str,
        now: int,
    ) -> None:
        ticks = self._tick(mkt, "price", price)
        lots = int(self._amounts.amount("size", size) / mkt.scale.lot)
        taker_buy = side is _BUY or (side is not _SELL and Side(side) is _BUY)
        self._settlement.record_print(
            mkt, next(self._ids.trade_ids), ticks, lots, ticks * lots, taker_buy, now
        )
        book = mkt.book
        book.last_size = lots
        book.last_taker_buy = taker_buy
        book.set_last_price(ticks, now)

    def _print_bar(
        self,
        mkt: MarketState,
        start: int,
        open: Decimal | str | int,
        high: Decimal | str | int,
        low: Decimal | str | int,
        close: Decimal | str | int,
        volume: Decimal | str | int,
        turnover: Decimal | str | int | None,
        now: int,
    ) -> None:
        scale = mkt.scale
        tick = self._tick
        o, h = tick(mkt, "open", open), tick(mkt, "high", high)
        lo, c = tick(mkt, "low", low), tick(mkt, "close", close)
        lots = int(Decimal(volume) / scale.lot)
        units = lots * (o + h + lo + c) // 4 if turnover is None else scale.units(Decimal(turnover))
        mkt.candles.add_bar(start, o, h, lo, c, lots, units)
        book = mkt.book
        book.last_size = 0
        book.set_last_price(c, max(start, now))

    def _apply_in_bulk(self, mkt: MarketState, events: list[Trade | tuple[Candle, int]]) -> bool:
        """Apply a tape of one kind in bulk, the same as one by one: every value checked
        and the book moved now, the rows filed into trades and candles when those are
        next read (:meth:`MarketState.settle`). False (nothing done) when the one-by-one
        path must run: mixed or unusual events, a value the checks would refuse (it
        raises there, at its place), stops that prints could trigger, or subscribers to
        hear each print."""
        book = mkt.book
        if len(events) < 4 or self._broadcast.listeners or book.stop_count:
            return False
        try:
            if isinstance(events[0], tuple):
                return self._bars_in_bulk(mkt, events)  # type: ignore[arg-type]
            return self._trades_in_bulk(mkt, events)  # type: ignore[arg-type]
        except (ArithmeticError, AttributeError, TypeError, ValueError):
            return False

    @staticmethod
    def _valid_prices(mkt: MarketState, prices: list[Decimal]) -> bool:
        """What ``_tick`` checks: positive multiples of the tick (an infinite or NaN one
        raises, which counts as refused too)."""
        return (
            _decimals(prices)
            and min(prices) > 0
            and not any(map(mod, prices, repeat(mkt.rules.price_increment)))
        )

    def _trades_in_bulk(self, mkt: MarketState, trades: list[Trade]) -> bool:
        sides = [t.side for t in trades]
        if not set(sides) <= _SIDES:
            return False
        sizes = [t.size for t in trades]
        if not (_decimals(sizes) and min(sizes) > 0 and max(sizes).is_finite()):
            return False
        prices = [t.price for t in trades]
        if not self._valid_prices(mkt, prices):
            return False
        times = [t.timestamp for t in trades]
        latest, last_ticks = max(times), self._tick(mkt, "price", prices[-1])
        # checked: from here on, nothing can fail
        buys = list(map(_BUY.__eq__, sides))  # as Side(side) is Side.BUY: "buy" is a buy too
        n = len(trades)
        ids = self._ids.trade_ids
        keep = min(n, TRADE_HISTORY)
        if n > keep:
            deque(islice(ids, n - keep), maxlen=0)  # the ids of prints the history drops
        mkt.defer(PrintRows(times, prices, sizes, buys, list(islice(ids, keep))), n)
        book = mkt.book
        book.last_size = to_lots(sizes[-1:], mkt.scale.lot)[0]
        book.last_taker_buy = buys[-1]
        book.set_last_price(last_ticks, latest)
        return True

    def _bars_in_bulk(self, mkt: MarketState, bars: list[tuple[Candle, int]]) -> bool:
        candles = [c for c, _ in bars]
        columns = [[c.open for c in candles], [c.high for c in candles], [c.low for c in candles]]
        columns.append([c.close for c in candles])
        if not all(self._valid_prices(mkt, column) for column in columns):
            return False
        volumes = [c.volume for c in candles]
        if not (_decimals(volumes) and min(volumes).is_finite() and max(volumes).is_finite()):
            return False
        turnovers = [c.quote_volume or None for c in candles]
        given = [t for t in turnovers if t is not None]
        if given and not (_decimals(given) and min(given).is_finite() and max(given).is_finite()):
            return False
        starts = [c.start for c in candles]
        latest = max(map(max, starts, [now for _, now in bars]))  # each bar's max(start, now)
        last_close = self._tick(mkt, "close", columns[3][-1])
        # checked: from here on, nothing can fail
        mkt.defer(BarRows(starts, columns, volumes, turnovers), len(bars))
        book = mkt.book
        book.last_size = 0
        book.set_last_price(last_close, latest)
        return True
