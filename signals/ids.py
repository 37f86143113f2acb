"""A signal's client order id: the same signal always maps to the same id, within the
venue's rules, so that no delivery, retry or restart can place it twice.

The id is a hash of the namespace, the source and the signal id (two sources may use one
signal id; two bridges on one account use two namespaces), in hex, which every venue's
character set allows, cut to the venue's length.
"""

from __future__ import annotations

import hashlib

from exchanges import rule_for, validate_client_order_id

__all__ = ["client_order_id"]

_TAG = "sg"
_MAX_HEX = 32  # 128 bits: more than enough against collisions


def client_order_id(venue: str, source: str, signal_id: str, namespace: str = "") -> str:
    """``ValueError`` for a venue with no client order id rules in ``exchanges``."""
    rule = rule_for(venue)
    digest = hashlib.sha256("\0".join((namespace, source, signal_id)).encode()).hexdigest()
    room = min(rule.body_length - len(_TAG), _MAX_HEX)
    return validate_client_order_id(venue, rule.prefix + _TAG + digest[:room])
