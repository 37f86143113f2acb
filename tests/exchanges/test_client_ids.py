import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exchanges import (
    CLIENT_ID_RULES,
    InvalidClientOrderId,
    new_client_order_id,
    rule_for,
    translate_client_order_id,
    validate_client_order_id,
)

VENUES = sorted(CLIENT_ID_RULES)


def test_table_rows() -> None:
    kucoin = rule_for("kucoin")
    assert (kucoin.place_field, kucoin.max_length) == ("clientOid", 40)
    binance = rule_for("binance")
    assert (binance.place_field, binance.cancel_field, binance.query_field) == (
        "newClientOrderId",
        "origClientOrderId",
        "origClientOrderId",
    )
    assert rule_for("bybit").place_field == "orderLinkId"
    assert rule_for("okx").place_field == "clOrdId"
    assert rule_for("gate").place_field == "text" and rule_for("gate").prefix == "t-"
    assert rule_for("bitget").place_field == "clientOid"
    assert rule_for("coinbase").place_field == "client_order_id"
    assert rule_for("paper") is kucoin
    with pytest.raises(ValueError, match="no client order id rules"):
        rule_for("nowhere")


@pytest.mark.parametrize(
    ("venue", "client_id", "rule"),
    [
        ("kucoin", "a" * 41, "longer than the maximum of 40"),
        ("kucoin", "", "must not be empty"),
        ("kucoin", "bad id", "' '"),
        ("kucoin", "x!", "'!'"),
        ("okx", "has-dash", "only letters and digits"),
        ("gate", "no-prefix", "must start with 't-'"),
        ("gate", "t-", "after the 't-' prefix"),
        ("gate", "t-" + "a" * 29, "longer than the maximum of 30"),
        ("binance", "a" * 37, "maximum of 36"),
        ("binance", "my.order:1/2", "'.', '/', ':'; only letters, digits, '_' and '-'"),
    ],
)
def test_validation_names_the_rule(venue: str, client_id: str, rule: str) -> None:
    with pytest.raises(InvalidClientOrderId) as info:
        validate_client_order_id(venue, client_id)
    assert rule in str(info.value)
    assert info.value.venue == venue


def test_validation_accepts_good_ids() -> None:
    assert validate_client_order_id("kucoin", "5c52e11203aa677f33e493fb") == "5c52e11203aa677f33e493fb"
    assert validate_client_order_id("binance", "x-HNA2TXFJ_0123456789abcdef") == "x-HNA2TXFJ_0123456789abcdef"
    assert validate_client_order_id("gate", "t-abc_1.2") == "t-abc_1.2"
    with pytest.raises(InvalidClientOrderId, match="must be a str"):
        validate_client_order_id("kucoin", 12)


def test_generated_ids_sort_by_time() -> None:
    early = new_client_order_id("kucoin", now_ms=1_700_000_000_000)
    late = new_client_order_id("kucoin", now_ms=1_700_000_000_001)
    assert early < late


def test_tag_is_cleaned_and_fitted() -> None:
    cid = new_client_order_id("okx", tag="my-bot_01")
    assert cid.startswith("mybot01") and re.fullmatch("[A-Za-z0-9]+", cid)
    long = new_client_order_id("gate", tag="x" * 50)
    assert long.startswith("t-x") and len(long) == 30


@given(st.sampled_from(VENUES), st.text(max_size=12))
def test_generated_ids_are_valid(venue: str, tag: str) -> None:
    validate_client_order_id(venue, new_client_order_id(venue, tag=tag))


@pytest.mark.parametrize("venue", VENUES)
def test_generated_ids_unique_in_bulk(venue: str) -> None:
    ids = [new_client_order_id(venue) for _ in range(20_000)]
    assert len(set(ids)) == len(ids)


@given(st.text(max_size=80), st.sampled_from(VENUES))
def test_translation_is_valid_and_deterministic(source: str, venue: str) -> None:
    out = translate_client_order_id(source, venue)
    validate_client_order_id(venue, out)
    assert translate_client_order_id(source, venue) == out


@given(st.text(min_size=1, max_size=60), st.text(min_size=1, max_size=60), st.sampled_from(VENUES))
def test_translation_keeps_distinct_ids_distinct(a: str, b: str, venue: str) -> None:
    if a != b:
        assert translate_client_order_id(a, venue) != translate_client_order_id(b, venue)


def test_valid_ids_pass_through_translation() -> None:
    assert translate_client_order_id("abc-123", "kucoin") == "abc-123"
    assert translate_client_order_id("abc-123", "okx") != "abc-123"
