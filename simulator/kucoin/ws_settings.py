"""The WebSocket server's settings: KuCoin's limits and timing, and the faults a connection
may be made to suffer (for testing clients; all off unless asked for).

TOML (in the configuration file of ``python -m simulator serve``)::

    [websocket]
    topics_per_subscribe = 100      # KuCoin's limits (NOTES 6) and timing (NOTES 9)
    topics_per_connection = 400
    messages_per_window = 100       # client messages per window_s per connection
    window_s = 10.0
    connections_per_user = 800
    token_ttl_s = 86400
    ping_interval_ms = 18000
    ping_timeout_ms = 10000

    [websocket.faults]              # every connection, from its start
    drop = 0                        # the next N data frames are not sent
    duplicate = 0                   # the next N data frames are sent twice
    reorder = 0                     # the next N data frames each go after the one after them
    skip_sequence = 0               # the next N level-2 frames start one sequence number late
    delay_ms = 0                    # every data frame is sent this late
    disconnect_after = 0            # close a connection after N data frames (0: never)
    stall_pongs = false             # pings go unanswered
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

__all__ = ["WsFaults", "WsLimits", "faults_from_mapping", "limits_from_mapping"]


def _count(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{attribute.name}: expected a whole number >= 0, got {value!r}")


def _positive_int(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{attribute.name}: expected a whole number > 0, got {value!r}")


def _positive(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < float("inf"):
        raise ValueError(f"{attribute.name}: expected a number > 0, got {value!r}")


@attrs.frozen(kw_only=True)
class WsLimits:
    """KuCoin's spot WebSocket limits (NOTES 6, current docs) and timing (NOTES 9)."""

    topics_per_subscribe: int = attrs.field(validator=_positive_int, default=100)
    topics_per_connection: int = attrs.field(validator=_positive_int, default=400)
    messages_per_window: int = attrs.field(validator=_positive_int, default=100)
    window_s: float = attrs.field(default=10.0, validator=_positive)
    connections_per_user: int = attrs.field(validator=_positive_int, default=800)
    token_ttl_s: float = attrs.field(default=86_400.0, validator=_positive)
    ping_interval_ms: int = attrs.field(validator=_positive_int, default=18_000)
    ping_timeout_ms: int = attrs.field(validator=_positive_int, default=10_000)
    #: Frames a connection may fall behind by before it is closed (a client that stopped
    #: reading must not make the server's memory grow without bound).
    outbox_frames: int = attrs.field(validator=_positive_int, default=100_000)

    @property
    def idle_s(self) -> float:
        """How long a client may stay silent: a ping is due every interval, and its answer
        is awaited for the timeout."""
        return (self.ping_interval_ms + self.ping_timeout_ms) / 1000


@attrs.define(kw_only=True)
class WsFaults:
    """What a connection suffers; counters count down as frames go by. Data frames only:
    welcome, acks, errors and pongs are never dropped, doubled or held back."""

    drop: int = attrs.field(default=0, validator=_count)
    duplicate: int = attrs.field(default=0, validator=_count)
    reorder: int = attrs.field(default=0, validator=_count)
    skip_sequence: int = attrs.field(default=0, validator=_count)
    delay_ms: int = attrs.field(default=0, validator=_count)
    disconnect_after: int = attrs.field(default=0, validator=_count)
    stall_pongs: bool = False

    @property
    def any(self) -> bool:
        return bool(
            self.drop
            or self.duplicate
            or self.reorder
            or self.skip_sequence
            or self.delay_ms
            or self.disconnect_after
            or self.stall_pongs
        )

    def copy(self) -> WsFaults:
        return attrs.evolve(self)


_FAULT_FIELDS = {a.name for a in attrs.fields(WsFaults)}
_LIMIT_FIELDS = {a.name for a in attrs.fields(WsLimits)}


def _build(kind: Any, fields: set[str], table: Mapping[str, Any], where: str) -> Any:
    extra = set(table) - fields
    if extra:
        raise ValueError(f"{where}: unknown field(s) {', '.join(sorted(extra))}")
    try:
        return kind(**dict(table))
    except (TypeError, ValueError) as err:
        raise ValueError(f"{where}: {err}") from None


def faults_from_mapping(table: Mapping[str, Any], where: str = "websocket.faults") -> WsFaults:
    """Faults from a TOML table or a JSON object (unknown fields refused)."""
    if "stall_pongs" in table and not isinstance(table["stall_pongs"], bool):
        raise ValueError(f"{where}: stall_pongs: expected true or false, got {table['stall_pongs']!r}")
    faults: WsFaults = _build(WsFaults, _FAULT_FIELDS, table, where)
    return faults


def limits_from_mapping(table: Mapping[str, Any], where: str = "websocket") -> WsLimits:
    limits: WsLimits = _build(WsLimits, _LIMIT_FIELDS, table, where)
    return limits
