"""Who may trade on the served simulator: accounts, their API keys, and the server's settings.

Set from the command line (one account, one key) or from a TOML file (several accounts and
keys, plus symbols, fees and market settings handed to the venue). Secrets stay out of reprs.

TOML layout::

    seed = 7
    rate_limits = "kucoin"          # kucoin | legacy | off
    vip_level = 0                   # default for accounts that do not say

    [[accounts]]
    name = "alice"
    uid = 10001                     # optional; numbered from 10001 otherwise
    vip_level = 2
    balances = { USDT = "10000", BTC = "0.5" }
    maker_fee_rate = "0.0008"       # optional; default KuCoin's VIP0 0.1 %
    taker_fee_rate = "0.001"

    [[accounts.keys]]
    key = "alice-key"
    secret = "alice-secret"
    passphrase = "alice-pass"
    version = 3                     # 1 (passphrase in clear, python-kucoin), 2 or 3 (default)
    permissions = ["General", "Spot"]
    ip_whitelist = ["127.0.0.1", "10.0.0.0/8"]   # empty or absent: any address
    created_at = 1700000000000      # ms; default: when the server starts
    remark = "bot"

    [venue]                         # the exchange itself (see simulator.kucoin.build)
    maker_fee_rate = "0.001"
    taker_fee_rate = "0.001"
    synthetic = true                # the embedded synthetic market (or a table of its settings)

    control = false                 # the /sim/ws control paths (see simulator.kucoin.ws_control)

    [websocket]                     # limits and faults (see simulator.kucoin.ws_settings)
    topics_per_connection = 400
    [websocket.faults]
    drop = 0

    [[venue.symbols]]               # replaces the default pairs; KuCoin's camelCase or snake_case
    symbol = "BTC-USDT"
    baseIncrement = "0.00000001"
    quoteIncrement = "0.000001"
    priceIncrement = "0.1"
    baseMinSize = "0.00001"
    quoteMinSize = "0.1"
    initialPrice = "65000"
"""

from __future__ import annotations

import ipaddress
import math
import secrets
import tomllib
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import attrs

from .ws_settings import WsFaults, WsLimits, faults_from_mapping, limits_from_mapping

__all__ = [
    "ALL_PERMISSIONS",
    "AccountConfig",
    "ApiKey",
    "ConfigError",
    "FacadeConfig",
    "config_from_mapping",
    "demo_key",
    "load_toml",
    "parse_balance",
]

#: Permissions a KuCoin key can hold (``x-api-permission`` values and the key-info names).
ALL_PERMISSIONS: frozenset[str] = frozenset(
    {
        "General",
        "Spot",
        "Margin",
        "Futures",
        "Earn",
        "InnerTransfer",
        "Transfer",
        "FlexTransfers",
        "LeadtradeFutures",
    }
)
RATE_LIMIT_PROFILES = ("kucoin", "legacy", "off")
FIRST_UID = 10001


class ConfigError(ValueError):
    """The configuration cannot be used; the message says which entry and why."""


def _permissions(value: Iterable[str]) -> frozenset[str]:
    perms = frozenset(value) | {"General"}  # KuCoin keys always hold General (read-only)
    unknown = perms - ALL_PERMISSIONS
    if unknown:
        raise ConfigError(f"unknown API key permission(s): {', '.join(sorted(unknown))}")
    return perms


def _networks(value: Iterable[str]) -> tuple[str, ...]:
    out = []
    for item in value:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError as err:
            raise ConfigError(f"bad IP whitelist entry {item!r}: {err}") from None
        out.append(item)
    return tuple(out)


@attrs.frozen(kw_only=True)
class ApiKey:
    """One API key as KuCoin issues it. ``version`` (what the key-info endpoint reports) sets
    the passphrase's form: in clear for 1 (python-kucoin's), signed for 2 and 3. KuCoin issues
    v3 keys today."""

    key: str
    secret: str = attrs.field(repr=False)
    passphrase: str = attrs.field(repr=False)
    version: int = 3
    permissions: frozenset[str] = attrs.field(default=ALL_PERMISSIONS, converter=_permissions)
    ip_whitelist: tuple[str, ...] = attrs.field(default=(), converter=_networks)
    created_at: int = 0
    remark: str = ""

    def __attrs_post_init__(self) -> None:
        if not self.key or not self.secret or not self.passphrase:
            raise ConfigError("an API key needs a key, a secret and a passphrase")
        if self.version not in (1, 2, 3):
            raise ConfigError(f"API key version must be 1, 2 or 3, not {self.version}")

    def allows_ip(self, ip: str) -> bool:
        if not self.ip_whitelist:
            return True
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            return False
        return any(address in ipaddress.ip_network(net, strict=False) for net in self.ip_whitelist)


