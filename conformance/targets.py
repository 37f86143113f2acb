"""This repository's registered targets. The only module of ``conformance`` that imports
``simulator`` and ``adapters``; adapter authors outside this repository never load it."""

from __future__ import annotations

import os
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


def _kucoin_live() -> Target:
    """Real KuCoin, opt-in: read-only unless CONFORMANCE_ALLOW_TRADING=1 (then the minimum
    size, far from the market, cancelled at once)."""
    from adapters.kucoin import KucoinCredentials, KucoinExchange

    names = ("KUCOIN_API_KEY", "KUCOIN_API_SECRET", "KUCOIN_API_PASSPHRASE")
    missing = [n for n in names if not os.environ.get(n)]
    trading = os.environ.get("CONFORMANCE_ALLOW_TRADING") == "1"

    def open_live() -> Exchange:
        return KucoinExchange(KucoinCredentials.from_env())

    def open_bad() -> Exchange:
        return KucoinExchange(KucoinCredentials("not-a-key", "not-a-secret", "not-a-passphrase"))

    reasons = {
        "rate limits": "not provoked on the real venue (it would risk the account's budget)",
        "faults": "not injected on the real venue",
    }
    if missing:
        reasons["*"] = f"real KuCoin needs {', '.join(missing)} in the environment"
    return Target(
        name="kucoin-live",
        exchange=open_live,
        symbol=os.environ.get("CONFORMANCE_SYMBOL", "BTC/USDT"),
        other_symbol=os.environ.get("CONFORMANCE_OTHER_SYMBOL", "ETH/USDT"),
        trading=trading,
        bad_credentials=open_bad,
        state_machine_examples=2,
        skip_reasons=reasons,
    )


TARGETS: dict[str, Callable[[], Target]] = {"paper": _paper, "kucoin-live": _kucoin_live}


def get_target(name: str) -> Target:
    try:
        factory = TARGETS[name]
    except KeyError:
        known = ", ".join(TARGETS) or "none"
        raise KeyError(f"unknown conformance target {name!r}; registered: {known}") from None
    return factory()
