"""The strategy interface: a small class with async callbacks and the ``Exchange`` it trades on.

A strategy sees the market only through its callbacks and acts only through
``self.exchange`` (the ``exchanges.Exchange`` protocol), so the same class runs in a backtest
(on a ``PaperExchange`` and a manual clock) and live (on the KuCoin adapter, real or simulated).

A market is a unified symbol, optionally prefixed by its venue the way charting tools
write it: ``binance:BTC/USDT``. Unprefixed, it is on :data:`DEFAULT_VENUE`.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from exchanges import Candle, Exchange, Fill, Order, OrderBook, Trade

__all__ = [
    "DEFAULT_VENUE",
    "Strategy",
    "load_strategy",
    "make_strategy",
    "market_key",
    "split_market",
    "strategy_params",
    "takes_venue",
]

#: The venue of a market written without one (``BTC/USDT``).
DEFAULT_VENUE = "kucoin"


def split_market(market: str) -> tuple[str, str]:
    """``binance:BTC/USDT`` -> ``("binance", "BTC/USDT")``; ``BTC/USDT`` is on the default
    venue. (A colon after the slash, as in ``BTC/USDT:USDT``, is the symbol's own.)"""
    venue, sep, symbol = market.partition(":")
    if not sep or "/" in venue:
        return DEFAULT_VENUE, market
    if not venue or not symbol:
        raise ValueError(f"{market!r}: a market is VENUE:BASE/QUOTE or BASE/QUOTE")
    return venue.lower(), symbol


def market_key(venue: str, symbol: str) -> str:
    """How a market is named in reports: ``binance:BTC/USDT``."""
    return f"{venue}:{symbol}"


def takes_venue(callback: Callable[..., object]) -> bool:
    """Whether a callback accepts ``venue=`` (a strategy trading several venues asks for it)."""
    try:
        parameters = inspect.signature(callback).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == "venue" or p.kind is p.VAR_KEYWORD for p in parameters)


class Strategy:
    """Override what you need; every callback is optional.

    ``symbol`` is the market the runner feeds (unified, ``BTC/USDT``); a strategy given
    several (``("ETH/BTC", "ETH/USDT")``) trades them all in one run, has them in
    ``symbols``, and its first in ``symbol``. Each candle and trade it hears carries its
    ``symbol``. ``log`` collects human-readable lines the runners print (kept in memory so
    backtests stay deterministic).

    Markets on several venues (``("kucoin:BTC/USDT", "binance:BTC/USDT")``) are traded
    through ``self.exchanges[venue]``, one account each; ``self.exchange`` is the first
    market's venue. A callback that declares a ``venue`` parameter
    (``async def on_trade(self, trade, venue="")``) is told which venue the event is from.
    """

    name = "strategy"

    def __init__(self, symbol: str | Sequence[str] = "BTC/USDT", **params: Any) -> None:
        given = (symbol,) if isinstance(symbol, str) else tuple(symbol)
        if not given:
            raise ValueError("a strategy trades at least one symbol")
        markets = tuple(split_market(m) for m in given)
        if len(set(markets)) != len(markets):
            raise ValueError(f"{', '.join(given)}: a market is given twice")
        self.venue, self.symbol = markets[0]
        self._others = markets[1:]
        self.params = params
        self.log_lines: list[str] = []
        self._exchange: Exchange | None = None
        self._exchanges: dict[str, Exchange] = {}

    @property
    def symbols(self) -> tuple[str, ...]:
        """Every symbol the strategy trades, ``symbol`` first (one per market: a pair on
        two venues is here twice)."""
        return (self.symbol, *(symbol for _, symbol in self._others))

    @property
    def markets(self) -> tuple[tuple[str, str], ...]:
        """Every ``(venue, symbol)`` traded, the first one's first."""
        return ((self.venue, self.symbol), *self._others)

    @property
    def venues(self) -> tuple[str, ...]:
        """Every venue traded on, in the order of the markets."""
        return tuple(dict.fromkeys(venue for venue, _ in self.markets))

    @property
    def exchange(self) -> Exchange:
        if self._exchange is None:
            raise RuntimeError("the strategy has not been started: no exchange yet")
        return self._exchange

    @property
    def exchanges(self) -> Mapping[str, Exchange]:
        """Each venue's exchange, by venue name (``self.exchanges["binance"]``)."""
        if self._exchange is None:
            raise RuntimeError("the strategy has not been started: no exchange yet")
        return self._exchanges

    def bind(self, exchange: Exchange, others: Mapping[str, Exchange] | None = None) -> None:
        """``exchange`` is the first market's venue; ``others`` every venue's, by name."""
        self._exchange = exchange
        self._exchanges = dict(others) if others else {self.venue: exchange}

    def log(self, line: str) -> None:
        self.log_lines.append(line)

    async def on_start(self) -> None:
        """Called once, before the first event; ``self.exchange`` is ready."""

    async def on_candle(self, candle: Candle) -> None:
        """A bar of ``candle.symbol`` has closed."""

    async def on_trade(self, trade: Trade) -> None:
        """A public trade of ``trade.symbol`` printed."""

    async def on_book(self, book: OrderBook) -> None:
        """A fresh order book snapshot."""

    async def on_order(self, order: Order) -> None:
        """One of our orders changed state."""

    async def on_fill(self, fill: Fill) -> None:
        """One of our orders filled (partly)."""

    async def on_stop(self) -> None:
        """Called once at the end; open orders are cancelled by the runner afterwards."""


