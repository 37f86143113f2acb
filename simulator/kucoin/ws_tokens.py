"""WebSocket tokens: handed out by ``bullet-public``/``bullet-private``, checked at connect.

A token names who may connect (a uid for a private one) and lives ``token_ttl_s`` (KuCoin:
24 h); within that it may open any number of connections, as KuCoin's do. An unknown or
expired token is refused at connect with KuCoin's 401. Tokens are credentials: they are
never logged, and a token's ``repr`` hides it.
"""

from __future__ import annotations

import heapq
import secrets

import attrs

from exchanges import Clock

__all__ = ["Grant", "Tokens"]


@attrs.frozen
class Grant:
    """What a token allows: ``uid`` for a private token (its private topics), else None."""

    uid: int | None
    expires_at: float  # the clock's monotonic seconds

    @property
    def private(self) -> bool:
        return self.uid is not None


class Tokens:
    def __init__(self, clock: Clock, ttl_s: float) -> None:
        self._clock = clock
        self._ttl_s = ttl_s
        self._grants: dict[str, Grant] = {}
        self._expiry: list[tuple[float, str]] = []

    def __repr__(self) -> str:
        return f"Tokens(live={len(self._grants)})"

    def __len__(self) -> int:
        return len(self._grants)

    def issue(self, uid: int | None) -> str:
        now = self._clock.monotonic()
        self._forget_expired(now)
        token = secrets.token_urlsafe(48)
        grant = Grant(uid, now + self._ttl_s)
        self._grants[token] = grant
        heapq.heappush(self._expiry, (grant.expires_at, token))
        return token

    def redeem(self, token: str | None) -> Grant | None:
        """The grant of a live token; None for an unknown or expired one."""
        if not token:
            return None
        grant = self._grants.get(token)
        if grant is None:
            return None
        if grant.expires_at <= self._clock.monotonic():
            del self._grants[token]
            return None
        return grant

    def _forget_expired(self, now: float) -> None:
        expiry = self._expiry
        while expiry and expiry[0][0] <= now:
            _, token = heapq.heappop(expiry)
            self._grants.pop(token, None)
