"""What ``python -m simulator serve`` runs, whatever the dialect: a venue on the wall clock,
a dialect's facade over it, and the driver that keeps its market moving between requests.
Each dialect says how its venue and facade are made from its configuration."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, Generic, Protocol, TypeVar

import attrs

from exchanges import Clock, SystemClock
from simulator.venue import Venue

__all__ = ["MARKET_TICK_S", "Served", "VenueMaker", "drive_market", "serve_venue"]

log = logging.getLogger("simulator")

#: How often the served venue catches up with the wall clock between requests (seconds).
MARKET_TICK_S = 0.05


class _Facade(Protocol):
    @property
    def app(self) -> Any: ...


class _Config(Protocol):
    @property
    def venue(self) -> Mapping[str, Any]: ...

    @property
    def seed(self) -> int: ...


class VenueMaker(Protocol):
    """A dialect's venue from its ``[venue]`` table."""

    def __call__(self, table: Mapping[str, Any], *, seed: int, clock: Clock) -> Venue: ...


F = TypeVar("F", bound=_Facade)
C = TypeVar("C", bound=_Config)


async def drive_market(venue: Venue, tick: float = MARKET_TICK_S) -> None:
    """Keep the venue level with the wall clock so the market moves between requests."""
    while True:
        try:
            venue.sync()
        except Exception:  # a market model's bug must not stop the server
            log.exception("market step failed")
        await asyncio.sleep(tick)


@attrs.frozen
class Served(Generic[F]):
    """What ``serve`` runs: the app, its facade and venue, and the market driver."""

    facade: F
    venue: Venue
    market: Callable[[], Coroutine[Any, Any, None]]

    @property
    def app(self) -> Any:
        return self.facade.app


def serve_venue(
    config: C,
    venue_from_config: VenueMaker,
    build_facade: Callable[[Venue, C, Clock], F],
    clock: Clock | None = None,
) -> Served[F]:
    """Venue (on ``clock``, the wall clock by default, from the configuration's ``[venue]``
    table and seed), the dialect's facade over it, and the market driver."""
    clock = clock or SystemClock()
    venue = venue_from_config(config.venue, seed=config.seed, clock=clock)
    return Served(build_facade(venue, config, clock), venue, lambda: drive_market(venue))
