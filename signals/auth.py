"""Who sent a request, and whether it is fresh: HMAC-SHA256 per source, a replay window.

A sender signs ``timestamp + body`` (for a GET, ``timestamp + path``, the path standing
for the body) with its source's secret and sends three headers: ``X-Signal-Source``,
``X-Signal-Timestamp`` (epoch milliseconds) and ``X-Signal-Signature`` (hex). Pure functions:
the replay store (a delivery seen twice) lives with the audit log.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

import attrs

from .config import BridgeConfig, SourceConfig
from .errors import Refusal

__all__ = ["SIGNATURE", "SOURCE", "TIMESTAMP", "Authenticated", "authenticate", "sign"]

SOURCE = "x-signal-source"
TIMESTAMP = "x-signal-timestamp"
SIGNATURE = "x-signal-signature"
_HEX = frozenset("0123456789abcdef")


def sign(secret: bytes, timestamp: str, payload: bytes) -> str:
    """The signature a sender puts in ``X-Signal-Signature``."""
    return hmac.new(secret, timestamp.encode() + payload, hashlib.sha256).hexdigest()


@attrs.frozen(slots=True)
class Authenticated:
    source: SourceConfig
    timestamp_ms: int
    #: Identifies this delivery for the replay store (a hash of the signature).
    delivery: str


def authenticate(
    config: BridgeConfig, headers: Mapping[str, str], payload: bytes, *, now_ms: int
) -> Authenticated:
    """The source of a signed request, or a ``Refusal`` (401) saying what is wrong, and
    nothing of the secret."""
    name = headers.get(SOURCE)
    stamp = headers.get(TIMESTAMP)
    given = headers.get(SIGNATURE)
    missing = [h for h, v in ((SOURCE, name), (TIMESTAMP, stamp), (SIGNATURE, given)) if not v]
    if missing:
        raise Refusal(401, "unauthenticated", f"missing header(s): {', '.join(missing)}")
    assert name is not None and stamp is not None and given is not None
    source = config.source(name)
    if source is None:
        raise Refusal(401, "unknown_source", "unknown source")
    if not stamp.isascii() or not stamp.isdigit() or len(stamp) > 15:
        raise Refusal(401, "bad_timestamp", f"{TIMESTAMP} must be epoch milliseconds")
    given = given.strip().lower()
    expected = sign(source.secret.reveal(), stamp, payload)
    if len(given) != len(expected) or not set(given) <= _HEX or not hmac.compare_digest(given, expected):
        raise Refusal(401, "bad_signature", "the signature does not match the request")
    window_ms = int(config.replay_window_s * 1000)
    skew = int(stamp) - now_ms
    if skew < -window_ms:
        raise Refusal(401, "stale", f"the timestamp is {-skew} ms old: outside the {window_ms} ms window")
    if skew > window_ms:
        raise Refusal(
            401, "from_the_future", f"the timestamp is {skew} ms ahead: outside the {window_ms} ms window"
        )
    return Authenticated(source, int(stamp), hashlib.sha256(expected.encode()).hexdigest())
