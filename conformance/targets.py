"""This repository's registered targets. The only module of ``conformance`` that imports
``simulator`` and ``adapters``; adapter authors outside this repository never load it."""

from __future__ import annotations

from collections.abc import Callable

from .target import Target

__all__ = ["TARGETS", "get_target"]

TARGETS: dict[str, Callable[[], Target]] = {}


def get_target(name: str) -> Target:
    try:
        factory = TARGETS[name]
    except KeyError:
        raise KeyError(
            f"unknown conformance target {name!r}; registered: {', '.join(TARGETS) or 'none'}"
        ) from None
    return factory()
