"""The contract every ``exchanges.Exchange`` keeps, as a pytest plugin.

Adapter authors: define a ``conformance_target`` fixture returning a :class:`Target` in a
conftest, then run ``pytest --pyargs conformance``. See the README's conformance section.

Names load on first use: pytest loads the plugin in every run of an environment that has
this distribution installed, including light installs without httpx or hypothesis.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .areas import AREAS
    from .faults import Fault, FaultInjectingTransport
    from .target import Target, TransportWrapper

__all__ = ["AREAS", "Fault", "FaultInjectingTransport", "Target", "TransportWrapper"]

_HOME = {
    "AREAS": ".areas",
    "Fault": ".faults",
    "FaultInjectingTransport": ".faults",
    "Target": ".target",
    "TransportWrapper": ".target",
}


def __getattr__(name: str) -> object:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(home, __name__), name)
    globals()[name] = value
    return value
