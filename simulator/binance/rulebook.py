"""Binance's spot rules, as the venue's :class:`~simulator.venue.Rulebook` states them
(``shared/binance-spec/NOTES.md`` sections 8-10): 200 open orders a symbol
(``MAX_NUM_ORDERS``) and 1000 an account (``EXCHANGE_MAX_NUM_ORDERS``), 5 stop orders a
symbol (``MAX_NUM_ALGO_ORDERS``), icebergs of at most 100 parts (``ICEBERG_PARTS``), client
order ids of 1-36 letters, digits, ``-`` and ``_``, integer order ids, commission in the
asset received, ``EXPIRE_MAKER`` when an order names no STP mode, and the price, notional
and percent-price filters.

Binance's STP modes map one to one onto the engine's: ``EXPIRE_TAKER`` is CN (the taker's
rest expires), ``EXPIRE_MAKER`` CO (the resting order expires and the taker matches on),
``EXPIRE_BOTH`` CB, ``DECREMENT`` DC (both shrink by the prevented quantity, the smaller
expires), ``NONE`` no prevention.
"""

from __future__ import annotations

import re
from decimal import Decimal
from types import MappingProxyType

from exchanges import STP
from simulator.venue import Rulebook
from simulator.venue.filters import NotionalWindow, PriceBandBySide, PriceCeiling
from simulator.venue.ids import IntegerIds
from simulator.venue.rulebook import FeeAsset

__all__ = [
    "AVERAGE_PRICE_MINUTES",
    "BINANCE_RULEBOOK",
    "NOTIONAL",
    "PERCENT_PRICE",
    "PRICE_CEILING",
    "STP_MODES",
    "STP_NAMES",
]

#: Binance's STP mode names, and the engine's mode each is (``NONE``: none).
STP_MODES: MappingProxyType[str, STP | None] = MappingProxyType(
    {
        "NONE": None,
        "EXPIRE_TAKER": STP.CN,
        "EXPIRE_MAKER": STP.CO,
        "EXPIRE_BOTH": STP.CB,
        "DECREMENT": STP.DC,
    }
)
#: Each engine mode's Binance name.
STP_NAMES: MappingProxyType[STP | None, str] = MappingProxyType({v: k for k, v in STP_MODES.items()})

#: The minutes of trades the average price (``avgPrice``, the filters' reference) covers.
AVERAGE_PRICE_MINUTES = 5
PRICE_CEILING = PriceCeiling(factor=Decimal(100))
NOTIONAL = NotionalWindow(apply_min_to_market=True, apply_max_to_market=False, average_minutes=5)
PERCENT_PRICE = PriceBandBySide(
    bid_up=Decimal(5), bid_down=Decimal("0.2"), ask_up=Decimal(5), ask_down=Decimal("0.2"), average_minutes=5
)

BINANCE_RULEBOOK = Rulebook(
    name="binance",
    max_active_per_symbol=200,
    max_active_per_account=1000,
    market_stp=frozenset(STP),
    client_id=re.compile(r"[A-Za-z0-9_-]{1,36}"),
    max_text=36,
    iceberg_parts=100,
    ids=IntegerIds,
    fee_asset=FeeAsset.RECEIVED,
    default_stp=STP.CO,
    max_stops_per_symbol=5,
    max_lists_per_symbol=20,
    filters=(PRICE_CEILING, NOTIONAL, PERCENT_PRICE),
)
