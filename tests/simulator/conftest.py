"""Fixtures for the simulator's tests (engine, venue, paper exchange)."""

from __future__ import annotations

import pytest

from exchanges import ManualClock
from simulator.venue import Venue
from tests.simulator.helpers import START_MS


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START_MS)


@pytest.fixture
def venue(clock: ManualClock) -> Venue:
    """A quiet venue (no synthetic market) on a manual clock."""
    return Venue(seed=1, clock=clock)
