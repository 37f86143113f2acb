"""Venues by configuration: the registry, its four forms, its errors, and a third-party plug-in."""

from __future__ import annotations

import importlib
import sys
import textwrap
from collections.abc import Iterator
from decimal import Decimal
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx
import pytest

import exchanges
from exchanges import (
    ENTRY_POINT_GROUP,
    ConfigurationError,
    Exchange,
    ManualClock,
    SystemClock,
    UnknownVenue,
    connect,
    connect_from,
    connect_from_env,
    connect_from_toml,
    venue_names,
    venue_spec,
)
from simulator import Venue
from simulator.kucoin import AccountConfig, ApiKey, FacadeConfig, build_facade
from simulator.market import attach_synthetic

KEY, SECRET, PASSPHRASE = "reg-key-0123", "reg-secret-abcdef-0123456789", "reg-passphrase-xyz"
CREDS = {"KUCOIN_API_KEY": KEY, "KUCOIN_API_SECRET": SECRET, "KUCOIN_API_PASSPHRASE": PASSPHRASE}


def sim_transport() -> httpx.ASGITransport:
    venue = Venue(seed=5, clock=SystemClock())
    attach_synthetic(venue)
    key = ApiKey(key=KEY, secret=SECRET, passphrase=PASSPHRASE)
    account = AccountConfig(uid=1, balances={"USDT": Decimal(500)}, keys=(key,))
    return httpx.ASGITransport(app=build_facade(venue, FacadeConfig(accounts=(account,))).app)


def test_both_venues_are_declared_as_entry_points() -> None:
    declared = {ep.name: ep.value for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)}
    assert declared["paper"] == "simulator.paper_venue:PAPER"
    assert declared["kucoin"] == "adapters.kucoin.venue:KUCOIN"
    assert {"paper", "kucoin"} <= set(venue_names())


def test_exchanges_imports_none_of_our_packages_to_find_them() -> None:
    # The registry loads adapters by entry point at run time; importing exchanges alone
    # pulls in neither the adapters nor the simulator.
    import subprocess

    ours = "sorted(m for m in sys.modules if m.split('.')[0] in ('adapters', 'simulator'))"
    code = f"import sys, exchanges; print({ours})"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


async def test_paper_by_name_is_an_exchange_on_the_wall_clock() -> None:
    ex = connect("paper", balances={"USDT": "250", "BTC": 1})
    assert isinstance(ex, Exchange) and ex.venue == "paper"
    balances = await ex.fetch_balances()
    assert balances["USDT"].available == Decimal(250) and balances["BTC"].total == Decimal(1)
    assert isinstance(ex.clock, SystemClock)  # type: ignore[attr-defined]
    await ex.close()


async def test_paper_manual_clock_when_asked() -> None:
    clock = ManualClock()
    ex = connect("paper", clock=clock)
    assert ex.clock is clock  # type: ignore[attr-defined]
    assert isinstance(connect("paper", realtime=False).clock, ManualClock)  # type: ignore[attr-defined]


async def test_kucoin_at_a_base_url_with_credentials_from_the_environment() -> None:
    ex = connect("kucoin", base_url="http://sim.local", transport=sim_transport(), environ=CREDS)
    assert ex.venue == "kucoin"
    assert (await ex.fetch_balances())["USDT"].available == Decimal(500)
    await ex.close()


async def test_kucoin_credentials_from_code() -> None:
    ex = connect(
        "kucoin",
        base_url="http://sim.local",
        transport=sim_transport(),
        api_key=KEY,
        api_secret=SECRET,
        api_passphrase=PASSPHRASE,
        environ={},
    )
    assert (await ex.fetch_balances())["USDT"].total == Decimal(500)
    await ex.close()


def test_kucoin_without_credentials_says_which_variables_and_how_to_go_public() -> None:
    with pytest.raises(ConfigurationError, match=r"KUCOIN_API_SECRET.*public=true"):
        connect("kucoin", environ={"KUCOIN_API_KEY": KEY})
    assert connect("kucoin", public=True, environ={}).venue == "kucoin"


