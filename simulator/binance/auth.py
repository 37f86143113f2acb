"""Binance request authentication (NOTES section 3): the key in ``X-MBX-APIKEY`` (REST) or
``apiKey`` (WebSocket API), ``timestamp`` within ``recvWindow``, and the ``signature``.

REST signs the query string followed by the body, as sent (percent-encoded), with the
``signature`` pair left out; the percent-decoded form is accepted too (python-binance signs
its values unencoded). The WebSocket API signs its parameters sorted by name, unencoded.
An HMAC key's signature is hex, an Ed25519 or RSA (PKCS#1 v1.5, SHA-256) key's base64.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from urllib.parse import unquote_plus

import attrs
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from . import errors
from .config import AccountConfig, ApiKey

__all__ = ["Keyring", "Principal", "check_timing", "rest_payloads", "sign_hmac", "ws_payload"]

MAX_RECV_WINDOW = Decimal(60000)
DEFAULT_RECV_WINDOW = Decimal(5000)


def sign_hmac(secret: str, payload: str) -> str:
    """hex(HMAC-SHA256(secret, payload)): an HMAC key's signature."""
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


@attrs.frozen
class Principal:
    """The caller, once its key is known."""

    uid: int
    key: ApiKey


class _Verifier:
    """Checks one key's signatures."""

    def __init__(self, key: ApiKey) -> None:
        self.secret = key.secret.encode() if key.secret is not None else None
        self.public: Ed25519PublicKey | RSAPublicKey | None = None
        if key.public_key is not None:
            loaded = serialization.load_pem_public_key(key.public_key.encode())
            if not isinstance(loaded, Ed25519PublicKey | RSAPublicKey):
                raise ValueError(f"API key {key.key!r}: only Ed25519 and RSA public keys are taken")
            self.public = loaded

    def verify(self, payloads: Iterable[bytes], signature: str) -> bool:
        if self.secret is not None:
            given = signature.lower().encode("ascii", "replace")
            return any(
                hmac.compare_digest(given, hmac.new(self.secret, p, hashlib.sha256).hexdigest().encode())
                for p in payloads
            )
        try:
            raw = base64.b64decode(signature, validate=True)
        except (binascii.Error, ValueError):
            return False
        for payload in payloads:
            try:
                if isinstance(self.public, Ed25519PublicKey):
                    self.public.verify(raw, payload)
                else:
                    assert self.public is not None
                    self.public.verify(raw, payload, padding.PKCS1v15(), hashes.SHA256())
            except InvalidSignature:
                continue
            return True
        return False


class Keyring:
    """API keys by key string, each bound to one account."""

    def __init__(self, accounts: Iterable[AccountConfig] = ()) -> None:
        self._keys: dict[str, tuple[ApiKey, int, _Verifier]] = {}
        for account in accounts:
            for key in account.keys:
                self.add(key, account.uid)

    def add(self, key: ApiKey, uid: int) -> None:
        if key.key in self._keys:
            raise ValueError(f"API key {key.key!r} already exists")
        self._keys[key.key] = (key, uid, _Verifier(key))

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def principal(self, key_id: str | None) -> Principal:
        """The caller behind ``key_id``: ``-2014`` for no key, ``-2015`` for an unknown one."""
        if not key_id:
            raise errors.BinanceError(*errors.BAD_API_KEY_FMT)
        found = self._keys.get(key_id)
        if found is None:
            raise errors.BinanceError(*errors.REJECTED_MBX_KEY)
        key, uid, _ = found
        return Principal(uid, key)

    def verify(self, principal: Principal, payloads: Iterable[bytes], signature: str) -> None:
        _, _, verifier = self._keys[principal.key.key]
        if not verifier.verify(payloads, signature):
            raise errors.BinanceError(*errors.INVALID_SIGNATURE)


def check_timing(timestamp: str | None, recv_window: str | None, now_ms: int) -> None:
    """``timestamp`` (ms, or µs) must not be 1000 ms ahead of ``now_ms`` nor older than
    ``recvWindow`` (ms, up to three decimals; default 5000, at most 60000)."""
    if timestamp is None or timestamp == "":
        raise errors.mandatory("timestamp")
    if not timestamp.isdigit() or len(timestamp) > 17:
        raise errors.BinanceError(
            -1100, "Illegal characters found in parameter 'timestamp'; legal range is '^[0-9]{1,20}$'."
        )
    sent = int(timestamp)
    if sent > 10**14:  # microseconds
        sent //= 1000
    window = DEFAULT_RECV_WINDOW
    if recv_window is not None:
        try:
            window = Decimal(recv_window)
        except InvalidOperation:
            raise errors.bad_param("recvWindow") from None
        if not window.is_finite() or window <= 0 or window.as_tuple().exponent < -3:  # type: ignore[operator]
            raise errors.bad_param("recvWindow")
        if window > MAX_RECV_WINDOW:
            raise errors.BinanceError(
                -1102, "'recvWindow' contains unexpected value. Cannot be greater than 60000."
            )
    if sent >= now_ms + 1000:
        raise errors.BinanceError(*errors.TIMESTAMP_AHEAD)
    if now_ms - sent > window:
        raise errors.BinanceError(*errors.TIMESTAMP_OUTSIDE)


def _without_signature(raw: str) -> str:
    return "&".join(pair for pair in raw.split("&") if pair and not pair.startswith("signature="))


def rest_payloads(query: str, body: str) -> list[bytes]:
    """What a REST request's signature may cover: the query then the body as sent (the
    ``signature`` pair left out), and the same percent-decoded."""
    sent = _without_signature(query) + _without_signature(body)
    decoded = unquote_plus(sent)
    payloads = [sent.encode()]
    if decoded != sent:
        payloads.append(decoded.encode())
    return payloads


def ws_text(value: object) -> str:
    """A WebSocket API parameter's value as the signature takes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        import json

        return json.dumps(value, separators=(",", ":"))
    return str(value)


def ws_payload(params: Mapping[str, object]) -> bytes:
    """A WebSocket API request's signed payload: every parameter but ``signature``, sorted."""
    pairs = sorted((k, v) for k, v in params.items() if k != "signature")
    return "&".join(f"{k}={ws_text(v)}" for k, v in pairs).encode()
