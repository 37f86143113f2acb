"""The Binance dialect as one Starlette app: REST under ``/api/v3`` (and the few ``/sapi``,
``/fapi`` and ``/dapi`` paths clients read at start-up), market streams at ``/ws`` and
``/stream``, and the WebSocket API at ``/ws-api/v3``, on one port.

Every REST request goes one way (:meth:`BinanceFacade.dispatch`): parameters from the
query and the body (a form, whatever its content type says; the query wins), the weight
charged, the key, timing and signature of a signed request checked, the handler, then the
answer with ``X-MBX-USED-WEIGHT-1M`` (and ``X-MBX-ORDER-COUNT-*`` after a placement).
Handlers return the JSON value or raise :class:`~.errors.BinanceError` or an ``exchanges``
error; nothing a client sends reaches the answer as a traceback.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from exchanges import Clock, ExchangeError
from simulator.venue import BookSnapshot, Venue

from . import errors
from .amendments import Amendments
from .auth import Keyring, Principal, check_timing, rest_payloads
from .config import AccountConfig, BinanceConfig
from .endpoints import Endpoint, Security
from .first_fills import FirstFills
from .limits import ORDER_WINDOWS, OrderCounter, WeightLimiter
from .listing import Names
from .params import Params, merge

if TYPE_CHECKING:
    from .ws_control import WsControl

__all__ = ["BinanceFacade", "Ctx"]

log = logging.getLogger("simulator.binance")
access_log = logging.getLogger("simulator.binance.access")

MAX_BODY_BYTES = 64 * 1024
MAX_QUERY_BYTES = 8 * 1024
_BODY_METHODS = frozenset({"POST", "PUT", "DELETE"})
_JSON = "application/json;charset=UTF-8"


def dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


class Ctx:
    """What a handler sees of one request (REST or WebSocket API)."""

    __slots__ = ("facade", "ip", "params", "principal")

    def __init__(self, facade: BinanceFacade, params: Params, principal: Principal | None, ip: str) -> None:
        self.facade = facade
        self.params = params
        self.principal = principal
        self.ip = ip

    @property
    def venue(self) -> Venue:
        return self.facade.venue

    @property
    def uid(self) -> str:
        if self.principal is None:  # pragma: no cover - signed routes always authenticate
            raise errors.BinanceError(*errors.BAD_API_KEY_FMT)
        return str(self.principal.uid)

    def now(self) -> int:
        return self.facade.venue.sync()

    def native(self, name: str) -> str:
        """The venue's name of the Binance symbol ``name`` (``-1121`` if not listed)."""
        return self.facade.native(name)

    def name(self, native: str) -> str:
        return self.facade.names.binance[native]


