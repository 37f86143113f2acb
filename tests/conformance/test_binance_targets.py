"""The opt-in remote Binance targets: skipped, saying which variables are missing, until a key
is in the environment; then opened on their own host with their own key (a testnet key is
never taken for a live one). Nothing here reaches the network."""

from __future__ import annotations

import pytest

from adapters.binance import BinanceExchange
from conformance.targets import get_target

VARIABLES = [
    f"{prefix}{part}"
    for prefix in ("BINANCE_", "BINANCE_TESTNET_")
    for part in ("API_KEY", "API_SECRET", "PRIVATE_KEY_FILE", "PRIVATE_KEY_PASSWORD")
]


@pytest.fixture(autouse=True)
def no_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("CONFORMANCE_ALLOW_TRADING", raising=False)


@pytest.mark.parametrize(
    ("name", "prefix"), [("binance-live", "BINANCE_"), ("binance-testnet", "BINANCE_TESTNET_")]
)
def test_without_a_key_the_target_skips_naming_its_variables(name: str, prefix: str) -> None:
    target = get_target(name)
    assert f"{prefix}API_KEY" in target.skip_reasons["*"]
    assert not target.trading


async def test_the_testnet_target_trades_on_the_testnet_with_the_testnet_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BINANCE_TESTNET_API_KEY", "testnet-key")
    monkeypatch.setenv("BINANCE_TESTNET_API_SECRET", "testnet-secret")
    monkeypatch.setenv("BINANCE_API_KEY", "live-key")
    monkeypatch.setenv("BINANCE_API_SECRET", "live-secret")
    testnet, live = get_target("binance-testnet"), get_target("binance-live")
    assert "*" not in testnet.skip_reasons and "*" not in live.skip_reasons
    assert "rate limits" in testnet.skip_reasons and "faults" in testnet.skip_reasons
    for target, host, key in (
        (testnet, "https://testnet.binance.vision", "testnet-key"),
        (live, "https://api.binance.com", "live-key"),
    ):
        exchange = target.exchange()
        assert isinstance(exchange, BinanceExchange)
        assert exchange.options.base_url == host
        assert exchange._client.credentials is not None and exchange._client.credentials.api_key == key
        await exchange.close()


def test_trading_is_opt_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFORMANCE_ALLOW_TRADING", "1")
    assert get_target("binance-testnet").trading