def parse_balance(text: str) -> tuple[str, Decimal]:
    """``"USDT=1000"`` -> ``("USDT", Decimal("1000"))``."""
    currency, sep, amount = text.partition("=")
    currency = currency.strip().upper()
    if not sep or not currency:
        raise ConfigError(f"balance must look like CURRENCY=AMOUNT, not {text!r}")
    return currency, _amount(amount.strip(), currency)


def _amount(value: Any, currency: str) -> Decimal:
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ConfigError(f"balance of {currency} is not a number: {value!r}") from None
    if not amount.is_finite() or amount < 0:
        raise ConfigError(f"balance of {currency} must be a finite amount >= 0, not {value!r}")
    return amount


def _balances(value: Mapping[str, Any]) -> Mapping[str, Decimal]:
    return {str(cur).upper(): _amount(amt, str(cur)) for cur, amt in value.items()}


@attrs.frozen(kw_only=True)
class AccountConfig:
    """A simulator account (a KuCoin UID) with its starting balances and keys."""

    uid: int
    name: str = ""
    balances: Mapping[str, Decimal] = attrs.field(factory=dict, converter=_balances)
    keys: tuple[ApiKey, ...] = ()
    vip_level: int = 0
    hf: bool = True
    #: Base fee rates of this account (None: the venue's defaults, KuCoin's VIP0 0.1 %).
    maker_fee_rate: Decimal | None = attrs.field(default=None, converter=attrs.converters.optional(Decimal))
    taker_fee_rate: Decimal | None = attrs.field(default=None, converter=attrs.converters.optional(Decimal))

    def __attrs_post_init__(self) -> None:
        if not 0 <= self.vip_level <= 12:
            raise ConfigError(f"vip_level must be 0..12, not {self.vip_level}")
        for rate in (self.maker_fee_rate, self.taker_fee_rate):
            if rate is not None and not (rate.is_finite() and -1 < rate < 1):
                raise ConfigError(f"fee rates must be fractions between -1 and 1, not {rate}")


@attrs.frozen(kw_only=True)
class FacadeConfig:
    """Everything the KuCoin facade needs besides the venue itself."""

    accounts: tuple[AccountConfig, ...] = ()
    rate_limits: str = "kucoin"
    #: Window length of the ``kucoin`` profile's pools (KuCoin: 30 s); shorter for tests.
    rate_limit_window_s: float = 30.0
    #: Per-pool quotas overriding the VIP table (``{"Public": 50}``); for tests and demos.
    rate_limit_quotas: Mapping[str, int] = attrs.field(factory=dict)
    timestamp_window_ms: int = 5000
    #: Where the WebSocket token paths point clients; None: ``ws://<host of the request>/ws``
    #: (``wss://`` when served over TLS).
    ws_endpoint: str | None = None
    #: KuCoin's WebSocket limits and timing; the faults every connection starts with.
    ws_limits: WsLimits = attrs.field(factory=WsLimits)
    ws_faults: WsFaults = attrs.field(factory=WsFaults)
    #: Serve the ``/sim/ws`` control paths (connections, topics, faults, disconnects).
    control: bool = False
    seed: int = 0
    #: Passed untouched to the venue builder (symbols, fees, market settings).
    venue: Mapping[str, Any] = attrs.field(factory=dict)

    def __attrs_post_init__(self) -> None:
        if self.rate_limits not in RATE_LIMIT_PROFILES:
            raise ConfigError(
                f"rate_limits must be one of {', '.join(RATE_LIMIT_PROFILES)}, not {self.rate_limits!r}"
            )
        seen_keys: set[str] = set()
        seen_uids: set[int] = set()
        for account in self.accounts:
            if account.uid in seen_uids:
                raise ConfigError(f"account uid {account.uid} appears twice")
            seen_uids.add(account.uid)
            for key in account.keys:
                if key.key in seen_keys:
                    raise ConfigError(f"API key {key.key!r} appears twice")
                seen_keys.add(key.key)


def demo_key(created_at: int = 0) -> ApiKey:
    """Fresh random credentials shaped like KuCoin's (hex key, UUID secret)."""
    return ApiKey(
        key=secrets.token_hex(12),
        secret=str(uuid.uuid4()),
        passphrase=secrets.token_urlsafe(12),
        created_at=created_at,
        remark="demo",
    )


# --- reading TOML: every field's type checked, errors name the field's path -----------------


