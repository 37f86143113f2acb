"""``PaperExchange``: the ``exchanges.Exchange`` protocol in-process, on a simulated venue.

One user of a :class:`~simulator.venue.Venue` (several paper exchanges may share a venue
and trade with each other). Unified symbols in and out (``BTC/USDT``), ``Decimal``
amounts, epoch-ms times; errors are :mod:`exchanges.errors` types with ``venue="paper"``
and KuCoin's codes (``[paper 200004] Balance insufficient!``), or Binance's with
``dialect="binance"`` (Binance's rulebook and pairs too: commission in the asset received,
its filters and STP modes). Requests are checked with
:func:`exchanges.precision.validate_order` before the venue applies the dialect's own rules.

The venue reads its clock at every call: with a ``ManualClock`` nothing moves until the
clock does (a backtest advances it); with a ``SystemClock`` the market runs in real time.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import itertools
import re
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from decimal import Decimal
from types import MappingProxyType, TracebackType
from typing import Concatenate, ParamSpec, Self, TypeVar

import attrs

from exchanges import (
    Backlog,
    BadRequest,
    BadSymbol,
    Balance,
    Candle,
    Capabilities,
    Clock,
    ExchangeError,
    Fill,
    Interval,
    InvalidOrder,
    Latest,
    ManualClock,
    Market,
    NotSupported,
    Order,
    OrderAck,
    OrderBook,
    OrderBookLevel,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
    StreamGap,
    StreamKind,
    Ticker,
    TimeInForce,
    Trade,
    check_depth,
    check_history_args,
    parse_interval,
    require_one_ref,
    validate_client_order_id,
)
from simulator.binance.listing import BINANCE_SYMBOLS
from simulator.binance.rulebook import BINANCE_RULEBOOK
from simulator.binance.words import binance_error
from simulator.kucoin.words import kucoin_error
from simulator.market import SyntheticConfig, attach_synthetic
from simulator.paper_streams import TRADE_BACKLOG, PaperStreams
from simulator.venue import CurrencySpec, FillInfo, MarketState, OrderInfo, Rulebook, SymbolSpec, Venue
from simulator.venue.refusals import precision_reason

__all__ = ["PAPER_CAPABILITIES", "PaperExchange"]

#: Everything KuCoin's spot venue offers, every stream included.
PAPER_CAPABILITIES = attrs.evolve(Capabilities.everything(), streams=frozenset(StreamKind))
_LIMIT = OrderType.LIMIT
_GTC = TimeInForce.GTC
_BUY = Side.BUY
ZERO = Decimal(0)
_CANCELED_STATUS = OrderStatus.CANCELED
_BAD = "400100"  # KuCoin's code for bad parameters
#: Each dialect's words for the venue's refusals, the code of a bad parameter, its rulebook
#: and pairs (``None``: the venue's defaults, KuCoin's).
_DIALECTS: dict[
    str, tuple[Callable[[ExchangeError], ExchangeError], str, Rulebook | None, tuple[SymbolSpec, ...] | None]
] = {
    "kucoin": (kucoin_error, _BAD, None, None),
    "binance": (binance_error, "-1102", BINANCE_RULEBOOK, BINANCE_SYMBOLS),
}


class PaperExchange:
    """A paper-trading ``Exchange``.

    ``balances`` fund the user's trade account. Without ``venue`` a private venue is made
    from ``seed``, ``clock`` (default: a ``ManualClock``), ``symbols`` and ``synthetic``
    (the embedded synthetic market, on by default so the book is full from the start;
    pass ``False`` for an empty, quiet book). With ``venue`` the exchange joins it as a new
    user (``uid``), sharing its books and clock with every other user. ``dialect``
    (``kucoin`` or ``binance``) words the refusals and, for a private venue, picks its
    rulebook and pairs.
    """

    venue = "paper"

    def __init__(
        self,
        balances: Mapping[str, Decimal | str | int] | None = None,
        *,
        seed: int = 0,
        clock: Clock | None = None,
        venue: Venue | None = None,
        uid: str | None = None,
        symbols: list[SymbolSpec] | None = None,
        currencies: list[CurrencySpec] | None = None,
        synthetic: bool | SyntheticConfig = True,
        maker_fee_rate: Decimal | str | None = None,
        taker_fee_rate: Decimal | str | None = None,
        dialect: str = "kucoin",
    ) -> None:
        if dialect not in _DIALECTS:
            raise ValueError(f"dialect must be one of {', '.join(_DIALECTS)}, not {dialect!r}")
        self.dialect = dialect
        self._word, self._bad, rulebook, listed = _DIALECTS[dialect]
        if balances is not None and not isinstance(balances, Mapping):
            raise TypeError(
                f"balances must map currency to amount, like {{'USDT': '1000'}}, got {balances!r}"
            )
        if venue is None:
            venue = Venue(
                seed=seed,
                clock=clock if clock is not None else ManualClock(),
                symbols=symbols if symbols is not None else listed,
                currencies=currencies,
                name=self.venue,
                rulebook=rulebook,
            )
            attach_synthetic(venue, synthetic)
        elif clock is not None and clock is not venue.clock:
            raise ValueError("a shared venue has its own clock; do not pass another")
        self.sim = venue
        self.clock = venue.clock
        try:
            self.uid = venue.create_user(
                uid, balances, maker_fee_rate=maker_fee_rate, taker_fee_rate=taker_fee_rate
            )
        except ExchangeError as err:
            raise self._word(err) from None
        self._user = venue.trader(self.uid)
        self._timeline = venue.timeline
        self.capabilities = PAPER_CAPABILITIES
        self._native: dict[str, str] = {}
        self._unified: dict[str, str] = {}
        self._markets: dict[str, Market] = {}
        self._routes: dict[str, MarketState] = {}
        self._coid_counter = itertools.count(1)
        self._coid_time = -1
        self._coid_prefix = ""
        self._closed = False
        self._streams: PaperStreams | None = None
        self._index_symbols()

    def __repr__(self) -> str:
        return f"PaperExchange(uid={self.uid!r}, clock={self.clock!r})"

    # ---------------------------------------------------------------- symbols

    def _index_symbols(self) -> None:
        for spec in self.sim.symbols():
            self._native[spec.unified] = spec.symbol
            self._unified[spec.symbol] = spec.unified

    def _to_native(self, symbol: str) -> str:
        native = self._native.get(symbol)
        if native is None:
            self._index_symbols()  # a symbol may have been listed since
            native = self._native.get(symbol)
            if native is None:
                raise BadSymbol(f"unknown symbol {symbol!r}", venue=self.venue, code="900001")
        return native

    def _route(self, symbol: str) -> MarketState:
        """The venue's state of the pair ``symbol`` (unified), looked up once."""
        try:
            mkt = self._routes[symbol] = self.sim.market_state(self._to_native(symbol))
        except ExchangeError as err:
            raise self._word(err) from None
        return mkt

    def _market(self, symbol: str) -> Market:
        market = self._markets.get(symbol)
        if market is None:
            native = self._to_native(symbol)
            rates = self.sim.fee_rates(self.uid, native)
            market = self.sim.symbol(native).to_market(rates.maker, rates.taker)
            if self.dialect == "binance":  # (Binance spells a pair without a separator: BTCUSDT)
                market = attrs.evolve(market, id=market.base + market.quote)
            self._markets[symbol] = market
        return market

    # ---------------------------------------------------------------- market data

    async def load_markets(self, reload: bool = False) -> Mapping[str, Market]:
        self._check_open()
        if reload:
            self._markets.clear()
            self._index_symbols()
        return {spec.unified: self._market(spec.unified) for spec in self.sim.symbols()}

    async def fetch_ticker(self, symbol: str) -> Ticker:
        self._check_open()
        native = self._to_native(symbol)
        stats = self.sim.stats(native, self.uid)
        level1 = self.sim.level1(native)
        return Ticker(
            symbol=symbol,
            timestamp=level1.time,
            bid=level1.best_bid,
            bid_size=level1.best_bid_size,
            ask=level1.best_ask,
            ask_size=level1.best_ask_size,
            last=level1.price,
            last_size=level1.size,
            open=stats.open,
            high=stats.high,
            low=stats.low,
            volume=stats.vol,
            quote_volume=stats.vol_value,
            change=stats.change_price,
            change_rate=stats.change_rate,
            average_price=stats.average_price,
        )

    async def fetch_order_book(self, symbol: str, depth: int | None = 20) -> OrderBook:
        self._check_open()
        check_depth(depth, venue=self.venue, code=self._bad)
        snap = self.sim.order_book(self._to_native(symbol), depth)
        return OrderBook(
            symbol=symbol,
            timestamp=snap.time,
            bids=tuple(OrderBookLevel(p, q) for p, q in snap.bids),
            asks=tuple(OrderBookLevel(p, q) for p, q in snap.asks),
            sequence=snap.sequence,
        )

    async def fetch_trades(self, symbol: str, limit: int | None = None) -> list[Trade]:
        """Recent public trades, oldest first (at most the last 1000)."""
        self._check_open()
        check_history_args(limit=limit, venue=self.venue, code=self._bad)
        rows = self.sim.trades(self._to_native(symbol), 1000 if limit is None else limit)
        return [
            Trade(
                id=str(t.trade_id), symbol=symbol, price=t.price, size=t.size, side=t.side, timestamp=t.time
            )
            for t in rows
        ]

    async def fetch_candles(
        self,
        symbol: str,
        interval: Interval | str,
        start: int | None = None,
        end: int | None = None,
    ) -> list[Candle]:
        self._check_open()
        iv = parse_interval(interval, venue=self.venue, code=self._bad)
        check_history_args(start=start, end=end, venue=self.venue, code=self._bad)
        bars = self.sim.candles(self._to_native(symbol), iv, start, end)
        return [
            Candle(
                start=b.start,
                open=b.open,
                high=b.high,
                low=b.low,
                close=b.close,
                volume=b.volume,
                quote_volume=b.turnover,
                symbol=symbol,
                interval=iv,
            )
            for b in bars
        ]

    # ---------------------------------------------------------------- account

    async def fetch_balances(self) -> dict[str, Balance]:
        self._check_open()
        return {
            row.currency: Balance(
                currency=row.currency, total=row.balance, available=row.available, hold=row.holds
            )
            for row in self.sim.accounts_of(self.uid, account_type="trade")
        }

    # ---------------------------------------------------------------- orders

    async def place_order(self, request: OrderRequest) -> Order:
        if self._closed:
            self._check_open()
        symbol = request.symbol
        mkt = self._routes.get(symbol)
        if mkt is None:
            mkt = self._route(symbol)
        capabilities = self.capabilities
        if capabilities is not PAPER_CAPABILITIES:  # (which offers everything a request can ask)
            problem = capabilities.missing(request)
            if problem:
                raise NotSupported(problem, venue=self.venue)
        no_options = (
            request.time_in_force is _GTC
            and request.stp is None
            and request.stop_price is None
            and request.remark is None
            and request.post_only is False
            and request.hidden is False
            and request.iceberg is False
        )  # (so none of the option rules applies)
        plain = no_options and request.type is _LIMIT  # the hot path
        ticks, lots = self._checked(mkt, request, plain)
        coid = request.client_order_id
        if coid is not None:
            validate_client_order_id(self.venue, coid)
        sim = self.sim
        timeline = self._timeline
        try:
            now = timeline.now
            if timeline.pending is not None or timeline.clock.now_ms() > now:
                now = timeline.sync()  # (else there is nothing for it to do)
            if coid is None:  # (a new one: see _client_id_prefix)
                if now != self._coid_time:
                    self._client_id_prefix(now)
                coid = self._coid_prefix + hex(next(self._coid_counter))[2:]
            if request.stop is not None and self.dialect == "kucoin":
                self._check_stop(request, mkt)
            user = self._user
            return sim.place_request(user, mkt, request, ticks, lots, coid, now, plain, no_options, symbol)
        except ExchangeError as err:
            raise self._word(err) from None

    def _checked(self, mkt: MarketState, request: OrderRequest, plain: bool) -> tuple[int, int]:
        """validate_order's checks, precompiled for the pair (the venue applies its own
        rules next, without OrderParams or a snapshot): the price in ticks, the size in lots."""
        checker = mkt.rules.checker
        checked = None
        try:
            if plain:
                assert request.price is not None and request.size is not None
                checked = checker.check_limit(request.price, request.size)
            return checked or checker.check(request)
        except ExchangeError as err:
            raise self._word(_reasoned(err, mkt)) from None

    def _client_id_prefix(self, now: int) -> None:
        """Generated client ids are deterministic (same seed and calls, same ids) and
        unique per exchange object: ``paper<uid tag>x<venue time, hex>x<counter, hex>``, a
        valid clientOid for any uid (see :func:`_uid_tag`), so the bot can place again under
        the same id. This sets the prefix for the venue time ``now``."""
        self._coid_time = now
        self._coid_prefix = f"paper{_uid_tag(self.uid)}x{now:x}x"

    def _check_stop(self, request: OrderRequest, mkt: MarketState) -> None:
        """KuCoin's stop-order request has no direction: KuCoin derives it from its last
        price (a stop price at or above it is an entry, below it a loss), as the venue does
        for a request without one. A direction given that KuCoin would not derive is
        refused, as the KuCoin adapter refuses it, so that a bot meets the same rule here."""
        assert request.stop_price is not None and request.stop is not None
        reference = self.sim.reference_price(mkt.spec.symbol)
        derived = self.sim.rulebook.stop_direction(request.stop_price, reference)
        if request.stop is not derived:
            raise InvalidOrder(
                f"KuCoin derives a stop order's direction from its last price ({reference}):"
                f" a stop price of {request.stop_price} makes it {derived.value}, not {request.stop.value}",
                venue=self.venue,
            )

    async def cancel_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order:
        if self._closed:
            self._check_open()
        if (order_id is None) == (client_order_id is None):
            require_one_ref(order_id, client_order_id)  # raises
        native = self._native.get(symbol)
        if native is None:
            native = self._to_native(symbol)
        timeline = self._timeline
        try:
            now = timeline.now
            if timeline.pending is not None or timeline.clock.now_ms() > now:
                now = timeline.sync()  # (else there is nothing for it to do)
            return self.sim.cancel_request(self._user, native, order_id, client_order_id, symbol, now)
        except ExchangeError as err:
            raise self._word(err) from None

    def order_stamp(self, order_id: str) -> tuple[int, int, int, int, int] | None:
        """What this account's order ``order_id`` looks like, cheaply: two equal stamps mean
        ``fetch_order`` would return equal ``Order``s (None if the venue no longer has it).
        For runners that poll every open order on every event."""
        return self.sim.order_stamp(self._user, order_id)

    async def cancel_all_orders(self, symbol: str | None = None) -> None:
        self._check_open()
        self.sim.cancel_all(self.uid, None if symbol is None else self._to_native(symbol))

    async def amend_order(
        self,
        symbol: str,
        *,
        order_id: str | None = None,
        client_order_id: str | None = None,
        price: Decimal | str | None = None,
        size: Decimal | str | None = None,
    ) -> OrderAck:
        """Modify an open limit order the way KuCoin does (not part of the protocol; the
        same call as ``KucoinExchange.amend_order``): the order is cancelled and a new one
        placed with the new price and/or size, a new id, the same clientOid and options, at
        the back of the queue. ``size`` is the new total: if it is not above what already
        filled, the order just ends. The ack names the new order (or the ended one)."""
        self._check_open()
        require_one_ref(order_id, client_order_id)
        if price is None and size is None:
            raise BadRequest("pass a new price, a new size, or both", venue=self.venue)
        native = self._to_native(symbol)
        info = self.sim.alter_order(
            self.uid, native, order_id=order_id, client_oid=client_order_id, new_price=price, new_size=size
        )
        return OrderAck(order_id=info.id, client_order_id=info.client_oid)

    async def fetch_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order:
        self._check_open()
        require_one_ref(order_id, client_order_id)
        native = self._to_native(symbol)
        return self.sim.order_of(self._user, native, order_id, client_order_id, symbol)

    async def fetch_open_orders(self, symbol: str | None = None) -> list[Order]:
        """Open orders (waiting stop orders included), most recently updated first, as
        KuCoin lists them (orders updated in the same millisecond: newest first)."""
        self._check_open()
        native = None if symbol is None else self._to_native(symbol)
        return self.sim.open_orders_of(self._user, native, self._unified.__getitem__)

    async def fetch_closed_orders(
        self,
        symbol: str,
        *,
        start: int | None = None,
        end: int | None = None,
        limit: int | None = None,
    ) -> list[Order]:
        self._check_open()
        check_history_args(limit=limit, start=start, end=end, venue=self.venue, code=self._bad)
        native = self._to_native(symbol)
        out: list[Order] = []
        last_id: int | None = None
        while limit is None or len(out) < limit:
            want = 100 if limit is None else min(100, limit - len(out))
            page = self.sim.done_orders(self.uid, native, start=start, end=end, last_id=last_id, limit=want)
            out.extend(self._order(info) for info in page.items)
            if len(page.items) < want:
                break
            last_id = page.last_id
        return out

    async def fetch_fills(
        self,
        symbol: str,
        *,
        order_id: str | None = None,
        start: int | None = None,
        end: int | None = None,
        limit: int | None = None,
    ) -> list[Fill]:
        self._check_open()
        check_history_args(limit=limit, start=start, end=end, venue=self.venue, code=self._bad)
        native = self._to_native(symbol)
        out: list[Fill] = []
        last_id: int | None = None
        while limit is None or len(out) < limit:
            want = 100 if limit is None else min(100, limit - len(out))
            page = self.sim.fills(
                self.uid, native, order_id=order_id, start=start, end=end, last_id=last_id, limit=want
            )
            out.extend(self._fill(info) for info in page.items)
            if len(page.items) < want:
                break
            last_id = page.last_id
        return out

    async def server_time(self) -> int:
        self._check_open()
        return self.sim.sync()

    async def close(self) -> None:
        """Later calls raise ``ExchangeError("exchange is closed")``, as a closed
        ``KucoinExchange``'s do (open streams too); the venue (maybe shared) lives on."""
        self._closed = True
        if self._streams is not None:
            self._streams.fail(ExchangeError("exchange is closed", venue=self.venue))

    def _check_open(self) -> None:
        if self._closed:
            raise ExchangeError("exchange is closed", venue=self.venue)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # ---------------------------------------------------------------- streams (exchanges.Streaming)

    @property
    def streams(self) -> PaperStreams:
        """The venue's events routed to this account's streams (made on first use)."""
        if self._streams is None:
            unified = self._unified.__getitem__
            self._streams = PaperStreams(self.sim, self.uid, self._order, self._fill, unified)
        return self._streams

    async def watch_ticker(self, symbol: str) -> AsyncGenerator[Ticker | StreamGap, None]:
        """The ticker as it stands, then after every change of the book or a trade (conflated)."""
        self._check_open()
        native = self._to_native(symbol)
        box: Latest[None] = Latest(StreamKind.TICKER, symbol, self.clock)
        streams = self.streams
        async with streams.joined(streams.tickers, native, box):
            box.put(None)
            while True:
                await box.get()
                yield await self.fetch_ticker(symbol)

    async def watch_trades(self, symbol: str) -> AsyncGenerator[Trade | StreamGap, None]:
        """Public trades from now on, oldest first; a consumer more than 10,000 behind loses
        the oldest, and is told so by an ``OVERFLOW`` gap."""
        self._check_open()
        native = self._to_native(symbol)
        box: Backlog[Trade] = Backlog(StreamKind.TRADES, symbol, self.clock, limit=TRADE_BACKLOG)
        streams = self.streams
        async with streams.joined(streams.trades, native, box):
            while True:
                yield await box.get()

    async def watch_order_book(
        self, symbol: str, depth: int | None = 20
    ) -> AsyncGenerator[OrderBook | StreamGap, None]:
        """The book as it stands, then after every change (conflated: the latest state)."""
        self._check_open()
        check_depth(depth, venue=self.venue, code=_BAD)
        native = self._to_native(symbol)
        box: Latest[None] = Latest(StreamKind.ORDER_BOOK, symbol, self.clock)
        streams = self.streams
        shown: int | None = None
        async with streams.joined(streams.books, native, box):
            box.put(None)
            while True:
                await box.get()
                book = await self.fetch_order_book(symbol, depth)
                if book.sequence != shown:  # (a change already shown: reading published it)
                    shown = book.sequence
                    yield book

    async def watch_candles(
        self, symbol: str, interval: Interval | str
    ) -> AsyncGenerator[Candle | StreamGap, None]:
        """The current candle, then as trades update it (conflated per candle)."""
        self._check_open()
        iv = parse_interval(interval, venue=self.venue, code=_BAD)
        native = self._to_native(symbol)
        box: Latest[Candle] = Latest(StreamKind.CANDLES, symbol, self.clock)
        streams = self.streams
        async with streams.joined(streams.candles, native, (box, iv)):
            streams.put_candle(box, native, iv, current=True)
            while True:
                yield await box.get()

    async def watch_orders(self, symbol: str | None = None) -> AsyncGenerator[Order, None]:
        """This account's open orders (of ``symbol``, or all) as they stand, then every state
        change of its orders, in order; never dropped."""
        self._check_open()
        if symbol is not None:
            self._to_native(symbol)
        box: Backlog[Order] = Backlog(StreamKind.ORDERS, symbol or "", self.clock)
        streams = self.streams
        async with streams.joined(streams.orders, None, (box, symbol)):
            for order in reversed(await self.fetch_open_orders(symbol)):  # (oldest change first)
                box.put(order)
            while True:
                item = await box.get()
                if not isinstance(item, StreamGap):
                    yield item

    async def watch_fills(self, symbol: str | None = None) -> AsyncGenerator[Fill, None]:
        """This account's executions as they happen; never dropped."""
        self._check_open()
        if symbol is not None:
            self._to_native(symbol)
        box: Backlog[Fill] = Backlog(StreamKind.FILLS, symbol or "", self.clock)
        streams = self.streams
        async with streams.joined(streams.fills, None, (box, symbol)):
            while True:
                item = await box.get()
                if not isinstance(item, StreamGap):
                    yield item

    async def watch_balances(self) -> AsyncGenerator[Balance, None]:
        """Every balance as it stands, then a currency's each time it changes (conflated)."""
        self._check_open()
        box: Latest[Balance] = Latest(StreamKind.BALANCES, "", self.clock)
        streams = self.streams
        async with streams.joined(streams.balances, None, box):
            for currency, balance in (await self.fetch_balances()).items():
                streams.known[currency] = balance
                box.put(balance, currency)
            while True:
                item = await box.get()
                if not isinstance(item, StreamGap):
                    yield item

    # ---------------------------------------------------------------- conversions

    def _order(self, info: OrderInfo) -> Order:
        return Order(
            id=info.id,
            symbol=self._unified[info.symbol],
            side=info.side,
            type=info.type,
            status=info.status,
            client_order_id=info.client_oid,
            price=info.price,
            size=info.size,
            funds=info.funds,
            filled_size=info.deal_size,
            filled_funds=info.deal_funds,
            fee=info.fee,
            fee_currency=info.fee_currency,
            time_in_force=info.time_in_force,
            post_only=info.post_only,
            hidden=info.hidden,
            iceberg=info.iceberg,
            visible_size=info.visible_size,
            stp=info.stp,
            cancel_after=info.cancel_after,
            stop=info.stop,
            stop_price=info.stop_price,
            remark=info.remark,
            created_at=info.created_at,
            updated_at=info.last_updated_at,
        )

    def _fill(self, info: FillInfo) -> Fill:
        return Fill(
            id=str(info.id),
            order_id=info.order_id,
            trade_id=str(info.trade_id),
            symbol=self._unified[info.symbol],
            side=info.side,
            price=info.price,
            size=info.size,
            funds=info.funds,
            fee=info.fee,
            fee_currency=info.fee_currency,
            liquidity=info.liquidity,
            timestamp=info.created_at,
            fee_rate=info.fee_rate,
            counter_order_id=info.counter_order_id or None,
            client_order_id=info.client_oid,
        )


