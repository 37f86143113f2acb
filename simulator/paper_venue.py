"""The ``paper`` venue of ``exchanges.connect``: a fresh in-process paper exchange.

Registered through the ``exchanges.venues`` entry point. It runs on the wall clock by
default, so that a bot (or the signal bridge) connected to it sees a moving market;
``realtime=false`` gives a manual clock that moves only when told to.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from exchanges import Clock, Exchange, ManualClock, SystemClock, VenueOption, VenueSpec

from .paper import PaperExchange

__all__ = ["DEFAULT_PAPER_BALANCES", "PAPER"]

#: What a paper account holds when the configuration does not say.
DEFAULT_PAPER_BALANCES: Mapping[str, str] = {"USDT": "10000"}


def _open(options: Mapping[str, Any], environ: Mapping[str, str]) -> Exchange:  # noqa: ARG001
    """(``environ`` is every venue factory's: paper reads no credentials.)"""
    clock: Clock | None = options.get("clock")
    if clock is None:
        clock = SystemClock() if options.get("realtime", True) else ManualClock()
    fees = {k: options[k] for k in ("maker_fee_rate", "taker_fee_rate") if k in options}
    balances = {k: Decimal(str(v)) for k, v in options.get("balances", DEFAULT_PAPER_BALANCES).items()}
    return PaperExchange(
        balances,
        seed=options.get("seed", 0),
        clock=clock,
        synthetic=options.get("synthetic", True),
        dialect=options.get("dialect", "kucoin"),
        **fees,
    )


PAPER = VenueSpec(
    name="paper",
    factory=_open,
    summary="an in-process paper exchange that imitates KuCoin (no credentials, nothing at stake)",
    options=(
        VenueOption(name="balances", kind=dict, help='starting balances, e.g. {USDT = "10000"}'),
        VenueOption(name="seed", kind=int, help="seed of the synthetic market"),
        VenueOption(name="synthetic", kind=bool, help="a moving synthetic market with a full book"),
        VenueOption(name="realtime", kind=bool, help="the wall clock (default) or a manual one"),
        VenueOption(name="maker_fee_rate", kind=Decimal, help="a fraction: 0.001 is 0.1 %"),
        VenueOption(name="taker_fee_rate", kind=Decimal, help="a fraction: 0.001 is 0.1 %"),
        VenueOption(name="clock", kind=Clock, help="the clock to run on"),
        VenueOption(name="dialect", kind=str, help="whose rules and words: kucoin (default) or binance"),
    ),
)
