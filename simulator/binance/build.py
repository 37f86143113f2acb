"""Putting the Binance dialect together: route modules, the venue (Binance's rulebook and
listing, the synthetic market tuned for them), the accounts, the market driver.

``build_facade`` wraps an existing venue (tests, the conformance suite); ``build_served``
makes the venue from a :class:`~.config.BinanceConfig` too (``python -m simulator serve
--dialect binance``). The ``[venue]`` table takes ``synthetic`` (true/false, or a table of
the synthetic market's settings), ``maker_fee_rate`` and ``taker_fee_rate``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from exchanges import Clock
from simulator.market import SyntheticConfig, attach_synthetic
from simulator.serving import Served, serve_venue
from simulator.venue import Venue

from . import routes_amend, routes_compat, routes_lists, routes_market, routes_trade
from .app import BinanceFacade
from .config import AccountConfig, BinanceConfig, ConfigError
from .endpoints import Endpoint
from .listing import BINANCE_SYMBOLS
from .rulebook import BINANCE_RULEBOOK

__all__ = ["SYNTHETIC", "Served", "binance_venue", "build_facade", "build_served", "served_endpoints"]

#: The synthetic market for Binance's listing: a taker every second on average, and never
#: more than three seconds without a trade on any pair.
SYNTHETIC = SyntheticConfig(taker_rate=1.0, max_quiet_ms=3000)
DEFAULT_FEE = Decimal("0.001")


def served_endpoints() -> list[Endpoint]:
    return [
        *routes_market.registry.endpoints,
        *routes_trade.registry.endpoints,
        *routes_amend.registry.endpoints,
        *routes_lists.registry.endpoints,
        *routes_compat.registry.endpoints,
    ]


def open_account(venue: Venue, account: AccountConfig) -> None:
    """Make the venue user behind an account (once): it holds exactly its balances."""
    uid = str(account.uid)
    if venue.has_user(uid):
        return
    venue.create_user(
        uid,
        {cur: amount for cur, amount in account.balances.items() if amount},
        maker_fee_rate=account.maker_fee_rate,
        taker_fee_rate=account.taker_fee_rate,
    )


def build_facade(venue: Venue, config: BinanceConfig, clock: Clock | None = None) -> BinanceFacade:
    """The dialect over ``venue`` with the accounts of ``config`` opened on it."""
    from .ws import ws_routes  # (the WebSocket side, which needs the facade)

    for account in config.accounts:
        open_account(venue, account)
    facade = BinanceFacade(venue, config, clock or venue.clock, served_endpoints(), ws_routes)
    facade.on_account_added = lambda account: open_account(venue, account)
    return facade


def binance_venue(
    *, seed: int = 0, clock: Clock | None = None, synthetic: bool | SyntheticConfig = True, **kwargs: Any
) -> Venue:
    """A venue with Binance's rulebook and listing (and the synthetic market tuned for it)."""
    kwargs.setdefault("maker_fee_rate", DEFAULT_FEE)
    kwargs.setdefault("taker_fee_rate", DEFAULT_FEE)
    venue = Venue(
        seed=seed,
        clock=clock,
        symbols=BINANCE_SYMBOLS,
        rulebook=BINANCE_RULEBOOK,
        name="binance-sim",
        **kwargs,
    )
    attach_synthetic(venue, SYNTHETIC if synthetic is True else synthetic)
    return venue


def venue_from_config(table: Mapping[str, Any], *, seed: int, clock: Clock) -> Venue:
    extra = set(table) - {"synthetic", "maker_fee_rate", "taker_fee_rate"}
    if extra:
        raise ConfigError(f"venue: unknown field(s) {', '.join(sorted(extra))}")
    kwargs = {k: Decimal(str(table[k])) for k in ("maker_fee_rate", "taker_fee_rate") if k in table}
    wanted = table.get("synthetic", True)
    try:
        market = attrs.evolve(SYNTHETIC, **wanted) if isinstance(wanted, Mapping) else bool(wanted)
        return binance_venue(seed=seed, clock=clock, synthetic=market, **kwargs)
    except (TypeError, ValueError, ArithmeticError) as err:
        raise ConfigError(f"venue: {err}") from None


def build_served(config: BinanceConfig, *, clock: Clock | None = None) -> Served[BinanceFacade]:
    """Venue (on the wall clock, synthetic market on), facade and market driver from config."""
    return serve_venue(config, venue_from_config, build_facade, clock)
