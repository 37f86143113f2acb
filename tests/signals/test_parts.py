"""The bridge's parts on plain values: its configuration, signal identity, client order ids,
and the rule that it speaks to venues only through ``exchanges``."""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from exchanges import CLIENT_ID_RULES, validate_client_order_id
from signals import ConfigError, client_order_id, config_from_mapping, load_config, parse_signal
from signals.config import Secret

from .conftest import ENV, config

ROOT = Path(__file__).resolve().parents[2]


def test_the_example_configuration_loads(tmp_path: Path) -> None:
    env = {"SIGNALS_SECRET_VOICEOFCHAIN": "v" * 32, "SIGNALS_SECRET_OPS": "o" * 32}
    loaded = load_config(ROOT / "examples" / "bridge.toml", environ=env)
    assert loaded.venue == {"venue": "kucoin", "base_url": "http://127.0.0.1:8080"}
    assert loaded.database == ROOT / "examples" / "signals.db"
    assert loaded.limits.max_order_notional == Decimal(100)
    voc = loaded.source("voiceofchain")
    assert voc is not None and voc.pairs == {"BTC/USDT", "ETH/USDT", "SOL/USDT"}
    assert "v" * 32 not in repr(loaded)


def _mapping(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "limits": {"max_order_notional": "100", "max_daily_notional": "1000", "max_open_orders": 5},
        "sources": [{"name": "tv", "secret_env": "SIGNALS_SECRET_TV"}],
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sources": []}, "sources: at least one [[sources]] is needed"),
        (
            {"sources": [{"name": "tv", "secret_env": "UNSET"}]},
            "sources[0].secret_env: the environment variable UNSET",
        ),
        (
            {"sources": [{"name": "tv", "secret_env": "SHORT"}]},
            "sources[0]: the secret in SHORT is too short",
        ),
        ({"sources": [{"name": "t v", "secret_env": "SIGNALS_SECRET_TV"}]}, "sources[0].name: 1-32 letters"),
        (
            {"sources": [{"name": "tv", "secret_env": "SIGNALS_SECRET_TV", "secret": "x"}]},
            "unknown field(s) secret",
        ),
        (
            {"sources": [{"name": "tv", "secret_env": "SIGNALS_SECRET_TV", "pairs": ["BTC/USDT"]}]},
            "limits.max_position: no limit for BTC/USDT",
        ),
        (
            {"sources": [{"name": "tv", "secret_env": "SIGNALS_SECRET_TV", "pairs": ["ETH/BTC"]}]},
            "pair ETH/BTC is not quoted in USDT",
        ),
        (
            {"sources": [{"name": "tv", "secret_env": "SIGNALS_SECRET_TV", "pairs": ["BTCUSDT"]}]},
            "sources[0].pairs[0]: bad symbol 'BTCUSDT'",
        ),
        (
            {"limits": {"max_order_notional": 1.5, "max_daily_notional": "1", "max_open_orders": 1}},
            "limits.max_order_notional: expected an amount written as a string",
        ),
        (
            {"limits": {"max_order_notional": "100", "max_daily_notional": "1"}},
            "limits.max_open_orders: missing",
        ),
        (
            {
                "limits": {
                    "max_order_notional": "1",
                    "max_daily_notional": "1",
                    "max_open_orders": 1,
                    "market_margin": "1.5",
                }
            },
            "limits.market_margin: expected a fraction from 0 to below 1, got '1.5'",
        ),
        (
            {
                "limits": {
                    "max_order_notional": "1",
                    "max_daily_notional": "1",
                    "max_open_orders": 1,
                    "market_margin": "-1",
                }
            },
            "limits.market_margin: expected an amount > 0",
        ),
        ({"bridge": {"precision": "nearest"}}, "bridge.precision: expected round or refuse"),
        ({"bridge": {"port": "80"}}, "bridge.port: expected int, got a str '80'"),
        ({"bridge": {"replay_window_s": 0}}, "bridge.replay_window_s: expected a number > 0"),
        ({"bridge": {"colour": "red"}}, "bridge: unknown field(s) colour"),
        ({"extra": {}}, "top level: unknown field(s) extra"),
    ],
)
def test_configuration_errors_name_the_entry(changes: dict[str, Any], message: str) -> None:
    env = {**ENV, "SHORT": "abc"}
    with pytest.raises(ConfigError) as info:
        config_from_mapping(_mapping(**changes), environ=env)
    assert message in str(info.value)
    assert "tv-secret" not in str(info.value)


def test_the_venue_is_paper_unless_the_configuration_says(tmp_path: Path) -> None:
    assert config_from_mapping(_mapping(), environ=ENV).venue == {"venue": "paper"}


def test_a_secret_never_prints() -> None:
    secret = Secret("very-secret-value-123")
    assert "very-secret" not in repr(secret) + str(secret) + f"{secret}"
    assert "tv-secret" not in repr(config(Path("/tmp")))


def test_a_signal_is_the_same_signal_however_it_is_written() -> None:
    base = {
        "source": "tv",
        "signal_id": "a",
        "symbol": "BTC/USDT",
        "side": "buy",
        "price": "30000",
        "size": "0.001",
    }
    one = parse_signal(base, source="tv")
    other = parse_signal({**base, "price": Decimal("30000.00"), "size": "0.0010", "side": "BUY"}, source="tv")
    assert one.digest() == other.digest()
    assert one.digest() != parse_signal({**base, "size": "0.002"}, source="tv").digest()


@pytest.mark.parametrize("venue", sorted(CLIENT_ID_RULES))
def test_client_order_ids_are_deterministic_and_valid_on_every_venue(venue: str) -> None:
    made = client_order_id(venue, "tv", "signal-1")
    assert made == client_order_id(venue, "tv", "signal-1")
    assert validate_client_order_id(venue, made) == made
    others = {client_order_id(venue, "voc", "signal-1"), client_order_id(venue, "tv", "signal-2")}
    others.add(client_order_id(venue, "tv", "signal-1", namespace="bridge-b"))
    assert made not in others and len(others) == 3


def test_client_order_ids_need_the_venue_rules() -> None:
    with pytest.raises(ValueError, match="no client order id rules for venue 'toy'"):
        client_order_id("toy", "tv", "s")


def _imports(package: str) -> set[str]:
    found: set[str] = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return found


def test_signals_speaks_to_venues_only_through_exchanges() -> None:
    ours = {"exchanges", "adapters", "simulator", "conformance", "signals"}
    assert _imports("signals") & ours == {"exchanges"}
    assert not _imports("exchanges") & (ours - {"exchanges"})
