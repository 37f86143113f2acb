"""Keys, accounts and server settings from TOML and from the command line's pieces."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from simulator.kucoin.config import (
    ALL_PERMISSIONS,
    ApiKey,
    ConfigError,
    FacadeConfig,
    demo_key,
    load_toml,
    parse_balance,
)

TOML = """
seed = 7
rate_limits = "legacy"
vip_level = 1

[[accounts]]
name = "alice"
balances = { USDT = "10000", btc = 0.5 }

[[accounts.keys]]
key = "alice-key"
secret = "alice-secret"
passphrase = "alice-pass"
permissions = ["Spot"]
ip_whitelist = ["127.0.0.1", "10.0.0.0/8"]
created_at = 1700000000000

[[accounts]]
uid = 555
vip_level = 5
hf = false

[[accounts.keys]]
key = "bob-key"
secret = "bob-secret"
passphrase = "bob-pass"
version = 3

[venue]
fees = { maker = "0.001" }
"""


def test_toml_builds_accounts_keys_and_settings(tmp_path: Path) -> None:
    path = tmp_path / "sim.toml"
    path.write_text(TOML)
    config = load_toml(path, created_at=42)
    assert config.seed == 7 and config.rate_limits == "legacy"
    alice, bob = config.accounts
    assert alice.uid == 10001 and alice.name == "alice" and alice.vip_level == 1
    assert alice.balances == {"USDT": Decimal("10000"), "BTC": Decimal("0.5")}
    (key,) = alice.keys
    assert key.permissions == {"General", "Spot"}  # General is always held
    assert key.allows_ip("10.2.3.4") and key.allows_ip("127.0.0.1") and not key.allows_ip("192.168.0.1")
    assert key.created_at == 1700000000000 and key.version == 2
    assert bob.uid == 555 and bob.vip_level == 5 and not bob.hf
    assert bob.keys[0].version == 3 and bob.keys[0].permissions == ALL_PERMISSIONS
    assert bob.keys[0].created_at == 42
    assert config.venue == {"fees": {"maker": "0.001"}}


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("rate_limits = 'fast'", "rate_limits"),
        ("colour = 'blue'", "unknown top-level"),
        ("[[accounts]]\nbalances = { USDT = 'lots' }", "not a number"),
        ("[[accounts]]\nbalances = { USDT = '-1' }", ">= 0"),
        ("[[accounts]]\n[[accounts.keys]]\nkey = 'k'\nsecret = 's'", "missing 'passphrase'"),
        ("[[accounts]]\n[[accounts.keys]]\nkey='k'\nsecret='s'\npassphrase='p'\nversion=9", "version"),
        (
            "[[accounts]]\n[[accounts.keys]]\nkey='k'\nsecret='s'\npassphrase='p'\npermissions=['Root']",
            "Root",
        ),
        ("[[accounts]]\n[[accounts.keys]]\nkey='k'\nsecret='s'\npassphrase='p'\nip_whitelist=['x.y']", "x.y"),
        ("[[accounts]]\nuid = 1\n[[accounts]]\nuid = 1", "twice"),
        ("this is = not toml [", "cannot read"),
    ],
)
def test_bad_config_names_the_problem(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=needle):
        load_toml(path)


def test_parse_balance() -> None:
    assert parse_balance("usdt=1000.5") == ("USDT", Decimal("1000.5"))
    for bad in ("USDT", "=5", "USDT=abc", "USDT=nan"):
        with pytest.raises(ConfigError):
            parse_balance(bad)


def test_demo_keys_are_fresh_and_complete() -> None:
    a, b = demo_key(), demo_key()
    assert a.key != b.key and a.secret != b.secret and len(a.key) == 24
    assert a.permissions == ALL_PERMISSIONS and a.ip_whitelist == ()


def test_duplicate_keys_across_accounts_are_refused() -> None:
    from simulator.kucoin.config import AccountConfig

    key = ApiKey(key="same", secret="s", passphrase="p")
    with pytest.raises(ConfigError, match="twice"):
        FacadeConfig(accounts=(AccountConfig(uid=1, keys=(key,)), AccountConfig(uid=2, keys=(key,))))


def test_venue_table_sets_symbols_fees_and_market() -> None:
    from exchanges import ManualClock
    from simulator.kucoin.build import venue_from_config

    table = {
        "symbols": [{"symbol": "DOGE-USDT", "baseIncrement": "1", "quoteIncrement": "0.0001",
                     "priceIncrement": "0.00001", "baseMinSize": "10", "quoteMinSize": "1"}],
        "maker_fee_rate": "0.0005",
        "synthetic": False,
    }  # fmt: skip
    venue = venue_from_config(table, seed=1, clock=ManualClock())
    assert [s.symbol for s in venue.symbols()] == ["DOGE-USDT"]
    assert venue.base_fee_rates().maker == Decimal("0.0005")
    assert venue.synthetic is None
    with pytest.raises(ConfigError, match="unknown field"):
        venue_from_config({"colour": "blue"}, seed=1, clock=ManualClock())
    with pytest.raises(ConfigError, match="venue"):
        venue_from_config({"symbols": [{"symbol": "BAD"}]}, seed=1, clock=ManualClock())
