"""The bottom layer of the venue: the state every layer shares, the clock, and the
lookups and amount conversions they all use."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from exchanges import (
    MAX_AMOUNT_DIGITS,
    BadRequest,
    BadSymbol,
    Clock,
    ExchangeError,
    ManualClock,
)
from simulator.ledger import FEE_COLLECTOR, Accounts
from simulator.market.driver import MarketDriver
from simulator.market.symbols import CurrencySpec
from simulator.venue.ids import IdSource
from simulator.venue.orders import A_OWNER, A_SYMBOL, Archived, VenueOrder, revive
from simulator.venue.records import VenueEvent
from simulator.venue.state import MarketState, UserState

if TYPE_CHECKING:
    from simulator.market.synthetic import SyntheticMarket

__all__ = ["Core"]


class Core:
    """The state every layer shares (books, users, orders, ids, accounts, clock) and the
    lookups and conversions they all use. :class:`~simulator.venue.Venue` lists symbols
    and starts market drivers; the layers above add the behaviour."""

    def __init__(
        self,
        *,
        seed: int,
        clock: Clock | None,
        name: str,
        maker_fee_rate: Decimal | str,
        taker_fee_rate: Decimal | str,
        max_active_per_symbol: int,
        max_active_per_account: int,
        max_done_per_symbol: int,
    ) -> None:
        self.name = name
        self.seed = seed
        self.clock: Clock = clock if clock is not None else ManualClock()
        self.max_active_per_symbol = max_active_per_symbol
        self.max_active_per_account = max_active_per_account
        self.max_done_per_symbol = max_done_per_symbol
        self.ids = IdSource(seed)
        self._now = self.clock.now_ms()
        self.accounts = Accounts(
            self.ids.account_id,
            self.ids.ledger_ids.__next__,
            maker_rate=Decimal(maker_fee_rate),
            taker_rate=Decimal(taker_fee_rate),
            venue=name,
        )
        self._users: dict[str, UserState] = {}
        self._users[FEE_COLLECTOR] = UserState(FEE_COLLECTOR, self.accounts.collector, False)
        # every known order: active ones as objects, done ones users keep as Archived tuples
        self._orders: dict[str, VenueOrder | Archived] = {}
        self._markets: dict[str, MarketState] = {}
        self._taped: list[MarketState] = []  # markets with a replay tape (External.replay_tape)
        self._currencies: dict[str, CurrencySpec] = {}
        self._drivers: list[MarketDriver] = []
        self._subscribers: list[Callable[[VenueEvent], None]] = []
        self._dcp_users: set[str] = set()
        self.synthetic: SyntheticMarket | None = None

    def _error(self, cls: type[ExchangeError], message: str, code: str, **fields: Any) -> ExchangeError:
        return cls(message, venue=self.name, code=code, **fields)

    # ---------------------------------------------------------------- clock

    @property
    def now(self) -> int:
        """The venue's time (ms) as of the last sync (a sync first if replayed events wait
        on a tape: recording them would have synced)."""
        if self._taped and any(mkt.tape for mkt in self._taped):
            self.sync()
        return self._now

    def sync(self) -> int:
        """Bring the venue up to the clock: run market drivers, GTT expiries and dead-man
        switches that fall due, in time order. Every public call does this first; a
        served exchange also calls it periodically so the market moves between requests.
        (The paper exchange's hot path makes this method's first two tests itself and
        calls it only when one of them holds.)"""
        if self._taped:
            self._apply_tapes()
        target = self.clock.now_ms()
        if target > self._now:
            self._advance(target)
        return self._now

    def _apply_tapes(self) -> None:
        """Apply replayed prints and bars waiting on tapes (the external layer knows how)."""
        raise NotImplementedError

    def _advance(self, target: int) -> None:
        """Run everything that falls due up to ``target`` (the assembled
        :class:`~simulator.venue.Venue` knows every kind: drivers, expiries, DCP)."""
        raise NotImplementedError

    def advance_to(self, now_ms: int) -> int:
        """Move the venue's time to ``now_ms`` (if later) regardless of the clock, running
        whatever falls due; for a task that drives a served venue in real time."""
        if self._taped:
            self._apply_tapes()
        if now_ms > self._now:
            self._advance(now_ms)
        return self._now

    def add_driver(self, driver: MarketDriver) -> None:
        """Attach a market model (synthetic agents, replayed data); it runs as time passes."""
        self._drivers.append(driver)

    def subscribe(self, callback: Callable[[VenueEvent], None]) -> Callable[[], None]:
        """Hear order changes, fills and public trades as they happen; returns an
        unsubscribe function. Callbacks run synchronously inside venue calls."""
        self._subscribers.append(callback)
        self._announce()

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)
                self._announce()

        return unsubscribe

    def _announce(self) -> None:
        """Books build Accepted and Opened events only when a subscriber will hear them (the
        venue itself needs neither: an order's times are set before it reaches the book)."""
        for mkt in self._markets.values():
            mkt.book.emit_accepted = mkt.book.emit_opened = bool(self._subscribers)

    # ---------------------------------------------------------------- lookups and amounts

    def _market(self, symbol: str) -> MarketState:
        mkt = self._markets.get(symbol)
        if mkt is None:
            raise self._error(BadSymbol, f"symbol {symbol!r} not exists", "900001")
        return mkt

    def _lookup(self, order_id: str) -> VenueOrder | None:
        """The order ``order_id``, active or done (a done one revived from the archive)."""
        order = self._orders.get(order_id)
        return self._revive(order) if isinstance(order, tuple) else order

    def _revive(self, done: Archived) -> VenueOrder:
        return revive(done, self._users[done[A_OWNER]], self._markets[done[A_SYMBOL]])

    def _reference(self, mkt: MarketState) -> Decimal:
        """Last trade price, else the mid of the book, else the symbol's initial price."""
        book = mkt.book
        if book.last_price:
            return mkt.scale.price(book.last_price)
        bid, ask = book.best()
        if bid is not None and ask is not None:
            return mkt.scale.price(bid + ask) / 2
        return mkt.spec.initial_price

    def _user(self, uid: str | int) -> UserState:
        user = self._users.get(uid) if isinstance(uid, str) else self._users.get(str(uid))
        if user is None:
            raise self._error(BadRequest, f"unknown user {uid!r}", "400100")
        return user

    def _amount(self, name: str, value: object) -> Decimal:
        """A positive, finite ``Decimal`` from what arrived (``Decimal``, ``str`` or ``int``)."""
        result = _decimal(value)
        if result is None:
            raise self._error(BadRequest, f"{name} invalid: {value!r}", "400100")
        if not result.is_finite() or result <= 0:
            raise self._error(BadRequest, f"{name} must be positive: {value}", "400100")
        if result.adjusted() >= MAX_AMOUNT_DIGITS:
            raise self._error(
                BadRequest,
                f"{name} too large: {value} (at most {MAX_AMOUNT_DIGITS} integer digits)",
                "400100",
            )
        return result

    def _fee_rate(self, name: str, value: object) -> Decimal:
        """A fee rate: a fraction in (-1, 1) (0.001 is 0.1 %; a negative maker rate is a
        rebate, paid from the fee collector) of at most 18 decimal places (KuCoin's have a
        handful; the bound keeps every fee exact in :mod:`simulator.ledger.money`), as
        ``Decimal``, ``str`` or ``int`` (a float would carry binary noise into every hold)."""
        result = _decimal(value)
        if (
            result is None
            or not result.is_finite()
            or not -1 < result < 1
            or result.normalize().as_tuple().exponent < -_RATE_PLACES  # type: ignore[operator]
        ):
            raise self._error(
                BadRequest,
                f"{name} must be a fraction in (-1, 1) of at most {_RATE_PLACES} decimal places"
                f" such as '0.001': {value!r}",
                "400100",
            )
        return result


_RATE_PLACES = 18


def _decimal(value: object) -> Decimal | None:
    """``value`` as a ``Decimal`` if it is one, or a ``str`` or ``int`` spelling one (not a
    float or a bool); ``None`` otherwise."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, str | int) and not isinstance(value, bool):
        try:
            return Decimal(value)
        except InvalidOperation:
            return None
    return None
