"""Venues with a market in them: a venue with the synthetic market attached, or one built
from plain data (the ``[venue]`` table of a TOML file)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from exchanges import Clock
from simulator.market.synthetic import SyntheticConfig, SyntheticMarket
from simulator.venue import (
    DEFAULT_CURRENCIES,
    DEFAULT_SYMBOLS,
    SymbolSpec,
    Venue,
    currencies_from_config,
    symbols_from_config,
)

__all__ = ["attach_synthetic", "venue_from_config"]


def attach_synthetic(venue: Venue, config: bool | SyntheticConfig = True) -> SyntheticMarket | None:
    """Start the embedded synthetic market on ``venue`` (its defaults for ``True``; nothing
    for ``False``), seeded by the venue's seed; returns it."""
    if config is False:
        return None
    chosen = config if isinstance(config, SyntheticConfig) else SyntheticConfig()
    market = SyntheticMarket(venue, chosen, seed=venue.seed)
    venue.add_driver(market)
    return market


_KNOWN = {
    "seed",
    "name",
    "maker_fee_rate",
    "taker_fee_rate",
    "max_active_per_symbol",
    "max_active_per_account",
    "default_symbols",
    "symbols",
    "currencies",
    "synthetic",
    "external",
    "users",
}


def venue_from_config(
    config: Mapping[str, Any], *, seed: int | None = None, clock: Clock | None = None
) -> tuple[Venue, SyntheticMarket | None]:
    """A venue (and its synthetic market, if any) from plain data. Keys, all optional:

    ``seed``, ``name``, ``maker_fee_rate``, ``taker_fee_rate``, ``max_active_per_symbol``,
    ``max_active_per_account``; ``default_symbols`` (keep the built-in pairs, default
    true); ``symbols`` (a list of tables, or a table keyed by symbol, KuCoin or snake case
    keys; a pair of the same name replaces the built-in one); ``currencies``;
    ``synthetic`` (true/false, or a table of :class:`SyntheticConfig` fields, with an
    optional ``enabled``); ``external`` (symbols switched to external matching);
    ``users`` (list of ``{uid, balances = {CUR = "amount"}, maker_fee_rate,
    taker_fee_rate}``). The ``seed`` and ``clock`` arguments win over the table.
    """
    unknown = set(config) - _KNOWN
    if unknown:
        raise ValueError(f"unknown venue settings: {sorted(unknown)}")
    symbols: dict[str, SymbolSpec] = {}
    if config.get("default_symbols", True):
        symbols.update((s.symbol, s) for s in DEFAULT_SYMBOLS)
    if "symbols" in config:
        symbols.update((s.symbol, s) for s in symbols_from_config(config["symbols"]))
    currencies = list(DEFAULT_CURRENCIES)
    if "currencies" in config:
        extra = {c.currency: c for c in currencies_from_config(config["currencies"])}
        currencies = [extra.pop(c.currency, c) for c in currencies] + list(extra.values())
    synthetic: Any = config.get("synthetic", False)
    if isinstance(synthetic, Mapping):
        synthetic = SyntheticConfig.from_mapping(synthetic) if synthetic.get("enabled", True) else False
    kwargs: dict[str, Any] = {}
    for key in (
        "name",
        "maker_fee_rate",
        "taker_fee_rate",
        "max_active_per_symbol",
        "max_active_per_account",
    ):
        if key in config:
            kwargs[key] = str(config[key]) if key.endswith("rate") else config[key]
    venue = Venue(
        seed=seed if seed is not None else int(config.get("seed", 0)),
        clock=clock,
        symbols=list(symbols.values()),
        currencies=currencies,
        **kwargs,
    )
    market = attach_synthetic(venue, synthetic)
    for symbol in config.get("external", ()):
        venue.set_external(symbol)
    for user in config.get("users", ()):
        venue.create_user(
            user.get("uid"),
            {k: str(v) for k, v in user.get("balances", {}).items()},
            maker_fee_rate=user.get("maker_fee_rate"),
            taker_fee_rate=user.get("taker_fee_rate"),
        )
    return venue, market
