"""Reading request parameters the way KuCoin does: strings in, 400100 with a plain message out.

Every helper takes the raw mapping (query string or JSON body) and a field name and either
returns a clean value or raises ``errors.ApiError`` code 400100 naming the field. Numbers are
read by ``numbers`` (ASCII digits only); a refused value is quoted as JSON, never as Python.
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Mapping
from decimal import Decimal
from typing import Any

from simulator.venue import OrderParams

from .errors import ApiError, bad_param
from .numbers import parse_decimal, parse_int

__all__ = [
    "opt_bool",
    "opt_decimal",
    "opt_enum",
    "opt_int",
    "opt_str",
    "order_params",
    "page",
    "req_decimal",
    "req_enum",
    "req_str",
]

_MAX_DIGITS = 40
_MAX_EXPONENT = 30  # beyond 1e30 (or below 1e-30) no price, size or funds makes sense


def _missing(name: str) -> ApiError:
    return bad_param(f"{name} is required")


def _invalid(name: str, value: Any) -> ApiError:
    shown = json.dumps(value, ensure_ascii=False)  # as the client wrote it, not as Python would
    if len(shown) > 40:
        shown = shown[:40] + "..."
    return bad_param(f"{name} is invalid: {shown}")


def opt_str(src: Mapping[str, Any], name: str, *, max_len: int = 256) -> str | None:
    value = src.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _invalid(name, value)
    text = str(value)
    if len(text) > max_len:
        raise bad_param(f"{name} is too long (at most {max_len} characters)")
    return text


def req_str(src: Mapping[str, Any], name: str, *, max_len: int = 256) -> str:
    value = opt_str(src, name, max_len=max_len)
    if value is None:
        raise _missing(name)
    return value


def opt_enum(src: Mapping[str, Any], name: str, allowed: Collection[str]) -> str | None:
    value = opt_str(src, name)
    if value is not None and value not in allowed:
        raise bad_param(f"{name} must be one of {', '.join(sorted(allowed))}")
    return value


def req_enum(src: Mapping[str, Any], name: str, allowed: Collection[str]) -> str:
    value = opt_enum(src, name, allowed)
    if value is None:
        raise _missing(name)
    return value


def opt_decimal(src: Mapping[str, Any], name: str) -> Decimal | None:
    """A decimal sent as a string (KuCoin's way) or a JSON number; never NaN or infinite."""
    value = src.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _invalid(name, value)
    number = parse_decimal(repr(value) if isinstance(value, float) else str(value), max_len=_MAX_DIGITS)
    if number is None or (number and abs(number.adjusted()) > _MAX_EXPONENT):
        raise _invalid(name, value)
    return number


def req_decimal(src: Mapping[str, Any], name: str) -> Decimal:
    value = opt_decimal(src, name)
    if value is None:
        raise _missing(name)
    return value


def opt_int(
    src: Mapping[str, Any], name: str, *, low: int | None = None, high: int | None = None
) -> int | None:
    value = src.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _invalid(name, value)
    number = value if isinstance(value, int) else parse_int(value) if isinstance(value, str) else None
    if number is None:
        raise _invalid(name, value)
    if (low is not None and number < low) or (high is not None and number > high):
        bounds = f"{low if low is not None else '-inf'}..{high if high is not None else 'inf'}"
        raise bad_param(f"{name} must be within {bounds}")
    return number


def opt_bool(src: Mapping[str, Any], name: str) -> bool | None:
    value = src.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise _invalid(name, value)


_SIDES = ("buy", "sell")
_TYPES = ("limit", "market")
_TIFS = ("GTC", "GTT", "IOC", "FOK")
_STPS = ("CN", "CO", "CB", "DC")
_STOPS = ("loss", "entry")


def order_params(
    body: Mapping[str, Any],
    *,
    require_client_oid: bool = False,
    default_type: str | None = None,
    stops: bool = True,
) -> OrderParams:
    """An order body checked for shape (types, enums, numbers); the venue checks the rules
    (increments, limits, balance) and answers in KuCoin's words. With ``stops`` false
    (the HF endpoints, whose bodies have no such fields) ``stop`` and ``stopPrice`` are
    ignored like any unknown field: the order is an ordinary one."""
    client_oid = opt_str(body, "clientOid", max_len=40)
    if require_client_oid and client_oid is None:
        raise bad_param("validation.createOrder.clientOidIsRequired")
    order_type = opt_enum(body, "type", _TYPES) or default_type
    if order_type is None:
        raise _missing("type")
    trade_type = opt_str(body, "tradeType")
    if trade_type not in (None, "TRADE"):
        raise bad_param("tradeType must be TRADE (margin trading is not supported by the simulator)")
    cancel_after = opt_int(body, "cancelAfter", low=-1, high=2_592_000)
    return OrderParams(
        symbol=req_str(body, "symbol", max_len=40),
        side=req_enum(body, "side", _SIDES),
        type=order_type,
        client_oid=client_oid,
        price=opt_decimal(body, "price"),
        size=opt_decimal(body, "size"),
        funds=opt_decimal(body, "funds"),
        time_in_force=opt_enum(body, "timeInForce", _TIFS),
        cancel_after=None if cancel_after == -1 else cancel_after,
        post_only=bool(opt_bool(body, "postOnly")),
        hidden=bool(opt_bool(body, "hidden")),
        iceberg=bool(opt_bool(body, "iceberg")),
        visible_size=opt_decimal(body, "visibleSize"),
        stp=opt_enum(body, "stp", _STPS),
        remark=opt_str(body, "remark", max_len=100),
        tags=opt_str(body, "tags", max_len=100),
        stop=opt_enum(body, "stop", _STOPS) if stops else None,
        stop_price=opt_decimal(body, "stopPrice") if stops else None,
    )


def page(
    query: Mapping[str, Any],
    items: list[Any],
    *,
    default_size: int = 50,
    page_key: str = "currentPage",
    sizes: tuple[int, int] = (10, 500),
) -> dict[str, Any]:
    """KuCoin's page of ``items``: ``currentPage`` (or ``page_key``) from 1, ``pageSize``
    within ``sizes`` (classic endpoints: 10..500, a smaller one is raised to 10; the HF
    active page: 1..50). A size above the range is a 400100."""
    least, most = sizes
    current = opt_int(query, page_key, low=1, high=10**9) or 1
    size = max(opt_int(query, "pageSize", low=1, high=most) or default_size, least)
    total = len(items)
    return {
        "currentPage": current,
        "pageSize": size,
        "totalNum": total,
        "totalPage": math.ceil(total / size) if total else 0,
        "items": items[(current - 1) * size : current * size],
    }
