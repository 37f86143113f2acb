import pytest
from hypothesis import given
from hypothesis import strategies as st

from exchanges import BadSymbol, ConcatCodec, codec_for, parse_symbol, unified_symbol

currency = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=10)


def test_parse_and_build() -> None:
    assert parse_symbol("BTC/USDT") == ("BTC", "USDT")
    assert unified_symbol("1INCH", "USDT") == "1INCH/USDT"


@pytest.mark.parametrize(
    "bad", ["BTCUSDT", "BTC-USDT", "btc/usdt", "BTC/", "/USDT", "BTC/USDT/X", "BTC/BTC", "B TC/USDT", ""]
)
def test_bad_unified_symbols(bad: str) -> None:
    with pytest.raises(BadSymbol):
        parse_symbol(bad)


def test_non_string_is_bad_symbol() -> None:
    with pytest.raises(BadSymbol):
        parse_symbol(42)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("venue", "native"),
    [("kucoin", "BTC-USDT"), ("okx", "BTC-USDT"), ("gate", "BTC_USDT"), ("coinbase", "BTC-USDT")],
)
def test_separator_venues(venue: str, native: str) -> None:
    codec = codec_for(venue)
    assert codec.to_native("BTC/USDT") == native
    assert codec.from_native(native) == "BTC/USDT"
    with pytest.raises(BadSymbol) as info:
        codec.from_native("BTCUSDT")
    assert info.value.venue == venue


@pytest.mark.parametrize("venue", ["binance", "bybit", "bitget"])
def test_concatenating_venues_need_the_market_list(venue: str) -> None:
    with pytest.raises(ValueError, match="market list"):
        codec_for(venue)
    codec = codec_for(venue, ["BTC/USDT", "ETH/BTC", "USDT/TRY"])
    assert codec.to_native("ETH/BTC") == "ETHBTC"
    assert codec.from_native("USDTTRY") == "USDT/TRY"
    with pytest.raises(BadSymbol, match="unknown"):
        codec.from_native("DOGEUSDT")


def test_ambiguous_concatenation_is_refused() -> None:
    with pytest.raises(ValueError, match="ambiguous"):
        ConcatCodec.from_symbols("binance", ["AB/CD", "ABC/D"])


def test_unknown_venue() -> None:
    with pytest.raises(ValueError, match="no symbol codec"):
        codec_for("nowhere")


@given(currency, currency, st.sampled_from(["kucoin", "okx", "gate", "coinbase", "paper"]))
def test_separator_round_trip(base: str, quote: str, venue: str) -> None:
    if base == quote:
        return
    codec = codec_for(venue)
    symbol = f"{base}/{quote}"
    assert codec.from_native(codec.to_native(symbol)) == symbol


@given(st.lists(st.tuples(currency, currency), min_size=1, max_size=30))
def test_concat_round_trip(pairs: list[tuple[str, str]]) -> None:
    symbols = sorted({f"{b}/{q}" for b, q in pairs if b != q})
    try:
        codec = codec_for("binance", symbols)
    except ValueError:
        return  # an ambiguous list is refused up front
    for symbol in symbols:
        assert codec.from_native(codec.to_native(symbol)) == symbol


def test_a_native_symbol_of_one_currency_twice_is_refused() -> None:
    with pytest.raises(BadSymbol, match="one currency"):
        codec_for("gate").from_native("BTC_BTC")


def test_concat_codecs_are_hashable_and_compare_by_their_markets() -> None:
    a = ConcatCodec.from_symbols("binance", ["BTC/USDT"])
    b = ConcatCodec.from_symbols("binance", ["BTC/USDT"])
    c = ConcatCodec.from_symbols("binance", ["ETH/USDT"])
    assert a == b and hash(a) == hash(b) and a != c
    assert len({a, b, c}) == 2
