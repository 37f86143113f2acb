"""Users and what they own: opening them, deposits, withdrawals and transfers, balances,
ledgers, and fee rates."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from simulator.ledger import FEE_COLLECTOR, Accounts, Entry, Wallet
from simulator.venue.amounts import Amounts
from simulator.venue.market_data import MarketData
from simulator.venue.orders import tidy
from simulator.venue.paging import newest_first
from simulator.venue.records import AccountBalance, FeeRates, LedgerEntry
from simulator.venue.refusals import Reason, Refusals
from simulator.venue.registry import Markets, Users
from simulator.venue.timeline import Timeline

__all__ = ["Funding"]

_t = tidy


class Funding:
    """Users' accounts; system users (market agents) keep no history or ledger."""

    def __init__(
        self,
        markets: Markets,
        users: Users,
        ledger: Accounts,
        market_data: MarketData,
        time: Timeline,
        amounts: Amounts,
        refuse: Refusals,
    ) -> None:
        self._markets = markets
        self._users = users
        self._ledger = ledger
        self._market_data = market_data
        self._time = time
        self._amounts = amounts
        self._refuse = refuse

    def create_user(
        self,
        uid: str | int | None = None,
        balances: Mapping[str, Decimal | str | int] | None = None,
        *,
        maker_fee_rate: Decimal | str | None = None,
        taker_fee_rate: Decimal | str | None = None,
        keep_history: bool = True,
        keep_ledger: bool = True,
    ) -> str:
        """Open a user with trade-account ``balances`` (deposits, in the ledger); returns
        the uid (generated, like KuCoin's numeric uids, when not given). System users
        (market agents) turn history and ledger off to stay fast and small."""
        self._time.sync()
        fee_rate = self._amounts.fee_rate
        maker = None if maker_fee_rate is None else fee_rate("maker_fee_rate", maker_fee_rate)
        taker = None if taker_fee_rate is None else fee_rate("taker_fee_rate", taker_fee_rate)
        user = self._users.new(uid, keep_history=keep_history, keep_ledger=keep_ledger)
        account = user.account
        if maker is not None:
            account.maker_rate = maker
        if taker is not None:
            account.taker_rate = taker
        for currency, amount in (balances or {}).items():
            try:
                empty = Decimal(amount) == 0  # (an empty wallet is the default)
            except (ArithmeticError, TypeError, ValueError):
                empty = False  # refused, clearly, by deposit
            if not empty:
                self.deposit(user.uid, currency, amount)
        return user.uid

    def users(self) -> list[str]:
        return [uid for uid in self._users.by_uid if uid != FEE_COLLECTOR]

    def has_user(self, uid: str) -> bool:
        return uid in self._users.by_uid

    def deposit(
        self, uid: str, currency: str, amount: Decimal | str | int, account_type: str = "trade"
    ) -> None:
        """Credit ``amount`` from outside the venue (a deposit ledger entry)."""
        user = self._users.get(uid)
        if not isinstance(currency, str) or not currency.isalnum() or currency != currency.upper():
            raise self._refuse.bad(f"currency must be a code like 'USDT', got {currency!r}")
        now = self._time.sync()
        self._markets.note_currency(currency)
        self._ledger.deposit(
            user.account, currency, self._amounts.amount("amount", amount), now, account_type
        )

    def withdraw(
        self, uid: str, currency: str, amount: Decimal | str | int, account_type: str = "trade"
    ) -> None:
        user = self._users.get(uid)
        now = self._time.sync()
        self._ledger.withdraw(
            user.account, currency, self._amounts.amount("amount", amount), now, account_type
        )

    def transfer(
        self, uid: str, currency: str, amount: Decimal | str | int, from_type: str, to_type: str
    ) -> None:
        """Move available funds between the user's ``main`` and ``trade`` accounts."""
        user = self._users.get(uid)
        now = self._time.sync()
        amount_d = self._amounts.amount("amount", amount)
        self._ledger.transfer(user.account, currency, amount_d, from_type.lower(), to_type.lower(), now)

    def accounts_of(
        self, uid: str, currency: str | None = None, account_type: str | None = None
    ) -> list[AccountBalance]:
        """``GET /api/v1/accounts``: one row per (type, currency) the user ever held."""
        user = self._users.get(uid)
        self._time.sync()
        return [
            _balance_row(wallet)
            for (kind, cur), wallet in user.account.wallets.items()
            if (currency is None or cur == currency) and (account_type is None or kind == account_type)
        ]

    def account(self, uid: str, account_id: str) -> AccountBalance:
        for row in self.accounts_of(uid):
            if row.id == account_id:
                return row
        raise self._refuse(Reason.UNKNOWN_ACCOUNT, f"account {account_id!r} not found")

    def balance(self, uid: str, currency: str, account_type: str = "trade") -> AccountBalance:
        """One currency of one account (zero, with a fresh id, if never used)."""
        user = self._users.get(uid)
        self._time.sync()
        return _balance_row(self._ledger.wallet(user.account, currency, account_type))

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
        """Ledger entries, newest first; ``last_id`` returns those older than it (HF
        cursor), ``start``/``end`` bound ``created_at`` (inclusive). Hold and release
        entries only with ``include_holds`` (KuCoin's ledgers do not show them)."""
        user = self._users.get(uid)
        self._time.sync()
        kind = None if account_type is None else account_type.lower()

        def skip(entry: Entry) -> bool:
            return (
                (not include_holds and entry.kind in ("hold", "release"))
                or (currency is not None and entry.currency != currency)
                or (kind is not None and entry.account_type != kind)
            )

        def keep(entry: Entry) -> bool:
            return (direction is None or _direction(entry) == direction) and (
                biz_type is None or entry.biz_type == biz_type
            )

        rows = newest_first(
            user.account.ledger(newest_first=True),
            id_of=_entry_id,
            time_of=_entry_time,
            last_id=last_id,
            start=start,
            end=end,
            skip=skip,
            keep=keep,
            limit=limit,
        )
        return [self._ledger_entry(uid, entry) for entry in rows]

    @staticmethod
    def _ledger_entry(uid: str, entry: Entry) -> LedgerEntry:
        context: dict[str, str] = {}
        if entry.context is not None:
            context = {"symbol": entry.context[0], "orderId": entry.context[1]}
            if entry.context[2]:
                context["tradeId"] = entry.context[2]
        return LedgerEntry(
            id=entry.id,
            uid=uid,
            account_id=entry.wallet_id,
            currency=entry.currency,
            amount=_t(entry.delta.copy_abs()),
            direction=_direction(entry),
            fee=_t(entry.fee),
            balance=_t(entry.total_after),
            hold_delta=_t(entry.hold_delta),
            account_type=entry.account_type.upper(),
            biz_type=entry.biz_type,
            kind=entry.kind,
            created_at=entry.time,
            context=context,
        )

    def fee_rates(self, uid: str | None, symbol: str) -> FeeRates:
        """Actual rates of ``uid`` on ``symbol``: base rate x the symbol's coefficient."""
        return self._market_data.fee_rates_on(uid, self._markets.get(symbol))

    def base_fee_rates(self, uid: str | None = None) -> FeeRates:
        """The user's base rates (``symbol`` empty)."""
        if uid is None:
            return FeeRates(symbol="", maker=self._ledger.maker_rate, taker=self._ledger.taker_rate)
        account = self._users.get(uid).account
        return FeeRates(symbol="", maker=account.maker_rate, taker=account.taker_rate)

    def set_fee_rates(
        self, uid: str, maker: Decimal | str, taker: Decimal | str, symbol: str | None = None
    ) -> None:
        """Change a user's base rates, for all symbols or one."""
        user = self._users.get(uid)
        account = user.account
        fee_rate = self._amounts.fee_rate
        pair = (fee_rate("maker", maker), fee_rate("taker", taker))
        user.rates.clear()
        user.hold_factors.clear()
        if symbol is None:
            account.maker_rate, account.taker_rate = pair
        else:
            self._markets.get(symbol)
            account.fee_overrides[symbol] = pair


def _balance_row(wallet: Wallet) -> AccountBalance:
    return AccountBalance(
        id=wallet.id,
        currency=wallet.currency,
        type=wallet.account_type,
        balance=_t(wallet.total),
        available=_t(wallet.available),
        holds=_t(wallet.hold),
    )


def _direction(entry: Entry) -> str:
    """KuCoin's ``direction``: ``out`` for a decrease (or a hold), else ``in``."""
    return "out" if entry.delta < 0 or (entry.delta == 0 and entry.hold_delta > 0) else "in"


def _entry_id(entry: Entry) -> int:
    return entry.id


def _entry_time(entry: Entry) -> int:
    return entry.time
