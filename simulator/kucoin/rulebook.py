"""KuCoin's spot rules, as the venue's :class:`~simulator.venue.Rulebook` states them (NOTES
section 8): 200 active orders a pair and 2000 in all (stop orders count), DC not for
market orders, clientOids of at most 40 letters, digits, ``_`` and ``-``, remarks and tags
of at most 20 ASCII characters, GTT lifetimes up to 30 days, icebergs showing at least a
twentieth of their size, and a stop order's direction derived from the last price."""

from __future__ import annotations

import re

from exchanges import STP
from simulator.venue import Rulebook

__all__ = ["KUCOIN_RULEBOOK"]

KUCOIN_RULEBOOK = Rulebook(
    name="kucoin",
    max_active_per_symbol=200,
    max_active_per_account=2000,
    market_stp=frozenset({STP.CN, STP.CO, STP.CB}),
    client_id=re.compile(r"[A-Za-z0-9_-]{1,40}"),
    max_text=20,
    max_cancel_after=2_592_000,
    iceberg_parts=20,
)
