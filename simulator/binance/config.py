"""Who may trade on the served Binance dialect: accounts, their API keys, and the server's
settings, from the command line (one account, one key) or a TOML file. Secrets stay out of
reprs.

TOML layout::

    seed = 7
    rate_limits = "binance"        # binance | off (weights are counted and sent either way)
    weight_limit = 6000            # REQUEST_WEIGHT per IP per minute
    orders_per_10s = 50            # ORDERS per account
    orders_per_day = 160000
    control = false                # the /sim/ws control paths (see simulator.binance.ws_control)

    [[accounts]]
    uid = 10001                    # optional; numbered from 10001 otherwise
    balances = { USDT = "10000", BTC = "0.5" }
    maker_fee_rate = "0.001"       # optional; default 0.1 %
    taker_fee_rate = "0.001"

    [[accounts.keys]]
    key = "my-key"
    secret = "my-secret"           # an HMAC key; or
    # public_key = "-----BEGIN PUBLIC KEY-----..."   an Ed25519 or RSA key's public half
    permissions = ["enableReading", "enableSpotAndMarginTrading"]   # the default
    ip_whitelist = ["127.0.0.1"]   # empty or absent: any address (ipRestrict false)
    created_at = 1700000000000     # ms; default: when the server starts

    [venue]                        # the exchange itself (see simulator.binance.build)
    synthetic = true
"""

from __future__ import annotations

import ipaddress
import secrets
import tomllib
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import attrs

__all__ = [
    "DEFAULT_KEY_PERMISSIONS",
    "FIRST_UID",
    "KEY_PERMISSIONS",
    "RATE_LIMIT_PROFILES",
    "AccountConfig",
    "ApiKey",
    "BinanceConfig",
    "ConfigError",
    "config_from_mapping",
    "demo_key",
    "load_toml",
    "parse_balance",
]

RATE_LIMIT_PROFILES = ("binance", "off")
FIRST_UID = 10001


class ConfigError(ValueError):
    """The configuration cannot be used; the message says which entry and why."""


#: A key's permissions as ``GET /sapi/v1/account/apiRestrictions`` names them.
KEY_PERMISSIONS = frozenset(
    {
        "enableReading",
        "enableSpotAndMarginTrading",
        "enableWithdrawals",
        "enableInternalTransfer",
        "enableMargin",
        "enableFutures",
        "enablePortfolioMarginTrading",
        "enableVanillaOptions",
        "permitsUniversalTransfer",
    }
)
#: What Binance's key creation grants unless more is ticked.
DEFAULT_KEY_PERMISSIONS = frozenset({"enableReading", "enableSpotAndMarginTrading"})
_TRADE = "enableSpotAndMarginTrading"


def _permissions(value: Iterable[str]) -> frozenset[str]:
    perms = frozenset(value)
    unknown = perms - KEY_PERMISSIONS
    if unknown:
        raise ConfigError(
            f"unknown API key permission(s): {', '.join(sorted(unknown))} "
            f"(known: {', '.join(sorted(KEY_PERMISSIONS))})"
        )
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
    """One API key: an HMAC key (``secret``) or an Ed25519/RSA key (``public_key``, PEM), with
    what ``apiRestrictions`` reports of it (an empty whitelist is ``ipRestrict`` false)."""

    key: str
    secret: str | None = attrs.field(default=None, repr=False)
    public_key: str | None = None
    permissions: frozenset[str] = attrs.field(default=DEFAULT_KEY_PERMISSIONS, converter=_permissions)
    ip_whitelist: tuple[str, ...] = attrs.field(default=(), converter=_networks)
    created_at: int = 0

    def __attrs_post_init__(self) -> None:
        if not self.key or (self.secret is None) == (self.public_key is None):
            raise ConfigError(f"API key {self.key!r}: give exactly one of secret and public_key")

    @property
    def can_trade(self) -> bool:
        return _TRADE in self.permissions

    def allows_ip(self, ip: str) -> bool:
        if not self.ip_whitelist:
            return True
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            return False
        return any(address in ipaddress.ip_network(net, strict=False) for net in self.ip_whitelist)


@attrs.frozen(kw_only=True)
class AccountConfig:
    """One account: what it holds at start and the keys that act for it."""

    uid: int
    balances: Mapping[str, Decimal] = attrs.field(factory=dict)
    keys: tuple[ApiKey, ...] = ()
    maker_fee_rate: Decimal | None = None
    taker_fee_rate: Decimal | None = None


