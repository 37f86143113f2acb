"""Credentials kept out of every text a program may print: a box whose ``repr``, ``str``
and format say ``<hidden>``, and a refusal to pickle what holds them (a pickle is a copy
that outlives the process and its logs' care)."""

from __future__ import annotations

from typing import NoReturn

__all__ = ["Hidden", "refuse_pickle"]


def refuse_pickle(kind: str) -> NoReturn:
    raise TypeError(f"{kind} holds API credentials and cannot be pickled")


class Hidden:
    """A string that never prints."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def __repr__(self) -> str:
        return "<hidden>"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return "<hidden>"

    def __reduce__(self) -> NoReturn:
        refuse_pickle("a hidden value")

    def reveal(self) -> str:
        return self._value
