"""Validating the facade's responses against each operation's response schema in KuCoin's spec.

The schemas are the spec's own (refs inlined, prose dropped), checked in as
``data/response_schemas.json`` (see ``spec_tools``). A few paths the copied spec lacks (v1
symbols and currencies, the unified-account probe) get schemas written here from KuCoin's
older docs and CCXT's expectations.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jsonschema

from .spec_tools import SCHEMA_FILE

_STR = {"type": "string"}
_BOOL = {"type": "boolean"}
_INT = {"type": "integer"}


def _envelope(data: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": {"code": _STR, "data": data}, "required": ["code", "data"]}


_V1_SYMBOL_FIELDS = {
    "symbol": _STR, "name": _STR, "baseCurrency": _STR, "quoteCurrency": _STR, "feeCurrency": _STR,
    "market": _STR, "baseMinSize": _STR, "quoteMinSize": _STR, "baseMaxSize": _STR, "quoteMaxSize": _STR,
    "baseIncrement": _STR, "quoteIncrement": _STR, "priceIncrement": _STR, "priceLimitRate": _STR,
    "minFunds": _STR, "isMarginEnabled": _BOOL, "enableTrading": _BOOL,
}  # fmt: skip
_V1_CURRENCY_FIELDS = {
    "currency": _STR, "name": _STR, "fullName": _STR, "precision": _INT, "confirms": _INT,
    "contractAddress": _STR, "withdrawalMinSize": _STR, "withdrawalMinFee": _STR, "isWithdrawEnabled": _BOOL,
    "isDepositEnabled": _BOOL, "isMarginEnabled": _BOOL, "isDebitEnabled": _BOOL,
}  # fmt: skip


def _object(fields: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": fields, "required": sorted(fields)}


EXTRA_SCHEMAS: dict[str, Any] = {
    "extra GET /api/v1/symbols": _envelope({"type": "array", "items": _object(_V1_SYMBOL_FIELDS)}),
    "extra GET /api/v1/currencies": _envelope({"type": "array", "items": _object(_V1_CURRENCY_FIELDS)}),
    "extra GET /api/v1/currencies/{currency}": _envelope(_object(_V1_CURRENCY_FIELDS)),
    "extra GET /api/ua/v1/account/mode": _envelope(
        _object(
            {
                "selfAccountMode": {"type": "string", "enum": ["CLASSIC", "UNIFIED"]},
                "unifiedSubAccount": {"type": "array"},
                "classicSubAccount": {"type": "array"},
            }
        )
    ),
}


#: An order's own texts: null when the order has none, as KuCoin's classic GET and HF margin
#: examples show; examples of orders that have them show strings, so the spec types them string.
_OWN_TEXTS = ("remark", "tags")


def _own_texts_nullable(schema: Any) -> None:
    if isinstance(schema, dict):
        for name, sub in schema.get("properties", {}).items():
            if name in _OWN_TEXTS and sub.get("type") == "string":
                sub["type"] = ["string", "null"]
        for sub in (*schema.get("properties", {}).values(), schema.get("items")):
            _own_texts_nullable(sub)


@cache
def _spec_schemas() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_FILE.read_text())
    # Known gap in the spec: GET /api/v1/accounts?type=trade_hf answers rows of type trade_hf
    # (CCXT 4.5 asks for that type and keeps only such rows); the spec's enum has main/trade.
    row = loaded["Spot GET /api/v1/accounts"]["properties"]["data"]["items"]["properties"]["type"]
    row["enum"] = [*row["enum"], "trade_hf"]
    for schema in loaded.values():
        _own_texts_nullable(schema)
    return loaded


def schema_for(key: str) -> Any:
    """The response schema of ``"<domain> <METHOD> <path>"`` (or ``"extra ..."``)."""
    if key in EXTRA_SCHEMAS:
        return EXTRA_SCHEMAS[key]
    return _spec_schemas()[key]


def validate(key: str, payload: Any) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``payload`` fits the operation's schema."""
    jsonschema.Draft7Validator(schema_for(key)).validate(payload)
