"""Seeded standard normal draws for market models, made a block at a time.

The synthetic market draws a few normals at every one-second step of every symbol; drawn
one by one in Python (``random.gauss``) they cost more than the rest of a step that only
prints. numpy's PCG64 makes them thousands at a time, the same ones for the same key.
"""

from __future__ import annotations

import hashlib

import numpy as np

__all__ = ["Normals"]

_BLOCK = 4096


class Normals:
    """An endless stream of standard normal draws, seeded by ``key``."""

    __slots__ = ("_at", "_block", "_generator")

    def __init__(self, key: str) -> None:
        seed = int.from_bytes(hashlib.sha256(key.encode()).digest()[:16], "big")
        self._generator = np.random.Generator(np.random.PCG64(seed))
        self._block: list[float] = []
        self._at = 0

    def next(self) -> float:
        at = self._at
        block = self._block
        if at >= len(block):
            block = self._block = self._generator.standard_normal(_BLOCK).tolist()
            at = 0
        self._at = at + 1
        return block[at]
