"""One symbol's order book and matcher: price-time priority on integer ticks and lots.

Pure: no I/O, no clock. Every operation takes ``now`` (epoch ms) and first expires GTT
orders that are due, as KuCoin's engine does before processing anything else.

Layout, chosen for speed in pure Python: each side is a dict ``price -> Level`` plus a heap
of prices (lazy: stale prices are skipped when they surface) and the cached best price.
A level keeps its orders as a doubly linked list through the orders themselves (``prev``,
``next``), so appending, matching at the front and cancelling anywhere all cost O(1) and a
cancelled order is freed at once. Events are built only when a listener is attached.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Iterator
from heapq import heapify, heappop, heappush, nlargest, nsmallest

from simulator.engine.events import (
    Accepted,
    Amended,
    Canceled,
    Filled,
    Listener,
    Matched,
    Opened,
    Rejected,
    Triggered,
)
from simulator.engine.orders import (
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
    MAX_PRICE,
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
    UNLIMITED,
    EngineOrder,
)

__all__ = ["NO_ASK", "NO_BID", "Book", "Level"]

NO_BID = -1  # best bid of an empty bid side: below every price
NO_ASK = UNLIMITED  # best ask of an empty ask side: above every price, even MAX_PRICE

_HIDDEN_OR_ICEBERG = FLAG_HIDDEN | FLAG_ICEBERG
_MARKET_ONLY = FLAG_MARKET | FLAG_HIDDEN | FLAG_ICEBERG  # a market order without (invalid) display flags
_SPECIAL = FLAG_MARKET | FLAG_IOC | FLAG_FOK | FLAG_POST_ONLY | FLAG_GTT | FLAG_ICEBERG | FLAG_HIDDEN
_PPM = 1_000_000
_SPARE_LEVELS = 32  # dropped levels a book keeps for reuse

# Why a taker stopped matching before its size or the book ran out.
_STOP_FUNDS = "funds"
_STOP_STP = "stp"

Admit = Callable[[EngineOrder], str | None]
Spent = Callable[[EngineOrder], bool]


class Level:
    """Orders resting at one price, oldest (``head``) to newest (``tail``), linked through
    their ``prev`` and ``next``. ``visible`` is what the public book shows (hidden orders
    excluded, icebergs by their shown slice); ``live`` counts the orders."""

    __slots__ = ("head", "live", "price", "tail", "visible")

    def __init__(self, price: int) -> None:
        self.price = price
        self.head: EngineOrder | None = None
        self.tail: EngineOrder | None = None
        self.visible = 0
        self.live = 0

    def __iter__(self) -> Iterator[EngineOrder]:
        o = self.head
        while o is not None:
            yield o
            o = o.next

    def append(self, o: EngineOrder) -> None:
        """``o`` joins the back of the queue."""
        tail = self.tail
        o.prev = tail
        if tail is None:
            self.head = o
        else:
            tail.next = o
        self.tail = o
        self.live += 1

    def unlink(self, o: EngineOrder) -> None:
        """``o`` leaves the queue (from anywhere in it)."""
        prev = o.prev
        after = o.next
        if prev is None:
            self.head = after
        else:
            prev.next = after
        if after is None:
            self.tail = prev
        else:
            after.prev = prev
        o.prev = o.next = None
        self.live -= 1


class Book:
    """The book and matcher of one symbol.

    ``band_ppm`` is KuCoin's ``priceLimitRate`` in parts per million (0 turns price
    protection off). ``admit`` is asked before a triggered stop order enters the book (the
    venue places its holds there); it returns ``None`` to admit or a reason to reject.
    ``trade_ids`` yields trade ids (share one iterator between books for venue-wide ids).
    ``divert``, when set, receives triggered stop orders instead of the book (a venue
    whose fills come from replayed data parks them there). ``spent``, when set, judges a
    market order by funds that ends having dealt something (see :meth:`_spent_funds`): the
    venue answers in money, fees included.
    """

    def __init__(
        self,
        *,
        band_ppm: int = 0,
        listener: Listener | None = None,
        admit: Admit | None = None,
        trade_ids: Iterator[int] | None = None,
        sequence: int = 0,
    ) -> None:
        self.band_ppm = band_ppm
        self.listener = listener
        self.admit = admit
        self.divert: Callable[[EngineOrder], None] | None = None
        self.spent: Spent | None = None
        # A listener that ignores Accepted or Opened (it learns what it needs elsewhere) may
        # turn them off: the resting hot path then builds no event at all.
        self.emit_accepted = True
        self.emit_opened = True
        self.trade_ids = trade_ids if trade_ids is not None else itertools.count(1)
        self.sequence = sequence  # bumps on every change to the resting book
        self.now = 0
        self.last_price = 0  # ticks of the last trade (0: none yet)
        self.last_size = 0
        self.last_time = 0
        self.last_taker_buy = False
        self.trade_count = 0
        self.best_bid = NO_BID
        self.best_ask = NO_ASK
        self._bids: dict[int, Level] = {}
        self._asks: dict[int, Level] = {}
        self._bid_heap: list[int] = []  # negated prices
        self._ask_heap: list[int] = []
        self._orders: dict[Hashable, EngineOrder] = {}  # resting orders by id
        self._stops: dict[Hashable, EngineOrder] = {}  # untriggered stop orders by id
        self._loss: list[tuple[int, int, Hashable]] = []  # (-stop price, n, id): highest first
        self._entry: list[tuple[int, int, Hashable]] = []  # (stop price, n, id): lowest first
        self._gtt: list[tuple[int, int, Hashable]] = []  # (expire at, n, id)
        self._counter = itertools.count()
        self._spare: list[Level] = []  # dropped levels kept for reuse (a level is often rebuilt soon)
        self._deferred: list[Callable[[], None]] = []  # see defer

    def defer(self, action: Callable[[], None]) -> None:
        """Run ``action`` once the matching under way is over, before the call that matched
        returns: a listener may not enter orders while the matcher walks the book (a linked
        order placed when another fills waits here)."""
        self._deferred.append(action)

    def _run_deferred(self) -> None:
        deferred = self._deferred
        while deferred:
            deferred.pop(0)()

    # ------------------------------------------------------------------ queries

    def get(self, order_id: Hashable) -> EngineOrder | None:
        """A resting or waiting-stop order by id (done orders are forgotten)."""
        order = self._orders.get(order_id)
        return order if order is not None else self._stops.get(order_id)

    def __contains__(self, order_id: Hashable) -> bool:
        return order_id in self._orders or order_id in self._stops

    @property
    def resting_count(self) -> int:
        return len(self._orders)

    @property
    def stop_count(self) -> int:
        return len(self._stops)

    def resting(self) -> Iterator[EngineOrder]:
        """Every resting order (any order of levels)."""
        return iter(list(self._orders.values()))

    def stops(self) -> Iterator[EngineOrder]:
        return iter(list(self._stops.values()))

    def best(self) -> tuple[int | None, int | None]:
        """``(best bid, best ask)`` in ticks, hidden liquidity included; ``None`` if empty."""
        bid = self.best_bid if self.best_bid != NO_BID else None
        ask = self.best_ask if self.best_ask != NO_ASK else None
        return bid, ask

    def depth(self, levels: int | None = None) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """The visible book aggregated by price: ``(bids high->low, asks low->high)`` as
        ``(ticks, lots)``; levels holding only hidden liquidity are left out."""
        bid_prices = [p for p, lvl in self._bids.items() if lvl.visible > 0]
        ask_prices = [p for p, lvl in self._asks.items() if lvl.visible > 0]
        if levels is None:
            bid_prices.sort(reverse=True)
            ask_prices.sort()
        else:
            bid_prices = nlargest(levels, bid_prices)
            ask_prices = nsmallest(levels, ask_prices)
        bids = [(p, self._bids[p].visible) for p in bid_prices]
        asks = [(p, self._asks[p].visible) for p in ask_prices]
        return bids, asks

    def best_visible(self, is_buy: bool) -> tuple[int, int] | None:
        """The best visible level of one side as ``(ticks, lots)``."""
        levels = self._bids if is_buy else self._asks
        best = self.best_bid if is_buy else self.best_ask
        lvl = levels.get(best)
        if lvl is not None and lvl.visible > 0:
            return best, lvl.visible
        shown = [p for p, lv in levels.items() if lv.visible > 0]
        if not shown:
            return None
        price = max(shown) if is_buy else min(shown)
        return price, levels[price].visible

    def level_orders(self, is_buy: bool, price: int) -> list[EngineOrder]:
        """Live orders at one price in priority order (for tests and inspection)."""
        lvl = (self._bids if is_buy else self._asks).get(price)
        if lvl is None:
            return []
        return list(lvl)

    def level_prices(self, is_buy: bool) -> list[int]:
        """Prices with live orders, best first."""
        levels = self._bids if is_buy else self._asks
        return sorted(levels, reverse=is_buy)

    def level_stats(self, is_buy: bool, price: int) -> tuple[int, int] | None:
        """``(visible lots, live orders)`` at one price, as the book accounts them."""
        lvl = (self._bids if is_buy else self._asks).get(price)
        return None if lvl is None else (lvl.visible, lvl.live)

    def audit(self) -> list[str]:
        """Check the book's own bookkeeping (for tests): level totals and counts, best
        prices, the id index; returns the problems found."""
        problems: list[str] = []
        seen: set[Hashable] = set()
        for is_buy, levels in ((True, self._bids), (False, self._asks)):
            for price, lvl in levels.items():
                problems.extend(self._audit_level(is_buy, price, lvl, seen))
        if seen != set(self._orders):
            problems.append("index and levels disagree")
        best_bid = max(self._bids, default=NO_BID)
        best_ask = min(self._asks, default=NO_ASK)
        if (self.best_bid, self.best_ask) != (best_bid, best_ask):
            problems.append(f"best prices {self.best_bid}/{self.best_ask}, levels say {best_bid}/{best_ask}")
        return problems

    def _audit_level(self, is_buy: bool, price: int, lvl: Level, seen: set[Hashable]) -> list[str]:
        """One level's problems (its orders' ids join ``seen``)."""
        problems: list[str] = []
        live = [o for o in lvl if o.status < FILLED]
        if len(live) != sum(1 for _ in lvl):
            problems.append(f"level {price} keeps done orders")
        if not live:
            problems.append(f"empty level {price} kept")
        visible = 0
        for o in live:
            seen.add(o.id)
            if o.price != price or o.is_buy != is_buy or o.remaining <= 0:
                problems.append(f"order {o.id!r} misplaced at {price}")
            if self._orders.get(o.id) is not o:
                problems.append(f"order {o.id!r} rests but is not indexed")
            if o.flags & FLAG_ICEBERG:
                if not 0 < o.shown <= min(o.visible, o.remaining):
                    problems.append(f"iceberg {o.id!r} shows {o.shown}")
                visible += o.shown
            elif not o.flags & FLAG_HIDDEN:
                visible += o.remaining
        if (lvl.visible, lvl.live) != (visible, len(live)):
            problems.append(f"level {price}: books {lvl.visible}/{lvl.live}, has {visible}/{len(live)}")
        return problems

    # ------------------------------------------------------------------ entry points

    # (C901: submit, _enter and _take are the matching loop and its entry, each kept in one
    # frame: a call per branch would cost every order placed)
    def submit(self, order: EngineOrder, now: int) -> EngineOrder:  # noqa: C901
        """Enter a new order (a stop order waits for its trigger). Returns it, updated."""
        if now > self.now:
            self.now = now
        if self._gtt and self._gtt[0][0] <= now:
            self.expire(now)
        listener = self.listener
        if listener is not None and self.emit_accepted:
            listener(Accepted(order, self.now))
        flags = order.flags
        if not flags & _SPECIAL and not order.stop:
            # Hot path: a plain limit order that does not cross (and so cannot be out of
            # band while the other side has orders) rests at once.
            price = order.price
            if order.is_buy:
                best = self.best_ask
                # (an order that does not cross can be out of band only on an empty side,
                # measured from the last price, if any)
                if best > price and (
                    best != NO_ASK
                    or not self.band_ppm
                    or not self.last_price
                    or not self._out_of_band(order, False)
                ):
                    lvl = self._bids.get(price)
                    if lvl is None:
                        lvl = self._new_level(True, price)
                    else:
                        order.price = lvl.price  # share one int per price (fewer cache misses)
                else:
                    lvl = None
            else:
                best = self.best_bid
                if best < price and (
                    best != NO_BID
                    or not self.band_ppm
                    or not self.last_price
                    or not self._out_of_band(order, False)
                ):
                    lvl = self._asks.get(price)
                    if lvl is None:
                        lvl = self._new_level(False, price)
                    else:
                        order.price = lvl.price
                else:
                    lvl = None
            if lvl is not None:
                lvl.visible += order.remaining
                tail = lvl.tail  # (Level.append, inlined)
                order.prev = tail
                if tail is None:
                    lvl.head = order
                else:
                    tail.next = order
                lvl.tail = order
                lvl.live += 1
                self._orders[order.id] = order
                order.status = OPEN
                self.sequence += 1
                if listener is not None and self.emit_opened:
                    listener(Opened(order, self.now))
                return order
            last = self.last_price
            self._enter(order)
        elif order.stop:
            self._add_stop(order)
            if self._deferred:
                self._run_deferred()
            return order
        else:
            last = self.last_price
            if flags & _MARKET_ONLY == FLAG_MARKET:
                self._enter_market(order)
            else:
                self._enter(order)
        if self._stops and self.last_price != last:
            self._run_stops()
        if self._deferred:
            self._run_deferred()
        return order

    def cancel(
        self, order_id: Hashable, now: int, reason: str = "canceled", *, quiet: bool = False
    ) -> EngineOrder | None:
        """Cancel a resting order or a waiting stop order; ``None`` if there is none.
        ``quiet``: emit no ``Canceled`` for it (the caller settles the order itself, which
        spares the hot path an event); what falls due first (GTT expiries) is heard."""
        if now > self.now:
            self.now = now
        if self._gtt and self._gtt[0][0] <= now:
            self.expire(now)
        order = self._orders.pop(order_id, None)
        if order is None:
            stop = self._stops.pop(order_id, None)
            if stop is not None:
                if quiet:
                    stop.status = CANCELED
                    stop.reason = reason
                    stop.remaining = 0
                else:
                    self._finish(stop, CANCELED, reason)
            return stop
        # (the common case of _remove, inlined)
        levels = self._bids if order.is_buy else self._asks
        price = order.price
        lvl = levels[price]
        flags = order.flags
        if not flags & _HIDDEN_OR_ICEBERG:
            lvl.visible -= order.remaining
        elif flags & FLAG_ICEBERG:
            lvl.visible -= order.shown
            order.shown = 0
        if lvl.live == 1:
            self._drop_level(levels, price)
        else:
            prev = order.prev  # (Level.unlink, inlined)
            after = order.next
            if prev is None:
                lvl.head = after
            else:
                prev.next = after
                order.prev = None
            if after is None:
                lvl.tail = prev
            else:
                after.prev = prev
                order.next = None
            lvl.live -= 1
        order.status = CANCELED
        order.reason = reason
        order.remaining = 0
        self.sequence += 1
        if self.listener is not None and not quiet:
            self.listener(Canceled(order, self.now, reason))
        return order

    def reduce(
        self, order_id: Hashable, lots: int, now: int, reason: str = "partial_cancel"
    ) -> EngineOrder | None:
        """Cancel ``lots`` of a resting order, keeping its place in the queue (KuCoin's
        partial cancel). Reducing by its whole remainder cancels it."""
        if now > self.now:
            self.now = now
        if self._gtt and self._gtt[0][0] <= now:
            self.expire(now)
        order = self._orders.get(order_id)
        if order is None:
            return None
        if lots <= 0:
            raise ValueError("reduce by a positive number of lots")
        if lots >= order.remaining:
            self._remove(order, CANCELED, reason)
            return order
        self._shrink(order, lots)
        self.sequence += 1
        if self.listener is not None:
            self.listener(Amended(order, self.now, lots, order.price, reason))
        return order

    def amend(
        self,
        order_id: Hashable,
        now: int,
        *,
        price: int | None = None,
        size: int | None = None,
    ) -> EngineOrder | None:
        """Change a resting order in place. ``size`` is the new total size (filled part
        included); at or below what already filled, the order ends. A smaller size keeps
        the order's priority; a larger size or a new price loses it, and a new price that
        crosses trades like a new order would (post-only rules included)."""
        if now > self.now:
            self.now = now
        if self._gtt and self._gtt[0][0] <= now:
            self.expire(now)
        order = self._orders.get(order_id)
        if order is None:
            return None
        new_price = order.price if price is None else price
        new_remaining = order.remaining if size is None else size - order.filled
        if new_remaining <= 0:
            self._remove(order, CANCELED, "amended")
            return order
        if new_price == order.price and new_remaining <= order.remaining:
            old_size = order.size
            if size is not None:
                order.size = size  # the new total: what it no longer asks for is not "cancelled"
            if new_remaining < order.remaining:
                return self.reduce(order_id, order.remaining - new_remaining, now, "amended")
            if order.size != old_size and self.listener is not None:  # only the total changed
                self.listener(Amended(order, self.now, 0, order.price, "amended"))
            return order
        old_price = order.price
        cut = order.remaining - new_remaining
        self._detach(order)
        if size is not None:
            order.size = size
        order.price = new_price
        order.remaining = new_remaining
        if self.listener is not None:
            self.listener(Amended(order, self.now, max(cut, 0), old_price, "amended"))
        last = self.last_price
        self._enter(order)
        self._after_entry(last)
        return order

    def _after_entry(self, last: int) -> None:
        """What an order's entry sets off: stops the new last price reaches, then deferred
        actions."""
        if self._stops and self.last_price != last:
            self._run_stops()
        if self._deferred:
            self._run_deferred()

    def expire(self, now: int) -> list[EngineOrder]:
        """Cancel GTT orders whose time is up (status ``EXPIRED``)."""
        if now > self.now:
            self.now = now
        heap = self._gtt
        expired = []
        while heap and heap[0][0] <= now:
            at, _, order_id = heappop(heap)
            order = self._orders.get(order_id)
            if order is not None and order.expire_at == at:
                self._remove(order, EXPIRED, "expired")
                expired.append(order)
        return expired

    def next_expiry(self) -> int | None:
        """When the next GTT order is due (ms), if any (may be a stale entry: harmless)."""
        return self._gtt[0][0] if self._gtt else None

    def set_last_price(self, price: int, now: int) -> None:
        """Record a trade printed elsewhere (replayed market data): moves the last price
        and triggers stop orders, without touching the book."""
        if now > self.now:
            self.now = now
        self.last_price = price
        self.last_time = self.now
        if self._stops:
            self._run_stops()
        if self._deferred:
            self._run_deferred()

    # ------------------------------------------------------------------ internals

    def _enter(self, o: EngineOrder) -> None:  # noqa: C901 - the matching loop (see submit)
        flags = o.flags
        is_buy = o.is_buy
        if not flags & _SPECIAL:
            # Plain GTC limit order: the hot path.
            crosses = self.best_ask <= o.price if is_buy else self.best_bid >= o.price
            if self.band_ppm and self._out_of_band(o, crosses):
                self._reject(o, "price_band")
                return
            if crosses:
                self._take(o, o.price, False)
                if o.status >= FILLED:  # ended by STP
                    return
                if o.remaining == 0:
                    self._finish(o, FILLED, None)
                    return
            self._rest(o)
            return
        if flags & _HIDDEN_OR_ICEBERG == _HIDDEN_OR_ICEBERG:
            o.flags = flags = flags & ~FLAG_HIDDEN  # both set: iceberg wins, as on KuCoin
        if flags & FLAG_MARKET:
            self._enter_market(o)
            return
        crosses = self.best_ask <= o.price if is_buy else self.best_bid >= o.price
        if self.band_ppm and self._out_of_band(o, crosses):
            self._reject(o, "price_band")
            return
        if flags & FLAG_FOK:
            if crosses:
                if o.stp:
                    o.stp = STP_CN  # KuCoin forces CN under FOK
                if self._fillable(o) < o.remaining:
                    self._finish(o, CANCELED, "fok")
                    return
                self._take(o, o.price, False)
            if o.status >= FILLED:
                return
            if o.remaining == 0:
                self._finish(o, FILLED, None)
            else:
                self._finish(o, CANCELED, "fok")
            return
        if flags & FLAG_IOC:
            if crosses:
                self._take(o, o.price, False)
            if o.status >= FILLED:
                return
            if o.remaining == 0:
                self._finish(o, FILLED, None)
            else:
                self._finish(o, CANCELED, "ioc")
            return
        if crosses:
            swap = False
            if flags & FLAG_POST_ONLY:
                if self._visible_crossing(o):
                    self._reject(o, "post_only")
                    return
                swap = True  # only hidden/iceberg liquidity crossed: we are the maker
            self._take(o, o.price, swap)
            if o.status >= FILLED:
                return
            if o.remaining == 0:
                self._finish(o, FILLED, None)
                return
        self._rest(o)

    def _enter_market(self, o: EngineOrder) -> None:
        """Market orders never rest: fill what the book (and price band) allows, end."""
        is_buy = o.is_buy
        if o.stp == STP_DC:
            o.stp = STP_CN  # DC is not offered for market orders; never shrink a market order
        best = self.best_ask if is_buy else self.best_bid
        stopped = None
        capped = False
        if best != (NO_ASK if is_buy else NO_BID):
            band = self.band_ppm
            if not band:
                limit = MAX_PRICE if is_buy else 0
            elif is_buy:
                limit = best + best * band // _PPM
                capped = True
            else:
                limit = -((-best * (_PPM - band)) // _PPM)
                capped = True
            stopped = self._take(o, limit, False)
            if o.status >= FILLED:
                return
        if (o.remaining == 0 and not o.flags & FLAG_BY_FUNDS) or self._spent_funds(o):
            o.status = FILLED  # (_finish for a market order, inlined)
            o.reason = None
            if self.listener is not None:
                self.listener(Filled(o, self.now))
        elif stopped is _STOP_FUNDS or o.remaining == 0:
            self._finish(o, CANCELED, "insufficient_funds")
        elif capped and self._crosses(o, MAX_PRICE if is_buy else 0):
            self._finish(o, CANCELED, "price_band")
        else:
            self._finish(o, CANCELED, "no_liquidity")

    def _spent_funds(self, o: EngineOrder) -> bool:
        """Whether a market order by funds, ending however it stopped (its funds, the book,
        the price band, self-trade prevention), spent its funds: it dealt something and what
        it left could not buy one more lot at its average price. It then ends filled, else
        cancelled (one that dealt nothing too). KuCoin reports all of them the same way
        (done, the unspent funds cancelled), so this is the line a reader of its order
        objects draws. ``spent`` judges in money; without it, what is left of
        ``funds_limit`` is compared with the average lot."""
        if not o.flags & FLAG_BY_FUNDS or not o.filled:
            return False
        spent = self.spent
        if spent is not None:
            return spent(o)
        return (o.funds_limit - o.filled_funds) * o.filled < o.filled_funds

    def _crosses(self, o: EngineOrder, price: int) -> bool:
        return self.best_ask <= price if o.is_buy else self.best_bid >= price

    def _out_of_band(self, o: EngineOrder, crosses: bool) -> bool:
        band = self.band_ppm
        if o.is_buy:
            ref = self.best_ask if crosses else (self.last_price if self.best_ask == NO_ASK else 0)
            return ref > 0 and o.price > ref + ref * band // _PPM
        ref = self.best_bid if crosses else (self.last_price if self.best_bid == NO_BID else 0)
        return ref > 0 and o.price < -((-ref * (_PPM - band)) // _PPM)

    def _new_level(self, is_buy: bool, price: int) -> Level:
        """An empty level at ``price`` (its price joins the side's heap and may be the best)."""
        spare = self._spare
        if spare:  # reuse a dropped level (cheaper than building one)
            lvl = spare.pop()
            lvl.price = price
            lvl.visible = lvl.live = 0
        else:
            lvl = Level(price)
        # (the level joins its side before any rebuild of the heap, which must include it)
        if is_buy:
            levels = self._bids
            levels[price] = lvl
            heap = self._bid_heap
            heappush(heap, -price)
            if price > self.best_bid:
                self.best_bid = price
            if len(heap) > 2 * len(levels) + 64:  # stale prices outnumber live ones: rebuild
                heap[:] = [-p for p in levels]
                heapify(heap)
        else:
            levels = self._asks
            levels[price] = lvl
            heap = self._ask_heap
            heappush(heap, price)
            if price < self.best_ask:
                self.best_ask = price
            if len(heap) > 2 * len(levels) + 64:
                heap[:] = list(levels)
                heapify(heap)
        return lvl

    def _rest(self, o: EngineOrder) -> None:
        price = o.price
        lvl = (self._bids if o.is_buy else self._asks).get(price)
        if lvl is None:
            lvl = self._new_level(o.is_buy, price)
        flags = o.flags
        if flags & _HIDDEN_OR_ICEBERG:
            if flags & FLAG_ICEBERG:
                o.shown = o.visible if o.visible < o.remaining else o.remaining
                lvl.visible += o.shown
        else:
            lvl.visible += o.remaining
        lvl.append(o)
        self._orders[o.id] = o
        o.status = PARTIAL if o.filled else OPEN
        if flags & FLAG_GTT and o.expire_at:
            heappush(self._gtt, (o.expire_at, next(self._counter), o.id))
        self.sequence += 1
        if self.listener is not None and self.emit_opened:
            self.listener(Opened(o, self.now))

    def _take(self, o: EngineOrder, limit: int, swap: bool) -> str | None:  # noqa: C901 - the matching loop
        """Match ``o`` against the opposite side up to ``limit``; return why it stopped
        early (``None`` when its size or the crossing book ran out).

        The taker's counters live in locals while it matches and are written back before
        anything else can look at the order (a listener, an STP action) and at the end."""
        listener = self.listener
        is_buy = o.is_buy
        levels = self._asks if is_buy else self._bids
        funds_limit = o.funds_limit
        stp = o.stp
        owner = o.owner
        now = self.now
        trade_ids = self.trade_ids
        orders = self._orders
        stopped: str | None = None
        trades = 0
        price = 0
        size = 0  # of the last trade
        rem = o.remaining
        got = o.filled
        spent = o.filled_funds
        while rem > 0:
            best = self.best_ask if is_buy else self.best_bid
            if (best > limit) if is_buy else (best < limit):
                break
            lvl = levels[best]
            while (m := lvl.head) is not None:
                if stp and m.owner == owner:
                    o.remaining, o.filled, o.filled_funds = rem, got, spent
                    stopped = self._self_trade(o, m, lvl, stp)
                    rem = o.remaining
                    if stopped is not None:
                        break
                    continue
                mflags = m.flags
                mrem = m.remaining
                avail = m.shown if mflags & FLAG_ICEBERG else mrem
                qty = rem if rem < avail else avail
                if funds_limit:
                    cap = (funds_limit - spent) // best
                    if cap < qty:
                        if cap <= 0:
                            stopped = _STOP_FUNDS
                            break
                        qty = cap
                funds = qty * best
                price = best
                size = qty
                trades += 1
                mrem -= qty
                m.remaining = mrem
                mfilled = m.filled + qty
                m.filled = mfilled
                m.filled_funds += funds
                rem -= qty
                got += qty
                spent += funds
                if not mflags & FLAG_HIDDEN:
                    lvl.visible -= qty
                if listener is not None:
                    o.remaining, o.filled, o.filled_funds = rem, got, spent
                    listener(
                        Matched(
                            o,
                            now,
                            m,
                            next(trade_ids),
                            best,
                            qty,
                            funds,
                            swap,
                            bool(mflags & _HIDDEN_OR_ICEBERG),
                        )
                    )
                if mrem == 0:
                    after = m.next  # (lvl.unlink(m) for the head, inlined)
                    lvl.head = after
                    if after is None:
                        lvl.tail = None
                    else:
                        after.prev = m.next = None
                    lvl.live -= 1
                    del orders[m.id]
                    if mfilled == m.size:
                        m.status = FILLED
                        if listener is not None:
                            listener(Filled(m, now))
                    else:  # part of it was cancelled earlier (partial cancel, STP DC)
                        m.status = CANCELED
                        m.reason = "canceled"
                        if listener is not None:
                            listener(Canceled(m, now, "canceled"))
                else:
                    m.status = PARTIAL
                    if mflags & FLAG_ICEBERG:
                        m.shown -= qty
                        if m.shown == 0:  # refill from the hidden rest, at the back of the queue
                            lvl.unlink(m)
                            m.shown = m.visible if m.visible < mrem else mrem
                            lvl.visible += m.shown
                            lvl.append(m)
                if rem == 0:
                    break
            self.sequence += 1
            if lvl.live == 0:
                self._drop_level(levels, best)
            if stopped is not None or rem == 0:
                break
        if stopped is not _STOP_STP:  # (an STP end wrote the counters and ended the taker)
            o.remaining, o.filled, o.filled_funds = rem, got, spent
        if trades:
            if listener is None:  # keep trade ids venue-wide even when nobody listens
                if trades == 1:
                    next(trade_ids)
                else:
                    for _ in range(trades):
                        next(trade_ids)
            self.trade_count += trades
            if o.status == NEW:
                o.status = PARTIAL
            self.last_price = price
            self.last_size = size
            self.last_time = now
            self.last_taker_buy = is_buy
        return stopped

    def _self_trade(self, o: EngineOrder, m: EngineOrder, lvl: Level, stp: int) -> str | None:
        """The taker ``o`` met its owner's resting ``m`` (at the front of ``lvl``): apply
        its STP mode. Returns ``_STOP_STP`` when the taker has ended."""
        listener = self.listener
        now = self.now
        if stp in (STP_CN, STP_CB):
            if stp == STP_CB:
                self._stp_cancel_maker(m, lvl)
            self._end_taker(o)
            return _STOP_STP
        if stp == STP_CO:
            self._stp_cancel_maker(m, lvl)
            return None
        # DC: both shrink by the smaller; the smaller (or both) ends.
        cut = m.remaining if m.remaining < o.remaining else o.remaining
        o.remaining -= cut
        if cut >= m.remaining:
            self._stp_cancel_maker(m, lvl)
        else:
            self._shrink(m, cut)
            self.sequence += 1
            if listener is not None:
                listener(Amended(m, now, cut, m.price, "stp"))
        if o.remaining == 0:
            self._end_taker(o)
            return _STOP_STP
        if listener is not None:
            listener(Amended(o, now, cut, o.price, "stp"))
        return None

    def _end_taker(self, o: EngineOrder) -> None:
        """An STP action ended the taker: record what it traded, then cancel it (unless it
        is a market order by funds that had spent them, see :meth:`_spent_funds`)."""
        if o.filled and o.status == NEW:
            o.status = PARTIAL
        if self._spent_funds(o):
            self._finish(o, FILLED, None)
        else:
            self._finish(o, CANCELED, "stp")

    def _stp_cancel_maker(self, m: EngineOrder, lvl: Level) -> None:
        """Cancel a resting order met by its owner's STP taker (it sits at its queue front)."""
        self._remove(m, CANCELED, "stp", lvl)

    def _shrink(self, order: EngineOrder, lots: int) -> None:
        """Take ``lots`` off a resting order without moving it in its queue."""
        order.remaining -= lots
        lvl = (self._bids if order.is_buy else self._asks)[order.price]
        flags = order.flags
        if flags & FLAG_ICEBERG:
            if order.shown > order.remaining:
                lvl.visible -= order.shown - order.remaining
                order.shown = order.remaining
        elif not flags & FLAG_HIDDEN:
            lvl.visible -= lots

    def _drop_level(self, levels: dict[int, Level], price: int) -> None:
        """Remove an empty level (the opposite side's ``levels`` when matching)."""
        lvl = levels.pop(price)
        if len(self._spare) < _SPARE_LEVELS:
            lvl.head = lvl.tail = None  # (it may still point at the order that just left)
            self._spare.append(lvl)
        if levels is self._asks:
            if price == self.best_ask:
                heap = self._ask_heap
                while heap and heap[0] not in levels:
                    heappop(heap)
                self.best_ask = heap[0] if heap else NO_ASK
        elif price == self.best_bid:
            heap = self._bid_heap
            while heap and -heap[0] not in levels:
                heappop(heap)
            self.best_bid = -heap[0] if heap else NO_BID

    def _take_out(self, o: EngineOrder, lvl: Level | None = None) -> None:
        """Take a live resting order off its level and out of the index.

        ``lvl`` is passed by the matching loop, which owns the level meanwhile: then an
        emptied level is not dropped here."""
        levels = self._bids if o.is_buy else self._asks
        matching = lvl is not None
        if lvl is None:
            lvl = levels[o.price]
        flags = o.flags
        if flags & FLAG_ICEBERG:
            lvl.visible -= o.shown
            o.shown = 0
        elif not flags & FLAG_HIDDEN:
            lvl.visible -= o.remaining
        lvl.unlink(o)
        del self._orders[o.id]
        if lvl.live == 0 and not matching:
            self._drop_level(levels, o.price)
        self.sequence += 1

    def _remove(self, o: EngineOrder, status: int, reason: str, lvl: Level | None = None) -> None:
        """End a resting order unfilled (``lvl``: see :meth:`_take_out`)."""
        self._take_out(o, lvl)
        o.status = status
        o.reason = reason
        o.remaining = 0
        if self.listener is not None:
            self.listener(Canceled(o, self.now, reason))

    def _detach(self, o: EngineOrder) -> None:
        """Take a live resting order out of the book to enter it again (amend)."""
        self._take_out(o)

    def _finish(self, o: EngineOrder, status: int, reason: str | None) -> None:
        """End an order that is not resting (taker, waiting stop). A limit order that ran
        out after part of it was cancelled (STP DC) ends cancelled, not filled."""
        if status == FILLED and o.filled < o.size and not o.flags & FLAG_MARKET:
            status = CANCELED
            reason = reason or "canceled"
        o.status = status
        o.reason = reason
        listener = self.listener
        if status == FILLED:
            if listener is not None:
                listener(Filled(o, self.now))
            return
        o.remaining = 0
        if listener is not None:
            listener(Canceled(o, self.now, reason or "canceled"))

    def _reject(self, o: EngineOrder, reason: str) -> None:
        """Refuse an order on entry: REJECTED if it never lived, else (amend) CANCELED."""
        if o.status == NEW and not o.filled:
            o.status = REJECTED
            o.reason = reason
            o.remaining = 0
            if self.listener is not None:
                self.listener(Rejected(o, self.now, reason))
        else:
            self._finish(o, CANCELED, reason)

    def _crossing_prices(self, o: EngineOrder) -> list[int]:
        if o.is_buy:
            return sorted(p for p in self._asks if p <= o.price)
        return sorted((p for p in self._bids if p >= o.price), reverse=True)

    def _fillable(self, o: EngineOrder) -> int:
        """Lots ``o`` could take now (stopping at its owner's first order under STP)."""
        levels = self._asks if o.is_buy else self._bids
        total = 0
        for price in self._crossing_prices(o):
            for m in levels[price]:
                if o.stp and m.owner == o.owner:
                    return total
                total += m.remaining
                if total >= o.remaining:
                    return total
        return total

    def _visible_crossing(self, o: EngineOrder) -> bool:
        """Would ``o`` take any displayed liquidity? (Hidden and iceberg do not count.)"""
        levels = self._asks if o.is_buy else self._bids
        for price in self._crossing_prices(o):
            for m in levels[price]:
                if not m.flags & _HIDDEN_OR_ICEBERG:
                    return True
        return False

    # ------------------------------------------------------------------ stop orders

    def _add_stop(self, o: EngineOrder) -> None:
        o.status = PENDING
        self._stops[o.id] = o
        n = next(self._counter)
        if o.stop == STOP_LOSS:
            heappush(self._loss, (-o.stop_price, n, o.id))
        elif o.stop == STOP_ENTRY:
            heappush(self._entry, (o.stop_price, n, o.id))
        else:
            raise ValueError(f"unknown stop kind {o.stop}")
        if self.last_price:
            self._run_stops()

    def _run_stops(self) -> None:
        """Trigger every stop order the last price has reached, cascading."""
        loss = self._loss
        entry = self._entry
        stops = self._stops
        while self.last_price:
            last = self.last_price
            if loss and -loss[0][0] >= last:
                _, _, order_id = heappop(loss)
            elif entry and entry[0][0] <= last:
                _, _, order_id = heappop(entry)
            else:
                break
            o = stops.pop(order_id, None)
            if o is None:
                continue  # cancelled while waiting
            o.status = NEW
            if self.listener is not None:
                self.listener(Triggered(o, self.now))
            if self.admit is not None:
                refusal = self.admit(o)
                if refusal is not None:
                    self._reject(o, refusal)
                    continue
            if self.divert is not None:
                self.divert(o)
            else:
                self._enter(o)