def _kind(value: Any) -> str:
    """How TOML would call the value's type, with the value: ``a string 'abc'``."""
    if isinstance(value, bool):
        name = "a boolean"
    elif isinstance(value, int):
        name = "an integer"
    elif isinstance(value, float):
        name = "a float"
    elif isinstance(value, str):
        name = "a string"
    elif isinstance(value, Mapping):
        return "a table"
    elif isinstance(value, list):
        return "an array"
    else:
        name = "a date/time" if hasattr(value, "isoformat") else type(value).__name__
    return f"{name} {value!r}"


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{where}: expected an integer, got {_kind(value)}")
    return value


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: expected a string, got {_kind(value)}")
    return value


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: expected a boolean (true or false), got {_kind(value)}")
    return value


def _positive_number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{where}: expected a number, got {_kind(value)}")
    if not (math.isfinite(value) and value > 0):
        raise ConfigError(f"{where}: expected a number > 0, got {value!r}")
    return float(value)


def _table(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: expected a table, got {_kind(value)}")
    return value


def _tables(value: Any, where: str) -> list[Mapping[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        raise ConfigError(f"{where}: expected an array of tables, got {_kind(value)}")
    return value


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list):
        raise ConfigError(f"{where}: expected an array of strings, got {_kind(value)}")
    for i, item in enumerate(value):
        _str(item, f"{where}[{i}]")
    return value


def _unknown(entry: Mapping[str, Any], known: Iterable[str], where: str) -> None:
    extra = set(entry) - set(known)
    if extra:
        raise ConfigError(f"{where}: unknown field(s) {', '.join(sorted(extra))}")


def _at(where: str, build: Any, **kwargs: Any) -> Any:
    """``build(**kwargs)``, a ConfigError from it prefixed with the entry's path."""
    try:
        return build(**kwargs)
    except ConfigError as err:
        raise ConfigError(f"{where}: {err}") from None


_KEY_FIELDS = (
    "key",
    "secret",
    "passphrase",
    "version",
    "permissions",
    "ip_whitelist",
    "created_at",
    "remark",
)


def _key_from_toml(entry: Mapping[str, Any], where: str, default_created: int) -> ApiKey:
    _unknown(entry, _KEY_FIELDS, where)
    for name in ("key", "secret", "passphrase"):
        if name not in entry:
            raise ConfigError(f"{where}: missing {name!r}")
    key: ApiKey = _at(
        where,
        ApiKey,
        key=_str(entry["key"], f"{where}.key"),
        secret=_str(entry["secret"], f"{where}.secret"),
        passphrase=_str(entry["passphrase"], f"{where}.passphrase"),
        version=_int(entry.get("version", 3), f"{where}.version"),
        permissions=_strings(entry["permissions"], f"{where}.permissions")
        if "permissions" in entry
        else ALL_PERMISSIONS,
        ip_whitelist=_strings(entry.get("ip_whitelist", []), f"{where}.ip_whitelist"),
        created_at=_int(entry.get("created_at", default_created), f"{where}.created_at"),
        remark=_str(entry.get("remark", ""), f"{where}.remark"),
    )
    return key


def _rate(value: Any, where: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ConfigError(f'{where}: expected a fee rate (a number such as "0.001"), got {_kind(value)}')
    try:
        rate = Decimal(
            repr(value) if isinstance(value, float) else value.strip() if isinstance(value, str) else value
        )
    except InvalidOperation:
        raise ConfigError(f"{where}: fee rate is not a number: {value!r}") from None
    if not (rate.is_finite() and -1 < rate < 1):
        raise ConfigError(
            f"{where}: a fee rate is a fraction between -1 and 1 (0.001 is 0.1 %), not {value!r}"
        )
    return rate


_VENUE_FIELDS_CHECKED = {
    "maker_fee_rate",
    "taker_fee_rate",
    "synthetic",
    "max_active_per_symbol",
    "max_active_per_account",
    "symbols",
    "currencies",
}


def _venue(value: Any) -> dict[str, Any]:
    """The ``[venue]`` table, its known fields' types checked (the venue builder reads it and
    refuses unknown fields)."""
    table = dict(_table(value, "venue"))
    for key in ("maker_fee_rate", "taker_fee_rate"):
        if key in table:
            _rate(table[key], f"venue.{key}")
    for key in ("max_active_per_symbol", "max_active_per_account"):
        if key in table and _int(table[key], f"venue.{key}") <= 0:
            raise ConfigError(f"venue.{key}: expected an integer > 0, got {table[key]}")
    if "synthetic" in table and not isinstance(table["synthetic"], Mapping):
        _bool(table["synthetic"], "venue.synthetic")
    if "symbols" in table:
        symbols = table["symbols"]
        if isinstance(symbols, Mapping):
            for name, fields in symbols.items():
                _table(fields, f"venue.symbols.{name}")
        else:
            _tables(symbols, "venue.symbols")
    if "currencies" in table:
        _tables(table["currencies"], "venue.currencies")
    return table


def _websocket(value: Any) -> tuple[WsLimits, WsFaults]:
    """The ``[websocket]`` table: limits, and a ``faults`` table."""
    table = dict(_table(value, "websocket"))
    faults = _table(table.pop("faults", {}), "websocket.faults")
    try:
        return limits_from_mapping(table), faults_from_mapping(faults)
    except ValueError as err:
        raise ConfigError(str(err)) from None


def load_toml(path: str | Path, *, created_at: int = 0) -> FacadeConfig:
    """Read a TOML configuration (layout in this module's docstring)."""
    try:
        data = tomllib.loads(Path(path).read_text())
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"cannot read {path}: {err}") from None
    return config_from_mapping(data, created_at=created_at)


_TOP_FIELDS = (
    "seed",
    "rate_limits",
    "rate_limit_window_s",
    "rate_limit_quotas",
    "vip_level",
    "accounts",
    "venue",
    "ws_endpoint",
    "timestamp_window_ms",
    "websocket",
    "control",
)
_ACCOUNT_FIELDS = ("name", "uid", "vip_level", "balances", "keys", "hf", "maker_fee_rate", "taker_fee_rate")


def config_from_mapping(data: Mapping[str, Any], *, created_at: int = 0) -> FacadeConfig:
    """A configuration from parsed TOML (or JSON); a ConfigError names the offending field."""
    extra = set(data) - set(_TOP_FIELDS)
    if extra:
        raise ConfigError(f"unknown top-level field(s): {', '.join(sorted(extra))}")
    default_vip = _int(data.get("vip_level", 0), "vip_level")
    accounts = []
    for i, entry in enumerate(_tables(data.get("accounts", []), "accounts")):
        where = f"accounts[{i}]"
        _unknown(entry, _ACCOUNT_FIELDS, where)
        keys = tuple(
            _key_from_toml(k, f"{where}.keys[{j}]", created_at)
            for j, k in enumerate(_tables(entry.get("keys", []), f"{where}.keys"))
        )
        balances = _table(entry.get("balances", {}), f"{where}.balances")
        for currency, amount in balances.items():
            _at(f"{where}.balances", _amount, value=amount, currency=currency)
        accounts.append(
            _at(
                where,
                AccountConfig,
                uid=_int(entry.get("uid", FIRST_UID + i), f"{where}.uid"),
                name=_str(entry.get("name", ""), f"{where}.name"),
                balances=balances,
                keys=keys,
                vip_level=_int(entry.get("vip_level", default_vip), f"{where}.vip_level"),
                hf=_bool(entry.get("hf", True), f"{where}.hf"),
                maker_fee_rate=_rate(entry.get("maker_fee_rate"), f"{where}.maker_fee_rate"),
                taker_fee_rate=_rate(entry.get("taker_fee_rate"), f"{where}.taker_fee_rate"),
            )
        )
    quotas = _table(data.get("rate_limit_quotas", {}), "rate_limit_quotas")
    ws_endpoint = data.get("ws_endpoint")
    timestamp_window_ms = _int(data.get("timestamp_window_ms", 5000), "timestamp_window_ms")
    if timestamp_window_ms <= 0:
        raise ConfigError(f"timestamp_window_ms: expected an integer > 0, got {timestamp_window_ms}")
    ws_limits, ws_faults = _websocket(data.get("websocket", {}))
    return FacadeConfig(
        ws_limits=ws_limits,
        ws_faults=ws_faults,
        control=_bool(data.get("control", False), "control"),
        accounts=tuple(accounts),
        rate_limits=_str(data.get("rate_limits", "kucoin"), "rate_limits"),
        rate_limit_window_s=_positive_number(data.get("rate_limit_window_s", 30.0), "rate_limit_window_s"),
        rate_limit_quotas={str(k): _int(v, f"rate_limit_quotas.{k}") for k, v in quotas.items()},
        timestamp_window_ms=timestamp_window_ms,
        ws_endpoint=None if ws_endpoint is None else _str(ws_endpoint, "ws_endpoint"),
        seed=_int(data.get("seed", 0), "seed"),
        venue=_venue(data.get("venue", {})),
    )