class BinanceFacade:
    """The served exchange's gateway: keys, accounts, limits, routes."""

    def __init__(
        self,
        venue: Venue,
        config: BinanceConfig,
        clock: Clock,
        endpoints: Iterable[Endpoint],
        ws_routes: Callable[[BinanceFacade], list[BaseRoute]] | None = None,
    ) -> None:
        self.venue = venue
        self.config = config
        self.clock = clock
        self.accounts: dict[int, AccountConfig] = {a.uid: a for a in config.accounts}
        self.keyring = Keyring(config.accounts)
        enforce = config.rate_limits != "off"
        self.weights = WeightLimiter(clock, config.weight_limit, enforce=enforce)
        self.orders = OrderCounter(clock, config.orders_per_10s, config.orders_per_day, enforce=enforce)
        self.orders.settle = FirstFills(venue, self.orders).settle
        self.names = Names(venue.symbols())
        self.endpoints: dict[tuple[str, str], Endpoint] = {(e.method, e.path): e for e in endpoints}
        self.on_account_added: Callable[[AccountConfig], None] | None = None
        self.depth_listeners: list[Callable[[str, BookSnapshot], None]] = []
        #: The client id each cancel under way was given, by order id (for its execution report).
        self.cancel_ids: dict[str, str] = {}
        #: Amend keep-priority's records; its counter numbers every execution report.
        self.amendments = Amendments()
        #: Whether an account's user data is being streamed (the WebSocket side sets it).
        self.user_feed_listening: Callable[[str], bool] = lambda _uid: False
        #: The WebSocket side (market streams, the WebSocket API), once its routes are made.
        self.ws: WsControl | None = None
        routes: list[BaseRoute] = list(ws_routes(self)) if ws_routes is not None else []
        routes.append(Route("/{path:path}", self.http, methods=["GET", "POST", "PUT", "DELETE"]))
        self.app = Starlette(routes=routes)

    # --- accounts --------------------------------------------------------------------------------

    def add_account(self, account: AccountConfig) -> None:
        if account.uid in self.accounts:
            raise ValueError(f"account uid {account.uid} already exists")
        if self.on_account_added is not None:
            self.on_account_added(account)
        for key in account.keys:
            self.keyring.add(key, account.uid)
        self.accounts[account.uid] = account

    def depth_served(self, native: str, snapshot: BookSnapshot) -> None:
        """A REST depth snapshot went out: the diff-depth stream must bring every level it
        shows up to date (see :mod:`.depth`)."""
        for listener in self.depth_listeners:
            listener(native, snapshot)

    def native(self, name: str) -> str:
        native = self.names.native.get(name)
        if native is None:
            for spec in self.venue.symbols():  # a pair listed since
                self.names.add(spec)
            native = self.names.native.get(name)
            if native is None:
                raise errors.BinanceError(*errors.BAD_SYMBOL)
        return native

    # --- one REST request ------------------------------------------------------------------------

    async def http(self, request: Request) -> Response:
        started = time.perf_counter()
        scope = request.scope
        client = scope.get("client")
        ip = client[0] if client else "0.0.0.0"
        method: str = scope["method"]
        ep = self.endpoints.get((method, scope["path"]))
        headers: dict[str, str] = {}
        used = 0
        weight = 0
        principal: Principal | None = None
        try:
            if ep is None:
                used = self.weights.charge(ip, 1)
                raise errors.BinanceError(-1000, f"Not found: {method} {scope['path']}", 404)
            raw_query: bytes = scope.get("query_string", b"")
            if len(raw_query) > MAX_QUERY_BYTES:
                raise errors.BinanceError(-1101, "Too many parameters sent for this endpoint.", 414)
            body = await _read_body(request) if method in _BODY_METHODS else b""
            query = raw_query.decode("latin-1")
            text = body.decode("utf-8", "replace")
            params = Params(
                merge(parse_qsl(query, keep_blank_values=True), parse_qsl(text, keep_blank_values=True))
            )
            weight = ep.weigh(params)
            used = self.weights.charge(ip, 0 if ep.entry else weight)
            if ep.security in Security.SIGNED:
                principal = self.authenticate(request.headers.get("x-mbx-apikey"), params, query, text, ip)
            if ep.places:
                assert principal is not None
                self.orders.check(principal.uid, ep.places)
            data = ep.handler(Ctx(self, params, principal, ip))
            if ep.places:
                assert principal is not None
                self._order_headers(headers, self.orders.count(principal.uid, ep.places))
            used = max(used, self.weights.used(ip))  # (a handler may charge what it did)
            status, payload = 200, dumps(data)
        except errors.BinanceError as refused:
            status, payload = refused.status, dumps(refused.body())
            if refused.retry_after is not None:
                headers["Retry-After"] = str(refused.retry_after)
            used = self._failed(ep, ip, weight, used, refused.status)
        except ExchangeError as exc:
            mapped = errors.from_exchange_error(exc)
            status, payload = mapped.status, dumps({"code": mapped.code, "msg": mapped.msg})
            used = self._failed(ep, ip, weight, used, status)
        except Exception:
            log.exception("unhandled error on %s %s", method, scope["path"])
            code, msg, status = errors.UNKNOWN
            payload = dumps({"code": code, "msg": msg})
        if ep is not None and ep.counted and principal is not None:
            self._order_headers(headers, self.orders.counts(principal.uid))
        headers["X-MBX-USED-WEIGHT-1M"] = str(used)
        headers["x-mbx-used-weight"] = str(used)
        if access_log.isEnabledFor(logging.INFO):
            access_log.info(
                "%s %s %s %d %.1fms",
                ip,
                method,
                _printable(scope["path"]),
                status,
                (time.perf_counter() - started) * 1000,
            )
        return Response(payload, status, headers=headers, media_type=_JSON)

    @staticmethod
    def _order_headers(headers: dict[str, str], counts: list[int]) -> None:
        for (suffix, *_), count in zip(ORDER_WINDOWS, counts, strict=True):
            headers[f"X-MBX-ORDER-COUNT-{suffix}"] = str(count)

    def _failed(self, ep: Endpoint | None, ip: str, weight: int, used: int, status: int) -> int:
        """A failed order-entry request pays its weight after all (a refusal by the limiter
        itself has been counted)."""
        if ep is not None and ep.entry and status not in (418, 429) and weight:
            try:
                return self.weights.charge(ip, weight)
            except errors.BinanceError:
                return self.weights.used(ip)
        return used or self.weights.used(ip)

    def authenticate(self, key_id: str | None, params: Params, query: str, body: str, ip: str) -> Principal:
        """The key (from an address its whitelist allows), then ``timestamp`` within
        ``recvWindow``, then the signature."""
        principal = self.keyring.principal(key_id)
        if not principal.key.allows_ip(ip):
            raise errors.BinanceError(*errors.REJECTED_MBX_KEY)
        signature = params.text("signature")
        timestamp = params.text("timestamp")
        if timestamp is None:
            raise errors.mandatory("timestamp")
        if signature is None:
            raise errors.mandatory("signature")
        check_timing(timestamp, params.text("recvWindow"), self.clock.now_ms())
        self.keyring.verify(principal, rest_payloads(query, body), signature)
        return principal


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise errors.BinanceError(-1101, "Too many parameters sent for this endpoint.", 413)
    chunks = []
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > MAX_BODY_BYTES:
            raise errors.BinanceError(-1101, "Too many parameters sent for this endpoint.", 413)
        chunks.append(chunk)
    return b"".join(chunks)


def _printable(text: str) -> str:
    return text if text.isprintable() else text.encode("unicode_escape").decode()


def query_pairs(params: Mapping[str, str]) -> list[tuple[str, str]]:
    return list(params.items())
