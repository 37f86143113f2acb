"""The bridge's configuration (``bridge.toml``): where it listens, which venue it trades on,
who may send signals, and the limits every order is held to.

Layout::

    [bridge]
    host = "127.0.0.1"
    port = 8000
    database = "signals.db"        # the audit log (SQLite); relative to the file
    precision = "round"            # round (on the safe side) | refuse
    replay_window_s = 30           # a delivery's timestamp must be this close to ours
    markets_refresh_s = 60         # an unknown pair reloads the markets, at most this often

    [venue]                        # exchanges.connect_from: paper unless it says otherwise
    venue = "paper"

    [limits]                       # amounts in `currency`, the quote of every allowed pair
    currency = "USDT"
    max_order_notional = "100"
    max_daily_notional = "1000"    # all sources together, per UTC day
    max_open_orders = 5
    max_position = { "BTC/USDT" = "0.01" }   # base currency, from fills; one per allowed pair
    market_margin = "0.05"         # a market buy is valued at the ask plus this fraction

    [[sources]]
    name = "voiceofchain"
    secret_env = "SIGNALS_SECRET_VOICEOFCHAIN"   # the HMAC secret is read from this variable
    pairs = ["BTC/USDT"]
    max_daily_notional = "500"
    rate_limit = 10                # requests per rate_window_s
    can_halt = false

Secrets never live in the file: each source names the environment variable holding its
secret, and the venue's credentials come from the venue's own variables.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import attrs

from exchanges import BadSymbol, parse_symbol

__all__ = [
    "BridgeConfig",
    "ConfigError",
    "Limits",
    "Secret",
    "SourceConfig",
    "config_from_mapping",
    "load_config",
]

MIN_SECRET_LENGTH = 16
_NAME = re.compile(r"[A-Za-z0-9_.-]{1,32}")
_PRECISIONS = ("round", "refuse")


class ConfigError(ValueError):
    """The configuration cannot be used; the message names the entry and why."""


class Secret:
    """A string that never prints."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def __repr__(self) -> str:
        return "<hidden>"

    __str__ = __repr__

    def reveal(self) -> bytes:
        return self._value.encode()


@attrs.frozen(kw_only=True)
class SourceConfig:
    """One sender of signals and what it may do."""

    name: str
    secret: Secret = attrs.field(repr=False, eq=False)
    secret_env: str
    pairs: frozenset[str] = frozenset()
    max_order_notional: Decimal | None = None
    max_daily_notional: Decimal | None = None
    rate_limit: int = 10
    rate_window_s: float = 1.0
    can_halt: bool = False


#: What a market buy is valued at above the ask, as a fraction (``market_margin``).
DEFAULT_MARKET_MARGIN = Decimal("0.05")


@attrs.frozen(kw_only=True)
class Limits:
    currency: str
    max_order_notional: Decimal
    max_daily_notional: Decimal
    max_open_orders: int
    max_position: Mapping[str, Decimal]
    #: A market buy can fill above the ask: it is valued at the ask plus this fraction.
    market_margin: Decimal = attrs.field(factory=lambda: DEFAULT_MARKET_MARGIN)


@attrs.frozen(kw_only=True)
class BridgeConfig:
    limits: Limits
    sources: tuple[SourceConfig, ...]
    venue: Mapping[str, Any] = attrs.field(factory=lambda: {"venue": "paper"})
    host: str = "127.0.0.1"
    port: int = 8000
    database: Path = Path("signals.db")
    precision: str = "round"
    replay_window_s: float = 30.0
    max_body_bytes: int = 16_384
    #: How long a request waits for the venue before answering 202 (placement goes on).
    respond_within_s: float = 10.0
    #: How long one call to the venue may take before its outcome counts as unknown.
    venue_timeout_s: float = 30.0
    #: Sends of one order at most while the venue is down (same client order id each time).
    place_attempts: int = 5
    retry_backoff_s: float = 0.5
    retry_backoff_max_s: float = 8.0
    #: Lookups by client order id before an order whose placement is unknown counts as absent.
    reconcile_confirmations: int = 3
    reconcile_delay_s: float = 0.5
    #: A signal not yet on the venue this long after it arrived is dropped, not sent late.
    max_signal_age_s: float = 120.0
    #: How often open orders and fills are read back from the venue (0: only on demand).
    sync_interval_s: float = 5.0
    #: An unknown pair reloads the venue's markets (a pair listed, increments changed since),
    #: at most once in this many seconds; 0 reloads for every unknown pair.
    markets_refresh_s: float = 60.0
    #: Mixed into client order ids, so that two bridges on one account never share one.
    namespace: str = ""

    def source(self, name: str) -> SourceConfig | None:
        for source in self.sources:
            if source.name == name:
                return source
        return None