_SAFE_UID = re.compile(r"[A-Za-z0-9]{1,12}")


_P = ParamSpec("_P")
_T = TypeVar("_T")


def _uid_tag(uid: str) -> str:
    """``uid`` when it is short and alphanumeric (KuCoin's are numbers), else 8 hex digits
    of its hash: KuCoin allows 40 characters of letters, digits, ``_`` and ``-``."""
    if _SAFE_UID.fullmatch(uid):
        return uid
    return hashlib.blake2b(uid.encode(), digest_size=4).hexdigest()


def _reasoned(err: ExchangeError, mkt: MarketState) -> ExchangeError:
    """A refusal of the precision checks, with the reason (and the limit and currency a
    dialect's words name) the venue's own checks would give it."""
    reason = precision_reason(err) if err.reason is None else None
    if reason is None:
        return err
    err.reason = reason
    limit = getattr(err, "limit", None)
    err.details = MappingProxyType({"limit": limit, "currency": mkt.spec.quote_currency})
    return err


def _worded(
    method: Callable[Concatenate[PaperExchange, _P], Awaitable[_T]],
) -> Callable[Concatenate[PaperExchange, _P], Awaitable[_T]]:
    """The venue's neutral refusals, in the dialect's words (the paper exchange's flavour)."""

    @functools.wraps(method)
    async def worded(self: PaperExchange, /, *args: _P.args, **kwargs: _P.kwargs) -> _T:
        try:
            return await method(self, *args, **kwargs)
        except ExchangeError as err:
            raise self._word(err) from None

    return worded


for _name, _method in list(vars(PaperExchange).items()):
    if (
        not _name.startswith("_")
        and _name not in ("place_order", "cancel_order")  # (they word their refusals inline)
        and inspect.iscoroutinefunction(_method)
    ):
        setattr(PaperExchange, _name, _worded(_method))
