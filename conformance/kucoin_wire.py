"""KuCoin's wire format, as much of it as the fault injector needs: which requests place
orders (and with which clientOids), how to cut a batch short (re-signed, since KuCoin signs
the body), which requests read orders, and how a replica that has not yet seen an order
answers ("order not exist.", or a list without it).

Written from ``shared/kucoin-spec`` for this repository's targets only, apart from both the
adapter and the simulator, so that neither one's reading of the spec decides what the
faults look like.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Collection
from typing import Any

import httpx

__all__ = ["KucoinFaultWire"]

_PLACE_PATHS = frozenset(
    {
        "/api/v1/hf/orders",
        "/api/v1/hf/orders/sync",
        "/api/v1/hf/orders/multi",
        "/api/v1/hf/orders/multi/sync",
        "/api/v1/orders",
        "/api/v1/orders/multi",
        "/api/v1/stop-order",
    }
)
_READ_PREFIXES = (
    "/api/v1/hf/orders",
    "/api/v1/order/client-order/",
    "/api/v1/orders",
    "/api/v1/limit/orders",
    "/api/v1/stop-order",
)
_NOT_READS = ("/api/v1/hf/orders/active/symbols", "/api/v1/hf/orders/dead-cancel-all")
_BY_CLIENT_OID = ("/api/v1/hf/orders/client-order/", "/api/v1/order/client-order/")
_NOT_EXIST = {"code": "400100", "msg": "order not exist."}
_DROPPED_HEADERS = frozenset({"content-length", "content-encoding", "transfer-encoding"})


class KucoinFaultWire:
    """``secret`` signs the shortened batches (the key's own secret; KuCoin refuses a body
    that does not match its signature)."""

    def __init__(self, secret: str) -> None:
        self._secret = secret.encode()

    def __repr__(self) -> str:
        return "KucoinFaultWire(secret=***)"

    def placed_client_ids(self, request: httpx.Request) -> list[str]:
        if request.method != "POST" or request.url.path not in _PLACE_PATHS:
            return []
        body = _json(request.content)
        if not isinstance(body, dict):
            return []
        orders = body.get("orderList") if "orderList" in body else [body]
        if not isinstance(orders, list):
            return []
        return [str(o["clientOid"]) for o in orders if isinstance(o, dict) and o.get("clientOid")]

    def keep_first(self, request: httpx.Request, count: int) -> httpx.Request:
        body = json.loads(request.content)
        body["orderList"] = body["orderList"][:count]
        content = json.dumps(body, separators=(",", ":"))
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _DROPPED_HEADERS}
        stamp = request.headers.get("KC-API-TIMESTAMP", "")
        target = request.url.raw_path.decode()
        digest = hmac.new(self._secret, (stamp + "POST" + target + content).encode(), hashlib.sha256)
        headers["KC-API-SIGN"] = base64.b64encode(digest.digest()).decode()
        return httpx.Request("POST", request.url, headers=headers, content=content.encode())

    def is_order_read(self, request: httpx.Request) -> bool:
        path = request.url.path
        return (
            request.method == "GET"
            and path.startswith(_READ_PREFIXES)
            and not path.startswith(_NOT_READS)
        )

    def read_client_id(self, request: httpx.Request) -> str | None:
        path = request.url.path
        for prefix in _BY_CLIENT_OID:
            if path.startswith(prefix):
                return path.removeprefix(prefix) or None
        named = request.url.params.get("clientOid")
        return str(named) if named else None

    def hide(
        self, request: httpx.Request, response: httpx.Response, unseen: Collection[str]
    ) -> tuple[httpx.Response, set[str]]:
        payload = _json(response.content)
        if response.status_code != 200 or not isinstance(payload, dict) or payload.get("code") != "200000":
            return response, set()
        data = payload.get("data")
        hidden: set[str] = set()
        if isinstance(data, dict) and "clientOid" in data:  # one order
            if data.get("clientOid") in unseen:
                return _rebuilt(request, response, _NOT_EXIST), {str(data["clientOid"])}
            return response, hidden
        if isinstance(data, list):
            rows, hidden = _without(data, unseen)
            payload = dict(payload, data=rows)
        elif isinstance(data, dict) and isinstance(data.get("items"), list):
            rows, hidden = _without(data["items"], unseen)
            payload = dict(payload, data=dict(data, items=rows))
        if not hidden:
            return response, hidden
        return _rebuilt(request, response, payload), hidden


def _json(content: bytes) -> Any:
    try:
        return json.loads(content) if content else None
    except ValueError:
        return None


def _without(rows: list[Any], unseen: Collection[str]) -> tuple[list[Any], set[str]]:
    kept, hidden = [], set()
    for row in rows:
        cid = row.get("clientOid") if isinstance(row, dict) else None
        if cid is not None and cid in unseen:
            hidden.add(str(cid))
        else:
            kept.append(row)
    return kept, hidden


def _rebuilt(request: httpx.Request, response: httpx.Response, payload: Any) -> httpx.Response:
    headers = [(k, v) for k, v in response.headers.items() if k.lower() not in _DROPPED_HEADERS]
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=json.dumps(payload, separators=(",", ":")).encode(),
        request=request,
    )
