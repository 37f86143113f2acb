"""Judging an API key against what it is for: least privilege, an IP whitelist, rotation,
and no copy of its credentials lying in files.

Pure: the caller reads the key's :class:`ApiKeyInfo` and searches files for the secrets
(:mod:`exchanges.secret_scan`); :func:`check_key` only judges, so every rule is testable
with plain values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

import attrs

from .keys import ApiKeyInfo, KeyPermission
from .times import from_ms

__all__ = [
    "DEFAULT_MAX_AGE_DAYS",
    "Check",
    "KeyReport",
    "Purpose",
    "Result",
    "SecretHit",
    "check_key",
]

DEFAULT_MAX_AGE_DAYS = 90
_DAY_MS = 86_400_000
#: Shorter values are not searched for: they would match by chance.
MIN_SECRET_LENGTH = 8
P = KeyPermission


class Purpose(StrEnum):
    """What a key is for. Each grants what it needs and nothing more."""

    DATA = "data"  # reads balances, orders, market data
    TRADE = "trade"  # places and cancels orders
    WITHDRAW = "withdraw"  # moves funds off the venue

    @property
    def needs(self) -> frozenset[KeyPermission]:
        return _NEEDS[self]

    @property
    def allows(self) -> frozenset[KeyPermission]:
        return _ALLOWS[self]


_NEEDS = {
    Purpose.DATA: frozenset({P.READ}),
    Purpose.TRADE: frozenset({P.READ, P.TRADE}),
    Purpose.WITHDRAW: frozenset({P.READ, P.WITHDRAW}),
}
_ALLOWS = {
    Purpose.DATA: frozenset({P.READ}),
    Purpose.TRADE: frozenset({P.READ, P.TRADE}),
    Purpose.WITHDRAW: frozenset({P.READ, P.TRADE, P.TRANSFER, P.WITHDRAW}),
}


class Result(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    SKIP = "skip"


@attrs.frozen(slots=True)
class Check:
    name: str
    result: Result
    detail: str


@attrs.frozen(slots=True, kw_only=True)
class SecretHit:
    """A credential's value found somewhere it should not be. ``variable`` names the
    credential (its environment variable); the value itself is never kept."""

    variable: str
    where: str  # "git", "git history" or "env dump"
    path: str
    line: int
    commit: str | None = None  # (in the history: the commit that added it)


@attrs.frozen(slots=True, kw_only=True)
class KeyReport:
    venue: str
    purpose: Purpose
    key: ApiKeyInfo
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(c.result is not Result.FAIL for c in self.checks)

    def to_json(self) -> dict[str, Any]:
        key = self.key
        return {
            "venue": self.venue,
            "purpose": str(self.purpose),
            "ok": self.ok,
            "key": {
                "permissions": sorted(str(p) for p in key.permissions),
                "venue_permissions": sorted(key.venue_permissions),
                "ip_whitelist": list(key.ip_whitelist),
                "created_at": key.created_at,
                "last_used_at": key.last_used_at,
                "account_id": key.account_id,
                "sub_account": key.sub_account,
                "label": key.label,
            },
            "checks": [{"check": c.name, "result": str(c.result), "detail": c.detail} for c in self.checks],
        }


def _names(permissions: frozenset[KeyPermission]) -> str:
    order = list(KeyPermission)
    return ", ".join(str(p) for p in sorted(permissions, key=order.index)) or "none"


def _day(ms: int) -> str:
    return from_ms(ms).date().isoformat()


def _permission_checks(key: ApiKeyInfo, purpose: Purpose, extra: frozenset[KeyPermission]) -> list[Check]:
    checks = []
    excess = key.permissions - purpose.allows - extra
    if excess:
        checks.append(
            Check(
                "permissions",
                Result.FAIL,
                f"grants {_names(excess)} beyond what a {purpose} key needs ({_names(purpose.needs)}): "
                "if the key leaks, that is what a thief can do",
            )
        )
    missing = purpose.needs - key.permissions
    if missing:
        checks.append(Check("permissions", Result.FAIL, f"lacks {_names(missing)}: a {purpose} key needs it"))
    if not excess and not missing:
        checks.append(
            Check("permissions", Result.PASS, f"{_names(key.permissions)}: what a {purpose} key needs")
        )
    if key.unrecognised_permissions:
        names = ", ".join(sorted(key.unrecognised_permissions))
        checks.append(Check("permissions", Result.WARN, f"{key.venue} permission(s) not understood: {names}"))
    return checks


def _whitelist_check(key: ApiKeyInfo, purpose: Purpose) -> Check:
    if key.ip_whitelist:
        return Check("ip whitelist", Result.PASS, ", ".join(key.ip_whitelist))
    # a read-only key that leaks exposes data; one that trades or withdraws exposes funds
    result = Result.WARN if purpose is Purpose.DATA else Result.FAIL
    return Check("ip whitelist", result, "none: the key works from any address")


def _age_check(key: ApiKeyInfo, now_ms: int, max_age_days: int) -> Check:
    if key.created_at is None:
        return Check("age", Result.WARN, f"{key.venue} does not say when the key was created")
    days = (now_ms - key.created_at) // _DAY_MS
    rotate_by = _day(key.created_at + max_age_days * _DAY_MS)
    created = f"created {days} days ago ({_day(key.created_at)})"
    if days > max_age_days:
        return Check("age", Result.FAIL, f"{created}: older than {max_age_days} days, rotate it")
    return Check("age", Result.PASS, f"{created}; rotate by {rotate_by}")


def _secret_checks(
    where: str,
    hits: Sequence[SecretHit],
    searched: Mapping[str, str],
    broken: Mapping[str, str],
    unsearched: Sequence[str],
) -> list[Check]:
    name = f"secrets in {where}"
    if where in broken:
        return [Check(name, Result.FAIL, f"could not run: {broken[where]}")]
    if where not in searched:
        return [Check(name, Result.SKIP, "not searched")]
    found = [h for h in hits if h.where == where]
    if not found:
        detail = f"no credential found in {searched[where]}"
        if not unsearched:
            return [Check(name, Result.PASS, detail)]
        return [
            Check(
                name,
                Result.WARN,
                f"{detail}; {', '.join(unsearched)} not searched: under {MIN_SECRET_LENGTH} characters, "
                "too short to search for (it would match by chance), so it may be there unseen",
            )
        ]
    return [_hit_check(name, h) for h in found]


def _hit_check(name: str, hit: SecretHit) -> Check:
    if hit.commit is not None:
        return Check(
            name,
            Result.FAIL,
            f"the value of {hit.variable} was committed in {hit.commit[:12]} ({hit.path} line {hit.line}): "
            "it stays in the history after the file is gone; revoke the key",
        )
    return Check(
        name, Result.FAIL, f"the value of {hit.variable} is in {hit.path} line {hit.line}: revoke the key"
    )


def _skipped(checks: list[Check], skipped: Mapping[str, str]) -> list[Check]:
    out = []
    for check in checks:
        place = check.name.removeprefix("secrets in ")
        if check.result is Result.SKIP and place in skipped:
            check = Check(check.name, Result.SKIP, skipped[place])
        out.append(check)
    return out


def check_key(
    key: ApiKeyInfo,
    purpose: Purpose,
    *,
    now_ms: int,
    max_age_days: int = DEFAULT_MAX_AGE_DAYS,
    allow: frozenset[KeyPermission] = frozenset(),
    hits: Sequence[SecretHit] = (),
    searched: Mapping[str, str] | None = None,
    skipped: Mapping[str, str] | None = None,
    broken: Mapping[str, str] | None = None,
    unsearched: Sequence[str] = (),
) -> KeyReport:
    """Judge ``key`` for ``purpose``. ``allow`` adds permissions the purpose may hold (a
    trading bot on futures allows ``futures``). ``searched`` says which places (``git``,
    ``git history``, ``env dump``) were searched for the credentials (``{"git": "42 tracked
    files of /repo"}``), ``hits`` what was found there, ``skipped`` why a place was left out
    on purpose, ``broken`` why one could not be searched (a failure: the key was not shown
    clean), ``unsearched`` the credentials too short to search for (a warning, never a pass)."""
    places = searched or {}
    failed = broken or {}
    checks = [
        *_permission_checks(key, purpose, allow),
        _whitelist_check(key, purpose),
        _age_check(key, now_ms, max_age_days),
        *(
            check
            for where in ("git", "git history", "env dump")
            for check in _secret_checks(where, hits, places, failed, unsearched)
        ),
    ]
    return KeyReport(venue=key.venue, purpose=purpose, key=key, checks=tuple(_skipped(checks, skipped or {})))
