"""The public topics' feeds: what the venue says (trades, book changes) pushed as it happens,
and the periodic topics pushed when the market moved (NOTES 9: ticker and depth every
100 ms, level 1 every 10 ms, the snapshot every 2 s; "if there is no change in the market,
data will not be pushed"). A new subscriber of a periodic topic gets its current state at
the next push, so that a quiet market does not leave it with nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs
import orjson

from exchanges import Interval
from simulator.venue import CandleBar, VenueEvent

from . import ws_render as render
from .klines import KLINE_TYPES
from .ws_session import DATA, LEVEL2, WsSession
from .ws_topics import CANDLES, DEPTH5, DEPTH50, LEVEL1, SNAPSHOT, TICKER, TopicError, TopicKind

if TYPE_CHECKING:
    from .ws_hub import WsHub

__all__ = ["MarketFeeds", "frame"]

_L2 = "/market/level2:"
_MATCH = "/market/match:"
#: Seconds between pushes of the periodic topics (NOTES 9).
_PERIODS = {
    TICKER.prefix: 0.1,
    LEVEL1.prefix: 0.01,
    DEPTH5.prefix: 0.1,
    DEPTH50.prefix: 0.1,
    SNAPSHOT.prefix: 2.0,
}
_HOUR_MS = 3_600_000


def frame(topic: str, subject: str, data: object) -> str:
    return orjson.dumps({"type": "message", "topic": topic, "subject": subject, "data": data}).decode()


@attrs.define
class _Periodic:
    kind: TopicKind
    subject: str
    due: float = 0.0
    seen: dict[str, tuple[int, int]] = attrs.field(factory=dict)  # symbol -> (sequence, trades)
    fresh: dict[WsSession, None] = attrs.field(factory=dict)


class MarketFeeds:
    def __init__(self, hub: WsHub) -> None:
        self._hub = hub
        self._venue = hub.venue
        self._periodic: dict[str, _Periodic] = {}
        self._books: dict[str, Callable[[], None]] = {}
        self._candles: dict[str, dict[str, Interval]] = {}  # symbol -> candle topic -> interval
        self._fresh_candles: dict[str, dict[WsSession, None]] = {}
        self._traded: set[str] = set()

    # --- subscribing -----------------------------------------------------------------------------

    def check(self, kind: TopicKind, subject: str) -> None:
        """A subject the venue can produce, or KuCoin's 404."""
        if kind.private:
            return
        venue = self._venue
        names = {s.symbol for s in venue.symbols()}
        if kind is CANDLES:
            symbol, _, kline = subject.rpartition("_")
            ok = symbol in names and kline in KLINE_TYPES
        elif kind is SNAPSHOT:
            ok = subject in names or subject in venue.market_names()
        else:
            ok = subject in names or (kind.allows_all and subject == "all")
        if not ok:
            raise TopicError(404, f"topic {kind.prefix}{subject} is not found")

    def joined(self, kind: TopicKind, subject: str, session: WsSession, first: bool) -> None:
        key = kind.prefix + subject
        if kind.prefix == _L2:
            if first:
                self._books[subject] = self._venue.watch_book(subject)
        elif kind is CANDLES:
            symbol, _, kline = subject.rpartition("_")
            self._candles.setdefault(symbol, {})[key] = Interval.parse(kline)
            self._fresh_candles.setdefault(key, {})[session] = None
        elif kind.prefix in _PERIODS:
            state = self._periodic.get(key)
            if state is None:
                state = self._periodic[key] = _Periodic(kind, subject)
            state.fresh[session] = None

    def left(self, key: str) -> None:
        prefix, _, subject = key.partition(":")
        prefix += ":"
        if prefix == _L2:
            stop = self._books.pop(subject, None)
            if stop is not None:
                stop()
        elif prefix == CANDLES.prefix:
            symbol = subject.rpartition("_")[0]
            series = self._candles.get(symbol, {})
            series.pop(key, None)
            if not series:
                self._candles.pop(symbol, None)
            self._fresh_candles.pop(key, None)
        else:
            self._periodic.pop(key, None)

    # --- the venue's events ----------------------------------------------------------------------

    def on_event(self, event: VenueEvent) -> None:
        hub = self._hub
        if event.book is not None:
            key = _L2 + event.book.symbol
            hub.publish(key, frame(key, "trade.l2update", render.level2(event.book)), LEVEL2)
        elif event.trade is not None:
            symbol = event.trade.symbol
            key = _MATCH + symbol
            if hub.subscribed(key):
                hub.publish(key, frame(key, "trade.l3match", render.match(event.trade)))
            if symbol in self._candles:
                self._traded.add(symbol)

    def flush(self) -> None:
        """After a venue call: the books' changes, and the candles trades moved."""
        if self._books:
            self._venue.publish_book_changes()
        if self._traded:
            traded, self._traded = self._traded, set()
            for symbol in traded:
                for key, interval in self._candles.get(symbol, {}).items():
                    self._push_candle(key, symbol, interval, None)
        if self._fresh_candles:
            for key, sessions in self._fresh_candles.items():
                if sessions:
                    symbol = key[len(CANDLES.prefix) :].rpartition("_")[0]
                    self._push_candle(key, symbol, self._candles[symbol][key], list(sessions), current=True)
                    sessions.clear()

    def _push_candle(
        self, key: str, symbol: str, interval: Interval, only: list[WsSession] | None, current: bool = False
    ) -> None:
        bars = self._venue.candles(symbol, interval, limit=1)
        if not bars:
            return
        bar: CandleBar = bars[0]
        now = self._venue.now
        if current and now - bar.start >= interval.ms:  # (no trade yet in this interval)
            return
        data = render.candle(bar, now * 1_000_000)
        self._hub.publish(key, frame(key, CANDLES.subject, data), DATA, only)

    # --- periodic topics -------------------------------------------------------------------------

    def tick(self, now: float) -> None:
        for key, state in list(self._periodic.items()):
            due = now >= state.due
            if not due and not state.fresh:
                continue
            if due:
                state.due = now + _PERIODS[state.kind.prefix]
            symbols = self._symbols_of(state)
            fresh = list(state.fresh)
            state.fresh.clear()
            for symbol in symbols:
                self._push_periodic(key, state, symbol, due, fresh)

    def _symbols_of(self, state: _Periodic) -> list[str]:
        """The pairs a periodic topic covers: one, every one (``all``), or a market's."""
        subject = state.subject
        listed = self._venue.symbols()
        if subject == "all":
            return [s.symbol for s in listed]
        if state.kind is SNAPSHOT and all(s.symbol != subject for s in listed):
            return [s.symbol for s in listed if s.market == subject]
        return [subject]

    def _push_periodic(
        self, key: str, state: _Periodic, symbol: str, due: bool, fresh: list[WsSession]
    ) -> None:
        venue = self._venue
        book = venue.book(symbol)
        mark = (book.sequence, book.trade_count)
        changed = due and (state.kind is SNAPSHOT or state.seen.get(symbol) != mark)
        if not changed and not fresh:
            return
        state.seen[symbol] = mark
        kind = state.kind
        subject = symbol if state.subject == "all" else kind.subject
        data: object
        if kind is TICKER:
            data = render.ticker(venue.level1(symbol))
        elif kind is LEVEL1:
            data = render.level1(venue.level1(symbol))
        elif kind is SNAPSHOT:
            data = self._snapshot(symbol)
        else:
            data = render.depth(venue.order_book(symbol, 5 if kind is DEPTH5 else 50))
        self._hub.publish(key, frame(key, subject, data), DATA, None if changed else fresh)

    def _snapshot(self, symbol: str) -> object:
        venue = self._venue
        stats = venue.stats(symbol)
        now = venue.now
        bars = venue.candles(symbol, Interval.M1, start=now - 4 * _HOUR_MS + 1)
        return render.snapshot(
            stats,
            venue.symbol(symbol),
            venue.book(symbol).sequence,
            _window([b for b in bars if b.start > now - _HOUR_MS]),
            _window(bars),
        )


def _window(bars: list[CandleBar]) -> render.Change:
    if not bars:
        return None
    return (
        bars[0].open,
        max(b.high for b in bars),
        min(b.low for b in bars),
        bars[-1].close,
        sum((b.volume for b in bars), Decimal(0)),
        sum((b.turnover for b in bars), Decimal(0)),
    )
