"""API credentials that cannot leak through ``repr``, ``str``, logs, tracebacks or pickles.

The secret is never kept as a string: it is turned into a keyed HMAC object at once (which
is also what makes signing cheap: one ``copy()`` per request instead of a key schedule).
The key and the passphrase header are kept in :class:`Hidden` boxes whose ``repr`` is a
placeholder, so any object that contains credentials, at any depth, prints safely.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Mapping
from typing import Any, NoReturn

from adapters.common import Hidden, refuse_pickle
from exchanges import AuthenticationError

from .signing import SUPPORTED_KEY_VERSIONS, passphrase_header

__all__ = ["KucoinCredentials"]

ENV_KEY = "KUCOIN_API_KEY"
ENV_SECRET = "KUCOIN_API_SECRET"
ENV_PASSPHRASE = "KUCOIN_API_PASSPHRASE"
ENV_KEY_VERSION = "KUCOIN_API_KEY_VERSION"


class KucoinCredentials:
    """Key, secret and passphrase of one KuCoin API key (key version 2 by default; 3 and the
    legacy 1 selectable). Only a short fingerprint of the key ever prints."""

    __slots__ = ("_key", "_mac", "_passphrase", "fingerprint", "key_version")

    def __init__(self, key: str, secret: str, passphrase: str, key_version: int = 2) -> None:
        for name, value in (("key", key), ("secret", secret), ("passphrase", passphrase)):
            if not isinstance(value, str) or not value:
                raise ValueError(f"KuCoin API {name} must be a non-empty str")
        if key_version not in SUPPORTED_KEY_VERSIONS:
            raise ValueError(f"unsupported KuCoin key version {key_version!r}; expected 1, 2 or 3")
        secret_bytes = secret.encode()
        self._key = Hidden(key)
        self._mac = hmac.new(secret_bytes, digestmod=hashlib.sha256)
        self._passphrase = Hidden(passphrase_header(secret_bytes, passphrase, key_version))
        self.key_version = key_version
        #: Enough to tell keys apart in logs and rate-limit registries; reveals nothing.
        self.fingerprint = hashlib.sha256(key.encode()).hexdigest()[:12]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> KucoinCredentials:
        """Read ``KUCOIN_API_KEY``, ``KUCOIN_API_SECRET``, ``KUCOIN_API_PASSPHRASE`` (and the
        optional ``KUCOIN_API_KEY_VERSION``)."""
        env = os.environ if environ is None else environ
        missing = [n for n in (ENV_KEY, ENV_SECRET, ENV_PASSPHRASE) if not env.get(n)]
        if missing:
            names = ", ".join(missing)
            raise AuthenticationError(f"missing environment variable(s): {names}", venue="kucoin")
        version_text = env.get(ENV_KEY_VERSION) or "2"
        if not version_text.isdigit():
            raise ValueError(f"{ENV_KEY_VERSION} must be 1, 2 or 3")
        return cls(env[ENV_KEY], env[ENV_SECRET], env[ENV_PASSPHRASE], int(version_text))

    def sign(self, message: str) -> str:
        """base64(HMAC-SHA256(secret, message)), without the secret leaving this object."""
        mac = self._mac.copy()
        mac.update(message.encode())
        return base64.b64encode(mac.digest()).decode()

    def headers(self, timestamp: str, message: str) -> SignedHeaders:
        """The ``KC-API-*`` headers for one request whose prehash is ``message``."""
        return SignedHeaders(
            {
                "KC-API-KEY": self._key.reveal(),
                "KC-API-SIGN": self.sign(message),
                "KC-API-TIMESTAMP": timestamp,
                "KC-API-PASSPHRASE": self._passphrase.reveal(),
                "KC-API-KEY-VERSION": str(self.key_version),
            }
        )

    def __repr__(self) -> str:
        return f"KucoinCredentials(fingerprint={self.fingerprint!r}, key_version={self.key_version})"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __reduce__(self) -> NoReturn:
        refuse_pickle("KucoinCredentials")

    def __copy__(self) -> KucoinCredentials:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> KucoinCredentials:
        return self


class SignedHeaders(dict[str, str]):
    """A request's ``KC-API-*`` headers, which hold the key and the passphrase: a dict whose
    repr shows neither, so a traceback that prints local variables (``pytest -l``, Sentry,
    ``capture_locals``) does not either."""

    def __repr__(self) -> str:
        return f"SignedHeaders({sorted(self)}, values hidden)"

    __str__ = __repr__
