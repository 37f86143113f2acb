"""Accounts, ledgers (classic pages and HF cursor), fees, key and user info, the HF flag."""

from __future__ import annotations

import json
from typing import Any

from . import serialize as ser
from .app import Ctx
from .endpoints import Registry
from .errors import bad_param
from .params import opt_enum, opt_int, opt_str, page, req_str

__all__ = ["registry"]

registry = Registry()
route = registry.route

_ACCOUNT_TYPES = {"main": "main", "trade": "trade", "trade_hf": "trade"}
#: Account kinds KuCoin knows that the simulator keeps empty.
_EMPTY_TYPES = frozenset({"margin", "margin_v2", "isolated", "isolated_v2", "contract", "option", "pool"})


@route("GET", "/api/v1/accounts")
def accounts(ctx: Ctx) -> list[dict[str, Any]]:
    currency = opt_str(ctx.query, "currency", max_len=20)
    kind = opt_str(ctx.query, "type", max_len=20)
    if kind is not None and kind not in _ACCOUNT_TYPES:
        if kind in _EMPTY_TYPES:
            return []
        raise bad_param(f"type must be one of main, trade, trade_hf (not {json.dumps(kind)})")
    rows = [
        ser.account(a) for a in ctx.venue.accounts_of(str(ctx.uid), currency, _ACCOUNT_TYPES.get(kind or ""))
    ]
    if kind == "trade_hf":
        # Asked for by name (CCXT does, and keeps only rows of that type): the spot rows
        # answer as the HF trading account. The spec's enum lists only main/trade.
        for row in rows:
            row["type"] = "trade_hf"
    return rows


@route("GET", "/api/v1/accounts/{accountId}")
def account_detail(ctx: Ctx) -> dict[str, Any]:
    row = ser.account(ctx.venue.account(str(ctx.uid), ctx.path["accountId"]))
    return {k: row[k] for k in ("currency", "balance", "available", "holds")}


def _time_bounds(ctx: Ctx) -> tuple[int | None, int | None]:
    start = opt_int(ctx.query, "startAt", low=0, high=10**14)
    end = opt_int(ctx.query, "endAt", low=0, high=10**14)
    return start, end


def _currencies(ctx: Ctx) -> list[str | None]:
    """``currency`` may be a comma list (up to 10)."""
    text = opt_str(ctx.query, "currency", max_len=200)
    if text is None:
        return [None]
    names = [c.strip() for c in text.split(",") if c.strip()]
    if len(names) > 10:
        raise bad_param("at most 10 currencies")
    return list(names) or [None]


def _ledger(ctx: Ctx, *, last_id: int | None, limit: int | None, account_type: str | None) -> list[Any]:
    start, end = _time_bounds(ctx)
    direction = opt_enum(ctx.query, "direction", ("in", "out"))
    biz_type = opt_str(ctx.query, "bizType", max_len=40)
    entries = []
    for currency in _currencies(ctx):
        entries += ctx.venue.ledger(
            str(ctx.uid),
            currency=currency,
            direction=direction,
            biz_type=biz_type,
            account_type=account_type,
            start=start,
            end=end,
            last_id=last_id,
            limit=limit,
        )
    entries.sort(key=lambda e: e.id, reverse=True)
    return entries[:limit] if limit is not None else entries


@route("GET", "/api/v1/accounts/ledgers")
def ledgers_classic(ctx: Ctx) -> dict[str, Any]:
    entries = _ledger(ctx, last_id=None, limit=None, account_type=None)
    return page(ctx.query, [ser.ledger_classic(e) for e in entries])


@route("GET", "/api/v1/hf/accounts/ledgers")
def ledgers_hf(ctx: Ctx) -> list[dict[str, Any]]:
    limit = opt_int(ctx.query, "limit", low=1, high=200) or 100
    last_id = opt_int(ctx.query, "lastId", low=0, high=10**19)
    entries = _ledger(ctx, last_id=last_id, limit=limit, account_type="trade")
    return [ser.ledger_hf(e) for e in entries]


@route("GET", "/api/v1/hf/accounts/opened")
def hf_opened(ctx: Ctx) -> bool:
    return ctx.account.hf


@route("GET", "/api/v1/user/api-key")
def api_key_info(ctx: Ctx) -> dict[str, Any]:
    assert ctx.principal is not None
    key = ctx.principal.key
    return {
        "remark": key.remark,
        "apiKey": key.key,
        "apiVersion": key.version,
        "permission": ",".join(sorted(key.permissions)),
        "ipWhitelist": ",".join(key.ip_whitelist),
        "createdAt": key.created_at,
        "uid": ctx.uid,
        "isMaster": True,
    }


@route("GET", "/api/v2/user-info")
def user_info(ctx: Ctx) -> dict[str, Any]:
    return {
        "level": ctx.account.vip_level,
        "subQuantity": 0,
        "spotSubQuantity": 0,
        "marginSubQuantity": 0,
        "futuresSubQuantity": 0,
        "optionSubQuantity": 0,
        "maxSubQuantity": 0,
        "maxDefaultSubQuantity": 0,
        "maxSpotSubQuantity": 0,
        "maxMarginSubQuantity": 0,
        "maxFuturesSubQuantity": 0,
        "maxOptionSubQuantity": 0,
    }


@route("GET", "/api/v1/base-fee")
def base_fee(ctx: Ctx) -> dict[str, str]:
    opt_enum(ctx.query, "currencyType", ("0", "1"))
    rates = ctx.venue.base_fee_rates(str(ctx.uid))
    return {"takerFeeRate": ser.dec(rates.taker), "makerFeeRate": ser.dec(rates.maker)}


@route("GET", "/api/v1/trade-fees")
def trade_fees(ctx: Ctx) -> list[dict[str, str]]:
    symbols = [s.strip() for s in req_str(ctx.query, "symbols", max_len=500).split(",") if s.strip()]
    if not symbols:
        raise bad_param("symbols is required")
    if len(symbols) > 10:
        raise bad_param("at most 10 symbols")
    out = []
    for symbol in symbols:
        rates = ctx.venue.fee_rates(str(ctx.uid), symbol)
        out.append(
            {"symbol": symbol, "takerFeeRate": ser.dec(rates.taker), "makerFeeRate": ser.dec(rates.maker)}
        )
    return out
