"""Client order ids: each venue's field names and rules, generation, validation, translation.

The client order id is the idempotency key of order placement: after a lost response the
order is looked up by it before anything is resent. Ids are checked here, before sending,
so a bad one fails with the rule it broke rather than with a venue's vague 400.

Generated ids are ``<time><counter><random>`` in lower-case base 36: unique in bulk,
sortable by creation time (handy when reading logs), 21 characters, and valid everywhere
in the table (letters and digits only, short enough for OKX and Gate).
"""

from __future__ import annotations

import hashlib
import itertools
import re
import secrets
import time
from collections.abc import Mapping

import attrs

from .errors import InvalidClientOrderId

__all__ = [
    "CLIENT_ID_RULES",
    "ClientIdRule",
    "new_client_order_id",
    "rule_for",
    "translate_client_order_id",
    "validate_client_order_id",
]


@attrs.frozen(slots=True, kw_only=True)
class ClientIdRule:
    """One venue's row: wire fields for place/cancel/query and the id's shape.

    ``charset`` is a regex character class (without brackets) the whole id must match.
    ``max_length`` counts the prefix. A field of ``None`` means the venue has no such use.
    """

    venue: str
    place_field: str
    cancel_field: str | None
    query_field: str | None
    max_length: int
    charset: str
    charset_text: str
    prefix: str = ""
    note: str = ""

    _char: re.Pattern[str] = attrs.field(init=False, repr=False, eq=False)
    _whole: re.Pattern[str] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        # Compiled once per venue: validation sits on the order-placing hot path.
        object.__setattr__(self, "_char", re.compile(f"[{self.charset}]"))
        body = f"[{self.charset}]{{1,{self.max_length - len(self.prefix)}}}"
        object.__setattr__(self, "_whole", re.compile(re.escape(self.prefix) + body))

    @property
    def body_length(self) -> int:
        return self.max_length - len(self.prefix)

    def allowed(self, char: str) -> bool:
        return self._char.fullmatch(char) is not None

    def accepts(self, client_id: str) -> bool:
        return self._whole.fullmatch(client_id) is not None


_ALNUM = "A-Za-z0-9"
_ALNUM_TEXT = "letters and digits"

CLIENT_ID_RULES: Mapping[str, ClientIdRule] = {
    rule.venue: rule
    for rule in (
        ClientIdRule(
            venue="kucoin",
            place_field="clientOid",
            cancel_field="clientOid",
            query_field="clientOid",
            max_length=40,
            charset=_ALNUM + "_-",
            charset_text="letters, digits, '_' and '-'",
            note="unique among the account's active orders (reuse after completion is accepted)",
        ),
        ClientIdRule(
            venue="binance",
            place_field="newClientOrderId",
            cancel_field="origClientOrderId",
            query_field="origClientOrderId",
            max_length=36,
            charset=_ALNUM + "_-",
            charset_text="letters, digits, '_' and '-'",
            note="Binance's rule ^[a-zA-Z0-9-_]{1,36}$; unique among the account's open orders",
        ),
        ClientIdRule(
            venue="bybit",
            place_field="orderLinkId",
            cancel_field="orderLinkId",
            query_field="orderLinkId",
            max_length=36,
            charset=_ALNUM + "_-",
            charset_text="letters, digits, '_' and '-'",
        ),
        ClientIdRule(
            venue="okx",
            place_field="clOrdId",
            cancel_field="clOrdId",
            query_field="clOrdId",
            max_length=32,
            charset=_ALNUM,
            charset_text=_ALNUM_TEXT,
        ),
        ClientIdRule(
            venue="gate",
            place_field="text",
            cancel_field="order_id",
            query_field="order_id",
            max_length=30,
            charset=_ALNUM + "._-",
            charset_text="letters, digits, '.', '_' and '-'",
            prefix="t-",
            note="the custom id is passed where the order id goes when cancelling or querying",
        ),
        ClientIdRule(
            venue="bitget",
            place_field="clientOid",
            cancel_field="clientOid",
            query_field="clientOid",
            max_length=32,
            charset=_ALNUM + "_",
            charset_text="letters, digits and '_'",
            note="conservative reading of reported rules; the venue may accept more",
        ),
        ClientIdRule(
            venue="coinbase",
            place_field="client_order_id",
            cancel_field=None,
            query_field=None,
            max_length=64,
            charset=_ALNUM + "_-",
            charset_text="letters, digits, '_' and '-'",
            note="cancel and query take the venue's order id only",
        ),
    )
}

