"""Paths outside spot trading that clients read while starting (NOTES section 16, ENDPOINTS.md
note): CCXT's ``load_markets`` reads the wallet's coin list and the margin pairs under
``/sapi`` and the futures exchange information under ``/fapi`` and ``/dapi``. They answer
with valid data: the listed assets as coins (no networks), no margin pairs, no futures
symbols. Also the API key's restrictions (``/sapi/v1/account/apiRestrictions``)."""

from __future__ import annotations

from typing import Any

from . import serialize as ser
from .app import Ctx
from .config import KEY_PERMISSIONS
from .endpoints import Registry, Security

__all__ = ["registry"]

registry = Registry()
route = registry.route


@route("GET", "/sapi/v1/capital/config/getall", security=Security.USER_DATA, weight=10)
def coins(ctx: Ctx) -> list[dict[str, Any]]:
    held = {r.currency: r for r in ctx.venue.accounts_of(ctx.uid, account_type="trade")}
    out = []
    for spec in ctx.venue.currencies():
        row = held.get(spec.currency)
        out.append(
            {
                "coin": spec.currency,
                "name": spec.full_name,
                "depositAllEnable": False,
                "withdrawAllEnable": False,
                "free": ser.dec(row.available if row is not None else None),
                "locked": ser.dec(row.holds if row is not None else None),
                "freeze": "0",
                "withdrawing": "0",
                "ipoing": "0",
                "ipoable": "0",
                "storage": "0",
                "isLegalMoney": False,
                "trading": True,
                "networkList": [],
            }
        )
    return out


@route("GET", "/sapi/v1/margin/allPairs", security=Security.USER_DATA, weight=1)
def margin_pairs(_ctx: Ctx) -> list[Any]:
    return []


@route("GET", "/sapi/v1/margin/isolated/allPairs", security=Security.USER_DATA, weight=10)
def isolated_pairs(_ctx: Ctx) -> list[Any]:
    return []


@route("GET", "/sapi/v1/account/apiRestrictions", security=Security.USER_DATA, weight=1)
def restrictions(ctx: Ctx) -> dict[str, Any]:
    assert ctx.principal is not None
    key = ctx.principal.key
    return {
        "ipRestrict": bool(key.ip_whitelist),
        "createTime": key.created_at,
        **{name: name in key.permissions for name in sorted(KEY_PERMISSIONS)},
        "tradingAuthorityExpirationTime": 0,
    }


def _no_futures(ctx: Ctx) -> dict[str, Any]:
    return {
        "timezone": "UTC",
        "serverTime": ctx.now(),
        "futuresType": "U_MARGINED",
        "rateLimits": [],
        "exchangeFilters": [],
        "assets": [],
        "symbols": [],
    }


route("GET", "/fapi/v1/exchangeInfo", weight=1)(_no_futures)
route("GET", "/dapi/v1/exchangeInfo", weight=1)(_no_futures)
