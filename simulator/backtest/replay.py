"""Fill rules for replayed market data: how recorded trades or candles fill the strategy's orders.

The venue runs the symbol in external-matching mode: orders are validated and their holds
taken as usual, then parked; this module decides, print by print or bar by bar, which
parked orders fill, by how much and at what price, and books each fill through the venue
(balances, fees, ledger, order state) exactly as an engine fill.

The rules (all configurable through :class:`FillRules`):

* **Arrival.** An order reaches the book ``latency`` ms after the strategy placed it
  (fixed, plus a seeded random jitter). Before that it cannot fill.
* **Resting orders** (limits that did not cross the last price on arrival) fill as makers,
  at their own limit price, when the market trades at or through that price.
* **Marketable orders** (market orders, and limits that crossed the last price on arrival;
  before the first print or bar, the first one's price stands in for the last price) fill
  as takers at the market's price (the print's price, or for a bar the first point of its
  path), never worse than their limit. A limit is marketable on its first event only: what
  that event does not fill rests, as on a real book, and fills as a maker from then on. A
  market order by funds ends after the event that fills it when what is left cannot buy
  one lot at that fill price.
* **Liquidity is consumed once.** A print's size (a bar's volume) is shared by all our
  orders it fills, in the order the market reaches them (for a bar, along its path), then
  best price first, then oldest first: one print never fills more than its size across all
  of them.
* **Trades.** Each print is one event; an order is eligible once it has arrived (arrival <=
  print time).
* **Candles.** A bar is walked along a path: open, high, low, close (``OHLC``); open, low,
  high, close (``OLHC``); or the nearer extreme first (``nearest``). A bar is atomic: an
  order is eligible for a bar only if it arrived by the bar's start, so an order placed at a
  bar's close (the moment the strategy sees it) fills from the next bar, never the same one.
* **IOC / FOK** are decided by the first print or bar after arrival: IOC keeps what that one
  event fills and ends; FOK fills only if that event can fill it entirely, else ends empty.
  Post-only orders that would take on arrival end unfilled.
"""

from __future__ import annotations

import itertools
import random
from decimal import ROUND_FLOOR, Decimal

import attrs

from exchanges import EXACT, Candle, ExchangeError, Liquidity, OrderType, Side, TimeInForce, Trade
from simulator.venue import OrderInfo, Venue

__all__ = ["PATHS", "FillRules", "ReplayMatcher"]

PATHS = ("OHLC", "OLHC", "nearest")
ZERO = Decimal(0)
_NO_BUY, _NO_SELL = Decimal("-Infinity"), Decimal("Infinity")


@attrs.frozen(kw_only=True)
class FillRules:
    candle_path: str = attrs.field(default="nearest", validator=attrs.validators.in_(PATHS))
    latency_ms: int = attrs.field(default=0, validator=attrs.validators.ge(0))
    latency_jitter_ms: int = attrs.field(default=0, validator=attrs.validators.ge(0))
    #: Fraction of a bar's volume our orders may take in total (1 = all of it).
    candle_participation: Decimal = attrs.field(default=Decimal(1), converter=Decimal)


@attrs.define
class _Tracked:
    """What the matcher remembers of a parked order."""

    arrival: int
    #: ends with its first event whatever it fills (IOC, FOK), so that event must see it
    ends_first: bool = False
    taker: bool | None = None  # decided on arrival, against the last price
    first_event_done: bool = False