_ALIASES = {"paper": "kucoin"}  # the paper exchange imitates KuCoin

_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_counter = itertools.count()


def rule_for(venue: str) -> ClientIdRule:
    try:
        return CLIENT_ID_RULES[_ALIASES.get(venue, venue)]
    except KeyError:
        raise ValueError(f"no client order id rules for venue {venue!r}") from None


def _base36(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, rem = divmod(number, 36)
        digits.append(_B36[rem])
    return "".join(reversed(digits))


def new_client_order_id(venue: str, *, tag: str = "", now_ms: int | None = None) -> str:
    """A fresh id valid for ``venue``: ``[prefix][tag]<9 time><4 counter><8 random>``.

    ``tag`` (e.g. a strategy name) is kept to what the venue allows and shortened to fit.
    """
    rule = rule_for(venue)
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    core = _base36(ms, 9) + _base36(next(_counter) % 36**4, 4) + _base36(secrets.randbits(41) % 36**8, 8)
    clean_tag = "".join(c for c in tag if rule.allowed(c))
    room = rule.body_length - len(core)
    return rule.prefix + clean_tag[: max(room, 0)] + core


def _problem(rule: ClientIdRule, client_id: object) -> str | None:
    if not isinstance(client_id, str):
        return f"must be a str, got {type(client_id).__name__}"
    if rule.accepts(client_id):
        return None
    if len(client_id) == 0:
        return "must not be empty"
    if rule.prefix and not client_id.startswith(rule.prefix):
        return f"must start with {rule.prefix!r}"
    if len(client_id) <= len(rule.prefix):
        return f"must have characters after the {rule.prefix!r} prefix"
    if len(client_id) > rule.max_length:
        return f"is {len(client_id)} characters, longer than the maximum of {rule.max_length}"
    bad = sorted({c for c in client_id[len(rule.prefix) :] if not rule.allowed(c)})
    if bad:
        return f"contains {', '.join(map(repr, bad))}; only {rule.charset_text} are allowed"
    return None


def validate_client_order_id(venue: str, client_id: object) -> str:
    """Return ``client_id`` unchanged, or raise ``InvalidClientOrderId`` naming the broken rule."""
    rule = rule_for(venue)
    problem = _problem(rule, client_id)
    if problem:
        raise InvalidClientOrderId(f"{rule.venue} {rule.place_field} {client_id!r} {problem}", venue=venue)
    assert isinstance(client_id, str)
    return client_id


def translate_client_order_id(client_id: str, venue: str) -> str:
    """Deterministically turn any id into one valid for ``venue``.

    Valid ids pass through unchanged. Others keep what they can (allowed characters, as a
    readable head) and end with a hash of the whole original, so two different invalid
    inputs do not collide and the same input always maps to the same output. (A valid id
    that is itself some invalid id's translation maps to the same output: avoid mixing ids
    you translate with ids you write in that shape.)
    """
    rule = rule_for(venue)
    if _problem(rule, client_id) is None:
        return client_id
    body = client_id[len(rule.prefix) :] if rule.prefix and client_id.startswith(rule.prefix) else client_id
    digest = hashlib.sha256(client_id.encode("utf-8")).digest()
    tail = _base36(int.from_bytes(digest[:13], "big"), 20)
    room = rule.body_length - len(tail)
    head = "".join(c for c in body if rule.allowed(c))[: max(room, 0)]
    return rule.prefix + head + tail
