"""Who may trade on the served Binance dialect: accounts, their API keys, and the server's
settings, from the command line (one account, one key) or a TOML file. Secrets stay out of
reprs.

TOML layout::

    seed = 7
    rate_limits = "binance"        # binance | off (weights are counted and sent either way)
    weight_limit = 6000            # REQUEST_WEIGHT per IP per minute
    orders_per_10s = 50            # ORDERS per account
    orders_per_day = 160000

    [[accounts]]
    uid = 10001                    # optional; numbered from 10001 otherwise
    balances = { USDT = "10000", BTC = "0.5" }
    maker_fee_rate = "0.001"       # optional; default 0.1 %
    taker_fee_rate = "0.001"

    [[accounts.keys]]
    key = "my-key"
    secret = "my-secret"           # an HMAC key; or
    # public_key = "-----BEGIN PUBLIC KEY-----..."   an Ed25519 or RSA key's public half
    can_trade = true

    [venue]                        # the exchange itself (see simulator.binance.build)
    synthetic = true
"""

from __future__ import annotations

import secrets
import tomllib
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import attrs

__all__ = [
    "FIRST_UID",
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


@attrs.frozen(kw_only=True)
class ApiKey:
    """One API key: an HMAC key (``secret``) or an Ed25519/RSA key (``public_key``, PEM)."""

    key: str
    secret: str | None = attrs.field(default=None, repr=False)
    public_key: str | None = None
    can_trade: bool = True

    def __attrs_post_init__(self) -> None:
        if not self.key or (self.secret is None) == (self.public_key is None):
            raise ConfigError(f"API key {self.key!r}: give exactly one of secret and public_key")


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

    def __attrs_post_init__(self) -> None:
        if self.rate_limits not in RATE_LIMIT_PROFILES:
            raise ConfigError(f"rate_limits must be one of {', '.join(RATE_LIMIT_PROFILES)}")
        for name in ("weight_limit", "orders_per_10s", "orders_per_day"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{name} must be positive")


def demo_key() -> ApiKey:
    """A fresh HMAC key for a server started without one (printed once it listens)."""
    return ApiKey(key=secrets.token_hex(32), secret=secrets.token_hex(32))


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


def _keys(items: Iterable[Mapping[str, Any]]) -> tuple[ApiKey, ...]:
    out = []
    for item in items:
        unknown = set(item) - {"key", "secret", "public_key", "can_trade"}
        if unknown:
            raise ConfigError(f"accounts.keys: unknown field(s) {', '.join(sorted(unknown))}")
        out.append(ApiKey(**dict(item)))
    return tuple(out)


def config_from_mapping(data: Mapping[str, Any]) -> BinanceConfig:
    """A configuration from plain data (a parsed TOML file)."""
    known = {"seed", "rate_limits", "weight_limit", "orders_per_10s", "orders_per_day", "accounts", "venue"}
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
                keys=_keys(item.get("keys", ())),
                **fees,
            )
        )
    settings = {
        k: data[k]
        for k in ("seed", "rate_limits", "weight_limit", "orders_per_10s", "orders_per_day")
        if k in data
    }
    return BinanceConfig(accounts=tuple(accounts), venue=dict(data.get("venue", {})), **settings)


def load_toml(path: str | Path) -> BinanceConfig:
    try:
        data = tomllib.loads(Path(path).read_text())
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"{path}: {err}") from None
    return config_from_mapping(data)
