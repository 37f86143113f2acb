"""How a market model (synthetic agents, replayed data) plugs into the venue's clock.

The venue asks each driver when it next wants to act (``next_time``) and, as its clock
passes that time, calls ``step`` with the venue's time set to it. A driver trades through
the venue like anyone else (system accounts, the same engine), so its orders, trades and
candles are indistinguishable from users'. Real time for a served exchange, as fast as the
CPU allows in a backtest: only the clock differs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from simulator.venue import Venue

__all__ = ["MarketDriver"]


@runtime_checkable
class MarketDriver(Protocol):
    def next_time(self) -> int | None:
        """Epoch ms of the next step (``None``: nothing to do until told otherwise).
        After ``step(venue, t)`` it must be later than ``t`` or ``None``."""
        ...

    def step(self, venue: Venue, now_ms: int) -> None:
        """Act at ``now_ms`` (the venue's time during the call)."""
        ...
