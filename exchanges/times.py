"""Epoch milliseconds, the unit every model uses, and the bridges to ``datetime``."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["from_ms", "ms_from_seconds", "to_ms"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_ms(value: datetime) -> int:
    """Aware datetime -> epoch ms. Naive datetimes are refused: their zone is a guess."""
    if value.tzinfo is None:
        raise ValueError("naive datetime: attach a timezone (e.g. datetime.now(UTC))")
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def from_ms(ms: int) -> datetime:
    """Epoch ms -> aware UTC datetime (exact to the millisecond, no float rounding)."""
    seconds, millis = divmod(int(ms), 1000)
    return datetime.fromtimestamp(seconds, UTC).replace(microsecond=millis * 1000)


def ms_from_seconds(seconds: float) -> int:
    return int(round(seconds * 1000))
