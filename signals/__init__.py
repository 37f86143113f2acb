"""The signal bridge: signed webhooks in, orders out, through ``exchanges.connect``.

``python -m signals serve --config bridge.toml`` runs it; see the README. It speaks only
the ``Exchange`` protocol (the venue comes from the registry), keeps every signal, decision,
order and fill in an append-only SQLite log, and places each signal at most once.
"""

from .app import build_app
from .auth import sign
from .bridge import Bridge, Reply
from .config import BridgeConfig, ConfigError, Limits, SourceConfig, config_from_mapping, load_config
from .ids import client_order_id
from .schema import Signal, parse_signal
from .server import serving
from .store import AuditLog, SignalRecord, State

__all__ = [
    "AuditLog",
    "Bridge",
    "BridgeConfig",
    "ConfigError",
    "Limits",
    "Reply",
    "Signal",
    "SignalRecord",
    "SourceConfig",
    "State",
    "build_app",
    "client_order_id",
    "config_from_mapping",
    "load_config",
    "parse_signal",
    "serving",
    "sign",
]
