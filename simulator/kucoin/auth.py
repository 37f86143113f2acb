"""KuCoin request authentication, as the gateway checks it (NOTES section 3).

Order of checks, each with its own code: the four headers (400001), the key (400003), the
key-version header (400009), the timestamp against the simulator clock (400002), the
passphrase (400004), the signature (400005), the caller's IP (400006), the endpoint's
permission (400007).

The passphrase's form is the key's own: a v1 key's passphrase is sent in clear (what
python-kucoin does, with no ``KC-API-KEY-VERSION``), a v2 or v3 key's as
base64(HMAC-SHA256(secret, passphrase)). A version header of the other family (absent or ``1``
for a v2/v3 key, ``2``/``3`` for a v1 key) is refused with 400004, as KuCoin answers a v2 key
sent in clear and a v1 key sent as v2; 400009 stays for a header that names no version, and
400008 is KuCoin's refusal of old keys on v3-only APIs, which the simulator does not have.
``2`` and ``3`` are interchangeable (same signing; CCXT sends ``2`` for current v3 keys).
The prehash is ``timestamp + METHOD + path[?query] + body``; the query is accepted both as
received on the wire and percent-decoded, since clients sign one or the other.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from urllib.parse import unquote, unquote_plus

import attrs

from . import errors
from .config import AccountConfig, ApiKey
from .numbers import parse_int

__all__ = ["Keyring", "Principal", "sign"]


def sign(secret: str, message: str) -> str:
    """base64(HMAC-SHA256(secret, message)): KuCoin's signature and signed passphrase."""
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


@attrs.frozen
class Principal:
    """The caller, once authenticated."""

    uid: int
    key: ApiKey


class Keyring:
    """API keys by key string, each bound to one account."""

    def __init__(self, accounts: Iterable[AccountConfig] = ()) -> None:
        self._keys: dict[str, tuple[ApiKey, int]] = {}
        self._signed_passphrases: dict[str, bytes] = {}
        for account in accounts:
            for key in account.keys:
                self.add(key, account.uid)

    def add(self, key: ApiKey, uid: int) -> None:
        if key.key in self._keys:
            raise ValueError(f"API key {key.key!r} already exists")
        self._keys[key.key] = (key, uid)
        self._signed_passphrases[key.key] = sign(key.secret, key.passphrase).encode()

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def __len__(self) -> int:
        return len(self._keys)

    def authenticate(
        self,
        *,
        method: str,
        raw_path: str,
        query: str,
        body: bytes,
        headers: Mapping[str, str],
        client_ip: str,
        now_ms: int,
        window_ms: int,
        permission: str | None,
    ) -> Principal:
        """Check a private request; raise ``errors.ApiError`` with KuCoin's code if it fails."""
        key_id = headers.get("kc-api-key")
        signature = headers.get("kc-api-sign")
        timestamp = headers.get("kc-api-timestamp")
        passphrase = headers.get("kc-api-passphrase")
        if not key_id or not signature or not timestamp or not passphrase:
            raise errors.ApiError(*errors.MISSING_HEADERS)
        found = self._keys.get(key_id)
        if found is None:
            raise errors.ApiError(*errors.UNKNOWN_KEY)
        key, uid = found
        version = headers.get("kc-api-key-version", "1").strip() or "1"
        if version not in ("1", "2", "3"):
            raise errors.ApiError(*errors.BAD_KEY_VERSION)
        sent_ms = parse_int(timestamp, max_digits=16)
        if sent_ms is None or abs(sent_ms - now_ms) > window_ms:
            raise errors.ApiError(*errors.BAD_TIMESTAMP)
        in_clear = key.version == 1
        if (version == "1") != in_clear:
            raise errors.ApiError(*errors.BAD_PASSPHRASE)
        expected_pass = key.passphrase.encode() if in_clear else self._signed_passphrases[key_id]
        if not hmac.compare_digest(passphrase.encode(), expected_pass):
            raise errors.ApiError(*errors.BAD_PASSPHRASE)
        if not _signature_matches(key.secret, signature, timestamp, method, raw_path, query, body):
            raise errors.ApiError(*errors.BAD_SIGNATURE)
        if not key.allows_ip(client_ip):
            raise errors.ip_not_allowed(client_ip)
        if permission is not None and permission not in key.permissions:
            raise errors.access_denied()
        return Principal(uid, key)


def _signature_matches(
    secret: str, signature: str, timestamp: str, method: str, raw_path: str, query: str, body: bytes
) -> bool:
    try:
        given = signature.encode("ascii")
        text_body = body.decode()
    except UnicodeError:
        return False
    head = timestamp + method.upper()
    received = raw_path + ("?" + query if query else "")
    if hmac.compare_digest(given, sign(secret, head + received + text_body).encode()):
        return True
    decoded = unquote(raw_path) + ("?" + unquote_plus(query) if query else "")
    if decoded == received:
        return False
    return hmac.compare_digest(given, sign(secret, head + decoded + text_body).encode())
