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
version = 2

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
    assert key.created_at == 1700000000000 and key.version == 3  # KuCoin's current keys
    assert bob.uid == 555 and bob.vip_level == 5 and not bob.hf
    assert bob.keys[0].version == 2 and bob.keys[0].permissions == ALL_PERMISSIONS
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
    assert venue.drivers == []
    with pytest.raises(ConfigError, match="unknown field"):
        venue_from_config({"colour": "blue"}, seed=1, clock=ManualClock())
    with pytest.raises(ConfigError, match="venue"):
        venue_from_config({"symbols": [{"symbol": "BAD"}]}, seed=1, clock=ManualClock())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("accounts = 5", "accounts: expected an array of tables, got an integer 5"),
        ("venue = 5", "venue: expected a table, got an integer 5"),
        ("[[accounts]]\nkeys = 5", "accounts[0].keys: expected an array of tables"),
        ("[[accounts]]\nbalances = 'x'", "accounts[0].balances: expected a table, got a string 'x'"),
        ("[venue]\nmaker_fee_rate = 'abc'", "venue.maker_fee_rate: fee rate is not a number: 'abc'"),
        ("[venue]\ntaker_fee_rate = '2'", "venue.taker_fee_rate: a fee rate is a fraction"),
        ("seed = 'abc'", "seed: expected an integer, got a string 'abc'"),
        ("seed = 1.5", "seed: expected an integer, got a float 1.5"),
        ("seed = true", "seed: expected an integer, got a boolean True"),
        ("[venue]\nsynthetic = 'yes'", "venue.synthetic: expected a boolean (true or false)"),
        ("[[accounts]]\nhf = 1", "accounts[0].hf: expected a boolean"),
        ("[[accounts]]\nuid = '7'", "accounts[0].uid: expected an integer"),
        ("[[accounts]]\nname = 3", "accounts[0].name: expected a string"),
        ("[[accounts]]\nvip_level = 99", "accounts[0]: vip_level must be 0..12"),
        ("[[accounts]]\nmaker_fee_rate = true", "accounts[0].maker_fee_rate: expected a fee rate"),
        ("[[accounts]]\nbalances = { USDT = 'lots' }", "accounts[0].balances: balance of USDT"),
        (
            "[[accounts]]\n[[accounts.keys]]\nkey = 5\nsecret = 's'\npassphrase = 'p'",
            "keys[0].key: expected a string",
        ),
        (
            "[[accounts]]\n[[accounts.keys]]\nkey = 'k'\nsecret = 's'\npassphrase = 'p'\nversion = '2'",
            "accounts[0].keys[0].version: expected an integer",
        ),
        (
            "[[accounts]]\n[[accounts.keys]]\nkey='k'\nsecret='s'\npassphrase='p'\npermissions='Spot'",
            "accounts[0].keys[0].permissions: expected an array of strings",
        ),
        ("rate_limit_quotas = { Public = 'x' }", "rate_limit_quotas.Public: expected an integer"),
        ("rate_limit_window_s = 0", "rate_limit_window_s: expected a number > 0"),
        ("ws_endpoint = 5", "ws_endpoint: expected a string"),
        ("vip_level = 'x'", "vip_level: expected an integer"),
        ("[venue]\nsymbols = 5", "venue.symbols: expected an array of tables"),
        ("[venue]\nmax_active_per_symbol = 1.5", "venue.max_active_per_symbol: expected an integer"),
    ],
)
def test_every_field_is_type_checked_and_named(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_toml(path)
    assert message in str(info.value)


def test_serve_reports_a_badly_typed_config_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from simulator.cli import main

    path = tmp_path / "bad.toml"
    path.write_text("[[accounts]]\nkeys = 5\n")
    assert main(["serve", "--port", "0", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert err == "simulator serve: accounts[0].keys: expected an array of tables, got an integer 5\n"
