"""The venue's default rulebook is KuCoin's, stated in one place (``KUCOIN_RULEBOOK``)."""

from __future__ import annotations

import attrs

from simulator.kucoin import KUCOIN_RULEBOOK
from simulator.venue import Rulebook, Venue


def test_the_default_rulebook_is_kucoins() -> None:
    assert Rulebook() == KUCOIN_RULEBOOK
    assert Venue().rulebook == KUCOIN_RULEBOOK


def test_the_comparison_sees_every_rule() -> None:
    """(Each field takes part in equality, so a default that drifts from KuCoin's is caught.)"""
    for field in attrs.fields(Rulebook):
        assert field.eq, field.name


def test_a_venue_takes_its_caps_over_the_rulebook() -> None:
    venue = Venue(max_active_per_symbol=3)
    assert venue.rulebook.max_active_per_symbol == 3
    assert venue.rulebook.max_active_per_account == KUCOIN_RULEBOOK.max_active_per_account
