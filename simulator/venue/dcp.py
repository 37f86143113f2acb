"""The dead-man switch: cancel a user's orders unless told again in time (a
:class:`~simulator.venue.timeline.Deadlines` source: the venue's time fires it)."""

from __future__ import annotations

from collections.abc import Iterable

from simulator.engine import FILLED, PENDING
from simulator.venue.cancels import Cancels
from simulator.venue.records import DcpInfo
from simulator.venue.refusals import Refusals
from simulator.venue.registry import Markets, Users
from simulator.venue.state import UserState
from simulator.venue.timeline import Timeline

__all__ = ["DeadManSwitch"]


class DeadManSwitch:
    """Arming, reading and firing the per-user switch."""

    def __init__(
        self, markets: Markets, users: Users, cancels: Cancels, time: Timeline, refuse: Refusals
    ) -> None:
        self._markets = markets
        self._users = users
        self._cancels = cancels
        self._time = time
        self._refuse = refuse
        self._armed: set[str] = set()

    def set_dcp(self, uid: str, timeout: int, symbols: Iterable[str] | None = None) -> DcpInfo | None:
        """KuCoin's dead-cancel-all: cancel the user's orders (on ``symbols``, else all)
        unless called again within ``timeout`` seconds (5..86400); -1 turns it off."""
        user = self._users.get(uid)
        now = self._time.sync()
        if timeout == -1:
            user.dcp = None
            self._armed.discard(uid)
            return None
        if not isinstance(timeout, int) or isinstance(timeout, bool) or not 5 <= timeout <= 86400:
            raise self._refuse.bad("timeout must be -1 or between 5 and 86400 seconds")
        chosen = tuple(symbols or ())
        if len(chosen) > 50:
            raise self._refuse.bad("at most 50 symbols")
        for sym in chosen:
            self._markets.get(sym)
        user.dcp = (timeout, chosen, now + timeout * 1000)
        self._armed.add(uid)
        return self._dcp_info(user, now)

    def get_dcp(self, uid: str) -> DcpInfo | None:
        user = self._users.get(uid)
        now = self._time.sync()
        return self._dcp_info(user, now) if user.dcp is not None else None

    @staticmethod
    def _dcp_info(user: UserState, now: int) -> DcpInfo:
        assert user.dcp is not None
        timeout, symbols, trigger = user.dcp
        return DcpInfo(
            timeout=timeout, symbols=symbols, current_time=now // 1000, trigger_time=trigger // 1000
        )

    def next_due(self) -> int | None:
        due: int | None = None
        for uid in self._armed:
            dcp = self._users.by_uid[uid].dcp
            if dcp is not None and (due is None or dcp[2] < due):
                due = dcp[2]
        return due

    def run_due(self, now: int) -> None:
        if not self._armed:
            return
        for uid in sorted(self._armed):
            user = self._users.by_uid[uid]
            if user.dcp is None or user.dcp[2] > now:
                continue
            _, symbols, _ = user.dcp
            user.dcp = None
            self._armed.discard(uid)
            for o in list(user.active.values()):
                if (
                    o.status < FILLED
                    and o.status != PENDING
                    and (not symbols or o.mkt.spec.symbol in symbols)
                ):
                    self._cancels.cancel(o, now, "dcp")
