"""Balances of many accounts, with holds, fees, and a ledger line for every change.

Each user has a ``trade`` (spot) and a ``main`` (funding) account per currency, as on
KuCoin; trading uses ``trade``. A wallet keeps ``total`` and ``hold`` (``available`` is
their difference). Every change writes one ledger entry carrying the signed change of the
total and of the hold, so summing a wallet's entries gives back its balance exactly.

Fees go to the fee collector account, so the sum of every currency over all accounts
(collector included) moves only by deposits and withdrawals.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from decimal import Decimal
from functools import reduce
from typing import NamedTuple, TypeVar

from exchanges import BadRequest, ExchangeError, InsufficientFunds
from simulator.ledger.money import add, sub

__all__ = [
    "ACCOUNT_TYPES",
    "FEE_COLLECTOR",
    "Account",
    "Accounts",
    "Entry",
    "Row",
    "Wallet",
]

ZERO = Decimal(0)
FEE_COLLECTOR = "fee-collector"
ACCOUNT_TYPES = ("trade", "main")
_BIZ = {
    "deposit": "DEPOSIT",
    "withdrawal": "WITHDRAW",
    "transfer": "TRANSFER",
    "trade": "TRADE_EXCHANGE",
    "fee": "TRADE_EXCHANGE",
    "hold": "HOLD",
    "release": "RELEASE",
}


class Wallet:
    """One currency in one account of one user."""

    __slots__ = ("account_type", "currency", "hold", "id", "ref", "total")

    def __init__(self, wallet_id: str, currency: str, account_type: str) -> None:
        self.id = wallet_id
        self.currency = currency
        self.account_type = account_type
        #: what a ledger line records of its wallet: plain strings in a plain tuple (see
        #: :data:`Row`), so that the garbage collector stops tracking the line
        self.ref = (wallet_id, currency, account_type)
        self.total = ZERO
        self.hold = ZERO

    @property
    def available(self) -> Decimal:
        return sub(self.total, self.hold)


class Entry(NamedTuple):
    """A ledger line (internal form; the venue turns it into a ``LedgerEntry``): the signed
    changes of one wallet's total and hold, and the total after it. ``wallet`` is
    ``(wallet id, currency, account type)``."""

    id: int
    wallet: tuple[str, str, str]
    kind: str
    delta: Decimal
    hold_delta: Decimal
    fee: Decimal
    time: int
    context: tuple[str, str, str] | None  # (symbol, order id, trade id)
    total_after: Decimal

    @property
    def biz_type(self) -> str:
        return _BIZ[self.kind]

    @property
    def wallet_id(self) -> str:
        return self.wallet[0]

    @property
    def currency(self) -> str:
        return self.wallet[1]

    @property
    def account_type(self) -> str:
        return self.wallet[2]


#: One ledger line as :attr:`Account.rows` keeps it: :class:`Entry`'s fields in order, its
#: context spread over three (symbol, order id, trade id; ``None`` for a line of no order).
Row = tuple[
    int,
    tuple[str, str, str],
    str,
    Decimal,
    Decimal,
    Decimal,
    int,
    str | None,
    str | None,
    str | None,
    Decimal,
]

#: :attr:`Account.rows` is flat: :data:`ROW_WIDTH` values a line, one line after another.
#: Every order writes at least two lines (its hold and its release) and a ledger keeps up
#: to :data:`MAX_LEDGER_ENTRIES`; a line kept as a tuple was an object the garbage
#: collector tracked until its first collection, and a paper place-and-cancel's lines
#: made the young generation fill (and be collected) twice as often.
ROW_WIDTH = 11
_NO_CONTEXT = (None, None, None)


#: Ledger lines kept per account, at least: once a ledger is half as long again, its
#: older lines are folded away down to this (KuCoin, too, answers ledger queries for a
#: limited past only).
MAX_LEDGER_ENTRIES = 200_000


class Account:
    """One user: wallets per (type, currency), fee rates, and the ledger (:attr:`rows`,
    oldest first; :meth:`ledger` reads them as entries)."""

    __slots__ = (
        "carried",
        "fee_overrides",
        "keep_ledger",
        "maker_rate",
        "rows",
        "taker_rate",
        "trade",
        "uid",
        "wallets",
    )

    def __init__(self, uid: str, maker_rate: Decimal, taker_rate: Decimal, keep_ledger: bool) -> None:
        self.uid = uid
        self.wallets: dict[tuple[str, str], Wallet] = {}  # by (account type, currency)
        self.trade: dict[str, Wallet] = {}  # the trade wallets again, by currency (the hot path's)
        self.rows: list[object] = []  # flat: see ROW_WIDTH
        #: what trimmed-off ledger lines added up to, per wallet id: ``(total, hold)``
        self.carried: dict[str, tuple[Decimal, Decimal]] = {}
        self.maker_rate = maker_rate
        self.taker_rate = taker_rate
        self.fee_overrides: dict[str, tuple[Decimal, Decimal]] = {}
        self.keep_ledger = keep_ledger

    @property
    def lines(self) -> int:
        """How many ledger lines are kept."""
        return len(self.rows) // ROW_WIDTH

    def ledger(self, *, newest_first: bool = False) -> Iterator[Entry]:
        """The ledger lines still kept (older ones are folded into :attr:`carried`)."""
        rows = self.rows
        end = len(rows)
        starts = range(end - ROW_WIDTH, -1, -ROW_WIDTH) if newest_first else range(0, end, ROW_WIDTH)
        return (_entry(rows[i : i + ROW_WIDTH]) for i in starts)

    def rates(self, symbol: str) -> tuple[Decimal, Decimal]:
        """Base ``(maker, taker)`` rates for ``symbol`` (before the symbol's coefficients)."""
        return self.fee_overrides.get(symbol, (self.maker_rate, self.taker_rate))


class Accounts:
    """All accounts of a venue. ``wallet_ids`` makes a new wallet (account) id."""

    def __init__(
        self,
        wallet_ids: Callable[[], str],
        entry_ids: Callable[[], int],
        *,
        maker_rate: Decimal = Decimal("0.001"),
        taker_rate: Decimal = Decimal("0.001"),
        venue: str = "paper",
        max_ledger_entries: int = MAX_LEDGER_ENTRIES,
    ) -> None:
        self._wallet_ids = wallet_ids
        self.max_ledger_entries = max_ledger_entries  # (sets _trim_past)
        self._entry_ids = entry_ids
        self.maker_rate = maker_rate
        self.taker_rate = taker_rate
        self.venue = venue
        self._accounts: dict[str, Account] = {}
        self.deposited: dict[str, Decimal] = {}  # net external inflow per currency
        self.collector = self.open(FEE_COLLECTOR)

    # ---------------------------------------------------------------- accounts

    def open(self, uid: str, *, keep_ledger: bool = True) -> Account:
        if uid in self._accounts:
            raise _refused(BadRequest(f"account {uid!r} already exists", venue=self.venue), "bad_param")
        account = Account(uid, self.maker_rate, self.taker_rate, keep_ledger)
        self._accounts[uid] = account
        return account

    def get(self, uid: str) -> Account | None:
        return self._accounts.get(uid)

    def __iter__(self) -> Iterator[Account]:
        return iter(self._accounts.values())

    def __contains__(self, uid: str) -> bool:
        return uid in self._accounts

    def wallet(self, account: Account, currency: str, account_type: str = "trade") -> Wallet:
        """The wallet, created (empty) on first use."""
        key = (account_type, currency)
        wallet = account.wallets.get(key)
        if wallet is None:
            if account_type not in ACCOUNT_TYPES:
                raise _refused(
                    BadRequest(f"unknown account type {account_type!r}", venue=self.venue), "bad_param"
                )
            wallet = account.wallets[key] = Wallet(self._wallet_ids(), currency, account_type)
            if account_type == "trade":
                account.trade[currency] = wallet
        return wallet

    # ---------------------------------------------------------------- changes

    def _log(
        self,
        account: Account,
        wallet: Wallet,
        kind: str,
        delta: Decimal,
        hold_delta: Decimal,
        fee: Decimal,
        now: int,
        context: tuple[str, str, str] | None,
    ) -> None:
        if account.keep_ledger:
            rows = account.rows
            symbol, order_id, trade_id = _NO_CONTEXT if context is None else context
            line = (
                self._entry_ids(),
                wallet.ref,
                kind,
                delta,
                hold_delta,
                fee,
                now,
                symbol,
                order_id,
                trade_id,
                wallet.total,
            )
            rows += line
            if len(rows) > self._trim_past:
                self._trim_ledger(account)

    @property
    def max_ledger_entries(self) -> int:
        """The newest ledger lines every account keeps (see :data:`MAX_LEDGER_ENTRIES`)."""
        return self._keep

    @max_ledger_entries.setter
    def max_ledger_entries(self, keep: int) -> None:
        self._keep = keep
        self._trim_past = (keep + keep // 2) * ROW_WIDTH  # (in values of the flat rows)

    def _trim_ledger(self, account: Account) -> None:
        """Drop the older lines of a long ledger (a served simulator runs for days) down to
        the newest :attr:`max_ledger_entries`, folding what they added up to into
        ``account.carried`` so the ledger still explains every balance. Amortised O(1) a
        line: it runs once per ``max_ledger_entries / 2`` lines."""
        rows = account.rows
        cut = len(rows) - self._keep * ROW_WIDTH
        # the changes per wallet, gathered first and then summed in C: a line read as an
        # Entry and folded at once cost four times more, on every order's hold and release
        totals: defaultdict[str, list[Decimal]] = defaultdict(list)
        holds: defaultdict[str, list[Decimal]] = defaultdict(list)
        w = ROW_WIDTH
        for ref, delta, hold_delta in zip(rows[1:cut:w], rows[3:cut:w], rows[4:cut:w], strict=True):
            key = ref[0]  # type: ignore[index]
            totals[key].append(delta)  # type: ignore[arg-type]
            holds[key].append(hold_delta)  # type: ignore[arg-type]
        carried = account.carried
        for key, changes in totals.items():
            total, hold = carried.get(key, (ZERO, ZERO))
            carried[key] = (reduce(add, changes, total), reduce(add, holds[key], hold))
        del rows[:cut]

    def deposit(
        self, account: Account, currency: str, amount: Decimal, now: int, account_type: str = "trade"
    ) -> None:
        if amount <= 0:
            raise _refused(BadRequest("deposit amount must be positive", venue=self.venue), "bad_param")
        wallet = self.wallet(account, currency, account_type)
        wallet.total = add(wallet.total, amount)
        self.deposited[currency] = add(self.deposited.get(currency, ZERO), amount)
        self._log(account, wallet, "deposit", amount, ZERO, ZERO, now, None)

    def withdraw(
        self, account: Account, currency: str, amount: Decimal, now: int, account_type: str = "trade"
    ) -> None:
        wallet = self.wallet(account, currency, account_type)
        if amount <= 0:
            raise _refused(BadRequest("withdrawal amount must be positive", venue=self.venue), "bad_param")
        if sub(wallet.total, wallet.hold) < amount:
            raise _refused(
                InsufficientFunds("balance insufficient", venue=self.venue), "balance_insufficient"
            )
        wallet.total = sub(wallet.total, amount)
        self.deposited[currency] = sub(self.deposited.get(currency, ZERO), amount)
        self._log(account, wallet, "withdrawal", amount.copy_negate(), ZERO, ZERO, now, None)

    def transfer(
        self, account: Account, currency: str, amount: Decimal, from_type: str, to_type: str, now: int
    ) -> None:
        """Move available funds between the user's own accounts (main <-> trade)."""
        if amount <= 0:
            raise _refused(BadRequest("transfer amount must be positive", venue=self.venue), "bad_param")
        if from_type == to_type:
            raise _refused(BadRequest("cannot transfer to the same account", venue=self.venue), "bad_param")
        source = self.wallet(account, currency, from_type)
        target = self.wallet(account, currency, to_type)
        if sub(source.total, source.hold) < amount:
            raise _refused(
                InsufficientFunds("balance insufficient", venue=self.venue), "balance_insufficient"
            )
        source.total = sub(source.total, amount)
        self._log(account, source, "transfer", amount.copy_negate(), ZERO, ZERO, now, None)
        target.total = add(target.total, amount)
        self._log(account, target, "transfer", amount, ZERO, ZERO, now, None)

    def hold(
        self,
        account: Account,
        currency: str,
        amount: Decimal,
        now: int,
        context: tuple[str, str, str] | None = None,
    ) -> None:
        """Reserve ``amount`` of the trade wallet, or raise ``InsufficientFunds`` (200004)."""
        wallet = account.trade.get(currency)
        if wallet is None:
            wallet = self.wallet(account, currency)
        held = add(wallet.hold, amount)
        if held > wallet.total:  # (available < amount, with one operation fewer)
            raise _refused(
                InsufficientFunds("balance insufficient", venue=self.venue), "balance_insufficient"
            )
        if amount:
            wallet.hold = held
            if account.keep_ledger:  # (what _log does, inlined: every order holds and releases)
                rows = account.rows
                symbol, order_id, trade_id = _NO_CONTEXT if context is None else context
                line = (
                    self._entry_ids(),
                    wallet.ref,
                    "hold",
                    ZERO,
                    amount,
                    ZERO,
                    now,
                    symbol,
                    order_id,
                    trade_id,
                    wallet.total,
                )
                rows += line
                if len(rows) > self._trim_past:
                    self._trim_ledger(account)

    def release(
        self,
        account: Account,
        currency: str,
        amount: Decimal,
        now: int,
        context: tuple[str, str, str] | None = None,
    ) -> None:
        if not amount:
            return
        wallet = account.trade[currency]
        if amount > wallet.hold:
            raise AssertionError(f"release {amount} {currency} > hold {wallet.hold} of {account.uid}")
        wallet.hold = sub(wallet.hold, amount)
        if account.keep_ledger:
            rows = account.rows
            out = amount.copy_negate()
            symbol, order_id, trade_id = _NO_CONTEXT if context is None else context
            line = (
                self._entry_ids(),
                wallet.ref,
                "release",
                ZERO,
                out,
                ZERO,
                now,
                symbol,
                order_id,
                trade_id,
                wallet.total,
            )
            rows += line
            if len(rows) > self._trim_past:
                self._trim_ledger(account)

    def spend_held(
        self,
        account: Account,
        currency: str,
        amount: Decimal,
        fee: Decimal,
        now: int,
        context: tuple[str, str, str] | None,
    ) -> None:
        """A trade paid from the hold: total and hold both drop by ``amount`` (fee included)."""
        wallet = account.trade[currency]
        wallet.total = sub(wallet.total, amount)
        wallet.hold = sub(wallet.hold, amount)
        if wallet.hold < 0:
            raise AssertionError(f"hold of {account.uid} {currency} went negative")
        spent = amount.copy_negate()  # (exact: unary minus rounds to the thread's context)
        self._log(account, wallet, "trade", spent, spent, fee, now, context)

    def receive(
        self,
        account: Account,
        currency: str,
        amount: Decimal,
        fee: Decimal,
        now: int,
        context: tuple[str, str, str] | None,
        kind: str = "trade",
    ) -> None:
        """A trade's proceeds (net of ``fee``, shown on the entry) land in the trade wallet."""
        wallet = account.trade.get(currency)
        if wallet is None:
            wallet = self.wallet(account, currency)
        wallet.total = add(wallet.total, amount)
        self._log(account, wallet, kind, amount, ZERO, fee, now, context)

    def collect_fee(
        self, currency: str, amount: Decimal, now: int, context: tuple[str, str, str] | None
    ) -> None:
        if amount:
            self.receive(self.collector, currency, amount, ZERO, now, context, kind="fee")

    # ---------------------------------------------------------------- totals

    def total(self, currency: str) -> Decimal:
        """The sum of ``currency`` over every account (fee collector included)."""
        result = ZERO
        for a in self._accounts.values():
            for (_, cur), w in a.wallets.items():
                if cur == currency:
                    result = add(result, w.total)
        return result


def _entry(row: list[object]) -> Entry:
    """One line of the flat rows as an :class:`Entry`."""
    ident, wallet, kind, delta, hold_delta, fee, time, symbol, order_id, trade_id, total = row
    context = None if symbol is None else (symbol, order_id, trade_id)
    return Entry(ident, wallet, kind, delta, hold_delta, fee, time, context, total)  # type: ignore[arg-type]


_E = TypeVar("_E", bound=ExchangeError)


def _refused(err: _E, reason: str) -> _E:
    """``err`` with the venue's neutral reason (``simulator.venue.Reason``'s value; a
    dialect words it)."""
    err.reason = reason
    return err
