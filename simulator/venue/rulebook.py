"""The rules a venue adds to the neutral ones every book keeps: how many orders may be
active, which self-trade modes each order type takes (and which applies when an order names
none), what a client order id, a remark or a GTT's lifetime may be, how an iceberg may show
itself, how a stop order's direction is derived, how its ids look, in which asset a trade's
fee is paid, and the filters every order must pass besides the pair's increments and limits.

A venue is handed one :class:`Rulebook` when it is built. Its defaults are KuCoin's spot
rules (``simulator.kucoin.KUCOIN_RULEBOOK`` states them, and a test holds the two equal),
so a venue built without one behaves as KuCoin; another dialect hands in its own.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from decimal import Decimal

import attrs

from exchanges import STP, StopKind
from simulator.venue.filters import OrderFilter
from simulator.venue.ids import IdSource

__all__ = ["FeeAsset", "Rulebook"]


class FeeAsset(enum.StrEnum):
    """In what a trade's fee is paid."""

    #: The quote currency, on top of a buy's cost and out of a sell's proceeds (KuCoin).
    QUOTE = "quote"
    #: The asset the order receives, out of what it receives: a buy pays in the base
    #: currency, a sell in the quote currency (Binance).
    RECEIVED = "received"


def _kucoin_stop(stop_price: Decimal, reference: Decimal) -> StopKind:
    """KuCoin's: a trigger at or above the last price is an entry, below it a loss."""
    return StopKind.ENTRY if stop_price >= reference else StopKind.LOSS


@attrs.frozen(kw_only=True)
class Rulebook:
    #: The venue these rules are of (for messages and ids).
    name: str = "kucoin"
    #: Active orders per user and pair (waiting stop orders count), and per user in all.
    max_active_per_symbol: int = 200
    max_active_per_account: int = 2000
    #: Self-trade prevention modes a market order may ask for (all others, any mode).
    market_stp: frozenset[STP] = frozenset({STP.CN, STP.CO, STP.CB})
    #: What a client order id must match.
    client_id: re.Pattern[str] = re.compile(r"[A-Za-z0-9_-]{1,40}")
    #: Longest remark (and tags), in ASCII characters.
    max_text: int = 20
    #: Longest GTT lifetime, in seconds.
    max_cancel_after: int = 2_592_000
    #: An iceberg shows at least ``1 / iceberg_parts`` of its size (and the minimum size).
    iceberg_parts: int = 20
    #: The direction of a stop order that names none, from its trigger and the last price.
    stop_direction: Callable[[Decimal, Decimal], StopKind] = _kucoin_stop
    #: Where the venue's ids come from, given its seed.
    ids: Callable[[int], IdSource] = IdSource
    #: In what each trade's fee is paid.
    fee_asset: FeeAsset = FeeAsset.QUOTE
    #: The self-trade prevention mode of an order that names none (``None``: none).
    default_stp: STP | None = None
    #: Waiting and triggered stop orders one user may have open on one pair (``None``: no
    #: limit beyond ``max_active_per_symbol``).
    max_stops_per_symbol: int | None = None
    #: Open order lists one user may have on one pair (``None``: no limit).
    max_lists_per_symbol: int | None = None
    #: Further checks of every order, in order, after the pair's own (see :mod:`.filters`).
    filters: tuple[OrderFilter, ...] = ()

    @property
    def strict(self) -> bool:
        """Whether an order with no option set still meets a rule of this book (a filter or
        a default STP mode), so that no placing may skip the general path."""
        return bool(self.filters) or self.default_stp is not None or self.max_stops_per_symbol is not None
