"""The whole simulated exchange: markets, books, accounts, orders, history, on one clock.

Both the in-process :class:`~simulator.PaperExchange` and the KuCoin HTTP facade sit on a
:class:`Venue`. It speaks KuCoin's concepts (users and their trade/main accounts, HF orders
with every KuCoin field, stop orders, the dead-man switch, ``lastId`` cursors) with
``Decimal`` amounts and epoch-ms times, and raises :mod:`exchanges.errors` types whose
``code`` and ``message`` are KuCoin's (``200004 Balance insufficient!``), so a facade maps
them to wire errors by ``err.code``.

``Venue`` is assembled from layers, each a mixin on the one below it and each in its own
module: :mod:`.core` (shared state, lookups, clock) < :mod:`.users` (accounts, ledgers,
fees) < :mod:`.holds` < :mod:`.settlement` (engine events: fills, done orders, prints) <
:mod:`.external` (replay parking) < :mod:`.placing` < :mod:`.cancels` (cancel, amend,
alter) < :mod:`.history`, :mod:`.stops`, :mod:`.dcp`, :mod:`.market_data`, :mod:`.audit`.
This module adds construction and the clock loop, which needs every layer.

Deterministic: the same seed, clock readings and calls give the same ids, fills and times.
Not thread-safe: drive it from one thread (or one event loop).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from exchanges import Clock
from simulator.market.symbols import DEFAULT_CURRENCIES, DEFAULT_SYMBOLS, CurrencySpec, SymbolSpec
from simulator.venue.audit import Audit
from simulator.venue.dcp import DeadManSwitch
from simulator.venue.history import History
from simulator.venue.market_data import MarketData
from simulator.venue.records import VenueEvent
from simulator.venue.stops import Stops

if TYPE_CHECKING:
    from simulator.market.synthetic import SyntheticConfig

__all__ = ["Venue", "VenueEvent"]


class Venue(History, Stops, DeadManSwitch, MarketData, Audit):
    """A simulated KuCoin-like spot exchange.

    ``clock`` is read at every call (a ``ManualClock`` starting at 2023-11-14 by default);
    the venue's own time never goes back. ``synthetic`` turns on the embedded synthetic
    market (``True`` for the defaults, or a :class:`~simulator.market.SyntheticConfig`);
    other market models attach with :meth:`add_driver`. Fees default to KuCoin's VIP0
    rates. ``name`` is the ``venue`` written into raised errors.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        clock: Clock | None = None,
        symbols: Iterable[SymbolSpec] | None = None,
        currencies: Iterable[CurrencySpec] | None = None,
        synthetic: bool | SyntheticConfig = False,
        name: str = "paper",
        maker_fee_rate: Decimal | str = "0.001",
        taker_fee_rate: Decimal | str = "0.001",
        max_active_per_symbol: int = 200,
        max_active_per_account: int = 2000,
        max_done_per_symbol: int = 100_000,
    ) -> None:
        super().__init__(
            seed=seed,
            clock=clock,
            name=name,
            maker_fee_rate=maker_fee_rate,
            taker_fee_rate=taker_fee_rate,
            max_active_per_symbol=max_active_per_symbol,
            max_active_per_account=max_active_per_account,
            max_done_per_symbol=max_done_per_symbol,
        )
        for currency in currencies if currencies is not None else DEFAULT_CURRENCIES:
            self._currencies[currency.currency] = currency
        for spec in symbols if symbols is not None else DEFAULT_SYMBOLS:
            self.add_symbol(spec)
        if synthetic:
            from simulator.market.synthetic import SyntheticConfig, SyntheticMarket

            config = synthetic if isinstance(synthetic, SyntheticConfig) else SyntheticConfig()
            self.synthetic = SyntheticMarket(self, config, seed=seed)
            self.add_driver(self.synthetic)

    @classmethod
    def from_config(
        cls, config: Mapping[str, Any], *, seed: int | None = None, clock: Clock | None = None
    ) -> Venue:
        """Build from plain data (the ``[venue]`` table of a TOML file). Keys, all optional:

        ``seed``, ``name``, ``maker_fee_rate``, ``taker_fee_rate``, ``max_active_per_symbol``,
        ``max_active_per_account``; ``default_symbols`` (keep the built-in pairs, default
        true); ``symbols`` (a list of tables, or a table keyed by symbol, KuCoin or snake
        case keys; a pair of the same name replaces the built-in one); ``currencies``;
        ``synthetic`` (true/false, or a table of :class:`SyntheticConfig` fields, with an
        optional ``enabled``); ``external`` (symbols switched to external matching);
        ``users`` (list of ``{uid, balances = {CUR = "amount"}, maker_fee_rate,
        taker_fee_rate}``). The ``seed`` and ``clock`` arguments win over the table.
        """
        from simulator.market.symbols import currencies_from_config, symbols_from_config
        from simulator.market.synthetic import SyntheticConfig

        known = {
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
        unknown = set(config) - known
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
        venue = cls(
            seed=seed if seed is not None else int(config.get("seed", 0)),
            clock=clock,
            symbols=list(symbols.values()),
            currencies=currencies,
            synthetic=synthetic,
            **kwargs,
        )
        for symbol in config.get("external", ()):
            venue.set_external(symbol)
        for user in config.get("users", ()):
            venue.create_user(
                user.get("uid"),
                {k: str(v) for k, v in user.get("balances", {}).items()},
                maker_fee_rate=user.get("maker_fee_rate"),
                taker_fee_rate=user.get("taker_fee_rate"),
            )
        return venue


    def _advance(self, target: int) -> None:
        while True:
            t = target
            for driver in self._drivers:
                nt = driver.next_time()
                if nt is not None and nt < t:
                    t = nt
            for mkt in self._markets.values():
                nx = mkt.book.next_expiry()
                if nx is not None and nx < t:
                    t = nx
                if mkt.parked_gtt and mkt.parked_gtt[0][0] < t:
                    t = mkt.parked_gtt[0][0]
            for uid in self._dcp_users:
                dcp = self._users[uid].dcp
                if dcp is not None and dcp[2] < t:
                    t = dcp[2]
            if t > self._now:
                self._now = t
            now = self._now
            for mkt in self._markets.values():
                nx = mkt.book.next_expiry()
                if nx is not None and nx <= now:
                    mkt.book.expire(now)
                if mkt.parked_gtt and mkt.parked_gtt[0][0] <= now:
                    self._expire_parked(mkt, now)
            if self._dcp_users:
                self._fire_dcp(now)
            for driver in self._drivers:
                nt = driver.next_time()
                if nt is not None and nt <= now:
                    driver.step(self, now)
                    after = driver.next_time()
                    if after is not None and after <= now:
                        raise RuntimeError(f"market driver {driver!r} did not move past {now}")
            if now >= target:
                return

