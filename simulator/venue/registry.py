"""The venue's shared lookups: listed markets, users (with their fee rates), and every known
order by id. Each part of the venue is handed the ones it reads; none keeps a copy."""

from __future__ import annotations

from decimal import Decimal

from exchanges import OrderNotFound
from simulator.engine import FILLED
from simulator.ledger import FEE_COLLECTOR, Accounts
from simulator.ledger.money import add, mul
from simulator.venue.listing import CurrencySpec
from simulator.venue.orders import A_OWNER, A_SYMBOL, Archived, VenueOrder, revive
from simulator.venue.refusals import Reason, Refusals
from simulator.venue.state import MarketState, UserState

__all__ = ["Markets", "OrderIndex", "Users"]

ONE = Decimal(1)


class Markets:
    """Listed pairs by symbol, and the currencies they and the users' wallets use."""

    __slots__ = ("by_symbol", "currencies", "refuse")

    def __init__(self, refuse: Refusals) -> None:
        self.refuse = refuse
        self.by_symbol: dict[str, MarketState] = {}
        self.currencies: dict[str, CurrencySpec] = {}

    def get(self, symbol: str) -> MarketState:
        mkt = self.by_symbol.get(symbol)
        if mkt is None:
            raise self.refuse(Reason.UNKNOWN_SYMBOL, f"symbol {symbol!r} is not listed", symbol=symbol)
        return mkt

    def tradable(self, symbol: str) -> MarketState:
        mkt = self.get(symbol)
        if not mkt.spec.enable_trading:
            raise self.refuse(Reason.SYMBOL_NOT_TRADING, f"{symbol} is not trading", symbol=symbol)
        return mkt

    def currency(self, code: str) -> CurrencySpec:
        spec = self.currencies.get(code)
        if spec is None:
            raise self.refuse(Reason.UNKNOWN_CURRENCY, f"currency {code} is not listed", currency=code)
        return spec

    def note_currency(self, code: str) -> None:
        """A currency in use (a listed pair's, or a deposit's): known from now on."""
        self.currencies.setdefault(code, CurrencySpec(currency=code))

    @staticmethod
    def reference(mkt: MarketState) -> Decimal:
        """Last trade price, else the mid of the book, else the symbol's initial price."""
        book = mkt.book
        if book.last_price:
            return mkt.scale.price(book.last_price)
        bid, ask = book.best()
        if bid is not None and ask is not None:
            return mkt.scale.price(bid + ask) / 2
        return mkt.spec.initial_price


class Users:
    """Users by uid, each with an account in ``ledger``; their actual fee rates per pair."""

    __slots__ = ("by_uid", "ledger", "refuse")

    def __init__(self, ledger: Accounts, refuse: Refusals) -> None:
        self.ledger = ledger
        self.refuse = refuse
        self.by_uid: dict[str, UserState] = {FEE_COLLECTOR: UserState(FEE_COLLECTOR, ledger.collector, False)}

    def get(self, uid: str | int) -> UserState:
        user = self.by_uid.get(uid) if isinstance(uid, str) else self.by_uid.get(str(uid))
        if user is None:
            raise self.refuse(Reason.UNKNOWN_USER, f"unknown user {uid!r}", uid=str(uid))
        return user

    def new(self, uid: str | int | None, *, keep_history: bool, keep_ledger: bool) -> UserState:
        """Open a user (a generated, KuCoin-like numeric uid when none is given)."""
        uid = str(100_000_000 + len(self.by_uid)) if uid is None else str(uid)
        if uid in self.by_uid:
            raise self.refuse.bad(f"user {uid!r} already exists")
        account = self.ledger.open(uid, keep_ledger=keep_ledger)
        user = self.by_uid[uid] = UserState(uid, account, keep_history)
        return user

    def system(self, uid: str) -> UserState:
        """A system user (a market agent or the replay's counterparty), opened on first use:
        no history, no ledger."""
        user = self.by_uid.get(uid)
        return user if user is not None else self.new(uid, keep_history=False, keep_ledger=False)

    def rates(self, user: UserState, mkt: MarketState) -> tuple[Decimal, Decimal]:
        """Actual (maker, taker) rates of ``user`` on ``mkt`` (base rate x the pair's
        coefficient), cached until the rates change, with what a limit buy holds per unit
        of ``price x size`` (1 + the larger rate: it may end up either maker or taker)."""
        symbol = mkt.spec.symbol
        rates = user.rates.get(symbol)
        if rates is None:
            maker, taker = user.account.rates(symbol)
            rates = user.rates[symbol] = (
                mul(maker, mkt.spec.maker_fee_coefficient),
                mul(taker, mkt.spec.taker_fee_coefficient),
            )
            maker, taker = rates
            # (a fee paid in the asset received is not held: it comes out of what is received)
            larger = maker if maker > taker else taker
            user.hold_factors[symbol] = ONE if mkt.fees_received else add(ONE, larger)
        return rates

    def default_rates(self, mkt: MarketState) -> tuple[Decimal, Decimal]:
        """The venue's default rates on ``mkt`` (what a new user pays)."""
        spec = mkt.spec
        return (
            mul(self.ledger.maker_rate, spec.maker_fee_coefficient),
            mul(self.ledger.taker_rate, spec.taker_fee_coefficient),
        )


class OrderIndex:
    """Every order the venue knows by id: active ones as objects, done ones as the history
    keeps them (:data:`~simulator.venue.orders.Archived`), revived when asked for."""

    __slots__ = ("by_id", "markets", "refuse", "users")

    def __init__(self, markets: Markets, users: Users, refuse: Refusals) -> None:
        self.markets = markets
        self.users = users
        self.refuse = refuse
        self.by_id: dict[str, VenueOrder | Archived] = {}

    def lookup(self, order_id: str) -> VenueOrder | None:
        """The order ``order_id``, active or done (a done one revived from the archive)."""
        order = self.by_id.get(order_id)
        return self.revive(order) if isinstance(order, tuple) else order

    def revive(self, done: Archived) -> VenueOrder:
        return revive(done, self.users.by_uid[done[A_OWNER]], self.markets.by_symbol[done[A_SYMBOL]])

    def find(
        self, user: UserState, symbol: str | None, order_id: str | None, client_oid: str | None
    ) -> VenueOrder:
        """``user``'s order by id, or the latest with that client id (of ``symbol`` if given)."""
        if (order_id is None) == (client_oid is None):
            raise self.refuse.bad("pass exactly one of orderId or clientOid")
        if order_id is not None:
            order = self.lookup(order_id)
            if order is None or order.user is not user:
                order = None
        else:
            assert client_oid is not None
            latest = user.by_coid.get(client_oid)
            order = self.revive(latest) if isinstance(latest, tuple) else latest
        if order is None or (symbol is not None and order.mkt.spec.symbol != symbol):
            raise self.refuse(Reason.ORDER_NOT_FOUND)
        return order

    def find_active(
        self, user: UserState, symbol: str | None, order_id: str | None, client_oid: str | None
    ) -> VenueOrder:
        """``user``'s live order (open, or a waiting stop), as :meth:`find` finds it."""
        if order_id is not None and client_oid is None:  # the common case, looked up at once
            order = user.active.get(order_id)
            if order is not None and (symbol is None or order.mkt.spec.symbol == symbol):
                return order
        try:
            found: VenueOrder | None = self.find(user, symbol, order_id, client_oid)
        except OrderNotFound:
            found = None
        if found is None or found.status >= FILLED:
            raise self.refuse(Reason.ORDER_NOT_CANCELLABLE)
        return found
