"""Building a venue and its symbols from plain (TOML-able) data."""

from __future__ import annotations

import tomllib

import pytest

from exchanges import ManualClock
from simulator import DEFAULT_SYMBOLS, SymbolSpec, symbols_from_config
from simulator.market import currencies_from_config, venue_from_config
from tests.simulator.helpers import D

TOML = """
[venue]
seed = 11
name = "kucoin"
maker_fee_rate = "0.0008"
taker_fee_rate = 0.001
max_active_per_symbol = 50
external = ["SOL-USDT"]

[venue.symbols.DOGE-USDT]
baseIncrement = "1"
quoteIncrement = "0.000001"
priceIncrement = "0.00001"
baseMinSize = "10"
quoteMinSize = "0.1"
initialPrice = 0.15

[[venue.currencies]]
currency = "DOGE"
fullName = "Dogecoin"
precision = 8

[venue.synthetic]
enabled = true
levels = 4
symbols = ["DOGE-USDT"]

[[venue.users]]
uid = "42"
balances = { USDT = "1000", DOGE = 500 }
"""


def test_from_toml() -> None:
    config = tomllib.loads(TOML)["venue"]
    venue, _ = venue_from_config(config, clock=ManualClock())
    assert venue.name == "kucoin" and venue.seed == 11 and venue.max_active_per_symbol == 50
    doge = venue.symbol("DOGE-USDT")
    assert doge.price_increment == D("0.00001") and doge.initial_price == D("0.15")
    assert doge.base_currency == "DOGE" and doge.fee_currency == "USDT" and doge.name == "DOGE-USDT"
    assert {s.symbol for s in venue.symbols()} == {s.symbol for s in DEFAULT_SYMBOLS} | {"DOGE-USDT"}
    assert venue.currency("DOGE").full_name == "Dogecoin"
    assert venue.is_external("SOL-USDT")
    assert len(venue.order_book("DOGE-USDT").bids) == 4
    assert venue.balance("42", "DOGE").balance == D("500")
    assert venue.fee_rates("42", "BTC-USDT").maker == D("0.0008")
    assert venue.market_names() == ["USDS", "BTC"] or set(venue.market_names()) == {"USDS", "BTC"}


def test_seed_argument_wins_and_defaults_can_be_dropped() -> None:
    venue, synthetic = venue_from_config(
        {
            "seed": 1,
            "default_symbols": False,
            "symbols": [
                {
                    "symbol": "ABC-USDT",
                    "baseIncrement": "1",
                    "quoteIncrement": "0.01",
                    "priceIncrement": "0.01",
                    "baseMinSize": "1",
                    "quoteMinSize": "1",
                }
            ],
        },
        seed=5,
    )
    assert venue.seed == 5 and [s.symbol for s in venue.symbols()] == ["ABC-USDT"]
    assert synthetic is None and venue.drivers == []


def test_bad_config_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown venue settings"):
        venue_from_config({"sed": 1})
    with pytest.raises(ValueError, match="symbol 'BTC'"):
        symbols_from_config([{"symbol": "BTC", "baseIncrement": "1"}])
    with pytest.raises(ValueError, match="must be BTC-USDT"):
        SymbolSpec(
            symbol="BTC-USD",
            base_currency="BTC",
            quote_currency="USDT",
            base_increment="1",
            quote_increment="1",
            price_increment="1",
            base_min_size="1",
            quote_min_size="1",
        )
    with pytest.raises(ValueError, match="positive"):
        symbols_from_config(
            {
                "X-Y": {
                    "baseIncrement": "0",
                    "quoteIncrement": "1",
                    "priceIncrement": "1",
                    "baseMinSize": "1",
                    "quoteMinSize": "1",
                }
            }
        )
    assert currencies_from_config([{"currency": "X", "fullName": "Ex"}])[0].full_name == "Ex"


def test_symbol_spec_market_view() -> None:
    spec = DEFAULT_SYMBOLS[3]
    market = spec.to_market(D("0.001"), D("0.002"))
    assert (market.symbol, market.id) == ("ETH/BTC", "ETH-BTC")
    assert market.funds_increment == spec.quote_increment and market.max_funds == spec.quote_max_size
    assert market.taker_fee_rate == D("0.002")
