"""The venue's time: it follows the clock it is given and never goes back, and as it moves
everything that falls due runs in time order (market drivers, GTT expiries, dead-man
switches: each a :class:`Deadlines` source handed in when the venue is assembled)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from exchanges import Clock

__all__ = ["Deadlines", "Timeline"]


class Deadlines(Protocol):
    """Something that acts at times of its own."""

    def next_due(self) -> int | None:
        """Epoch ms of the next thing due (``None``: nothing)."""
        ...

    def run_due(self, now: int) -> None:
        """Do what falls due at or before ``now`` (the venue's time during the call)."""
        ...


class Timeline:
    """``now`` is the venue's time (ms) as of the last sync; ``pending`` (set by the replay
    part) files replayed events waiting on tapes before any sync."""

    __slots__ = ("clock", "now", "pending", "sources")

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.now = clock.now_ms()
        self.sources: list[Deadlines] = []
        self.pending: Callable[[], None] | None = None

    def sync(self) -> int:
        """Bring the venue up to the clock; returns its time. Every venue call does this
        first; a served venue also does it periodically so the market moves between calls."""
        if self.pending is not None:
            self.pending()
        target = self.clock.now_ms()
        if target > self.now:
            self.advance(target)
        return self.now

    def advance_to(self, now_ms: int) -> int:
        """Move to ``now_ms`` (if later) regardless of the clock, running whatever falls due."""
        if self.pending is not None:
            self.pending()
        if now_ms > self.now:
            self.advance(now_ms)
        return self.now

    def advance(self, target: int) -> None:
        """Step deadline by deadline to ``target``: at each, every source runs what is due.
        When nothing falls due by ``target`` the sources are not asked to run (there is
        nothing they would do): the common case of a replay moving on by one event."""
        sources = self.sources
        while True:
            t = target
            due_by_target = False
            for source in sources:
                due = source.next_due()
                if due is not None and due <= target:
                    due_by_target = True
                    if due < t:
                        t = due
            if not due_by_target:
                self.now = target  # (> now: the callers advance only forward)
                return
            if t > self.now:
                self.now = t
            now = self.now
            for source in sources:
                source.run_due(now)
            if now >= target:
                return
