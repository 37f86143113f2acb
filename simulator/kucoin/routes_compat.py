"""Paths a client touches that are not spot trading: server facts, WebSocket tokens, and the
margin, futures and unified-account probes CCXT sends while loading markets.

The simulator lists no margin pairs, futures contracts or unified account, so those start-up
paths answer with valid empty data; every other margin/futures/earn/... path in KuCoin's spec
answers the not-supported error (``unsupported_routes``).
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from ._spec_endpoints import SPEC_ENDPOINTS
from .app import Ctx
from .endpoints import Registry, RouteDef
from .errors import not_supported

__all__ = ["path_shape", "registry", "unsupported_routes"]

registry = Registry()
route = registry.route

PING_INTERVAL_MS = 18000
PING_TIMEOUT_MS = 10000


@route("GET", "/api/v1/timestamp")
def server_time(ctx: Ctx) -> int:
    return ctx.now_ms()


@route("GET", "/api/v1/status")
def service_status(_ctx: Ctx) -> dict[str, Any]:
    return {"status": "open", "msg": ""}


@route("GET", "/api/v1/my-ip")
def my_ip(ctx: Ctx) -> str:
    return ctx.ip


def _token(ctx: Ctx) -> dict[str, Any]:
    endpoint = ctx.facade.config.ws_endpoint or f"ws://{ctx.host}/ws"
    return {
        "token": secrets.token_urlsafe(48),
        "instanceServers": [
            {
                "endpoint": endpoint,
                "encrypt": endpoint.startswith("wss:"),
                "protocol": "websocket",
                "pingInterval": PING_INTERVAL_MS,
                "pingTimeout": PING_TIMEOUT_MS,
            }
        ],
    }


@route("POST", "/api/v1/bullet-public")
def bullet_public(ctx: Ctx) -> dict[str, Any]:
    return _token(ctx)


@route("POST", "/api/v1/bullet-private")
def bullet_private(ctx: Ctx) -> dict[str, Any]:
    return _token(ctx)


# --- start-up probes with nothing to list ----------------------------------------------------------


@route("GET", "/api/v3/margin/symbols")
def margin_symbols(ctx: Ctx) -> dict[str, Any]:
    return {"timestamp": ctx.now_ms(), "items": []}


@route("GET", "/api/v1/isolated/symbols")
def isolated_symbols(_ctx: Ctx) -> list[Any]:
    return []


@route("GET", "/api/v1/contracts/active", domain="Futures")
def futures_contracts(_ctx: Ctx) -> list[Any]:
    return []


@route("GET", "/api/ua/v1/account/mode")
def account_mode(_ctx: Ctx) -> dict[str, Any]:
    """CCXT's unified-account probe: every simulator account is a classic one."""
    return {"selfAccountMode": "CLASSIC", "unifiedSubAccount": [], "classicSubAccount": []}


_PARAM = re.compile(r"\{[^}]*\}")


def path_shape(path: str) -> str:
    """A path with its parameters blanked: two routes of one shape would shadow each other."""
    return _PARAM.sub("{}", path)


def unsupported_routes(served: list[RouteDef]) -> list[RouteDef]:
    """A not-supported route for every spec operation no handler serves (margin, futures,
    sub-accounts, transfers, earn, OCO, call auctions, ...). Where a futures path equals a
    spot one (``GET /api/v1/orders``), the spot route wins: the simulator is one host."""
    seen = {(r.method, path_shape(r.path)) for r in served}
    out = []
    for domain, method, path, *_rest, title in SPEC_ENDPOINTS:
        shape = (method, path_shape(path))
        if shape in seen:
            continue
        seen.add(shape)
        out.append(RouteDef(method, path, _refuse(f"{title} ({method} {path})"), domain))
    return out


def _refuse(what: str) -> Any:
    def handler(_ctx: Ctx) -> Any:
        raise not_supported(what)

    return handler
