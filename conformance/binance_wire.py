"""Binance's wire format, as much of it as the fault injector needs: which requests place
orders (and with which ``newClientOrderId``: in the form body or the query), which read
orders, and how a replica that has not yet seen an order answers (``-2013 Order does not
exist.``, or a list without it). Binance has no batch placement.

Written from ``shared/binance-spec`` for this repository's targets only, apart from both the
adapter and the simulator.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any
from urllib.parse import parse_qsl

import httpx

__all__ = ["BinanceFaultWire"]

_PLACE_PATHS = frozenset({"/api/v3/order", "/api/v3/sor/order"})
_READ_PATHS = frozenset({"/api/v3/order", "/api/v3/openOrders", "/api/v3/allOrders"})
_NO_SUCH_ORDER = {"code": -2013, "msg": "Order does not exist."}
_DROPPED_HEADERS = frozenset({"content-length", "content-encoding", "transfer-encoding"})


def _params(request: httpx.Request) -> dict[str, str]:
    params = dict(parse_qsl(request.content.decode("utf-8", "replace"))) if request.content else {}
    params.update(request.url.params)
    return params


class BinanceFaultWire:
    def placed_client_ids(self, request: httpx.Request) -> list[str]:
        if request.method != "POST" or request.url.path not in _PLACE_PATHS:
            return []
        cid = _params(request).get("newClientOrderId")
        return [cid] if cid else []

    def keep_first(self, request: httpx.Request, count: int) -> httpx.Request:
        raise NotImplementedError("Binance places no batches")

    def is_order_read(self, request: httpx.Request) -> bool:
        return request.method == "GET" and request.url.path in _READ_PATHS

    def read_client_id(self, request: httpx.Request) -> str | None:
        return _params(request).get("origClientOrderId") or None

    def hide(
        self, request: httpx.Request, response: httpx.Response, unseen: Collection[str]
    ) -> tuple[httpx.Response, set[str]]:
        if response.status_code != 200:
            return response, set()
        payload = _json(response.content)
        if isinstance(payload, dict) and payload.get("clientOrderId") in unseen:
            return _rebuilt(request, response, _NO_SUCH_ORDER, 400), {str(payload["clientOrderId"])}
        if not isinstance(payload, list):
            return response, set()
        kept, hidden = [], set()
        for row in payload:
            cid = row.get("clientOrderId") if isinstance(row, dict) else None
            if cid is not None and cid in unseen:
                hidden.add(str(cid))
            else:
                kept.append(row)
        return (_rebuilt(request, response, kept, 200), hidden) if hidden else (response, hidden)


def _json(content: bytes) -> Any:
    try:
        return json.loads(content) if content else None
    except ValueError:
        return None


def _rebuilt(request: httpx.Request, response: httpx.Response, payload: Any, status: int) -> httpx.Response:
    headers = [(k, v) for k, v in response.headers.items() if k.lower() not in _DROPPED_HEADERS]
    return httpx.Response(status, headers=headers, content=json.dumps(payload).encode(), request=request)
