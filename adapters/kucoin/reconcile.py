"""Finding out whether a placement whose answer was lost reached KuCoin: the shared
:mod:`adapters.common.reconcile`, worded as KuCoin words it (``clientOid``)."""

from __future__ import annotations

import math

from adapters.common.reconcile import Finder, Reconciler
from exchanges import Clock

from .errors import VENUE

__all__ = ["Finder", "Reconciler", "kucoin_reconciler"]


def kucoin_reconciler(
    *, clock: Clock, delay: float, confirmations: int, max_queries: int, deadline: float = math.inf
) -> Reconciler:
    return Reconciler(
        clock=clock,
        delay=delay,
        confirmations=confirmations,
        max_queries=max_queries,
        deadline=deadline,
        venue=VENUE,
        label="KuCoin",
        id_name="clientOid",
    )
