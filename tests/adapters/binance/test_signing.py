"""Signing: the NOTES 3.3/3.4 vectors, the three key types, and credentials that never print."""

from __future__ import annotations

import base64
import copy
import pickle

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from adapters.binance import BinanceCredentials, KeyType
from adapters.binance.signing import encode_params, hmac_hex, with_signature, ws_payload
from exchanges import AuthenticationError

from .conftest import KEY, SECRET

REST_PARAMS = {
    "symbol": "LTCBTC",
    "side": "BUY",
    "type": "LIMIT",
    "timeInForce": "GTC",
    "quantity": "1",
    "price": "0.1",
    "recvWindow": 5000,
    "timestamp": 1499827319559,
}


def test_rest_vectors() -> None:
    payload = encode_params(REST_PARAMS)
    assert payload == (
        "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"
    )
    assert (
        hmac_hex(SECRET.encode(), payload)
        == "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
    )
    # query and body concatenated without a separator (NOTES 3.3, 1)
    split = (
        "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC"
        + "quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"
    )
    assert (
        hmac_hex(SECRET.encode(), split) == "0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77"
    )


def test_non_ascii_is_percent_encoded_before_signing() -> None:
    payload = encode_params({**REST_PARAMS, "symbol": "１２３４５６"})
    assert payload.startswith("symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY")
    assert (
        hmac_hex(SECRET.encode(), payload)
        == "e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3"
    )


def test_websocket_vectors() -> None:
    params = {
        "symbol": "BTCUSDT",
        "side": "SELL",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": "0.01000000",
        "price": "52000.00",
        "recvWindow": 100,
        "timestamp": 1645423376532,
        "apiKey": KEY,
        "signature": "ignored",
    }
    creds = BinanceCredentials(KEY, SECRET)
    assert (
        creds.sign(ws_payload(params)) == "aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24"
    )
    unicode = {
        **params,
        "price": "0.10000000",
        "quantity": "1.00000000",
        "recvWindow": 5000,
        "side": "BUY",
        "symbol": "１２３４５６",
    }
    assert (
        creds.sign(ws_payload(unicode)) == "b33892ae8e687c939f4468c6268ddd4c40ac1af18ad19a064864c47bae0752cd"
    )


def _pem(key: ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey, password: bytes | None = None) -> bytes:
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


def test_ed25519_signature_is_base64_over_the_payload_and_encoded_in_the_query() -> None:
    private = ed25519.Ed25519PrivateKey.generate()
    creds = BinanceCredentials(KEY, private_key=_pem(private))
    assert creds.key_type is KeyType.ED25519
    payload = encode_params(REST_PARAMS)
    signature = creds.sign(payload)
    private.public_key().verify(base64.b64decode(signature), payload.encode())  # raises if wrong
    query = with_signature(payload, signature)
    assert "+" not in query.split("signature=")[1] and "/" not in query.split("signature=")[1]


def test_rsa_signature_is_pkcs1v15_sha256() -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    creds = BinanceCredentials(KEY, private_key=_pem(private, b"pw"), private_key_password="pw")
    assert creds.key_type is KeyType.RSA
    signature = creds.sign("symbol=BTCUSDT&timestamp=1")
    private.public_key().verify(
        base64.b64decode(signature), b"symbol=BTCUSDT&timestamp=1", padding.PKCS1v15(), hashes.SHA256()
    )


def test_a_secret_holding_a_pem_key_is_read_as_one() -> None:
    pem = _pem(ed25519.Ed25519PrivateKey.generate()).decode()
    assert BinanceCredentials(KEY, pem).key_type is KeyType.ED25519


def test_bad_keys_are_refused_without_quoting_them() -> None:
    with pytest.raises(ValueError, match="exactly one of secret"):
        BinanceCredentials(KEY)
    with pytest.raises(ValueError, match="cannot read the Binance private key") as info:
        BinanceCredentials(
            KEY, private_key="-----BEGIN PRIVATE KEY-----\nnot-a-key-at-all\n-----END PRIVATE KEY-----\n"
        )
    assert "not-a-key" not in str(info.value)
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    with pytest.raises(ValueError, match="2048 bits"):
        BinanceCredentials(KEY, private_key=_pem(small))


def test_credentials_never_print_or_pickle() -> None:
    creds = BinanceCredentials(KEY, SECRET)
    for text in (repr(creds), str(creds), f"{creds}", repr([creds])):
        assert KEY not in text and SECRET not in text
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(creds)
    assert copy.deepcopy(creds) is creds


def test_from_env(tmp_path: object) -> None:
    creds = BinanceCredentials.from_env({"BINANCE_API_KEY": KEY, "BINANCE_API_SECRET": SECRET})
    assert creds.key_type is KeyType.HMAC
    with pytest.raises(AuthenticationError, match="BINANCE_API_SECRET") as info:
        BinanceCredentials.from_env({"BINANCE_API_KEY": KEY})
    assert KEY not in str(info.value)
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    key_file = tmp_path / "ed25519.pem"
    key_file.write_bytes(_pem(ed25519.Ed25519PrivateKey.generate()))
    env = {"BINANCE_API_KEY": KEY, "BINANCE_PRIVATE_KEY_FILE": str(key_file)}
    assert BinanceCredentials.from_env(env).key_type is KeyType.ED25519
