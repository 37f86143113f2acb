"""Binance's wire format, as much of it as the fault injector needs: which requests place
orders (and with which client order ids), which requests read orders, and how a replica
that has not yet seen an order answers (HTTP 400 ``-2013`` "Order does not exist.", or a
list without it).

Written from ``shared/binance-spec`` for this repository's targets only, apart from both the
adapter and the simulator, so that neither one's reading of the spec decides what the
faults look like. Binance spot has no batch placement: ``keep_first`` is never asked for.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any
from urllib.parse import parse_qsl

import httpx

__all__ = ["BinanceFaultWire"]

#: Placements and the parameters that name their orders' client ids (NOTES 7.1, 7.5, 7.6).
_PLACE_IDS = {
    "/api/v3/order": ("newClientOrderId",),
    "/api/v3/order/cancelReplace": ("newClientOrderId",),
    "/api/v3/sor/order": ("newClientOrderId",),
    "/api/v3/order/oco": ("limitClientOrderId", "stopClientOrderId"),
    "/api/v3/orderList/oco": ("aboveClientOrderId", "belowClientOrderId"),
    "/api/v3/orderList/oto": ("workingClientOrderId", "pendingClientOrderId"),
    "/api/v3/orderList/otoco": (
        "workingClientOrderId",
        "pendingAboveClientOrderId",
        "pendingBelowClientOrderId",
    ),
    "/api/v3/orderList/opo": ("workingClientOrderId", "pendingClientOrderId"),
    "/api/v3/orderList/opoco": (
        "workingClientOrderId",
        "pendingAboveClientOrderId",
        "pendingBelowClientOrderId",
    ),
}
_READS = frozenset({"/api/v3/order", "/api/v3/openOrders", "/api/v3/allOrders"})
_NOT_EXIST = {"code": -2013, "msg": "Order does not exist."}
_DROPPED_HEADERS = frozenset({"content-length", "content-encoding", "transfer-encoding"})


def _params(request: httpx.Request) -> dict[str, str]:
    """Query and form body together; a name in both takes the query's value (NOTES 2.1)."""
    found: dict[str, str] = {}
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        found.update(parse_qsl(request.content.decode(errors="replace"), keep_blank_values=True))
    found.update(parse_qsl(request.url.query.decode(errors="replace"), keep_blank_values=True))
    return found


class BinanceFaultWire:
    """What the fault injector must know of Binance's wire format."""

    def __repr__(self) -> str:
        return "BinanceFaultWire()"

    def placed_client_ids(self, request: httpx.Request) -> list[str]:
        names = _PLACE_IDS.get(request.url.path) if request.method == "POST" else None
        if names is None:
            return []
        params = _params(request)
        return [params[name] for name in names if params.get(name)]

    def keep_first(self, request: httpx.Request, count: int) -> httpx.Request:
        raise NotImplementedError("Binance spot has no batch placement to cut short")

    def is_order_read(self, request: httpx.Request) -> bool:
        return request.method == "GET" and request.url.path in _READS

    def read_client_id(self, request: httpx.Request) -> str | None:
        return _params(request).get("origClientOrderId") or None

    def hide(
        self, request: httpx.Request, response: httpx.Response, unseen: Collection[str]
    ) -> tuple[httpx.Response, set[str]]:
        if response.status_code != 200:
            return response, set()
        payload = _json(response.content)
        if isinstance(payload, dict) and "clientOrderId" in payload:  # one order
            if payload["clientOrderId"] in unseen:
                return _rebuilt(request, response, 400, _NOT_EXIST), {str(payload["clientOrderId"])}
            return response, set()
        if not isinstance(payload, list):
            return response, set()
        kept, hidden = [], set()
        for row in payload:
            cid = row.get("clientOrderId") if isinstance(row, dict) else None
            if cid is not None and cid in unseen:
                hidden.add(str(cid))
            else:
                kept.append(row)
        if not hidden:
            return response, hidden
        return _rebuilt(request, response, 200, kept), hidden


def _json(content: bytes) -> Any:
    try:
        return json.loads(content) if content else None
    except ValueError:
        return None


def _rebuilt(request: httpx.Request, response: httpx.Response, status: int, payload: Any) -> httpx.Response:
    headers = [(k, v) for k, v in response.headers.items() if k.lower() not in _DROPPED_HEADERS]
    return httpx.Response(
        status, headers=headers, content=json.dumps(payload, separators=(",", ":")).encode(), request=request
    )
