"""Public names of a package that load on first use.

A dialect's light parts (its rulebook, its words, its pairs) serve the paper exchange; its HTTP
and WebSocket server pull in Starlette and more. Naming where each public name lives lets
``from simulator.kucoin import KUCOIN_RULEBOOK`` load the rulebook alone.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_names"]


def lazy_names(package: str, homes: Mapping[str, str], namespace: dict[str, Any]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: name ``n`` is imported from the submodule
    ``homes[n]`` on first use and kept in ``namespace`` (the package's globals)."""

    def load(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f".{home}", package), name)
        namespace[name] = value
        return value

    return load