class ReplayMatcher:
    """Decides fills of parked orders of one symbol against replayed prints and bars."""

    def __init__(self, venue: Venue, symbol: str, rules: FillRules, seed: int = 0) -> None:
        self.venue = venue
        self.symbol = symbol  # the venue's spelling (BTC-USDT)
        self.rules = rules
        self._rng = random.Random(seed)
        self._tracked: dict[str, _Tracked] = {}
        self.last_price: Decimal | None = None
        spec = venue.symbol(symbol)
        self._lot = Decimal(spec.base_increment)
        self._tick = Decimal(spec.price_increment)

    # --- bookkeeping ------------------------------------------------------------------------

    def _latency(self) -> int:
        jitter = self.rules.latency_jitter_ms
        return self.rules.latency_ms + (self._rng.randint(0, jitter) if jitter else 0)

    def _live(
        self,
        now: int,
        first: Decimal,
        low: Decimal,
        high: Decimal,
        *,
        atomic_start: int | None = None,
    ) -> list[tuple[OrderInfo, _Tracked]]:
        """Parked orders that have arrived and that this event (prices ``low`` to ``high``,
        opening at ``first``) can act on, each with its tracking (created on first sight). A
        resting limit the event does not reach is left out: nothing can happen to it, so no
        snapshot is built."""
        venue = self.venue
        quotes = venue.parked_quotes(self.symbol)
        tracked_by_id = self._tracked
        if tracked_by_id:
            live_ids = {oid for oid, _, _ in quotes}
            for gone in [oid for oid in tracked_by_id if oid not in live_ids]:
                del tracked_by_id[gone]
        deadline = now if atomic_start is None else atomic_start
        out = []
        for oid, is_buy, price in quotes:
            tracked = tracked_by_id.get(oid)
            if tracked is None:
                tracked = tracked_by_id[oid] = self._track(oid)
            if tracked.arrival > deadline:
                continue
            if tracked.taker is None:
                tracked.taker = self._crosses(is_buy, price, first)
            if not tracked.taker and price is not None and (low > price if is_buy else high < price):
                # a resting limit the event does not reach: nothing happens to it, so no
                # snapshot is built (on its first event, it is through that event now)
                if tracked.first_event_done:
                    continue
                if not tracked.ends_first:
                    tracked.first_event_done = True
                    continue
            out.append((venue.parked_order(oid), tracked))
        return out

    def _crosses(self, is_buy: bool, price: Decimal | None, first: Decimal) -> bool:
        """Whether an order takes liquidity on arrival: a market order, or a limit at or
        through the last price (or, before any, the price ``first`` the event opens at)."""
        if price is None:
            return True
        last = first if self.last_price is None else self.last_price
        return price >= last if is_buy else price <= last

    def quiet_band(self, last_price: Decimal | None = None) -> tuple[Decimal, Decimal] | None:
        """``(low, high)``: a print strictly between them (a bar whose whole range is) can
        do nothing to the parked orders, so it needs no matching and may go on the venue's
        replay tape. ``None`` while some order still needs every event: one not yet through
        its first event since arrival (it is decided then: taker or maker, IOC, FOK, post
        only), a market order, one that can expire (GTT), or a stop waiting to trigger.

        ``last_price``: the symbol's latest price. With no latency, an order that arrived
        since the last event is decided here against it, as its first event would decide
        it: a plain limit that rests is then like any resting order."""
        venue, symbol = self.venue, self.symbol
        quotes = venue.parked_quotes(symbol)
        mkt = venue.market_state(symbol)
        if mkt.book.stop_count or mkt.parked_gtt:
            return None
        tracked_by_id = self._tracked
        instant = not (self.rules.latency_ms or self.rules.latency_jitter_ms)
        low, high = _NO_BUY, _NO_SELL
        for oid, is_buy, price in quotes:
            if price is None:
                return None
            tracked = tracked_by_id.get(oid)
            if tracked is None and instant and last_price is not None:
                tracked = tracked_by_id[oid] = self._track(oid)
                if not tracked.ends_first and not (price >= last_price if is_buy else price <= last_price):
                    tracked.taker, tracked.first_event_done = False, True
            if tracked is None or not tracked.first_event_done or tracked.taker:
                return None
            if is_buy:
                low = max(low, price)
            else:
                high = min(high, price)
        return low, high

    def _track(self, order_id: str) -> _Tracked:
        """What to remember of a parked order first seen: when it arrives, how it ends."""
        placed, tif = self.venue.parked_arrival(order_id)
        ends_first = tif in (TimeInForce.IOC, TimeInForce.FOK)
        return _Tracked(arrival=placed + self._latency(), ends_first=ends_first)

    # --- events ------------------------------------------------------------------------------

    def on_trade(self, trade: Trade, *, match: bool = True) -> None:
        """Fill what this print reaches, then record it as the market's last trade.
        ``match=False`` skips the matching when the caller knows nothing is parked."""
        live = self._live(trade.timestamp, trade.price, trade.price, trade.price) if match else None
        if live:
            self._match(live, [trade.price], trade.size, trade.timestamp)
        self.venue.record_trade(self.symbol, trade.price, trade.size, trade.side, time=trade.timestamp)
        self.last_price = trade.price

    def on_candle(self, candle: Candle, close_time: int, *, match: bool = True) -> None:
        """Walk the bar's path over the orders that had arrived by its start; record the bar."""
        live = (
            self._live(close_time, candle.open, candle.low, candle.high, atomic_start=candle.start)
            if match
            else None
        )
        if live:
            budget = candle.volume * self.rules.candle_participation
            self._match(live, self._path(candle), budget, close_time)
        self.venue.record_candle(
            self.symbol,
            candle.start,
            candle.open,
            candle.high,
            candle.low,
            candle.close,
            candle.volume,
            candle.quote_volume or None,
        )
        self.last_price = candle.close

    def _path(self, c: Candle) -> list[Decimal]:
        rule = self.rules.candle_path
        if rule == "nearest":
            rule = "OHLC" if c.high - c.open <= c.open - c.low else "OLHC"
        return [c.open, c.high, c.low, c.close] if rule == "OHLC" else [c.open, c.low, c.high, c.close]

    # --- matching ----------------------------------------------------------------------------

    def _match(
        self, live: list[tuple[OrderInfo, _Tracked]], path: list[Decimal], budget: Decimal, now: int
    ) -> None:
        """Fill along ``path`` (one point for a print) with ``budget`` base units in all."""
        first, low, high = path[0], min(path), max(path)

        # where along the path the market reaches each order (takers at its start), then
        # best price first, then oldest: buys by highest limit, sells by lowest (markets first)
        def priority(item: tuple[OrderInfo, _Tracked]) -> tuple[Decimal, int, Decimal, int]:
            order, tracked = item
            if order.price is None:
                return (ZERO, 0, ZERO, tracked.arrival)
            buy = order.side is Side.BUY
            best = -order.price if buy else order.price
            return (_reached(path, order.price, buy), 1, best, tracked.arrival)

        for order, tracked in sorted(live, key=priority):
            first_event = not tracked.first_event_done
            tracked.first_event_done = True
            if tracked.taker and order.post_only:
                self._end(order, "post only: it would have taken liquidity", now)
                continue
            price = self._fill_price(order, bool(tracked.taker), first, low, high)
            size = ZERO if price is None else self._fillable(order, price, budget)
            tif = order.time_in_force
            if tif is TimeInForce.FOK and first_event and size < self._remaining(order, price):
                size = ZERO
            if size > 0 and price is not None:
                liquidity = Liquidity.TAKER if tracked.taker else Liquidity.MAKER
                try:
                    self.venue.external_fill(order.id, price, size, liquidity, time=now)
                except ExchangeError:
                    self._end(order, "could not be filled (funds or holds exhausted)", now)
                    continue
                budget -= size
                order = self.venue.get_order(order.uid, self.symbol, order_id=order.id)
            if first_event and order.price is not None:
                tracked.taker = False  # what its first event left of a limit rests, as a maker
            if not order.active:
                continue
            if (
                order.type is OrderType.MARKET
                and order.funds is not None
                and self._funds_exhausted(order, price)
            ):
                self.venue.external_end(order.id, filled=True, time=now)
            elif first_event and tif in (TimeInForce.IOC, TimeInForce.FOK):
                self._end(order, f"{tif}: what the first event could not fill is cancelled", now)

    def _end(self, order: OrderInfo, reason: str, now: int) -> None:
        self.venue.external_end(order.id, reason, time=now)

    def _fill_price(
        self, order: OrderInfo, taker: bool, first: Decimal, low: Decimal, high: Decimal
    ) -> Decimal | None:
        limit = order.price
        buy = order.side is Side.BUY
        if taker:
            market = first
            if limit is None:
                return market
            if buy:
                return min(market, limit) if low <= limit else None
            return max(market, limit) if high >= limit else None
        assert limit is not None  # resting orders are limits
        reached = low <= limit if buy else high >= limit
        return limit if reached else None

    def _remaining(self, order: OrderInfo, price: Decimal | None) -> Decimal:
        if order.size is not None:
            return order.remain_size
        if price is None or price <= 0:
            return ZERO
        return self._floor(EXACT.divide(order.remain_funds, self._lot_cost(order, price)))

    def _fillable(self, order: OrderInfo, price: Decimal, budget: Decimal) -> Decimal:
        size = min(self._remaining(order, price), budget)
        return self._floor(size) if size > 0 else ZERO

    def _funds_exhausted(self, order: OrderInfo, fill_price: Decimal | None) -> bool:
        """A market order by funds ends when what is left cannot buy one lot at the price it
        just filled at (so it ends after the event that fills it), or, before any fill, at
        the last price."""
        price = fill_price or self.last_price or order.price
        return price is None or order.remain_funds < self._lot_cost(order, price) * self._lot

    @staticmethod
    def _lot_cost(order: OrderInfo, price: Decimal) -> Decimal:
        """What one unit of size costs an order by funds at ``price``: a buy pays its (taker)
        fee out of its funds too."""
        return EXACT.multiply(price, EXACT.add(1, order.taker_fee_rate)) if order.side is Side.BUY else price

    def _floor(self, size: Decimal) -> Decimal:
        return (size / self._lot).to_integral_value(rounding=ROUND_FLOOR) * self._lot


def _reached(path: list[Decimal], limit: Decimal, buy: bool) -> Decimal:
    """How far along ``path`` (segment index plus the fraction of the segment) the price
    first reaches ``limit`` from the order's side: at or below it for a buy, at or above
    for a sell. A path that never reaches it gives its length (the caller finds no fill)."""
    for i, (a, b) in enumerate(itertools.pairwise(path)):
        if (a <= limit) if buy else (a >= limit):
            return Decimal(i)
        if (b <= limit) if buy else (b >= limit):
            return i + (a - limit) / (a - b)
    return Decimal(len(path) - 1)
