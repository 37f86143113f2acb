"""The external-matching layer of the venue (backtest replay): orders of an external
symbol are validated and held as usual, then parked for the replay to fill or end; the
replay's trades and candles feed the public data."""

from __future__ import annotations

from collections import deque
from decimal import Decimal
from heapq import heappop, heappush
from itertools import islice, repeat
from operator import mod
from typing import Any

from exchanges import (
    BadRequest,
    Candle,
    InsufficientFunds,
    Liquidity,
    OrderNotFound,
    Side,
    Trade,
)
from simulator.engine import (
    CANCELED,
    EXPIRED,
    FILLED,
    FLAG_BY_FUNDS,
    FLAG_GTT,
    FLAG_ICEBERG,
    FLAG_MARKET,
    NEW,
    OPEN,
    PARTIAL,
    Amended,
    Opened,
)
from simulator.ledger.money import add, mul, sub
from simulator.venue.orders import VenueOrder, fill_info, order_info
from simulator.venue.records import FillInfo, OrderInfo
from simulator.venue.settlement import Settlement
from simulator.venue.state import TRADE_HISTORY, BarRows, MarketState, PrintRows, to_lots

__all__ = ["External"]

ZERO = Decimal(0)
_REPLAY_USER = "replay-market"
_BUY, _SELL = Side.BUY, Side.SELL
_SIDES = frozenset((Side.BUY, Side.SELL))
_TICK_CACHE = 50_000  # checked replay prices kept per symbol


class _Refused(Exception):
    """A tape's value the checks would refuse: applied one by one, it raises at its place."""


def _decimals(values: list[Any]) -> bool:
    return set(map(type, values)) == {Decimal}