def test_credentials_in_part_are_refused_without_echoing_them() -> None:
    with pytest.raises(ConfigurationError, match="api_passphrase missing") as info:
        connect("kucoin", api_key=KEY, api_secret=SECRET, environ={})
    assert SECRET not in str(info.value) and KEY not in str(info.value)


def test_unknown_venue_lists_the_known_ones() -> None:
    with pytest.raises(UnknownVenue, match=r"'kukoin' \(did you mean 'kucoin'\?\); known venues: .*paper"):
        connect("kukoin")


def test_unknown_option_suggests_the_near_one() -> None:
    suggestion = r"kucoin: unknown option 'timout' \(did you mean 'timeout'\?\)"
    with pytest.raises(ConfigurationError, match=suggestion):
        connect("kucoin", timout=3, public=True)


@pytest.mark.parametrize(
    ("venue", "options", "message"),
    [
        ("kucoin", {"timeout": "soon"}, "kucoin option timeout: expected a number, got a str 'soon'"),
        ("kucoin", {"hf": "yes"}, "kucoin option hf: expected true or false"),
        ("kucoin", {"base_url": "ftp://x"}, "kucoin: base_url must be an http"),
        ("kucoin", {"timeout": -1}, "kucoin: timeout must be positive"),
        ("kucoin", {"transport": "tcp"}, "kucoin option transport: expected a AsyncBaseTransport object"),
        ("paper", {"balances": {"USDT": 1.5}}, r"balances.USDT: .*amounts are written as strings"),
        ("paper", {"balances": "USDT=1"}, "paper option balances: expected a table"),
        ("paper", {"seed": True}, "paper option seed: expected a whole number, got a boolean True"),
        ("paper", {"maker_fee_rate": "lots"}, "paper option maker_fee_rate: expected a decimal amount"),
    ],
)
def test_bad_options_name_the_option_and_the_kind(venue: str, options: dict[str, Any], message: str) -> None:
    if venue == "kucoin":
        options = {"public": True, **options}
    with pytest.raises(ConfigurationError, match=message):
        connect(venue, **options)


def test_a_secret_of_the_wrong_type_is_not_shown() -> None:
    with pytest.raises(ConfigurationError) as info:
        connect("kucoin", api_secret=123456789)
    assert "123456789" not in str(info.value) and "hidden" in str(info.value)


async def test_from_a_mapping_default_paper() -> None:
    ex = connect_from({"balances": {"USDT": "42"}})
    assert ex.venue == "paper"
    assert (await ex.fetch_balances())["USDT"].total == Decimal(42)


def test_from_a_mapping_refuses_secrets_and_points_to_the_environment() -> None:
    refusal = "not read from configuration; set it in KUCOIN_API_KEY"
    with pytest.raises(ConfigurationError, match=refusal) as info:
        connect_from({"venue": "kucoin", "api_secret": SECRET})
    assert SECRET not in str(info.value)


def test_from_a_mapping_that_is_not_one() -> None:
    with pytest.raises(ConfigurationError, match="a venue configuration is a table, got list"):
        connect_from(["kucoin"])  # type: ignore[arg-type]
    with pytest.raises(UnknownVenue, match="a venue name is a string"):
        connect_from({"venue": 7})


async def test_from_a_toml_table(tmp_path: Path) -> None:
    path = tmp_path / "bot.toml"
    path.write_text(
        textwrap.dedent(
            """
            [bot.exchange]
            venue = "kucoin"
            base_url = "http://127.0.0.1:8080"
            timeout = 2.5
            hf = false
            """
        )
    )
    ex = connect_from_toml(path, "bot.exchange", environ=CREDS)
    assert ex.options.base_url == "http://127.0.0.1:8080"  # type: ignore[attr-defined]
    assert ex.options.timeout == 2.5 and ex.options.hf is False  # type: ignore[attr-defined]
    await ex.close()
    with pytest.raises(ConfigurationError, match=r"no table \[bot.venue\]"):
        connect_from_toml(path, "bot.venue")
    with pytest.raises(ConfigurationError, match="cannot read"):
        connect_from_toml(tmp_path / "absent.toml")
    (tmp_path / "bad.toml").write_text("venue = ")
    with pytest.raises(ConfigurationError, match=r"cannot read .*bad.toml"):
        connect_from_toml(tmp_path / "bad.toml")


