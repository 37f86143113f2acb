"""This repository's registered targets. The only module of ``conformance`` that imports
``simulator`` and ``adapters``; adapter authors outside this repository never load it."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from exchanges import Exchange

from .target import Target

__all__ = ["TARGETS", "get_target"]

BALANCES = {"USDT": Decimal(100_000), "BTC": Decimal(2), "ETH": Decimal(30)}


def _paper() -> Target:
    from simulator import PaperExchange

    def open_paper() -> Exchange:
        return PaperExchange(BALANCES, seed=7)

    return Target(
        name="paper",
        exchange=open_paper,
        symbol="BTC/USDT",
        other_symbol="ETH/USDT",
        balances=BALANCES,
        skip_reasons={
            "rate limits": "the paper exchange is in-process: it has no rate limits to respect",
            "faults": "the paper exchange is in-process: there is no network to inject faults into",
        },
    )


TARGETS: dict[str, Callable[[], Target]] = {"paper": _paper}


def get_target(name: str) -> Target:
    try:
        factory = TARGETS[name]
    except KeyError:
        known = ", ".join(TARGETS) or "none"
        raise KeyError(f"unknown conformance target {name!r}; registered: {known}") from None
    return factory()