class External(Settlement):
    """Parking, external fills and ends, replayed prints and candles."""

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

    def parked_quotes(self, symbol: str) -> list[tuple[str, bool, Decimal | None]]:
        """:meth:`parked_orders` at a glance, for a matcher that runs on every replayed
        event: ``(id, is_buy, limit price or None for a market order)``, oldest first. It
        builds no snapshot; :meth:`parked_order` gives one for the orders that need it."""
        mkt = self._market(symbol)
        self.sync()
        price = mkt.price
        return [
            (o.id, o.is_buy, None if o.flags & FLAG_MARKET else price(o.price)) for o in mkt.parked.values()
        ]

    def parked_order(self, order_id: str) -> OrderInfo:
        """The snapshot of one parked order (``OrderNotFound`` if it is not parked)."""
        return order_info(self._parked(order_id))

    def _park(self, o: Any) -> None:
        assert isinstance(o, VenueOrder)
        mkt = o.mkt
        now = self._now
        oid = o.id
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

    def _parked(self, order_id: str) -> VenueOrder:
        o = self._orders.get(order_id)
        if not isinstance(o, VenueOrder) or o.id not in o.mkt.parked:
            raise self._error(OrderNotFound, "order not exist.", "400100")
        return o

    def _expire_parked(self, mkt: MarketState, now: int) -> None:
        heap = mkt.parked_gtt
        while heap and heap[0][0] <= now:
            at, oid = heappop(heap)
            o = mkt.parked.get(oid)
            if o is not None and o.expire_at == at:
                self._end_parked(o, now, EXPIRED, "expired")

    def _end_parked(self, o: VenueOrder, now: int, status: int, reason: str | None) -> None:
        del o.mkt.parked[o.id]
        o.status = status
        o.reason = reason
        if status != FILLED:
            o.remaining = 0
            o.shown = 0
        self._close(o, now)

    def _reduce_parked(self, o: VenueOrder, lots: int, now: int) -> None:
        """Partial cancel of a parked order (its place in time priority is kept)."""
        if lots >= o.remaining:
            self._end_parked(o, now, CANCELED, "partial_cancel")
            return
        o.remaining -= lots
        if o.flags & FLAG_ICEBERG:
            o.shown = min(o.shown, o.remaining)
        self._on_amended(Amended(o, now, lots, o.price, "partial_cancel"))

    def _amend_parked(self, o: VenueOrder, now: int, price: int | None, size: int | None) -> None:
        """Amend a parked order as the engine would a resting one (a new price or a larger
        size moves it to the back of the time priority)."""
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
            parked = o.mkt.parked
            del parked[o.id]
            parked[o.id] = o
        self._on_amended(Amended(o, now, cut, old_price, "amended"))

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
        o = self._parked(order_id)
        mkt = o.mkt
        now = self._now if time is None else time
        liq = Liquidity(liquidity)
        p = self._amount("price", price)
        q = self._amount("size", size)
        ticks = mkt.rules.ticks(p, "price")
        lots = mkt.rules.lots(q, check_limits=False)
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
        fee = mul(funds, rate)
        if o.is_buy and add(funds, fee) > o.hold_left:
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
        fills = o.user.fills
        last_before = fills[-1] if fills else None
        self._settle(o, price_d, size_d, funds, fee, rate, is_maker, False, trade_id, counter, now)
        self._collect_fees(mkt, fee, trade_id, now)
        if o.remaining == 0:
            self._end_spent(o, now)
        fill = fills[-1] if fills and fills[-1] is not last_before else None
        return fill_info(fill) if fill is not None else None

    def external_end(
        self, order_id: str, reason: str = "canceled", *, filled: bool = False, time: int | None = None
    ) -> OrderInfo:
        """End a parked order's remainder (IOC/FOK/market leftovers, releasing holds):
        ``filled=True`` ends it as filled. A market order by funds ends as the engine ends
        one, whatever is asked: filled if it dealt something and spent its funds (see
        :meth:`_funds_spent`), else cancelled (``reason``, or ``insufficient_funds`` when
        the replay found its funds spent)."""
        self.sync()
        o = self._parked(order_id)
        now = self._now if time is None else time
        if o.flags & FLAG_BY_FUNDS:
            self._end_by_funds(o, now, "insufficient_funds" if filled else reason)
        elif filled:
            self._end_parked(o, now, FILLED, None)
        elif o.remaining == 0:
            self._end_spent(o, now)
        else:
            self._end_parked(o, now, CANCELED, reason)
        return order_info(o)

    def _end_by_funds(self, o: VenueOrder, now: int, reason: str) -> None:
        if o.filled and self._funds_spent(o):
            self._end_parked(o, now, FILLED, None)
        else:
            self._end_parked(o, now, CANCELED, reason)

    def _end_spent(self, o: VenueOrder, now: int) -> None:
        """End an order with nothing left: filled, or (part of it cancelled before, by a
        partial cancel) cancelled, as the matching engine ends a maker. A sell by funds
        that sold all it held ends as one by funds does."""
        if o.flags & FLAG_BY_FUNDS:
            self._end_by_funds(o, now, "insufficient_funds")
        elif o.filled == o.size:
            self._end_parked(o, now, FILLED, None)
        else:
            self._end_parked(o, now, CANCELED, "canceled")

    def _market_counterparty(
        self, mkt: MarketState, user_buys: bool, size: Decimal, funds: Decimal
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
        if wallet.available < amount:
            self.accounts.deposit(account, give, sub(amount, wallet.available), now)
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
        self._print_trade(mkt, price, size, taker_side, self._now if time is None else time)

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
        self._print_bar(mkt, start, open, high, low, close, volume, turnover, self._now)

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
        mkt = self._market(symbol)
        if mkt.tape is None:
            mkt.tape = []
            self._taped.append(mkt)
        return mkt.tape

    def _apply_tapes(self) -> None:
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
            ticks = mkt.rules.ticks(self._amount(name, price), name)
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
        lots = int(self._amount("size", size) / mkt.scale.lot)
        taker_buy = side is _BUY or (side is not _SELL and Side(side) is _BUY)
        self._record_print(mkt, next(self.ids.trade_ids), ticks, lots, ticks * lots, taker_buy, now)
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
        if len(events) < 4 or self._subscribers or book.stop_count:
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
        ids = self.ids.trade_ids
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
