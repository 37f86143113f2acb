"""The dead-man-switch layer of the venue: KuCoin's dead-cancel-all (DCP)."""

from __future__ import annotations

from collections.abc import Iterable

from exchanges import BadRequest
from simulator.engine import FILLED, PENDING
from simulator.venue.cancels import Cancels
from simulator.venue.records import DcpInfo
from simulator.venue.state import UserState

__all__ = ["DeadManSwitch"]


class DeadManSwitch(Cancels):
    """Arming, reading and firing the per-user switch (the venue's clock fires it)."""

    def set_dcp(self, uid: str, timeout: int, symbols: Iterable[str] | None = None) -> DcpInfo | None:
        """KuCoin's dead-cancel-all: cancel the user's orders (on ``symbols``, else all)
        unless called again within ``timeout`` seconds (5..86400); -1 turns it off."""
        user = self._user(uid)
        now = self.sync()
        if timeout == -1:
            user.dcp = None
            self._dcp_users.discard(uid)
            return None
        if not isinstance(timeout, int) or isinstance(timeout, bool) or not 5 <= timeout <= 86400:
            raise self._error(BadRequest, "timeout must be -1 or between 5 and 86400 seconds", "400100")
        chosen = tuple(symbols or ())
        if len(chosen) > 50:
            raise self._error(BadRequest, "at most 50 symbols", "400100")
        for sym in chosen:
            self._market(sym)
        user.dcp = (timeout, chosen, now + timeout * 1000)
        self._dcp_users.add(uid)
        return self._dcp_info(user, now)

    def get_dcp(self, uid: str) -> DcpInfo | None:
        user = self._user(uid)
        now = self.sync()
        return self._dcp_info(user, now) if user.dcp is not None else None

    @staticmethod
    def _dcp_info(user: UserState, now: int) -> DcpInfo:
        assert user.dcp is not None
        timeout, symbols, trigger = user.dcp
        return DcpInfo(
            timeout=timeout, symbols=symbols, current_time=now // 1000, trigger_time=trigger // 1000
        )

    def _fire_dcp(self, now: int) -> None:
        for uid in sorted(self._dcp_users):
            user = self._users[uid]
            if user.dcp is None or user.dcp[2] > now:
                continue
            _, symbols, _ = user.dcp
            user.dcp = None
            self._dcp_users.discard(uid)
            for o in list(user.active.values()):
                if (
                    o.status < FILLED
                    and o.status != PENDING
                    and (not symbols or o.mkt.spec.symbol in symbols)
                ):
                    self._cancel(o, now, "dcp")

