"""Signing: the published vector, the vectors computed in NOTES section 3, and headers."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.kucoin import KucoinCredentials
from adapters.kucoin.signing import compact_json, encode_query, passphrase_header, prehash, sign

VECTORS = [
    (
        "f03a5284-5c39-4aaa-9b20-dea10bdcf8e3",
        '1547015186532POST/api/v1/deposit-addresses{"currency":"BTC"}',
        "7QP/oM0ykidMdrfNEUmng8eZjg/ZvPafjIqmxiVfYu4=",
    ),
    ("test_api_secret", "test_plain", "jie/gxS38wLFFaBwl/cAzFbAzlI8MIny96jSXrB+iP4="),
    (
        "test_api_secret",
        "1700000000000GET/api/v1/hf/orders/active?symbol=BTC-USDT",
        "aFaQtAnmPjIi2Iiqobsv/erj2DY1RCsqN9us/zMZPmA=",
    ),
    (
        "test_api_secret",
        "1700000000000DELETE/api/v1/hf/orders/abc123?symbol=BTC-USDT",
        "FITIkfsGscl6O9KboujEcVqtY5zn6Ejr6szB+JBK/t4=",
    ),
    (
        "test_api_secret",
        '1700000000000POST/api/v1/hf/orders{"clientOid":"abc-1","side":"buy","symbol":"BTC-USDT",'
        '"type":"limit","price":"10000","size":"0.001"}',
        "qqdARTp5eF5eE7IcYTZpodZo0ka291rq2O8x1h1nkmw=",
    ),
]


@pytest.mark.parametrize(("secret", "message", "expected"), VECTORS)
def test_vectors(secret: str, message: str, expected: str) -> None:
    assert sign(secret.encode(), message) == expected
    assert KucoinCredentials("k", secret, "p").sign(message) == expected


def test_prehash_joins_timestamp_method_path_and_body() -> None:
    assert prehash("1547015186532", "post", "/api/v1/deposit-addresses", '{"currency":"BTC"}') == (
        '1547015186532POST/api/v1/deposit-addresses{"currency":"BTC"}'
    )
    assert prehash("1", "GET", "/api/v1/accounts?currency=BTC") == "1GET/api/v1/accounts?currency=BTC"


def test_passphrase_signed_for_v2_and_v3_plain_for_v1() -> None:
    expected = "Ikr9KjwgA4urCb5Az1TNKgQELW10z84iOq+wsZsRRz0="
    assert passphrase_header(b"test_api_secret", "test_passphrase", 2) == expected
    assert passphrase_header(b"test_api_secret", "test_passphrase", 3) == expected
    assert passphrase_header(b"test_api_secret", "test_passphrase", 1) == "test_passphrase"
    with pytest.raises(ValueError, match="key version"):
        passphrase_header(b"s", "p", 4)


@pytest.mark.parametrize("version", [1, 2, 3])
def test_credential_headers(version: int) -> None:
    creds = KucoinCredentials("the-key", "test_api_secret", "test_passphrase", key_version=version)
    message = "1700000000000GET/api/v1/hf/orders/active?symbol=BTC-USDT"
    headers = creds.headers("1700000000000", message)
    assert headers["KC-API-KEY"] == "the-key"
    assert headers["KC-API-SIGN"] == "aFaQtAnmPjIi2Iiqobsv/erj2DY1RCsqN9us/zMZPmA="
    assert headers["KC-API-TIMESTAMP"] == "1700000000000"
    assert headers["KC-API-KEY-VERSION"] == str(version)
    signed = "Ikr9KjwgA4urCb5Az1TNKgQELW10z84iOq+wsZsRRz0="
    assert headers["KC-API-PASSPHRASE"] == ("test_passphrase" if version == 1 else signed)


def test_compact_json_is_what_gets_signed() -> None:
    body = {"clientOid": "abc-1", "side": "buy", "symbol": "BTC-USDT", "type": "limit", "price": "10000"}
    text = compact_json(body)
    assert " " not in text
    assert text == '{"clientOid":"abc-1","side":"buy","symbol":"BTC-USDT","type":"limit","price":"10000"}'
    assert compact_json({"remark": "café"}) == '{"remark":"café"}'


def test_encode_query_keeps_order_drops_none_and_spells_booleans() -> None:
    assert encode_query({"symbol": "BTC-USDT", "lastId": None, "limit": 100, "x": True}) == (
        "symbol=BTC-USDT&limit=100&x=true"
    )
    assert encode_query({"symbols": "BTC-USDT,ETH-USDT"}) == "symbols=BTC-USDT,ETH-USDT"
    assert encode_query({"q": "a b&c"}) == "q=a%20b%26c"


@settings(max_examples=50)
@given(secret=st.text(min_size=1, max_size=40), message=st.text(max_size=200))
def test_fast_signing_equals_reference(secret: str, message: str) -> None:
    reference = base64.b64encode(
        hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()
    ).decode()
    assert KucoinCredentials("k", secret, "p").sign(message) == reference
    assert sign(secret.encode(), message) == reference