# --- reading -------------------------------------------------------------------------------------


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"a boolean {value!r}"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return f"a {type(value).__name__} {value!r}"


def _get(
    table: Mapping[str, Any], key: str, where: str, kind: type | tuple[type, ...], default: Any = ...
) -> Any:
    if key not in table:
        if default is ...:
            raise ConfigError(f"{where}.{key}: missing")
        return default
    value = table[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
        names = " or ".join(k.__name__ for k in kinds)
        raise ConfigError(f"{where}.{key}: expected {names}, got {_kind(value)}")
    return value


def _positive(value: float, where: str) -> float:
    if not value > 0:
        raise ConfigError(f"{where}: expected a number > 0, got {value!r}")
    return float(value)


def _amount(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ConfigError(
            f'{where}: expected an amount written as a string such as "100", got {_kind(value)}'
        )
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ConfigError(f"{where}: not a number: {value!r}") from None
    if not amount.is_finite() or amount <= 0:
        raise ConfigError(f"{where}: expected an amount > 0, got {value!r}")
    return amount


def _required_amount(table: Mapping[str, Any], key: str, where: str) -> Decimal:
    if key not in table:
        raise ConfigError(f"{where}.{key}: missing")
    return _amount(table[key], f"{where}.{key}")


def _pair(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f'{where}: expected a pair such as "BTC/USDT", got {_kind(value)}')
    try:
        parse_symbol(value)
    except BadSymbol as err:
        raise ConfigError(f"{where}: {err.message}") from None
    return value


def _unknown(table: Mapping[str, Any], known: tuple[str, ...], where: str) -> None:
    extra = sorted(set(table) - set(known))
    if extra:
        raise ConfigError(f"{where}: unknown field(s) {', '.join(extra)}")


def _table(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: expected a table, got {_kind(value)}")
    return value


_SOURCE_FIELDS = (
    "name",
    "secret_env",
    "pairs",
    "max_order_notional",
    "max_daily_notional",
    "rate_limit",
    "rate_window_s",
    "can_halt",
)


def _source(entry: Mapping[str, Any], where: str, environ: Mapping[str, str]) -> SourceConfig:
    _unknown(entry, _SOURCE_FIELDS, where)
    name = _get(entry, "name", where, str)
    if not _NAME.fullmatch(name):
        raise ConfigError(f"{where}.name: 1-32 letters, digits, '_', '.' or '-', got {name!r}")
    variable = _get(entry, "secret_env", where, str)
    secret = environ.get(variable)
    if not secret:
        raise ConfigError(f"{where}.secret_env: the environment variable {variable} is not set")
    if len(secret) < MIN_SECRET_LENGTH:
        raise ConfigError(
            f"{where}: the secret in {variable} is too short (at least {MIN_SECRET_LENGTH} characters)"
        )
    pairs = _get(entry, "pairs", where, list, [])
    limits = {
        key: _amount(entry[key], f"{where}.{key}")
        for key in ("max_order_notional", "max_daily_notional")
        if key in entry
    }
    rate_limit = _get(entry, "rate_limit", where, int, 10)
    if rate_limit <= 0:
        raise ConfigError(f"{where}.rate_limit: expected a whole number > 0, got {rate_limit}")
    return SourceConfig(
        name=name,
        secret=Secret(secret),
        secret_env=variable,
        pairs=frozenset(_pair(p, f"{where}.pairs[{i}]") for i, p in enumerate(pairs)),
        rate_limit=rate_limit,
        rate_window_s=_positive(
            _get(entry, "rate_window_s", where, (int, float), 1.0), f"{where}.rate_window_s"
        ),
        can_halt=_get(entry, "can_halt", where, bool, False),
        **limits,
    )


_LIMIT_FIELDS = (
    "currency",
    "max_order_notional",
    "max_daily_notional",
    "max_open_orders",
    "max_position",
    "market_margin",
)


def _margin(table: Mapping[str, Any]) -> Decimal:
    if "market_margin" not in table:
        return DEFAULT_MARKET_MARGIN
    value = table["market_margin"]
    margin = Decimal(0) if value in ("0", 0) else _amount(value, "limits.market_margin")
    if margin >= 1:
        raise ConfigError(f"limits.market_margin: expected a fraction from 0 to below 1, got {value!r}")
    return margin


def _limits(table: Mapping[str, Any], sources: tuple[SourceConfig, ...]) -> Limits:
    _unknown(table, _LIMIT_FIELDS, "limits")
    currency = _get(table, "currency", "limits", str, "USDT")
    positions = _table(_get(table, "max_position", "limits", dict, {}), "limits.max_position")
    max_position = {
        _pair(p, "limits.max_position"): _amount(v, f"limits.max_position.{p}") for p, v in positions.items()
    }
    open_orders = _get(table, "max_open_orders", "limits", int)
    if open_orders <= 0:
        raise ConfigError(f"limits.max_open_orders: expected a whole number > 0, got {open_orders}")
    for source in sources:
        for pair in sorted(source.pairs):
            if parse_symbol(pair)[1] != currency:
                raise ConfigError(
                    f"source {source.name}: pair {pair} is not quoted in {currency}, the limits' currency"
                )
            if pair not in max_position:
                raise ConfigError(
                    f"limits.max_position: no limit for {pair} (allowed to source {source.name})"
                )
    return Limits(
        currency=currency,
        max_order_notional=_required_amount(table, "max_order_notional", "limits"),
        max_daily_notional=_required_amount(table, "max_daily_notional", "limits"),
        max_open_orders=open_orders,
        max_position=max_position,
        market_margin=_margin(table),
    )


_BRIDGE_FIELDS: Mapping[str, type | tuple[type, ...]] = {
    "host": str,
    "port": int,
    "database": str,
    "precision": str,
    "replay_window_s": (int, float),
    "max_body_bytes": int,
    "respond_within_s": (int, float),
    "venue_timeout_s": (int, float),
    "place_attempts": int,
    "retry_backoff_s": (int, float),
    "retry_backoff_max_s": (int, float),
    "reconcile_confirmations": int,
    "reconcile_delay_s": (int, float),
    "max_signal_age_s": (int, float),
    "sync_interval_s": (int, float),
    "markets_refresh_s": (int, float),
    "namespace": str,
}
_MAY_BE_ZERO = frozenset(
    {"retry_backoff_s", "reconcile_delay_s", "sync_interval_s", "markets_refresh_s", "port"}
)


def _bridge(table: Mapping[str, Any], base: Path) -> dict[str, Any]:
    _unknown(table, tuple(_BRIDGE_FIELDS), "bridge")
    out: dict[str, Any] = {}
    for key, kind in _BRIDGE_FIELDS.items():
        if key not in table:
            continue
        value = _get(table, key, "bridge", kind)
        if isinstance(value, int | float) and not isinstance(value, bool):
            if value < 0 or (value == 0 and key not in _MAY_BE_ZERO):
                raise ConfigError(f"bridge.{key}: expected a number > 0, got {value!r}")
            value = float(value) if kind == (int, float) else value
        out[key] = value
    if "port" in out and out["port"] > 65535:
        raise ConfigError(f"bridge.port: not a port: {out['port']}")
    if out.get("precision", "round") not in _PRECISIONS:
        raise ConfigError(f"bridge.precision: expected round or refuse, got {out['precision']!r}")
    if "database" in out:
        path = Path(out["database"])
        out["database"] = path if path.is_absolute() or out["database"] == ":memory:" else base / path
    else:
        out["database"] = base / "signals.db"
    return out


def config_from_mapping(
    data: Mapping[str, Any], *, environ: Mapping[str, str], base: Path = Path()
) -> BridgeConfig:
    """A configuration from parsed TOML; relative paths are taken from ``base``."""
    _unknown(data, ("bridge", "venue", "limits", "sources"), "top level")
    entries = _get(data, "sources", "top level", list)
    if not entries:
        raise ConfigError("sources: at least one [[sources]] is needed")
    sources = tuple(
        _source(_table(e, f"sources[{i}]"), f"sources[{i}]", environ) for i, e in enumerate(entries)
    )
    names = [s.name for s in sources]
    if len(set(names)) != len(names):
        raise ConfigError(f"sources: a name appears twice in {names}")
    limits = _limits(_table(_get(data, "limits", "top level", dict), "limits"), sources)
    venue = dict(_table(data.get("venue", {"venue": "paper"}), "venue"))
    venue.setdefault("venue", "paper")
    return BridgeConfig(
        limits=limits,
        sources=sources,
        venue=venue,
        **_bridge(_table(data.get("bridge", {}), "bridge"), base),
    )


def load_config(path: str | Path, *, environ: Mapping[str, str]) -> BridgeConfig:
    """Read ``bridge.toml``; secrets come from ``environ``."""
    try:
        data = tomllib.loads(Path(path).read_text())
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"cannot read {path}: {err}") from None
    return config_from_mapping(data, environ=environ, base=Path(path).resolve().parent)
