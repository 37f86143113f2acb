"""A request's parameters, read with Binance's refusals: a mandatory one missing is
``-1102``, a malformed number ``-1100``, a value out of its set its own code (``-1117``
side, ``-1116`` type, ``-1115`` time in force)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal

from . import errors

__all__ = ["Params", "merge"]

_DECIMAL = re.compile(r"[0-9]{1,20}(\.[0-9]{1,20})?")
_INT = re.compile(r"-?[0-9]{1,20}")
_SYMBOL = re.compile(r"[A-Za-z0-9\-_.]{1,20}")


def merge(query: Iterable[tuple[str, str]], body: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Query and body parameters in one mapping (a name in both: the query's value); a name
    twice in one of them is ``-1101``."""
    out: dict[str, str] = {}
    for source in (body, query):
        seen: set[str] = set()
        for name, value in source:
            if name in seen:
                raise errors.BinanceError(*errors.DUPLICATE_PARAM)
            seen.add(name)
            out[name] = value
    return out


class Params:
    """The parameters of one request (strings as sent; the WebSocket API's JSON values are
    turned into text first)."""

    __slots__ = ("values",)

    def __init__(self, values: Mapping[str, object]) -> None:
        self.values = {k: _text(v) for k, v in values.items() if v is not None}

    def __contains__(self, name: str) -> bool:
        return self.values.get(name, "") != ""

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise errors.mandatory(name)
            return None
        return value

    def req(self, name: str) -> str:
        value = self.text(name, required=True)
        assert value is not None
        return value

    def symbol(self, name: str = "symbol", *, required: bool = True) -> str | None:
        value = self.text(name, required=required)
        if value is not None and not _SYMBOL.fullmatch(value):
            raise errors.BinanceError(
                -1100,
                f"Illegal characters found in parameter '{name}'; legal range is '^[A-Z0-9-_.]{{1,20}}$'.",
            )
        return value

    def decimal(self, name: str, *, required: bool = False) -> Decimal | None:
        value = self.text(name, required=required)
        if value is None:
            return None
        if not _DECIMAL.fullmatch(value):
            raise errors.bad_param(name)
        return Decimal(value)

    def integer(
        self, name: str, *, required: bool = False, low: int | None = None, high: int | None = None
    ) -> int | None:
        value = self.text(name, required=required)
        if value is None:
            return None
        if not _INT.fullmatch(value):
            raise errors.BinanceError(
                -1100, f"Illegal characters found in parameter '{name}'; legal range is '^[0-9]{{1,20}}$'."
            )
        number = int(value)
        if low is not None and number < low:
            raise errors.BinanceError(
                -1100, f"Illegal characters found in parameter '{name}'; legal range is '^[0-9]{{1,20}}$'."
            )
        if high is not None and number > high:
            raise errors.BinanceError(
                -1102, f"'{name}' contains unexpected value. Cannot be greater than {high}."
            )
        return number

    def limit(self, default: int, high: int) -> int:
        """``limit``: ``default`` when absent, cut to ``high``."""
        value = self.integer("limit", low=1)
        return default if value is None else min(value, high)

    def flag(self, name: str) -> bool | None:
        value = self.text(name)
        if value is None:
            return None
        lowered = value.lower()
        if lowered not in ("true", "false"):
            raise errors.BinanceError(-1130, f"Data sent for parameter '{name}' is not valid.")
        return lowered == "true"

    def symbols(self) -> list[str] | None:
        """``symbols``: a JSON array of names."""
        raw = self.text("symbols")
        if raw is None:
            return None
        try:
            value = json.loads(raw)
        except ValueError:
            value = None
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise errors.BinanceError(-1100, "Illegal characters found in parameter 'symbols'.")
        if len(set(value)) != len(value):
            raise errors.BinanceError(-1151, "Symbol is present multiple times in the list.")
        return value


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, separators=(",", ":"))
    if isinstance(value, float):
        return repr(value)
    return str(value)
