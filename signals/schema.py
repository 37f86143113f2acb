"""A signal as a sender writes it, checked field by field.

::

    {"source": "voiceofchain", "signal_id": "2024-06-01T12:00:00Z-btc-1",
     "symbol": "BTC/USDT", "side": "buy", "type": "limit",
     "price": "60000", "size": "0.001", "time_in_force": "GTC", "client_tag": "voc"}

``symbol`` is unified (``BTC/USDT``) or the venue's own spelling (``BTC-USDT``); amounts
are strings or JSON numbers (read exactly, never through a float); a limit order takes
``size`` or ``funds`` (then its size is what the funds buy at the price); a market order
takes one of them and no price. Unknown fields are refused: a misspelt ``prize`` must not
turn into a market order.
"""

from __future__ import annotations

import hashlib
import json
import re
from decimal import Decimal
from typing import Any

import attrs

from exchanges import OrderType, Side, TimeInForce, to_decimal

from .errors import Refusal

__all__ = ["FIELDS", "SIGNAL_ID", "Signal", "parse_json", "parse_signal"]

FIELDS = (
    "source",
    "signal_id",
    "symbol",
    "side",
    "type",
    "price",
    "size",
    "funds",
    "time_in_force",
    "client_tag",
)
SIGNAL_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
_TAG = re.compile(r"[A-Za-z0-9_-]{1,16}")
_MAX_AMOUNT_TEXT = 40
_TIME_IN_FORCE = {"GTC": TimeInForce.GTC, "IOC": TimeInForce.IOC, "FOK": TimeInForce.FOK}


@attrs.frozen(slots=True, kw_only=True)
class Signal:
    source: str
    signal_id: str
    symbol: str
    side: Side
    type: OrderType
    price: Decimal | None = None
    size: Decimal | None = None
    funds: Decimal | None = None
    time_in_force: TimeInForce = TimeInForce.GTC
    client_tag: str | None = None

    def digest(self) -> str:
        """Equal for the same signal however its JSON was written (order, spacing, ``"1"``
        or ``1.0``): a re-delivery matches, a different signal under the same id does not."""
        canonical = [
            self.source,
            self.signal_id,
            self.symbol,
            str(self.side),
            str(self.type),
            *(None if v is None else str(v.normalize()) for v in (self.price, self.size, self.funds)),
            str(self.time_in_force),
            self.client_tag,
        ]
        return hashlib.sha256(json.dumps(canonical).encode()).hexdigest()


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def parse_json(body: bytes) -> dict[str, Any]:
    """The body as a JSON object; a 400 ``Refusal`` for anything else."""
    try:
        value = json.loads(body, parse_float=Decimal, parse_constant=_reject_constant)
    except (ValueError, RecursionError, UnicodeDecodeError) as err:
        detail = err.msg if isinstance(err, json.JSONDecodeError) else "too deeply nested or malformed"
        raise Refusal(400, "bad_json", f"the body is not valid JSON: {detail}") from None
    if not isinstance(value, dict):
        raise Refusal(400, "bad_json", f"the body must be a JSON object, not {_kind(value)}")
    return value


def _kind(value: object) -> str:
    names = {bool: "a boolean", int: "a number", Decimal: "a number", str: "a string", list: "an array"}
    return "null" if value is None else names.get(type(value), "an object")


def _bad(field: str, message: str) -> Refusal:
    return Refusal(422, "invalid_signal", f"{field}: {message}", field=field)


def _text(
    data: dict[str, Any], field: str, pattern: re.Pattern[str], rule: str, *, required: bool = True
) -> Any:
    value = data.get(field)
    if value is None:
        if required:
            raise _bad(field, "required")
        return None
    if not isinstance(value, str):
        raise _bad(field, f"expected a string, got {_kind(value)}")
    if not pattern.fullmatch(value):
        raise _bad(field, rule)
    return value


def _choice(data: dict[str, Any], field: str, choices: dict[str, Any], default: Any = None) -> Any:
    """One of ``choices`` (matched without regard to case)."""
    value = data.get(field)
    if value is None:
        if default is None:
            raise _bad(field, "required")
        return default
    by_lower = {name.lower(): choice for name, choice in choices.items()}
    if isinstance(value, str) and value.lower() in by_lower:
        return by_lower[value.lower()]
    shown = repr(value) if isinstance(value, str) and len(value) <= 20 else _kind(value)
    raise _bad(field, f"expected one of {', '.join(choices)}, got {shown}")


def _amount(data: dict[str, Any], field: str) -> Decimal | None:
    value = data.get(field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise _bad(field, f'expected an amount (a string such as "0.001" or a number), got {_kind(value)}')
    if isinstance(value, str) and (len(value) > _MAX_AMOUNT_TEXT or not value.strip()):
        raise _bad(field, "not a decimal amount")
    try:
        amount = to_decimal(value.strip() if isinstance(value, str) else value)
    except (ValueError, TypeError) as err:
        raise _bad(field, str(err)) from None
    if amount <= 0:
        raise _bad(field, f"must be positive, got {amount}")
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -18:
        raise _bad(field, "more than 18 decimal places")
    return amount


def parse_signal(data: dict[str, Any], *, source: str) -> Signal:
    """The signal in ``data`` (sent by ``source``); a 422 ``Refusal`` naming the first bad
    field otherwise."""
    unknown = sorted(k for k in data if k not in FIELDS)
    if unknown:
        shown = unknown[0] if len(unknown[0]) <= 40 else unknown[0][:40] + "..."
        raise _bad(shown, f"unknown field (the fields are {', '.join(FIELDS)})")
    given = _text(data, "source", re.compile(r".{1,64}", re.S), "at most 64 characters")
    if given != source:
        raise _bad("source", "differs from the X-Signal-Source header")
    signal_id = _text(data, "signal_id", SIGNAL_ID, "1-64 letters, digits, '_', '.', ':' or '-'")
    symbol = _text(data, "symbol", re.compile(r"[A-Za-z0-9/_-]{3,41}"), "a pair such as BTC/USDT")
    side = _choice(data, "side", {"buy": Side.BUY, "sell": Side.SELL})
    kind = _choice(data, "type", {"limit": OrderType.LIMIT, "market": OrderType.MARKET}, OrderType.LIMIT)
    price, size, funds = (_amount(data, f) for f in ("price", "size", "funds"))
    if size is not None and funds is not None:
        raise _bad("funds", "give size or funds, not both")
    if size is None and funds is None:
        raise _bad("size", "required (or funds)")
    if kind is OrderType.LIMIT and price is None:
        raise _bad("price", "required for a limit order")
    if kind is OrderType.MARKET and price is not None:
        raise _bad("price", "a market order takes no price")
    if kind is OrderType.MARKET and data.get("time_in_force") is not None:
        raise _bad("time_in_force", "applies to limit orders only")
    tif = _choice(data, "time_in_force", _TIME_IN_FORCE, TimeInForce.GTC)
    tag = _text(data, "client_tag", _TAG, "1-16 letters, digits, '_' or '-'", required=False)
    return Signal(
        source=source,
        signal_id=signal_id,
        symbol=symbol,
        side=side,
        type=kind,
        price=price,
        size=size,
        funds=funds,
        time_in_force=tif,
        client_tag=tag,
    )
