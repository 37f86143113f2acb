"""The port market models trade through (the synthetic market's makers and takers): system
accounts, orders in ticks and lots, and history printed before the venue's first instant.
What goes through here meets the same checks, holds, engine and settlement as a user's
order; only the request parsing is skipped, and it is fast enough for agents that quote
twenty levels a side every step."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from simulator.engine import FILLED, FLAG_MARKET, STP_CO
from simulator.ledger import Accounts
from simulator.venue.cancels import Cancels
from simulator.venue.ids import IdSource
from simulator.venue.intake import Intake
from simulator.venue.orders import VenueOrder
from simulator.venue.placing import Placement
from simulator.venue.registry import Markets, Users
from simulator.venue.settlement import Settlement
from simulator.venue.state import MarketState, UserState
from simulator.venue.timeline import Deadlines, Timeline

__all__ = ["AgentDesk"]


class AgentDesk:
    def __init__(
        self,
        markets: Markets,
        users: Users,
        ledger: Accounts,
        intake: Intake,
        placement: Placement,
        cancels: Cancels,
        settlement: Settlement,
        ids: IdSource,
        time: Timeline,
        others: Sequence[Deadlines] = (),
    ) -> None:
        self._markets = markets
        self._others = others
        self._users = users
        self._ledger = ledger
        self._intake = intake
        self._placement = placement
        self._cancels = cancels
        self._settlement = settlement
        self._ids = ids
        self._time = time

    @property
    def now(self) -> int:
        return self._time.now

    @property
    def horizon(self) -> int:
        """The time the venue is moving to: a model stepping before it knows that nobody
        can look at the market until it gets there."""
        return max(self._time.target, self._time.now)

    def quiet_until(self) -> int | None:
        """When the venue's own deadlines (order expiries, dead-man switches) next fall
        due, if ever: until then only market models act on it."""
        due = [t for source in self._others if (t := source.next_due()) is not None]
        return min(due) if due else None

    def crowded(self, mkt: MarketState, *own: UserState) -> bool:
        """Whether anyone but ``own`` has an order resting, or a stop waiting, on ``mkt``."""
        book = mkt.book
        if book.stop_count:
            return True
        symbol = mkt.spec.symbol
        return book.resting_count > sum(user.counts.get(symbol, 0) for user in own)

    def print_trade(self, mkt: MarketState, ticks: int, lots: int, taker_buy: bool, now: int) -> None:
        """A trade between agents printed straight from their model, as the engine prints
        one (public trades, candles, 24 h statistics, the last trade), without their
        orders: for stretches nobody else can see or trade into (see :meth:`crowded`)."""
        trade_id = next(self._ids.trade_ids)
        self._settlement.record_print(mkt, trade_id, ticks, lots, ticks * lots, taker_buy, now)
        book = mkt.book
        book.trade_count += 1
        if now > book.now:
            book.now = now
        book.last_price, book.last_size, book.last_time, book.last_taker_buy = ticks, lots, now, taker_buy

    def market(self, symbol: str) -> MarketState:
        """The pair an agent trades (its spec, scale and book to read)."""
        return self._markets.get(symbol)

    def open(self, uid: str) -> UserState:
        """A system account for an agent (no history, no ledger), opened on first use."""
        return self._users.system(uid)

    def top_up(self, user: UserState, currency: str, amount: Decimal) -> None:
        """Deposit ``amount`` when less than half of it is available."""
        ledger = self._ledger
        wallet = ledger.wallet(user.account, currency)
        if wallet.total - wallet.hold < amount / 2:
            ledger.deposit(user.account, currency, amount, self._time.now)

    def place(
        self, user: UserState, mkt: MarketState, is_buy: bool, price: int, lots: int, market: bool = False
    ) -> VenueOrder | None:
        """A limit (``price`` ticks) or market order for ``lots``, self-trades cancelling the
        resting side; the order if it rests, ``None`` if it is done. A refusal (funds, the
        price band) raises, as for anyone."""
        flags = FLAG_MARKET if market else 0
        order = self._intake.system(user, mkt, is_buy, price, lots, flags, self._time.now, STP_CO)
        self._placement.submit(order)
        return None if order.status >= FILLED else order

    def cancel(self, order: VenueOrder) -> None:
        self._cancels.cancel(order, self._time.now)

    def print_history(self, mkt: MarketState, prints: Iterable[tuple[int, int, int, bool]]) -> None:
        """Public prints ``(time, ticks, lots, taker_buy)`` of a past the agents made up, in
        time order; the last one becomes the pair's last trade."""
        trade_ids = self._ids.trade_ids
        record = self._settlement.record_print
        last = None
        for at, ticks, lots, taker_buy in prints:
            record(mkt, next(trade_ids), ticks, lots, ticks * lots, taker_buy, at)
            last = (at, ticks, lots, taker_buy)
        if last is not None:
            at, ticks, lots, taker_buy = last
            book = mkt.book
            book.last_price, book.last_size, book.last_time, book.last_taker_buy = ticks, lots, at, taker_buy
