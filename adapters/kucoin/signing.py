"""KuCoin request signing as pure functions (no I/O, no clock): testable with plain values.

``prehash = timestamp + METHOD + path[?query] + body``; the signature is
base64(HMAC-SHA256(secret, prehash)). Key versions 2 and 3 also sign the passphrase with
the secret; version 1 sends it in clear. The body signed must be the exact bytes sent, so
bodies are serialised once, compactly, by :func:`compact_json`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

__all__ = [
    "SUPPORTED_KEY_VERSIONS",
    "compact_json",
    "encode_query",
    "passphrase_header",
    "prehash",
    "sign",
]

SUPPORTED_KEY_VERSIONS = frozenset({1, 2, 3})

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode


def compact_json(payload: Any) -> str:
    """The body text as sent and as signed: no spaces, UTF-8 kept as is."""
    return _dumps(payload)


def encode_query(params: Mapping[str, object]) -> str:
    """``k=v&k2=v2`` in the given order; ``None`` values are dropped; booleans are ``true``/``false``.

    Values are percent-encoded only where needed (symbols, ids and numbers pass through
    unchanged, so the signed form and the wire form are the same string, as KuCoin wants).
    """
    parts = []
    for name, value in params.items():
        if value is None:
            continue
        if value is True:
            text = "true"
        elif value is False:
            text = "false"
        else:
            text = str(value)
        parts.append(f"{name}={quote(text, safe='-_.~,')}")
    return "&".join(parts)


def prehash(timestamp: str, method: str, path_and_query: str, body: str = "") -> str:
    return timestamp + method.upper() + path_and_query + body


def sign(secret: bytes, message: str) -> str:
    """base64(HMAC-SHA256(secret, message))."""
    return base64.b64encode(hmac.new(secret, message.encode(), hashlib.sha256).digest()).decode()


def passphrase_header(secret: bytes, passphrase: str, key_version: int) -> str:
    """What goes in ``KC-API-PASSPHRASE``: signed for key versions 2 and 3, clear for 1."""
    if key_version not in SUPPORTED_KEY_VERSIONS:
        raise ValueError(f"unsupported KuCoin key version {key_version!r}; expected 1, 2 or 3")
    return passphrase if key_version == 1 else sign(secret, passphrase)