@attrs.frozen(kw_only=True)
class BinanceConfig:
    """The served dialect's settings (see the module for the TOML form)."""

    accounts: tuple[AccountConfig, ...] = ()
    seed: int = 0
    rate_limits: str = "binance"
    weight_limit: int = 6000
    orders_per_10s: int = 50
    orders_per_day: int = 160_000
    venue: Mapping[str, Any] = attrs.field(factory=dict)
    #: Serve the ``/sim/ws`` control paths (sockets, subscriptions, disconnects, lost events).
    control: bool = False

    def __attrs_post_init__(self) -> None:
        if self.rate_limits not in RATE_LIMIT_PROFILES:
            raise ConfigError(f"rate_limits must be one of {', '.join(RATE_LIMIT_PROFILES)}")
        for name in ("weight_limit", "orders_per_10s", "orders_per_day"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{name} must be positive")


def demo_key(created_at: int = 0) -> ApiKey:
    """A fresh HMAC key for a server started without one (printed once it listens)."""
    return ApiKey(key=secrets.token_hex(32), secret=secrets.token_hex(32), created_at=created_at)


def parse_balance(text: str) -> tuple[str, Decimal]:
    """``USDT=1000`` -> ``("USDT", Decimal("1000"))``."""
    currency, sep, amount = text.partition("=")
    try:
        value = Decimal(amount.strip())
    except InvalidOperation:
        value = Decimal(-1)
    if not sep or not currency.strip() or not value.is_finite() or value < 0:
        raise ConfigError(f"--balance wants CURRENCY=AMOUNT, not {text!r}")
    return currency.strip(), value


def _decimal(value: object, what: str) -> Decimal:
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        raise ConfigError(f"{what}: {value!r} is not a number") from None
    if not result.is_finite():
        raise ConfigError(f"{what}: {value!r} is not a number")
    return result


_KEY_FIELDS = {"key", "secret", "public_key", "permissions", "ip_whitelist", "created_at", "can_trade"}


def _strings(value: object, what: str) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"accounts.keys.{what}: expected a list of strings")
    return tuple(value)


def _key(item: Mapping[str, Any], created_at: int) -> ApiKey:
    unknown = set(item) - _KEY_FIELDS
    if unknown:
        raise ConfigError(f"accounts.keys: unknown field(s) {', '.join(sorted(unknown))}")
    fields = {k: item[k] for k in ("key", "secret", "public_key") if k in item}
    permissions = set(_strings(item.get("permissions", sorted(DEFAULT_KEY_PERMISSIONS)), "permissions"))
    if "can_trade" in item:  # (the older spelling of enableSpotAndMarginTrading)
        if not isinstance(item["can_trade"], bool):
            raise ConfigError("accounts.keys.can_trade: expected true or false")
        permissions = permissions | {_TRADE} if item["can_trade"] else permissions - {_TRADE}
    stamp = item.get("created_at", created_at)
    if not isinstance(stamp, int) or isinstance(stamp, bool) or stamp < 0:
        raise ConfigError("accounts.keys.created_at: expected epoch milliseconds")
    return ApiKey(
        **fields,
        permissions=frozenset(permissions),
        ip_whitelist=_strings(item.get("ip_whitelist", ()), "ip_whitelist"),
        created_at=stamp,
    )


def _keys(items: Iterable[Mapping[str, Any]], created_at: int) -> tuple[ApiKey, ...]:
    return tuple(_key(item, created_at) for item in items)


def config_from_mapping(data: Mapping[str, Any], *, created_at: int = 0) -> BinanceConfig:
    """A configuration from plain data (a parsed TOML file); ``created_at`` is when a key
    that does not say was made."""
    known = {
        "seed",
        "rate_limits",
        "weight_limit",
        "orders_per_10s",
        "orders_per_day",
        "accounts",
        "venue",
        "control",
    }
    unknown = set(data) - known
    if unknown:
        raise ConfigError(f"unknown field(s) {', '.join(sorted(unknown))}")
    accounts = []
    for i, item in enumerate(data.get("accounts", ())):
        unknown = set(item) - {"uid", "balances", "keys", "maker_fee_rate", "taker_fee_rate", "name"}
        if unknown:
            raise ConfigError(f"accounts: unknown field(s) {', '.join(sorted(unknown))}")
        fees = {k: _decimal(item[k], k) for k in ("maker_fee_rate", "taker_fee_rate") if k in item}
        balances = {cur: _decimal(v, f"balance of {cur}") for cur, v in item.get("balances", {}).items()}
        accounts.append(
            AccountConfig(
                uid=int(item.get("uid", FIRST_UID + i)),
                balances=balances,
                keys=_keys(item.get("keys", ()), created_at),
                **fees,
            )
        )
    settings = {
        k: data[k]
        for k in ("seed", "rate_limits", "weight_limit", "orders_per_10s", "orders_per_day")
        if k in data
    }
    control = data.get("control", False)
    if not isinstance(control, bool):
        raise ConfigError("control: expected true or false")
    return BinanceConfig(
        accounts=tuple(accounts), venue=dict(data.get("venue", {})), control=control, **settings
    )


def load_toml(path: str | Path, *, created_at: int = 0) -> BinanceConfig:
    try:
        data = tomllib.loads(Path(path).read_text())
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"{path}: {err}") from None
    return config_from_mapping(data, created_at=created_at)
