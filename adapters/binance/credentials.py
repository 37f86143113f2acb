"""Binance API credentials (NOTES 3.1): an HMAC secret, or an Ed25519 or RSA private key.

Nothing secret prints: the HMAC secret is turned at once into a keyed HMAC object, a
private key into a ``cryptography`` key object, and the API key sits in a box whose
``repr`` is a placeholder; only a short fingerprint of the key ever shows. The objects
refuse to be pickled.

HMAC signatures are lower-case hex; Ed25519 (Binance's recommended type) and RSA
(PKCS#1 v1.5 over SHA-256) signatures are base64. The ``cryptography`` package is needed
only for the two key types.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any, NoReturn

from adapters.common import Hidden, refuse_pickle
from exchanges import AuthenticationError

__all__ = ["ENV_KEY", "ENV_KEY_FILE", "ENV_KEY_PASSWORD", "ENV_SECRET", "BinanceCredentials", "KeyType"]

ENV_KEY = "BINANCE_API_KEY"
ENV_SECRET = "BINANCE_API_SECRET"
ENV_KEY_FILE = "BINANCE_PRIVATE_KEY_FILE"
ENV_KEY_PASSWORD = "BINANCE_PRIVATE_KEY_PASSWORD"


class KeyType(StrEnum):
    HMAC = "HMAC"
    ED25519 = "ED25519"
    RSA = "RSA"


def _load_private_key(pem: bytes, password: str | None) -> tuple[KeyType, Any]:
    try:
        from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
        from cryptography.hazmat.primitives.serialization import load_pem_private_key
    except ImportError:  # pragma: no cover - a declared dependency
        raise ValueError("Ed25519 and RSA keys need the 'cryptography' package") from None
    try:
        key = load_pem_private_key(pem, password.encode() if password else None)
    except (ValueError, TypeError) as exc:
        # (the library's message never quotes the key, but keep only its kind to be sure)
        raise ValueError(f"cannot read the Binance private key: {type(exc).__name__}") from None
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return KeyType.ED25519, key
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size < 2048:
            raise ValueError(f"Binance takes RSA keys of 2048 bits or more, not {key.key_size}")
        return KeyType.RSA, key
    raise ValueError(f"Binance takes HMAC, Ed25519 or RSA keys, not {type(key).__name__}")


class BinanceCredentials:
    """One Binance API key and what signs for it: ``secret`` (HMAC) or ``private_key`` (the
    PEM text of an Ed25519 or RSA key, unencrypted or with ``private_key_password``). A
    ``secret`` holding a PEM private key is read as one (as CCXT does)."""

    __slots__ = ("_key", "_mac", "_private", "fingerprint", "key_type")

    def __init__(
        self,
        key: str,
        secret: str | None = None,
        *,
        private_key: str | bytes | None = None,
        private_key_password: str | None = None,
    ) -> None:
        if not isinstance(key, str) or not key:
            raise ValueError("Binance API key must be a non-empty str")
        if isinstance(secret, str) and "PRIVATE KEY" in secret and private_key is None:
            secret, private_key = None, secret
        if (secret is None) == (private_key is None):
            raise ValueError("pass exactly one of secret (HMAC keys) or private_key (Ed25519, RSA)")
        self._key = Hidden(key)
        self._mac: Any = None
        self._private: Any = None
        if secret is not None:
            if not isinstance(secret, str) or not secret:
                raise ValueError("Binance API secret must be a non-empty str")
            self._mac = hmac.new(secret.encode(), digestmod=hashlib.sha256)
            self.key_type = KeyType.HMAC
        else:
            pem = private_key.encode() if isinstance(private_key, str) else private_key
            if not isinstance(pem, bytes) or not pem:
                raise ValueError("Binance private key must be PEM text")
            self.key_type, self._private = _load_private_key(pem, private_key_password)
        #: Enough to tell keys apart in logs and rate-limit registries; reveals nothing.
        self.fingerprint = hashlib.sha256(key.encode()).hexdigest()[:12]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> BinanceCredentials:
        """``BINANCE_API_KEY`` with ``BINANCE_API_SECRET`` (HMAC) or ``BINANCE_PRIVATE_KEY_FILE``
        (a PEM file of an Ed25519 or RSA key; ``BINANCE_PRIVATE_KEY_PASSWORD`` if encrypted)."""
        env = os.environ if environ is None else environ
        key, secret, key_file = env.get(ENV_KEY), env.get(ENV_SECRET), env.get(ENV_KEY_FILE)
        if not key or not (secret or key_file):
            missing = [ENV_KEY] if not key else []
            if not (secret or key_file):
                missing.append(f"{ENV_SECRET} (or {ENV_KEY_FILE})")
            names = ", ".join(missing)
            raise AuthenticationError(f"missing environment variable(s): {names}", venue="binance")
        if key_file:
            try:
                pem = Path(key_file).read_bytes()
            except OSError as exc:
                raise ValueError(f"{ENV_KEY_FILE}: cannot read {key_file}: {exc.strerror}") from None
            return cls(key, private_key=pem, private_key_password=env.get(ENV_KEY_PASSWORD) or None)
        return cls(key, secret)

    @property
    def api_key(self) -> str:
        """The key itself (an identifier, sent in ``X-MBX-APIKEY``; not a secret, but kept
        out of ``repr`` all the same)."""
        return self._key.reveal()

    def sign(self, payload: str) -> str:
        """The signature of ``payload``: hex for HMAC, base64 for Ed25519 and RSA."""
        if self._mac is not None:
            mac = self._mac.copy()
            mac.update(payload.encode())
            return str(mac.hexdigest())
        data = payload.encode()
        if self.key_type is KeyType.ED25519:
            raw = self._private.sign(data)
        else:
            from cryptography.hazmat.primitives import hashes
            from cryptography.hazmat.primitives.asymmetric import padding

            raw = self._private.sign(data, padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(raw).decode()

    def __repr__(self) -> str:
        return f"BinanceCredentials(fingerprint={self.fingerprint!r}, key_type={self.key_type.value})"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __reduce__(self) -> NoReturn:
        refuse_pickle("BinanceCredentials")

    def __copy__(self) -> BinanceCredentials:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> BinanceCredentials:
        return self
