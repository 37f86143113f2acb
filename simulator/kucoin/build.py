"""Putting the facade together: route modules, the venue, the accounts, the market driver.

``build_facade`` wraps an existing venue (tests, the conformance suite, the demo);
``build_served`` makes the venue from a ``FacadeConfig`` too (``python -m simulator serve``).
The ``[venue]`` table of the TOML configuration takes: ``symbols`` (a list of tables, or a
table keyed by symbol; KuCoin's field names), ``currencies``, ``maker_fee_rate``,
``taker_fee_rate``, ``synthetic`` (true/false, or a table of the synthetic market's
settings), ``max_active_per_symbol``, ``max_active_per_account``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from exchanges import Clock
from simulator.market import SyntheticConfig, attach_synthetic, currencies_from_config, symbols_from_config
from simulator.serving import MARKET_TICK_S, Served, drive_market, serve_venue
from simulator.venue import Venue

from . import routes_account, routes_classic, routes_compat, routes_market, routes_orders
from .app import KucoinFacade
from .config import AccountConfig, ConfigError, FacadeConfig
from .endpoints import RouteDef
from .rulebook import KUCOIN_RULEBOOK

__all__ = [
    "MARKET_TICK_S",
    "Served",
    "build_facade",
    "build_served",
    "drive_market",
    "served_routes",
    "venue_from_config",
]

def served_routes() -> list[RouteDef]:
    """Every route a handler serves, from all route modules."""
    return [
        *routes_compat.registry.routes,
        *routes_market.registry.routes,
        *routes_account.registry.routes,
        *routes_orders.registry.routes,
        *routes_classic.registry.routes,
    ]


def open_account(venue: Venue, account: AccountConfig) -> None:
    """Make the venue user behind a facade account (once)."""
    uid = str(account.uid)
    if venue.has_user(uid):
        return
    venue.create_user(
        uid,
        dict(account.balances),
        maker_fee_rate=account.maker_fee_rate,
        taker_fee_rate=account.taker_fee_rate,
    )


def build_facade(venue: Venue, config: FacadeConfig, clock: Clock | None = None) -> KucoinFacade:
    """A facade over ``venue`` with the accounts of ``config`` opened on it."""
    for account in config.accounts:
        open_account(venue, account)
    routes = served_routes()
    facade = KucoinFacade(
        venue,
        config,
        clock or venue.clock,
        routes,
        unsupported=routes_compat.unsupported_routes(routes),
    )
    facade.on_account_added = lambda account: open_account(venue, account)
    return facade


_VENUE_KEYS = {
    "symbols",
    "currencies",
    "maker_fee_rate",
    "taker_fee_rate",
    "synthetic",
    "max_active_per_symbol",
    "max_active_per_account",
}


def venue_from_config(table: Mapping[str, Any], *, seed: int, clock: Clock, synthetic: bool = True) -> Venue:
    """A venue from the ``[venue]`` table (every key optional)."""
    extra = set(table) - _VENUE_KEYS
    if extra:
        raise ConfigError(f"venue: unknown field(s) {', '.join(sorted(extra))}")
    kwargs: dict[str, Any] = {"seed": seed, "clock": clock, "name": "kucoin-sim"}
    try:
        if "symbols" in table:
            kwargs["symbols"] = symbols_from_config(table["symbols"])
        if "currencies" in table:
            kwargs["currencies"] = currencies_from_config(table["currencies"])
        for key in ("maker_fee_rate", "taker_fee_rate"):
            if key in table:
                kwargs[key] = Decimal(str(table[key]))
        for key in ("max_active_per_symbol", "max_active_per_account"):
            if key in table:
                kwargs[key] = int(table[key])
        wanted = table.get("synthetic", synthetic)
        market = SyntheticConfig(**wanted) if isinstance(wanted, Mapping) else bool(wanted)
        venue = Venue(rulebook=KUCOIN_RULEBOOK, **kwargs)
        attach_synthetic(venue, market)
        return venue
    except ConfigError:
        raise
    except (TypeError, ValueError, ArithmeticError) as err:
        raise ConfigError(f"venue: {err}") from None


def build_served(config: FacadeConfig, *, clock: Clock | None = None) -> Served[KucoinFacade]:
    """Venue (on the wall clock, synthetic market on), facade and market driver from config."""
    return serve_venue(config, venue_from_config, build_facade, clock)
