"""Signature checks of the facade's keyring, on plain values (no HTTP)."""

from __future__ import annotations

from typing import Any

import pytest

from simulator.kucoin import errors
from simulator.kucoin.auth import Keyring, sign
from simulator.kucoin.config import AccountConfig, ApiKey

SECRET = "test_api_secret"
NOW = 1_700_000_000_000


@pytest.mark.parametrize(
    ("secret", "message", "expected"),
    [
        (
            "f03a5284-5c39-4aaa-9b20-dea10bdcf8e3",
            '1547015186532POST/api/v1/deposit-addresses{"currency":"BTC"}',
            "7QP/oM0ykidMdrfNEUmng8eZjg/ZvPafjIqmxiVfYu4=",
        ),
        ("test_api_secret", "test_plain", "jie/gxS38wLFFaBwl/cAzFbAzlI8MIny96jSXrB+iP4="),
        ("test_api_secret", "test_passphrase", "Ikr9KjwgA4urCb5Az1TNKgQELW10z84iOq+wsZsRRz0="),
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
    ],
)
def test_sign_matches_published_vectors(secret: str, message: str, expected: str) -> None:
    assert sign(secret, message) == expected


def _keyring(**key: Any) -> Keyring:
    fields: dict[str, Any] = {"key": "k1", "secret": SECRET, "passphrase": "test_passphrase"}
    fields.update(key)
    return Keyring([AccountConfig(uid=7, keys=(ApiKey(**fields),))])


def _headers(
    path: str,
    *,
    method: str = "GET",
    body: str = "",
    ts: int = NOW,
    version: str | None = "2",
    **override: str,
) -> dict[str, str]:
    headers = {
        "kc-api-key": "k1",
        "kc-api-sign": sign(SECRET, f"{ts}{method}{path}{body}"),
        "kc-api-timestamp": str(ts),
        "kc-api-passphrase": sign(SECRET, "test_passphrase") if version in ("2", "3") else "test_passphrase",
    }
    if version is not None:
        headers["kc-api-key-version"] = version
    headers.update(override)
    return headers


def _auth(
    ring: Keyring,
    headers: dict[str, str],
    *,
    method: str = "GET",
    path: str = "/api/v1/accounts",
    query: str = "",
    body: bytes = b"",
    ip: str = "127.0.0.1",
    permission: str | None = "General",
) -> int:
    principal = ring.authenticate(
        method=method,
        raw_path=path,
        query=query,
        body=body,
        headers=headers,
        client_ip=ip,
        now_ms=NOW,
        window_ms=5000,
        permission=permission,
    )
    return principal.uid


def _code(fn: Any) -> str:
    with pytest.raises(errors.ApiError) as info:
        fn()
    return info.value.code


@pytest.mark.parametrize(
    ("key_version", "header", "code"),
    [
        (1, None, None),  # python-kucoin: passphrase in clear, no version header
        (1, "1", None),
        (1, "2", "400004"),  # a v1 key read as v2: KuCoin expects the signed passphrase, fails it
        (1, "3", "400004"),
        (2, "2", None),  # CCXT, KuCoin's docs
        (2, "3", None),  # signing is the same for 2 and 3
        (2, "1", "400004"),  # a v2 key with its passphrase in clear: KuCoin refuses it
        (2, None, "400004"),
        (3, "3", None),  # the universal SDK
        (3, "2", None),  # CCXT with a current (v3) key
        (3, "1", "400004"),
        (3, None, "400004"),
    ],
)
def test_the_key_decides_its_passphrase_form(key_version: int, header: str | None, code: str | None) -> None:
    ring = _keyring(version=key_version)
    headers = _headers("/api/v1/accounts", version=header)
    if code is None:
        assert _auth(ring, headers) == 7
    else:
        assert _code(lambda: _auth(ring, headers)) == code