async def test_from_environment_variables() -> None:
    env = {
        **CREDS,
        "EXCHANGES_VENUE": "kucoin",
        "EXCHANGES_BASE_URL": "http://127.0.0.1:9999",
        "EXCHANGES_TIMEOUT": "3",
        "EXCHANGES_HF": "false",
        "EXCHANGES_POOL_QUOTAS": "Public=600",
    }
    ex = connect_from_env(env)
    assert ex.options.base_url == "http://127.0.0.1:9999"  # type: ignore[attr-defined]
    assert ex.options.timeout == 3.0 and ex.options.hf is False  # type: ignore[attr-defined]
    await ex.close()
    paper = connect_from_env({"EXCHANGES_BALANCES": "USDT=7,BTC=0.5", "EXCHANGES_SEED": "3"})
    assert (await paper.fetch_balances())["BTC"].total == Decimal("0.5")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"EXCHANGES_VENUE": "kucoin", "EXCHANGES_HF": "maybe"}, "kucoin option hf: expected true or false"),
        ({"EXCHANGES_TIMEOUTS": "3", "EXCHANGES_VENUE": "kucoin"}, "EXCHANGES_TIMEOUTS: kucoin: unknown"),
        ({"EXCHANGES_BALANCES": "USDT"}, r"NAME=VALUE"),
        ({"EXCHANGES_CLOCK": "wall"}, "paper option clock: a Clock object .*not settable as text"),
        ({"EXCHANGES_VENUE": "kucoin", "EXCHANGES_API_SECRET": "s3cr3t-value"}, "not read from config"),
    ],
)
def test_from_environment_variables_errors(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message) as info:
        connect_from_env(env)
    assert "s3cr3t-value" not in str(info.value)


# --- a third-party adapter plugs in by entry point alone ----------------------------------------


@pytest.fixture
def toy_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """An installed distribution (as pip would leave it) declaring one venue."""
    (tmp_path / "toy_venue.py").write_text(
        textwrap.dedent(
            """
            from exchanges import VenueOption, VenueSpec
            from simulator import PaperExchange

            class ToyExchange(PaperExchange):
                venue = "toy"

            TOY = VenueSpec(
                name="toy",
                factory=lambda options, environ: ToyExchange({"USDT": environ.get("TOY_CASH", "1")}),
                options=(VenueOption(name="colour", kind=str),),
            )
            """
        )
    )
    info = tmp_path / "toy_venue-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: toy-venue\nVersion: 1.0\n")
    points = "toy = toy_venue:TOY\nbroken = toy_venue:NOPE\n"
    (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\n{points}")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    yield
    sys.modules.pop("toy_venue", None)
    exchanges.registry._loaded.pop("toy", None)


@pytest.mark.usefixtures("toy_package")
async def test_a_third_party_venue_plugs_in_by_entry_point() -> None:
    assert "toy" in venue_names()
    ex = connect("toy", colour="blue", environ={"TOY_CASH": "9"})
    assert ex.venue == "toy"
    assert (await ex.fetch_balances())["USDT"].total == Decimal(9)
    assert venue_spec("toy").option("colour") is not None


@pytest.mark.usefixtures("toy_package")
def test_a_broken_entry_point_says_which() -> None:
    with pytest.raises(ConfigurationError, match=r"venue 'broken': its entry point 'toy_venue:NOPE' failed"):
        connect("broken")
