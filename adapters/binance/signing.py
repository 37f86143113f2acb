"""Binance request signing as pure functions (no I/O, no clock): testable with plain values.

REST (NOTES 3.3): the payload is the query string (GET, DELETE) or the form body (POST, PUT)
exactly as sent, percent-encoded before signing since 2026-01-15: ``A-Z a-z 0-9 - _ . ~``
stay, everything else is ``%XX`` of its UTF-8 bytes in upper-case hex. The signature goes
last, itself percent-encoded (base64's ``+ / =`` for RSA and Ed25519 keys).

WebSocket API (NOTES 3.4): every parameter but ``signature``, sorted by name, ``k=v`` joined
by ``&``, values as UTF-8 text, not encoded.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from decimal import Decimal
from urllib.parse import quote

__all__ = ["encode_params", "hmac_hex", "value_text", "with_signature", "ws_payload"]

_NEEDS_QUOTING = re.compile(r"[^A-Za-z0-9_.~-]").search


def value_text(value: object) -> str:
    """A parameter's text: booleans ``true``/``false``, decimals never in exponent form."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, Decimal):
        text = format(value, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text or "0"
    return str(value)


def encode_params(params: Mapping[str, object]) -> str:
    """``k=v&k2=v2`` in the given order, percent-encoded; ``None`` values are dropped. (Every
    placement signs one: plain strings and numbers skip the quoting they do not need.)"""
    parts = []
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, str):
            text = value
        elif type(value) is int:  # (not a bool)
            text = str(value)
        else:
            text = value_text(value)
        if _NEEDS_QUOTING(text) is not None:
            text = quote(text, safe="-_.~")
        parts.append(f"{name}={text}")
    return "&".join(parts)


def with_signature(query: str, signature: str) -> str:
    """``query`` with the signature appended last, percent-encoded."""
    tail = f"signature={quote(signature, safe='')}"
    return f"{query}&{tail}" if query else tail


def hmac_hex(secret: bytes, payload: str) -> str:
    """``hex(HMAC_SHA256(secret, payload))``: an HMAC key's signature."""
    return hmac.new(secret, payload.encode(), hashlib.sha256).hexdigest()


def ws_payload(params: Mapping[str, object]) -> str:
    """What a WebSocket API request signs: parameters but ``signature``, sorted, unencoded."""
    return "&".join(
        f"{name}={value_text(params[name])}"
        for name in sorted(params)
        if name != "signature" and params[name] is not None
    )