def test_a_version_header_of_the_other_family_fails_even_with_the_right_passphrase() -> None:
    signed, plain = sign(SECRET, "test_passphrase"), "test_passphrase"
    v2_read_as_v1 = {**_headers("/api/v1/accounts", version="1"), "kc-api-passphrase": signed}
    assert _code(lambda: _auth(_keyring(version=2), v2_read_as_v1)) == "400004"
    v1_read_as_v2 = {**_headers("/api/v1/accounts", version="2"), "kc-api-passphrase": plain}
    assert _code(lambda: _auth(_keyring(version=1), v1_read_as_v2)) == "400004"


def test_post_body_is_part_of_the_prehash() -> None:
    body = (
        '{"clientOid":"abc-1","side":"buy","symbol":"BTC-USDT","type":"limit","price":"10000","size":"0.001"}'
    )
    headers = _headers("/api/v1/hf/orders", method="POST", body=body)
    assert headers["kc-api-sign"] == "qqdARTp5eF5eE7IcYTZpodZo0ka291rq2O8x1h1nkmw="
    ring = _keyring()
    assert (
        _auth(ring, headers, method="POST", path="/api/v1/hf/orders", body=body.encode(), permission="Spot")
        == 7
    )
    tampered = body.replace("10000", "10001").encode()
    assert (
        _code(lambda: _auth(ring, headers, method="POST", path="/api/v1/hf/orders", body=tampered))
        == "400005"
    )


def test_query_is_accepted_as_received_and_decoded() -> None:
    ring = _keyring()
    wire = "symbol=BTC-USDT&remark=a%20b"
    signed_wire = _headers("/api/v1/x?" + wire)
    signed_plain = _headers("/api/v1/x?symbol=BTC-USDT&remark=a b")
    assert _auth(ring, signed_wire, path="/api/v1/x", query=wire) == 7
    assert _auth(ring, signed_plain, path="/api/v1/x", query=wire) == 7
    assert _code(lambda: _auth(ring, signed_plain, path="/api/v1/x", query="symbol=ETH-USDT")) == "400005"


@pytest.mark.parametrize("missing", ["kc-api-key", "kc-api-sign", "kc-api-timestamp", "kc-api-passphrase"])
def test_missing_header_is_400001(missing: str) -> None:
    headers = _headers("/api/v1/accounts")
    del headers[missing]
    assert _code(lambda: _auth(_keyring(), headers)) == "400001"


def test_each_failure_has_its_code() -> None:
    ring = _keyring(ip_whitelist=("10.0.0.0/8",), permissions=["General"])
    ok = _headers("/api/v1/accounts")
    assert _code(lambda: _auth(ring, {**ok, "kc-api-key": "nope"})) == "400003"
    assert _code(lambda: _auth(ring, {**ok, "kc-api-key-version": "7"})) == "400009"
    assert _code(lambda: _auth(ring, _headers("/api/v1/accounts", ts=NOW - 5001))) == "400002"
    assert _code(lambda: _auth(ring, _headers("/api/v1/accounts", ts=NOW + 5001))) == "400002"
    assert _code(lambda: _auth(ring, {**ok, "kc-api-timestamp": "soon"})) == "400002"
    assert _code(lambda: _auth(ring, {**ok, "kc-api-passphrase": "test_passphrase"})) == "400004"
    plain_wrong = {**_headers("/api/v1/accounts", version="1"), "kc-api-passphrase": "wrong"}
    assert _code(lambda: _auth(_keyring(version=1), plain_wrong)) == "400004"
    assert _code(lambda: _auth(ring, {**ok, "kc-api-sign": "AAAA"})) == "400005"
    assert _code(lambda: _auth(ring, ok, ip="127.0.0.1")) == "400006"
    assert _auth(ring, ok, ip="10.1.2.3") == 7
    assert _code(lambda: _auth(ring, ok, ip="10.1.2.3", permission="Spot")) == "400007"


def test_timestamp_at_the_edge_of_the_window_passes() -> None:
    assert _auth(_keyring(), _headers("/api/v1/accounts", ts=NOW - 5000)) == 7
    assert _auth(_keyring(), _headers("/api/v1/accounts", ts=NOW + 5000)) == 7


def test_keys_never_show_secrets() -> None:
    key = ApiKey(key="k", secret="s3cr3t", passphrase="p4ss")
    assert "s3cr3t" not in repr(key) and "p4ss" not in repr(key)
