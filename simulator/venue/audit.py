"""The venue's self-check: conservation, holds, ledgers, books."""

from __future__ import annotations

from decimal import Decimal

from simulator.engine import FLAG_MARKET, PENDING, UNLIMITED
from simulator.ledger import Accounts
from simulator.ledger.money import add
from simulator.venue.holds import Holds
from simulator.venue.registry import Markets, Users
from simulator.venue.state import UserState

__all__ = ["Audit"]

ZERO = Decimal(0)


class Audit:
    """:meth:`audit`, which tests and the state machine run after every step."""

    def __init__(self, ledger: Accounts, users: Users, markets: Markets, holds: Holds) -> None:
        self._ledger = ledger
        self._users = users
        self._markets = markets
        self._holds = holds

    def audit(self) -> list[str]:
        """Check the venue's books and balances; returns the problems found (none: ``[]``).

        Every currency equals its net deposits over all accounts (fee collector included);
        each wallet's hold equals what its open orders hold, and a limit order holds
        exactly what its remaining size needs; ledgers (where kept) sum to the balances;
        no book is crossed at rest; no order has filled more than its size.
        """
        problems = self._conservation()
        for user in self._users.by_uid.values():
            held = self._orders_of(user, problems)
            self._wallets_of(user, held, problems)
            if user.account.keep_ledger:
                self._ledger_of(user, problems)
        for symbol, mkt in self._markets.by_symbol.items():
            problems.extend(f"{symbol}: {problem}" for problem in mkt.book.audit())
            bid, ask = mkt.book.best()
            if bid is not None and ask is not None and bid >= ask:
                problems.append(f"{symbol}: book crossed at rest ({bid} >= {ask})")
        return problems

    def _conservation(self) -> list[str]:
        """Every currency equals its net deposits over all accounts."""
        deposited = self._ledger.deposited
        currencies = {cur for a in self._ledger for (_, cur) in a.wallets} | set(deposited)
        return [
            f"{cur}: accounts hold {total}, deposits net {deposited.get(cur, ZERO)}"
            for cur in sorted(currencies)
            if (total := self._ledger.total(cur)) != deposited.get(cur, ZERO)
        ]

    def _orders_of(self, user: UserState, problems: list[str]) -> dict[str, Decimal]:
        """What ``user``'s open orders hold, by currency (each checked against its need)."""
        held: dict[str, Decimal] = {}
        for o in user.active.values():
            if o.hold_left < 0:
                problems.append(f"order {o.id} holds {o.hold_left}")
            if o.hold_left:
                held[o.hold_currency] = add(held.get(o.hold_currency, ZERO), o.hold_left)
            if o.status != PENDING and not o.flags & FLAG_MARKET:
                currency, need = self._holds.hold_for(o)
                if o.hold_left != need:
                    problems.append(f"order {o.id} holds {o.hold_left} {currency}, needs {need}")
            if o.size != UNLIMITED and o.filled > o.size:
                problems.append(f"order {o.id} filled {o.filled} > size {o.size}")
        return held

    def _wallets_of(self, user: UserState, held: dict[str, Decimal], problems: list[str]) -> None:
        """No wallet below zero (but the fee collector's, which pays makers' rebates), and
        each one's hold what its open orders hold."""
        account = user.account
        for (kind, cur), wallet in account.wallets.items():
            if wallet.hold < 0 or (wallet.total < 0 and account is not self._ledger.collector):
                problems.append(f"{user.uid} {kind} {cur}: total {wallet.total} hold {wallet.hold}")
            expected = held.get(cur, ZERO) if kind == "trade" else ZERO
            if wallet.hold != expected:
                problems.append(f"{user.uid} {kind} {cur}: hold {wallet.hold} != open orders' {expected}")

    @staticmethod
    def _ledger_of(user: UserState, problems: list[str]) -> None:
        """The ledger's lines (and what was carried off a long one) sum to the balances."""
        account = user.account
        sums = dict(account.carried)
        for entry in account.ledger():
            t, h = sums.get(entry.wallet_id, (ZERO, ZERO))
            sums[entry.wallet_id] = (add(t, entry.delta), add(h, entry.hold_delta))
        for wallet in account.wallets.values():
            t, h = sums.get(wallet.id, (ZERO, ZERO))
            if (t, h) != (wallet.total, wallet.hold):
                problems.append(
                    f"{user.uid} {wallet.currency}: ledger sums {t}/{h} != {wallet.total}/{wallet.hold}"
                )
