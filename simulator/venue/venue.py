"""The simulated exchange as one object, assembled from its parts.

:class:`Venue` owns and wires the parts, each an object handed what it needs: the books
(the engine), the ledger, holds, intake and placement, settlement (the books' listener),
cancels and amends, stops, the dead-man switch, parking for external (replayed) markets,
replayed prints, history, market data, funding and audit. Its methods are the venue's
public API, which the paper exchange, market models and every dialect's facade use; they
delegate to the part that holds the behaviour.

The venue is venue-neutral: it raises ``exchanges`` errors carrying a neutral ``reason``
(:mod:`.refusals`), and its venue-specific rules come from the :class:`Rulebook` it is
handed (KuCoin's by default). Deterministic: the same seed, clock readings and calls give
the same ids, fills and times. Not thread-safe: drive it from one thread (or one event
loop).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal

import attrs

from exchanges import (
    Candle,
    Clock,
    ExchangeError,
    Interval,
    Liquidity,
    ManualClock,
    Order,
    OrderType,
    Side,
    TimeInForce,
    Trade,
)
from simulator.engine import Book
from simulator.ledger import Accounts
from simulator.venue.agents import AgentDesk
from simulator.venue.amounts import Amounts
from simulator.venue.audit import Audit
from simulator.venue.book_watch import BookWatch
from simulator.venue.broadcast import Broadcast
from simulator.venue.cancels import Cancels
from simulator.venue.dcp import DeadManSwitch
from simulator.venue.drivers import MarketDriver
from simulator.venue.funding import Funding
from simulator.venue.history import History
from simulator.venue.holds import Holds
from simulator.venue.intake import Intake
from simulator.venue.listing import DEFAULT_CURRENCIES, DEFAULT_SYMBOLS, CurrencySpec, SymbolSpec
from simulator.venue.market_data import MarketData
from simulator.venue.order_lists import OrderLists
from simulator.venue.params import Amount, OrderParams
from simulator.venue.parking import Parking
from simulator.venue.placing import Placement
from simulator.venue.prints import Prints
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
    ListInfo,
    OrderInfo,
    Page,
    PublicTrade,
    Stats24h,
    VenueEvent,
)
from simulator.venue.refusals import Refusals
from simulator.venue.registry import Markets, OrderIndex, Users
from simulator.venue.rulebook import FeeAsset, Rulebook
from simulator.venue.settlement import Settlement
from simulator.venue.state import MarketState, UserState
from simulator.venue.stops import Stops
from simulator.venue.timeline import Timeline
from simulator.venue.to_order import to_order

__all__ = ["Venue", "VenueEvent"]


class _Drivers:
    """The market models attached to a venue, as a source of deadlines."""

    __slots__ = ("drivers", "venue")

    def __init__(self, venue: Venue) -> None:
        self.venue = venue
        self.drivers: list[MarketDriver] = []

    def next_due(self) -> int | None:
        due: int | None = None
        for driver in self.drivers:
            nt = driver.next_time()
            if nt is not None and (due is None or nt < due):
                due = nt
        return due

    def run_due(self, now: int) -> None:
        for driver in self.drivers:
            nt = driver.next_time()
            if nt is not None and nt <= now:
                driver.step(self.venue, now)
                after = driver.next_time()
                if after is not None and after <= now:
                    raise RuntimeError(f"market driver {driver!r} did not move past {now}")


class Venue:
    """A simulated spot exchange.

    ``clock`` is read at every call (a ``ManualClock`` starting at 2023-11-14 by default);
    the venue's own time never goes back. Market models (the synthetic market, replayed
    data) attach with :meth:`add_driver`. Fees default to 0.1 % / 0.1 %. ``rulebook``
    holds the venue-specific rules (KuCoin's by default); ``max_active_per_symbol`` and
    ``max_active_per_account`` override its caps. ``name`` is the ``venue`` written into
    raised errors.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        clock: Clock | None = None,
        symbols: Iterable[SymbolSpec] | None = None,
        currencies: Iterable[CurrencySpec] | None = None,
        name: str = "paper",
        maker_fee_rate: Decimal | str = "0.001",
        taker_fee_rate: Decimal | str = "0.001",
        rulebook: Rulebook | None = None,
        max_active_per_symbol: int | None = None,
        max_active_per_account: int | None = None,
        max_done_per_symbol: int = 100_000,
    ) -> None:
        rules = rulebook if rulebook is not None else Rulebook()
        if max_active_per_symbol is not None:
            rules = attrs.evolve(rules, max_active_per_symbol=max_active_per_symbol)
        if max_active_per_account is not None:
            rules = attrs.evolve(rules, max_active_per_account=max_active_per_account)
        self.name = name
        self.seed = seed
        self.rulebook = rules
        self.clock: Clock = clock if clock is not None else ManualClock()
        self.ids = rules.ids(seed)
        refuse = self._refuse = Refusals(name)
        amounts = Amounts(refuse)
        #: The venue's time: ``timeline.now`` is current after :meth:`sync`, which a caller on a
        #: hot path may skip when ``timeline.pending`` is ``None`` and the clock has not moved
        #: past ``timeline.now`` (then it has nothing to do).
        self.timeline = self._time = time = Timeline(self.clock)
        self.accounts = ledger = Accounts(
            self.ids.account_id,
            self.ids.ledger_ids.__next__,
            maker_rate=amounts.fee_rate("maker_fee_rate", maker_fee_rate),
            taker_rate=amounts.fee_rate("taker_fee_rate", taker_fee_rate),
            venue=name,
        )
        self._markets = markets = Markets(refuse)
        self._users = users = Users(ledger, refuse)
        self._index = index = OrderIndex(markets, users, refuse)
        self._broadcast = broadcast = Broadcast(markets)
        self._holds = holds = Holds(ledger, time, refuse)
        self._settlement = settlement = Settlement(
            ledger, holds, index, self.ids, broadcast, max_done_per_symbol=max_done_per_symbol
        )
        self._parking = parking = Parking(
            markets, users, index, ledger, holds, settlement, self.ids, time, amounts, refuse
        )
        self._prints = Prints(markets, settlement, broadcast, self.ids, time, amounts)
        self._intake = intake = Intake(rules, markets, users, self.ids, amounts, refuse)
        self._placement = placement = Placement(
            rules, intake, self.ids, markets, users, index, holds, settlement, parking, time, refuse
        )
        self._cancels = cancels = Cancels(
            markets,
            users,
            index,
            ledger,
            holds,
            intake,
            placement,
            settlement,
            parking,
            time,
            amounts,
            refuse,
        )
        self._stops = Stops(users, index, cancels, time, refuse)
        self._lists = OrderLists(
            users, index, intake, placement, cancels, settlement, broadcast, time, refuse,
            rules.max_lists_per_symbol,
        )  # fmt: skip
        self._dcp = dcp = DeadManSwitch(markets, users, cancels, time, refuse)
        self._history = History(markets, users, index, time)
        self._book_watch = book_watch = BookWatch(markets, broadcast, time)
        self._market_data = market_data = MarketData(markets, users, time, refuse, book_watch)
        self._funding = Funding(markets, users, ledger, market_data, time, amounts, refuse)
        self._auditor = Audit(ledger, users, markets, holds)
        self.agents = AgentDesk(
            markets, users, ledger, intake, placement, cancels, settlement, self.ids, time, (parking, dcp)
        )
        self._drivers = _Drivers(self)
        #: Place a typed request, answered as ``exchanges.Order`` (the paper exchange's port:
        #: :meth:`Placement.place_request`).
        self.place_request = placement.place_request
        #: Cancel a user's live order, answered as ``exchanges.Order`` (its port too:
        #: :meth:`Cancels.cancel_request`).
        self.cancel_request = cancels.cancel_request
        #: A replay's two calls on every event (:meth:`Parking.parked_quotes`,
        #: :meth:`Prints.record_trade`), bound to the part that answers them.
        self.parked_quotes = self._parking.parked_quotes
        self.record_trade = self._prints.record_trade
        # (the order things due at once run in; market drivers join on the first add_driver)
        time.sources.extend((parking, dcp))
        for currency in currencies if currencies is not None else DEFAULT_CURRENCIES:
            markets.currencies[currency.currency] = currency
        for spec in symbols if symbols is not None else DEFAULT_SYMBOLS:
            self.add_symbol(spec)

    def __repr__(self) -> str:
        return f"Venue(name={self.name!r}, seed={self.seed}, now={self._time.now})"

    # ---------------------------------------------------------------- settings

    @property
    def max_active_per_symbol(self) -> int:
        return self._placement.max_active_per_symbol

    @property
    def max_active_per_account(self) -> int:
        return self._placement.max_active_per_account

    @property
    def max_fills_per_user(self) -> int:
        return self._settlement.max_fills_per_user

    @max_fills_per_user.setter
    def max_fills_per_user(self, value: int) -> None:
        self._settlement.max_fills_per_user = value

    # ---------------------------------------------------------------- time and listeners

    @property
    def now(self) -> int:
        """The venue's time (ms) as of the last sync (a sync first if replayed events wait on
        a tape: recording them would have synced)."""
        if self._time.pending is not None and self._prints.waiting:
            self._time.sync()
        return self._time.now

    def sync(self) -> int:
        """Bring the venue up to the clock: market drivers, GTT expiries and dead-man
        switches that fall due run in time order. Every call does this first; a served
        venue also does it periodically so the market moves between requests."""
        return self._time.sync()

    def advance_to(self, now_ms: int) -> int:
        """Move the venue's time to ``now_ms`` (if later) regardless of the clock, running
        whatever falls due; for a task that drives a served venue in real time."""
        return self._time.advance_to(now_ms)

    def add_driver(self, driver: MarketDriver) -> None:
        """Attach a market model (synthetic agents, replayed data); it runs as time passes."""
        if not self._drivers.drivers:
            self._time.sources.append(self._drivers)
        self._drivers.drivers.append(driver)

    @property
    def drivers(self) -> list[MarketDriver]:
        return list(self._drivers.drivers)

    def subscribe(self, callback: Callable[[VenueEvent], None]) -> Callable[[], None]:
        """Hear order changes, fills and public trades as they happen; returns an
        unsubscribe function. Callbacks run synchronously inside venue calls."""
        return self._broadcast.subscribe(callback)

    def watch_book(self, symbol: str) -> Callable[[], None]:
        """Have ``symbol``'s visible levels published as ``book`` events (a
        :class:`BookChange` each) whenever :meth:`publish_book_changes` or a snapshot
        (:meth:`order_book`) finds them changed; returns the function that stops watching.
        Changes are numbered by the book's sequence without a hole, and a snapshot's
        sequence is the end of a published change, so snapshot plus later changes is the
        book (KuCoin's level-2 calibration, for one)."""
        return self._book_watch.watch(symbol)

    def publish_book_changes(self) -> None:
        """Publish what changed in the watched books since last time (call it between venue
        calls: after a step of the market, or soon after an event)."""
        self._book_watch.flush()

    # ---------------------------------------------------------------- listing

    def add_symbol(self, spec: SymbolSpec) -> None:
        """List a pair (its currencies are added with default specs if unknown): its book
        reports to settlement, asks placement to admit triggered stops and holds whether an
        order by funds spent them."""
        markets = self._markets
        if spec.symbol in markets.by_symbol:
            raise ValueError(f"symbol {spec.symbol} already listed")
        book = Book(
            band_ppm=int(spec.price_limit_rate * 1_000_000),
            listener=self._settlement.on_event,
            trade_ids=self.ids.trade_ids,
            sequence=self.ids.sequence_base,
        )
        mkt = MarketState(spec, book, self.name, fees_received=self.rulebook.fee_asset is FeeAsset.RECEIVED)
        book.admit = self._placement.admit
        book.spent = self._holds.funds_spent
        book.emit_accepted = book.emit_opened = bool(self._broadcast.listeners)
        markets.by_symbol[spec.symbol] = mkt
        for code in (spec.base_currency, spec.quote_currency):
            markets.note_currency(code)

    def symbols(self, market: str | None = None) -> list[SymbolSpec]:
        """Every listed pair (``market`` filters on the market group, e.g. ``USDS``)."""
        return self._market_data.symbols(market)

    def symbol(self, symbol: str) -> SymbolSpec:
        return self._market_data.symbol(symbol)

    def market_names(self) -> list[str]:
        return self._market_data.market_names()

    def currencies(self) -> list[CurrencySpec]:
        return self._market_data.currencies()

    def currency(self, code: str) -> CurrencySpec:
        return self._market_data.currency(code)

    # ---------------------------------------------------------------- users and accounts

    def create_user(
        self,
        uid: str | int | None = None,
        balances: Mapping[str, Amount] | None = None,
        *,
        maker_fee_rate: Decimal | str | None = None,
        taker_fee_rate: Decimal | str | None = None,
        keep_history: bool = True,
        keep_ledger: bool = True,
    ) -> str:
        """Open a user with trade-account ``balances`` (deposits, in the ledger); returns the
        uid (generated, numeric, when not given)."""
        return self._funding.create_user(
            uid,
            balances,
            maker_fee_rate=maker_fee_rate,
            taker_fee_rate=taker_fee_rate,
            keep_history=keep_history,
            keep_ledger=keep_ledger,
        )

    def users(self) -> list[str]:
        return self._funding.users()

    def has_user(self, uid: str) -> bool:
        return self._funding.has_user(uid)

    def trader(self, uid: str) -> UserState:
        """``uid``'s state, for a caller that keeps it to skip the lookup on every call
        (the paper exchange): read it, change it only through the venue."""
        return self._users.get(uid)

    def deposit(self, uid: str, currency: str, amount: Amount, account_type: str = "trade") -> None:
        self._funding.deposit(uid, currency, amount, account_type)

    def withdraw(self, uid: str, currency: str, amount: Amount, account_type: str = "trade") -> None:
        self._funding.withdraw(uid, currency, amount, account_type)

    def transfer(self, uid: str, currency: str, amount: Amount, from_type: str, to_type: str) -> None:
        self._funding.transfer(uid, currency, amount, from_type, to_type)

    def accounts_of(
        self, uid: str, currency: str | None = None, account_type: str | None = None
    ) -> list[AccountBalance]:
        return self._funding.accounts_of(uid, currency, account_type)

    def account(self, uid: str, account_id: str) -> AccountBalance:
        return self._funding.account(uid, account_id)

    def balance(self, uid: str, currency: str, account_type: str = "trade") -> AccountBalance:
        return self._funding.balance(uid, currency, account_type)

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
        return self._funding.ledger(
            uid,
            currency=currency,
            direction=direction,
            biz_type=biz_type,
            account_type=account_type,
            start=start,
            end=end,
            last_id=last_id,
            limit=limit,
            include_holds=include_holds,
        )

    def fee_rates(self, uid: str | None, symbol: str) -> FeeRates:
        return self._funding.fee_rates(uid, symbol)

    def base_fee_rates(self, uid: str | None = None) -> FeeRates:
        return self._funding.base_fee_rates(uid)

    def set_fee_rates(
        self, uid: str, maker: Decimal | str, taker: Decimal | str, symbol: str | None = None
    ) -> None:
        self._funding.set_fee_rates(uid, maker, taker, symbol)

    # ---------------------------------------------------------------- placing

    def place_order(self, uid: str, params: OrderParams) -> OrderInfo:
        return self._placement.place_order(uid, params)

    def place_stop_order(self, uid: str, params: OrderParams) -> OrderInfo:
        return self._placement.place_stop_order(uid, params)

    def test_order(self, uid: str, params: OrderParams) -> str:
        return self._placement.test_order(uid, params)

    def place_orders(self, uid: str, batch: Iterable[OrderParams]) -> list[OrderInfo | ExchangeError]:
        return self._placement.place_orders(uid, batch)

    def market_state(self, symbol: str) -> MarketState:
        """The pair ``symbol``'s state, for a caller that keeps it (the paper exchange):
        its rules to check requests with; read it, change it only through the venue."""
        return self._markets.get(symbol)

    # ---------------------------------------------------------------- cancelling and changing

    def cancel_order(
        self,
        uid: str,
        symbol: str | None = None,
        *,
        order_id: str | None = None,
        client_oid: str | None = None,
    ) -> OrderInfo:
        """Cancel an open order (or a waiting stop order) and return its final state."""
        return self._cancels.cancel_order(uid, symbol, order_id=order_id, client_oid=client_oid)

    def cancel_partial(self, uid: str, symbol: str, order_id: str, cancel_size: Amount) -> OrderInfo:
        return self._cancels.cancel_partial(uid, symbol, order_id, cancel_size)

    def cancel_all(
        self, uid: str, symbol: str | None = None, *, include_stops: bool = True
    ) -> CancelAllResult:
        return self._cancels.cancel_all(uid, symbol, include_stops=include_stops)

    def alter_order(
        self,
        uid: str,
        symbol: str,
        *,
        order_id: str | None = None,
        client_oid: str | None = None,
        new_price: Amount | None = None,
        new_size: Amount | None = None,
    ) -> OrderInfo:
        return self._cancels.alter_order(
            uid, symbol, order_id=order_id, client_oid=client_oid, new_price=new_price, new_size=new_size
        )

    def amend_order(
        self,
        uid: str,
        symbol: str,
        order_id: str,
        *,
        new_price: Amount | None = None,
        new_size: Amount | None = None,
        client_oid: str | None = None,
    ) -> OrderInfo:
        return self._cancels.amend_order(
            uid, symbol, order_id, new_price=new_price, new_size=new_size, client_oid=client_oid
        )

    # ---------------------------------------------------------------- order lists

    def place_oco(self, uid: str, legs: Sequence[OrderParams], client_id: str) -> ListInfo:
        """Place two orders of one symbol, one cancelling the other (see :mod:`.order_lists`):
        both are checked before either is placed; a refusal leaves no list."""
        return self._lists.place_oco(uid, legs, client_id)

    def place_oto(
        self, uid: str, working: OrderParams, pending: Sequence[OrderParams], client_id: str
    ) -> ListInfo:
        """Place a working order whose whole fill places ``pending`` (one order, or two that
        then cancel each other); pending orders hold nothing until placed."""
        return self._lists.place_oto(uid, working, pending, client_id)

    def cancel_order_list(
        self, uid: str, *, list_id: int | None = None, client_id: str | None = None
    ) -> ListInfo:
        """Cancel an open list whole (cancelling any one of its orders does the same)."""
        return self._lists.cancel(uid, list_id, client_id)

    def order_list(self, uid: str, *, list_id: int | None = None, client_id: str | None = None) -> ListInfo:
        """A list by id, or the latest with that client id."""
        return self._lists.get(uid, list_id, client_id)

    def order_lists(self, uid: str, *, open_only: bool = False) -> list[ListInfo]:
        return self._lists.lists(uid, open_only=open_only)

    # ---------------------------------------------------------------- stop orders, dead-man switch

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
        return self._stops.stop_orders(
            uid, symbol=symbol, side=side, type=type, start=start, end=end, order_ids=order_ids
        )

    def get_stop_order(
        self, uid: str, *, order_id: str | None = None, client_oid: str | None = None
    ) -> OrderInfo:
        return self._stops.get_stop_order(uid, order_id=order_id, client_oid=client_oid)

    def cancel_stop_order(
        self,
        uid: str,
        *,
        order_id: str | None = None,
        client_oid: str | None = None,
        symbol: str | None = None,
    ) -> OrderInfo:
        return self._stops.cancel_stop_order(uid, order_id=order_id, client_oid=client_oid, symbol=symbol)

    def cancel_stop_orders(
        self, uid: str, *, symbol: str | None = None, order_ids: Iterable[str] | None = None
    ) -> list[str]:
        return self._stops.cancel_stop_orders(uid, symbol=symbol, order_ids=order_ids)

    def set_dcp(self, uid: str, timeout: int, symbols: Iterable[str] | None = None) -> DcpInfo | None:
        return self._dcp.set_dcp(uid, timeout, symbols)

    def get_dcp(self, uid: str) -> DcpInfo | None:
        return self._dcp.get_dcp(uid)

    # ---------------------------------------------------------------- history

    def get_order(
        self,
        uid: str,
        symbol: str | None = None,
        *,
        order_id: str | None = None,
        client_oid: str | None = None,
    ) -> OrderInfo:
        return self._history.get_order(uid, symbol, order_id=order_id, client_oid=client_oid)

    def order_of(
        self, user: UserState, native: str, order_id: str | None, client_oid: str | None, symbol: str
    ) -> Order:
        """``user``'s order by id or client id, as ``exchanges.Order`` (``symbol`` as the
        caller spells it)."""
        self._time.sync()
        return to_order(self._index.find(user, native, order_id, client_oid), symbol)

    def open_orders_of(self, user: UserState, native: str | None, spell: Callable[[str], str]) -> list[Order]:
        """``user``'s open orders (waiting stops included; of ``native`` if given), most
        recently updated first, as ``exchanges.Order`` (symbols spelled by ``spell``)."""
        self._time.sync()
        active = reversed(list(user.active.values()))  # newest first
        mine = [o for o in active if native is None or o.mkt.spec.symbol == native]
        mine.sort(key=_updated_at, reverse=True)  # (stable: ties stay newest first)
        return [to_order(o, spell(o.mkt.spec.symbol)) for o in mine]

    def order_stamp(self, user: UserState, order_id: str) -> tuple[int, int, int, int, int] | None:
        """What ``user``'s order looks like, cheaply: two equal stamps mean its
        ``exchanges.Order`` is the same (None if the venue no longer has it)."""
        self._time.sync()
        o = self._index.lookup(order_id)
        if o is None or o.user is not user:
            return None
        return (o.status, o.filled, o.size, o.price, o.updated_at)

    def active_orders(self, uid: str, symbol: str | None = None, *, stops: bool = False) -> list[OrderInfo]:
        return self._history.active_orders(uid, symbol, stops=stops)

    def active_symbols(self, uid: str) -> list[str]:
        return self._history.active_symbols(uid)

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
        return self._history.done_orders(
            uid, symbol, side=side, type=type, start=start, end=end, last_id=last_id, limit=limit
        )

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
        return self._history.fills(
            uid,
            symbol,
            order_id=order_id,
            side=side,
            type=type,
            start=start,
            end=end,
            last_id=last_id,
            limit=limit,
        )

    # ---------------------------------------------------------------- market data

    def book(self, symbol: str) -> Book:
        """The engine book of ``symbol`` (read it; change it only through the venue)."""
        return self._market_data.book(symbol)

    def last_price(self, symbol: str) -> Decimal | None:
        return self._market_data.last_price(symbol)

    def reference_price(self, symbol: str) -> Decimal:
        return self._market_data.reference_price(symbol)

    def level1(self, symbol: str) -> Level1:
        return self._market_data.level1(symbol)

    def stats(self, symbol: str, uid: str | None = None) -> Stats24h:
        return self._market_data.stats(symbol, uid)

    def all_stats(self, uid: str | None = None) -> list[Stats24h]:
        return self._market_data.all_stats(uid)

    def order_book(self, symbol: str, depth: int | None = 20) -> BookSnapshot:
        return self._market_data.order_book(symbol, depth)

    def trades(self, symbol: str, limit: int = 100) -> list[PublicTrade]:
        return self._market_data.trades(symbol, limit)

    def candles(
        self,
        symbol: str,
        interval: Interval | str,
        start: int | None = None,
        end: int | None = None,
        limit: int | None = None,
    ) -> list[CandleBar]:
        return self._market_data.candles(symbol, interval, start, end, limit)

    # ---------------------------------------------------------------- external markets (replay)

    def set_external(self, symbol: str, external: bool = True) -> None:
        """Switch ``symbol`` to external matching: orders are checked and held as usual,
        then parked until :meth:`external_fill` / :meth:`external_end` settle them."""
        self._parking.set_external(symbol, external)

    def is_external(self, symbol: str) -> bool:
        return self._markets.get(symbol).external

    def parked_orders(self, symbol: str) -> list[OrderInfo]:
        return self._parking.parked_orders(symbol)

    def parked_arrival(self, order_id: str) -> tuple[int, TimeInForce]:
        return self._parking.parked_arrival(order_id)

    def parked_order(self, order_id: str) -> OrderInfo:
        return self._parking.parked_order(order_id)

    def external_fill(
        self,
        order_id: str,
        price: Amount,
        size: Amount,
        liquidity: Liquidity | str,
        *,
        time: int | None = None,
    ) -> FillInfo | None:
        return self._parking.external_fill(order_id, price, size, liquidity, time=time)

    def external_end(
        self, order_id: str, reason: str = "canceled", *, filled: bool = False, time: int | None = None
    ) -> OrderInfo:
        return self._parking.external_end(order_id, reason, filled=filled, time=time)

    def record_candle(
        self,
        symbol: str,
        start: int,
        open: Amount,
        high: Amount,
        low: Amount,
        close: Amount,
        volume: Amount,
        turnover: Amount | None = None,
    ) -> None:
        self._prints.record_candle(symbol, start, open, high, low, close, volume, turnover)

    def replay_tape(self, symbol: str) -> list[Trade | tuple[Candle, int]]:
        return self._prints.replay_tape(symbol)

    # ---------------------------------------------------------------- audit

    def audit(self) -> list[str]:
        """Check the venue's books and balances; the problems found (none: ``[]``)."""
        return self._auditor.audit()


def _updated_at(o: object) -> int:
    updated: int = o.updated_at  # type: ignore[attr-defined]
    return updated
