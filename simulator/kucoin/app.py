"""The KuCoin facade as a Starlette app: gateway checks, then a route handler, then the envelope.

Every request goes through one path (``KucoinFacade.dispatch``): content type, authentication
(private routes), rate-limit charge, handler, and KuCoin's envelope with the gateway headers.
Handlers are plain functions run on the event loop (the venue is in-memory and single-threaded);
they return the ``data`` value or raise ``errors.ApiError`` / an ``exchanges`` error. Nothing a
client sends reaches the response as a traceback: a genuine bug becomes KuCoin's 500000 body and
a logged traceback.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, WebSocketRoute

from exchanges import Clock, ExchangeError, PoolState
from simulator.venue import Venue

from . import errors
from .auth import Keyring, Principal
from .config import AccountConfig, FacadeConfig
from .endpoints import Endpoint, RouteDef
from .limits import MAX_TARGET_BYTES, read_body, target_too_long
from .ratelimit import RateLimiter
from .routing import EndpointTable
from .ws_control import control_routes
from .ws_endpoint import ws_endpoint
from .ws_hub import WsHub

__all__ = ["Ctx", "KucoinFacade"]

log = logging.getLogger("simulator.kucoin")
access_log = logging.getLogger("simulator.kucoin.access")

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_OK_HEAD = b'{"code":"200000","data":'


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def _error_body(err: errors.ApiError) -> bytes:
    return _dumps({"code": err.code, "msg": err.msg})


def _is_json(content_type: str | None) -> bool:
    return content_type is not None and content_type.split(";", 1)[0].strip().lower() == "application/json"


class Ctx:
    """What a handler sees of one request."""

    __slots__ = ("_json", "body", "facade", "host", "ip", "path", "principal", "query", "secure")

    def __init__(
        self,
        facade: KucoinFacade,
        principal: Principal | None,
        query: dict[str, str],
        path: Mapping[str, Any],
        body: bytes,
        ip: str,
        host: str = "127.0.0.1",
        secure: bool = False,
    ) -> None:
        self.facade = facade
        self.principal = principal
        self.query = query
        self.path = path
        self.body = body
        self.ip = ip
        self.host = host
        #: Served over TLS (the WebSocket endpoint is then ``wss://``).
        self.secure = secure
        self._json: dict[str, Any] | None = None

    @property
    def venue(self) -> Venue:
        return self.facade.venue

    @property
    def uid(self) -> int:
        if self.principal is None:  # pragma: no cover - private routes always authenticate
            raise errors.ApiError(*errors.MISSING_HEADERS)
        return self.principal.uid

    @property
    def account(self) -> AccountConfig:
        return self.facade.accounts[self.uid]

    def now_ms(self) -> int:
        return self.facade.clock.now_ms()

    def json(self) -> dict[str, Any]:
        """The body as a JSON object ({} when empty); anything else is a parameter error."""
        if self._json is None:
            if not self.body.strip():
                self._json = {}
            else:
                try:
                    value = json.loads(self.body)
                except (ValueError, RecursionError):
                    raise errors.bad_param("The request body is not valid JSON.") from None
                if not isinstance(value, dict):
                    raise errors.bad_param("The request body must be a JSON object.")
                self._json = value
        return self._json


class KucoinFacade:
    """State of the served exchange's gateway: keys, accounts, rate limits, routes."""

    def __init__(
        self,
        venue: Venue,
        config: FacadeConfig,
        clock: Clock,
        routes: Iterable[RouteDef],
        *,
        unsupported: Iterable[RouteDef] = (),
    ) -> None:
        self.venue = venue
        self.config = config
        self.clock = clock
        self.accounts: dict[int, AccountConfig] = {a.uid: a for a in config.accounts}
        self.keyring = Keyring(config.accounts)
        self.limiter = RateLimiter(
            config.rate_limits,
            clock,
            window_s=config.rate_limit_window_s,
            quotas=config.rate_limit_quotas,
        )
        self.endpoints = [Endpoint.from_def(r) for r in routes]
        self.unsupported = [Endpoint.from_def(r) for r in unsupported]
        #: The WebSocket server: tokens, connections, topics, faults.
        self.ws = WsHub(venue, clock, config.ws_limits, config.ws_faults)
        given = urlsplit(config.ws_endpoint).path if config.ws_endpoint else ""
        self.ws_path = given or "/ws"
        #: Called for accounts added after start-up (the builder opens them on the venue).
        self.on_account_added: Callable[[AccountConfig], None] | None = None
        self.app = self._build_app()

    # --- accounts and keys added after start-up (tests, the demo) ---------------------------------

    def add_account(self, account: AccountConfig) -> None:
        if account.uid in self.accounts:
            raise ValueError(f"account uid {account.uid} already exists")
        taken = [key.key for key in account.keys if key.key in self.keyring]
        if taken:
            raise ValueError(f"API key {taken[0]!r} already exists")
        if self.on_account_added is not None:
            self.on_account_added(account)
        for key in account.keys:
            self.keyring.add(key, account.uid)
        self.accounts[account.uid] = account

    # --- the app ----------------------------------------------------------------------------------

    def _build_app(self) -> Starlette:
        routes: list[BaseRoute] = [WebSocketRoute(self.ws_path, ws_endpoint(self.ws))]
        if self.config.control:
            routes.extend(control_routes(self.ws))
        routes.append(EndpointTable([*self.endpoints, *self.unsupported], self.dispatch))
        app = Starlette(
            routes=routes,
            exception_handlers={HTTPException: self._http_exception, Exception: self._crash},
        )
        app.router.redirect_slashes = False  # KuCoin answers 404000, never a redirect
        return app

    async def _http_exception(self, request: Request, exc: Exception) -> Response:
        # Starlette's own 404/405 (no route matched): KuCoin's 404000.
        status = getattr(exc, "status_code", 404)
        err = errors.not_found() if status in (404, 405) else errors.bad_param("Bad request")
        ip = request.client.host if request.client else "0.0.0.0"
        self._log(request.scope, err.status, err.code, 0.0)
        return self._respond(err.status, _error_body(err), err.code, self.limiter.peek_public(ip))

    async def _crash(self, request: Request, exc: Exception) -> Response:  # pragma: no cover - bug path
        log.error("unhandled error on %s", _request_line(request.scope), exc_info=exc)
        err = errors.ApiError(*errors.INTERNAL)
        return self._respond(err.status, _error_body(err), err.code, None)

    # --- one request ------------------------------------------------------------------------------

    async def dispatch(self, request: Request, ep: Endpoint) -> Response:
        started = time.perf_counter()
        scope = request.scope
        client = scope.get("client")
        ip = client[0] if client else "0.0.0.0"
        method: str = scope["method"]
        state: PoolState | None = None
        try:
            raw_query: bytes = scope.get("query_string", b"")
            if len(raw_query) > MAX_TARGET_BYTES:
                raise target_too_long()
            body = await read_body(request) if method in _BODY_METHODS else b""
            if body and not _is_json(request.headers.get("content-type")):
                raise errors.ApiError(*errors.UNSUPPORTED_MEDIA)
            query_string = raw_query.decode("latin-1")
            principal = None
            if ep.permission is None:
                charge = self.limiter.charge(pool=ep.pool, weight=ep.weight, ip=ip)
            else:
                principal = self.keyring.authenticate(
                    method=method,
                    raw_path=scope.get("raw_path", scope["path"].encode()).decode("latin-1"),
                    query=query_string,
                    body=body,
                    headers=request.headers,
                    client_ip=ip,
                    now_ms=self.clock.now_ms(),
                    window_ms=self.config.timestamp_window_ms,
                    permission=ep.permission,
                )
                charge = self.limiter.charge(
                    pool=ep.pool,
                    weight=ep.weight,
                    ip=ip,
                    uid=principal.uid,
                    key=principal.key.key,
                    vip_level=self.accounts[principal.uid].vip_level,
                    bulk=ep.bulk,
                )
            state = charge.state
            if not charge.admitted:
                raise errors.ApiError(*errors.TOO_MANY)
            query = dict(parse_qsl(query_string, keep_blank_values=True)) if query_string else {}
            host = request.headers.get("host") or "127.0.0.1"
            secure = scope.get("scheme") == "https"
            data = ep.handler(Ctx(self, principal, query, request.path_params, body, ip, host, secure))
            status, payload, code = 200, _OK_HEAD + _dumps(data) + b"}", "200000"
        except errors.ApiError as refused:
            status, payload, code = refused.status, _error_body(refused), refused.code
        except ExchangeError as exc:
            mapped = errors.from_exchange_error(exc, not_found_msg=ep.not_found_msg)
            status, payload, code = mapped.status, _error_body(mapped), mapped.code
        except Exception:
            log.exception("unhandled error on %s", _request_line(scope))
            bug = errors.ApiError(*errors.INTERNAL)
            status, payload, code = bug.status, _error_body(bug), bug.code
        self._log(scope, status, code, time.perf_counter() - started)
        if state is None:  # refused before any pool was charged: show the caller's public pool
            state = self.limiter.peek_public(ip)
        return self._respond(status, payload, code, state)

    @staticmethod
    def _respond(status: int, payload: bytes, code: str, state: PoolState | None) -> Response:
        """KuCoin's answer with its gateway headers: the rate-limit pool and the body's code."""
        headers = {"x-result-biz-code": code}
        if status == 413:  # the rest of the body is left unread: the connection cannot go on
            headers["connection"] = "close"
        if state is not None:
            headers["gw-ratelimit-limit"] = str(state.limit)
            headers["gw-ratelimit-remaining"] = str(state.remaining)
            headers["gw-ratelimit-reset"] = str(state.reset_ms)
        return Response(payload, status, headers=headers, media_type="application/json")

    @staticmethod
    def _log(scope: Mapping[str, Any], status: int, code: str, seconds: float) -> None:
        if not access_log.isEnabledFor(logging.INFO):
            return
        client = scope.get("client")
        ip = client[0] if client else "-"
        access_log.info("%s %s %d %s %.1fms", ip, _request_line(scope), status, code, seconds * 1000)


def _request_line(scope: Mapping[str, Any]) -> str:
    """Method and target as sent (the path still percent-encoded), with anything that does not
    print escaped: what a client puts in a request cannot start a log line of its own nor
    reach the operator's terminal as a control sequence."""
    query: bytes = scope.get("query_string", b"")
    raw_path: bytes | None = scope.get("raw_path")
    path = raw_path.decode("latin-1") if raw_path is not None else scope["path"]
    line = f"{scope['method']} {path}?{query.decode('latin-1')}" if query else f"{scope['method']} {path}"
    if line.isprintable() and "\\" not in line:
        return line
    return "".join(c if c.isprintable() and c != "\\" else c.encode("unicode_escape").decode() for c in line)
