"""The public data: listed pairs and currencies, level 1, 24 h stats, order book, trades
and candles."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from exchanges import Interval
from simulator.engine import FLAG_HIDDEN, FLAG_ICEBERG, FLAG_MARKET, Book
from simulator.venue.book_watch import BookWatch
from simulator.venue.listing import CurrencySpec, SymbolSpec
from simulator.venue.orders import tidy
from simulator.venue.records import BookSnapshot, CandleBar, FeeRates, Level1, PublicTrade, Stats24h
from simulator.venue.refusals import Refusals
from simulator.venue.registry import Markets, Users
from simulator.venue.settlement import public_trade
from simulator.venue.state import MarketState
from simulator.venue.timeline import Timeline

__all__ = ["MarketData"]

ZERO = Decimal(0)
_DAY_MS = 86_400_000
_t = tidy


class MarketData:
    """Reading the listing and the public data."""

    def __init__(
        self, markets: Markets, users: Users, time: Timeline, refuse: Refusals, watch: BookWatch | None = None
    ) -> None:
        self._markets = markets
        self._users = users
        self._time = time
        self._refuse = refuse
        self._watch = watch

    def symbols(self, market: str | None = None) -> list[SymbolSpec]:
        """Every listed pair (``market`` filters on KuCoin's market name, e.g. ``USDS``)."""
        listed = self._markets.by_symbol.values()
        return [m.spec for m in listed if market is None or m.spec.market == market]

    def symbol(self, symbol: str) -> SymbolSpec:
        return self._markets.get(symbol).spec

    def market_names(self) -> list[str]:
        """The market groups in use (``USDS``, ``BTC``...)."""
        return sorted({m.spec.market for m in self._markets.by_symbol.values()})

    def currencies(self) -> list[CurrencySpec]:
        return list(self._markets.currencies.values())

    def currency(self, code: str) -> CurrencySpec:
        return self._markets.currency(code)

    # ---------------------------------------------------------------- market data

    def book(self, symbol: str) -> Book:
        """The engine book of ``symbol`` (read it; change it only through the venue)."""
        mkt = self._markets.get(symbol)
        if self._time.pending is not None:
            self._time.pending()
        return mkt.book

    def last_price(self, symbol: str) -> Decimal | None:
        mkt = self._markets.get(symbol)
        self._time.sync()
        return mkt.scale.price(mkt.book.last_price) if mkt.book.last_price else None

    def reference_price(self, symbol: str) -> Decimal:
        """Last trade price, else the mid of the book, else the symbol's initial price."""
        mkt = self._markets.get(symbol)
        self._time.sync()
        return self._markets.reference(mkt)

    def level1(self, symbol: str) -> Level1:
        mkt = self._markets.get(symbol)
        now = self._time.sync()
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
        mkt = self._markets.get(symbol)
        now = self._time.sync()
        return self._stats(mkt, now, uid)

    def all_stats(self, uid: str | None = None) -> list[Stats24h]:
        now = self._time.sync()
        return [self._stats(mkt, now, uid) for mkt in self._markets.by_symbol.values()]

    def _stats(self, mkt: MarketState, now: int, uid: str | None) -> Stats24h:
        scale = mkt.scale
        spec = mkt.spec
        book = mkt.book
        bid, ask = self._best_visible(mkt)
        window = mkt.candles.window(now - _DAY_MS + 1, now + 1)
        last = scale.price(book.last_price) if book.last_price else None
        rates = self.fee_rates_on(uid, mkt)
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

    def fee_rates_on(self, uid: str | None, mkt: MarketState) -> FeeRates:
        """``uid``'s actual rates on ``mkt`` (the venue's default rates for ``None``)."""
        users = self._users
        maker, taker = users.default_rates(mkt) if uid is None else users.rates(users.get(uid), mkt)
        return FeeRates(symbol=mkt.spec.symbol, maker=maker, taker=taker)

    def _best_visible(self, mkt: MarketState) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
        if mkt.external:
            bids, asks = self._parked_depth(mkt, 1)
            return (bids[0] if bids else None), (asks[0] if asks else None)
        return mkt.book.best_visible(True), mkt.book.best_visible(False)

    @staticmethod
    def _parked_depth(
        mkt: MarketState, depth: int | None
    ) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
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
        """Visible book aggregated by price, ``depth`` levels a side (``None``: full). A
        watched book's pending change is published first: the snapshot's sequence is then
        the end of a change its watchers have had."""
        mkt = self._markets.get(symbol)
        now = self._time.sync()
        watch = self._watch
        if watch is not None and watch.watching:
            watch.flush(symbol)
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
        mkt = self._markets.get(symbol)
        self._time.sync()
        rows = list(mkt.trades)[-limit:] if limit > 0 else []
        return [public_trade(mkt, row) for row in rows]

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
        mkt = self._markets.get(symbol)
        now = self._time.sync()
        try:
            iv = Interval.parse(interval)
        except ValueError as err:
            raise self._refuse.bad(str(err)) from None
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