def _first_strategy(module: Any, where: str) -> type[Strategy]:
    found = [
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj)
        and issubclass(obj, Strategy)
        and obj is not Strategy
        and obj.__module__ == module.__name__
    ]
    if not found:
        raise ValueError(f"{where}: no Strategy subclass found")
    if len(found) > 1:
        names = ", ".join(sorted(c.__name__ for c in found))
        raise ValueError(f"{where}: several strategies ({names}); name one with {where}:ClassName")
    return found[0]


def load_strategy(spec: str) -> type[Strategy]:
    """``examples/ma_crossover.py``, ``examples/ma_crossover.py:Name``, ``pkg.module`` or
    ``pkg.module:Name`` -> the Strategy subclass."""
    target, _, name = spec.partition(":")
    path = Path(target)
    if target.endswith(".py") or path.exists():
        if not path.is_file():
            raise ValueError(f"strategy file {path} not found")
        mod_name = f"_strategy_{path.stem}"
        loader_spec = importlib.util.spec_from_file_location(mod_name, path)
        if loader_spec is None or loader_spec.loader is None:
            raise ValueError(f"cannot load {path}")
        module = importlib.util.module_from_spec(loader_spec)
        sys.modules[mod_name] = module
        loader_spec.loader.exec_module(module)
    else:
        try:
            module = importlib.import_module(target)
        except ModuleNotFoundError as err:
            missing = err.name or ""
            if not missing or not (target == missing or target.startswith(missing + ".")):
                raise  # the strategy's own import failed: keep the traceback
            raise ValueError(
                f"strategy {spec!r}: no file {target} and no module {missing!r} "
                "(give a path to a .py file or an importable module)"
            ) from None
    if name:
        cls = getattr(module, name, None)
        if not (inspect.isclass(cls) and issubclass(cls, Strategy)):
            raise ValueError(f"{spec}: {name} is not a Strategy subclass")
        return cls
    return _first_strategy(module, target)


def strategy_params(cls: type[Strategy]) -> list[str] | None:
    """The names ``cls(symbol, **params)`` accepts, or None when it takes any (``**params``)."""
    try:
        signature = inspect.signature(cls)
    except (TypeError, ValueError):
        return None
    names = []
    for i, param in enumerate(signature.parameters.values()):
        if param.kind is param.VAR_KEYWORD:
            return None
        if param.kind in (param.VAR_POSITIONAL, param.POSITIONAL_ONLY) or (i == 0 and param.name == "symbol"):
            continue
        names.append(param.name)
    return names


def make_strategy(cls: type[Strategy], symbol: str | Sequence[str], params: Mapping[str, Any]) -> Strategy:
    """``cls(symbol, **params)``, refusing (ValueError) a name the strategy does not take.

    A strategy that declares its parameters as keyword arguments of ``__init__`` (and no
    ``**params``) gets its names checked; one that keeps ``**params`` accepts anything."""
    accepted = strategy_params(cls)
    if accepted is not None:
        unknown = [name for name in params if name not in accepted]
        if unknown:
            listing = ", ".join(accepted) if accepted else "none"
            raise ValueError(
                f"{cls.__name__} has no parameter {', '.join(map(repr, unknown))}; it accepts: {listing}"
            )
    return cls(symbol, **params)
