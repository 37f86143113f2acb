"""Binance's WebSocket API at ``/ws-api/v3`` (NOTES section 14): requests
``{"id", "method", "params"}`` answered ``{"id", "status", "result"|"error", "rateLimits"}``.

The REST endpoints' methods (``order.place``, ``order.status``, ``account.status``,
``depth``, ...) run the same handlers; signed ones carry ``apiKey``, ``timestamp`` and a
``signature`` over the parameters sorted by name, or only ``timestamp`` once the session
is logged on (``session.logon``). User data: ``userDataStream.subscribe.signature`` (any
key type), ``userDataStream.subscribe`` (a logged-on session), ``userDataStream.unsubscribe``
(one subscription, or all) and ``session.subscriptions``; events arrive as
``{"subscriptionId", "event"}``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from exchanges import ExchangeError

from . import errors
from .auth import Principal, check_timing, ws_payload
from .endpoints import Endpoint, Security
from .limits import ORDER_WINDOWS
from .params import Params
from .user_data import UserFeed

if TYPE_CHECKING:
    from .app import BinanceFacade

__all__ = ["METHODS", "ApiSessions", "serve_ws_api"]

#: WebSocket API methods that are a REST endpoint: (HTTP method, path).
METHODS: dict[str, tuple[str, str]] = {
    "ping": ("GET", "/api/v3/ping"),
    "time": ("GET", "/api/v3/time"),
    "exchangeInfo": ("GET", "/api/v3/exchangeInfo"),
    "depth": ("GET", "/api/v3/depth"),
    "trades.recent": ("GET", "/api/v3/trades"),
    "trades.historical": ("GET", "/api/v3/historicalTrades"),
    "trades.aggregate": ("GET", "/api/v3/aggTrades"),
    "klines": ("GET", "/api/v3/klines"),
    "uiKlines": ("GET", "/api/v3/uiKlines"),
    "avgPrice": ("GET", "/api/v3/avgPrice"),
    "ticker.24hr": ("GET", "/api/v3/ticker/24hr"),
    "ticker.price": ("GET", "/api/v3/ticker/price"),
    "ticker.book": ("GET", "/api/v3/ticker/bookTicker"),
    "ticker": ("GET", "/api/v3/ticker"),
    "order.place": ("POST", "/api/v3/order"),
    "order.test": ("POST", "/api/v3/order/test"),
    "order.cancel": ("DELETE", "/api/v3/order"),
    "order.status": ("GET", "/api/v3/order"),
    "order.cancelReplace": ("POST", "/api/v3/order/cancelReplace"),
    "order.amend.keepPriority": ("PUT", "/api/v3/order/amend/keepPriority"),
    "order.amendments": ("GET", "/api/v3/order/amendments"),
    "openOrders.status": ("GET", "/api/v3/openOrders"),
    "openOrders.cancelAll": ("DELETE", "/api/v3/openOrders"),
    "allOrders": ("GET", "/api/v3/allOrders"),
    "orderList.place": ("POST", "/api/v3/order/oco"),
    "orderList.place.oco": ("POST", "/api/v3/orderList/oco"),
    "orderList.place.oto": ("POST", "/api/v3/orderList/oto"),
    "orderList.place.otoco": ("POST", "/api/v3/orderList/otoco"),
    "orderList.place.opo": ("POST", "/api/v3/orderList/opo"),
    "orderList.place.opoco": ("POST", "/api/v3/orderList/opoco"),
    "orderList.cancel": ("DELETE", "/api/v3/orderList"),
    "orderList.status": ("GET", "/api/v3/orderList"),
    "openOrderLists.status": ("GET", "/api/v3/openOrderList"),
    "allOrderLists": ("GET", "/api/v3/allOrderList"),
    "myTrades": ("GET", "/api/v3/myTrades"),
    "account.status": ("GET", "/api/v3/account"),
    "account.commission": ("GET", "/api/v3/account/commission"),
    "account.rateLimits.orders": ("GET", "/api/v3/rateLimit/order"),
}
MAX_SUBSCRIPTIONS = 1000
MAX_MESSAGE = 64 * 1024


class ApiSessions:
    """The open WebSocket API connections of one facade (for the control paths)."""

    def __init__(self, facade: BinanceFacade, feed: UserFeed) -> None:
        self.facade = facade
        self.feed = feed
        self.open: dict[str, _Session] = {}
        self._ids = itertools.count(1)

    def connect(self, ip: str) -> _Session:
        session = _Session(self.facade, self.feed, ip, f"api-{next(self._ids)}")
        self.open[session.id] = session
        return session

    def subscription_count(self) -> int:
        """User-data subscriptions, summed over the open connections."""
        return sum(len(session.subscriptions) for session in self.open.values())

    def subscriptions(self) -> dict[str, list[int]]:
        """Each open connection's subscription ids."""
        return {sid: sorted(session.subscriptions) for sid, session in self.open.items()}

    def disconnect(self, connection: str | None = None) -> int:
        """Close connections (``None``: every one) from the server's side; returns how many.
        Their subscriptions end at once, with no ``eventStreamTerminated``: the socket is gone."""
        chosen = list(self.open) if connection is None else [connection]
        closed = 0
        for sid in chosen:
            session = self.open.pop(sid, None)
            if session is not None:
                session.close()
                closed += 1
        return closed


class _Session:
    """One WebSocket API connection: its logged-on key and user-data subscriptions."""

    def __init__(self, facade: BinanceFacade, feed: UserFeed, ip: str, session_id: str = "") -> None:
        self.id = session_id
        self.facade = facade
        self.feed = feed
        self.ip = ip
        self.connected = facade.clock.now_ms()
        self.principal: Principal | None = None
        self.authorized_since: int | None = None
        self.subscriptions: dict[int, tuple[str, Callable[[dict[str, Any]], None], bool]] = {}
        self.next_id = 0
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()

    def send(self, message: dict[str, Any]) -> None:
        self.queue.put_nowait(json.dumps(message, separators=(",", ":")))

    def close(self) -> None:
        for subscription_id in list(self.subscriptions):
            self._unsubscribe(subscription_id, notify=False)
        self.queue.put_nowait(None)

    # --- one request -----------------------------------------------------------------------------

    def handle(self, text: str) -> None:
        try:
            request = json.loads(text)
        except ValueError:
            self.refuse(None, errors.BinanceError(*errors.INVALID_JSON))
            return
        if not isinstance(request, dict):
            self.refuse(None, errors.BinanceError(*errors.INVALID_JSON))
            return
        request_id = request.get("id")
        method = request.get("method")
        params = request.get("params", {})
        show_limits = True
        try:
            if not isinstance(method, str):
                raise errors.mandatory("method")
            if not isinstance(params, dict):
                raise errors.BinanceError(-1130, "Data sent for parameter 'params' is not valid.")
            show_limits = params.pop("returnRateLimits", True) is not False
            method = method.removeprefix("v3/")
            result, _weight = self._call(method, params)
        except errors.BinanceError as refused:
            self.refuse(request_id, refused, show_limits)
            return
        except ExchangeError as exc:
            self.refuse(request_id, errors.from_exchange_error(exc), show_limits)
            return
        answer: dict[str, Any] = {"id": request_id, "status": 200, "result": result}
        if show_limits:
            answer["rateLimits"] = self._limits()
        self.send(answer)

    def refuse(self, request_id: object, err: errors.BinanceError, show_limits: bool = True) -> None:
        """Answer request ``request_id`` (``None``: one that could not be read) with ``err``."""
        body: dict[str, Any] = err.body()
        if err.data is None and err.status in (418, 429) and err.retry_after is not None:
            now = self.facade.clock.now_ms()
            body["data"] = {"serverTime": now, "retryAfter": now + err.retry_after * 1000}
        answer: dict[str, Any] = {"id": request_id, "status": err.status, "error": body}
        if show_limits:
            answer["rateLimits"] = self._limits()
        self.send(answer)

    def _limits(self) -> list[dict[str, Any]]:
        config = self.facade.config
        out = [
            {
                "rateLimitType": "REQUEST_WEIGHT",
                "interval": "MINUTE",
                "intervalNum": 1,
                "limit": config.weight_limit,
                "count": self.facade.weights.used(self.ip),
            }
        ]
        if self.principal is not None:
            counts = self.facade.orders.counts(self.principal.uid)
            for (_, name, num, _), limit, count in zip(
                ORDER_WINDOWS, self.facade.orders.limits, counts, strict=True
            ):
                out.insert(
                    0,
                    {
                        "rateLimitType": "ORDERS",
                        "interval": name,
                        "intervalNum": num,
                        "limit": limit,
                        "count": count,
                    },
                )
        return out

    def _call(self, method: str, params: dict[str, Any]) -> tuple[Any, int]:
        facade = self.facade
        own = _OWN.get(method)
        if own is not None:
            facade.weights.charge(self.ip, 2)
            return own(self, params), 2
        route = METHODS.get(method)
        endpoint = facade.endpoints.get(route) if route is not None else None
        if endpoint is None:
            raise errors.BinanceError(-1020, f"Unknown method '{method}'.")  # (UNSUPPORTED_OPERATION)
        return self._endpoint(endpoint, params)

    def _endpoint(self, ep: Endpoint, raw: dict[str, Any]) -> tuple[Any, int]:
        from .app import Ctx

        facade = self.facade
        params = Params(raw)
        weight = ep.weigh(params)
        facade.weights.charge(self.ip, 0 if ep.entry else weight)
        principal = None
        try:
            if ep.security in Security.SIGNED:
                principal = self._authenticate(raw, params)
            if ep.places:
                assert principal is not None
                facade.orders.check(principal.uid, ep.places)
            result = ep.handler(Ctx(facade, params, principal, self.ip))
        except (errors.BinanceError, ExchangeError) as err:
            status = err.status if isinstance(err, errors.BinanceError) else 400
            if ep.entry and weight and status not in (418, 429):
                with contextlib.suppress(errors.BinanceError):
                    facade.weights.charge(self.ip, weight)
            raise
        if ep.places:
            assert principal is not None
            facade.orders.count(principal.uid, ep.places)
        return result, weight

    def _authenticate(self, raw: dict[str, Any], params: Params) -> Principal:
        """A signed request: its own ``apiKey`` and ``signature``, or the logged-on key; from
        an address the key's whitelist allows, as on REST."""
        facade = self.facade
        key_id = params.text("apiKey")
        if key_id is None and self.principal is not None and "signature" not in params:
            check_timing(params.text("timestamp"), params.text("recvWindow"), facade.clock.now_ms())
            return self.principal
        principal = facade.keyring.principal(key_id)
        if not principal.key.allows_ip(self.ip):
            raise errors.BinanceError(*errors.REJECTED_MBX_KEY)
        signature = params.text("signature")
        if params.text("timestamp") is None:
            raise errors.mandatory("timestamp")
        if signature is None:
            raise errors.mandatory("signature")
        check_timing(params.text("timestamp"), params.text("recvWindow"), facade.clock.now_ms())
        facade.keyring.verify(principal, [ws_payload(raw)], signature)
        return principal

    # --- the WebSocket API's own methods ---------------------------------------------------------

    def _status(self) -> dict[str, Any]:
        return {
            "apiKey": None if self.principal is None else self.principal.key.key,
            "authorizedSince": self.authorized_since,
            "connectedSince": self.connected,
            "returnRateLimits": True,
            "serverTime": self.facade.clock.now_ms(),
            "userDataStream": bool(self.subscriptions),
        }

    def logon(self, params: dict[str, Any]) -> dict[str, Any]:
        self.principal = self._authenticate(params, Params(params))
        self.authorized_since = self.facade.clock.now_ms()
        return self._status()

    def status(self, _params: dict[str, Any]) -> dict[str, Any]:
        return self._status()

    def logout(self, _params: dict[str, Any]) -> dict[str, Any]:
        for subscription_id, (_, _, by_logon) in list(self.subscriptions.items()):
            if by_logon:
                self._unsubscribe(subscription_id)
        self.principal = None
        self.authorized_since = None
        return self._status()

    def subscribe_signature(self, params: dict[str, Any]) -> dict[str, Any]:
        principal = self._authenticate(params, Params(params))
        return self._subscribe(principal, by_logon=False)

    def subscribe_session(self, _params: dict[str, Any]) -> dict[str, Any]:
        if self.principal is None:
            raise errors.BinanceError(*errors.UNAUTHORIZED)
        return self._subscribe(self.principal, by_logon=True)

    def _subscribe(self, principal: Principal, *, by_logon: bool) -> dict[str, Any]:
        uid = str(principal.uid)
        if any(owner == uid for owner, _, _ in self.subscriptions.values()):
            raise errors.BinanceError(*errors.SUBSCRIPTION_ACTIVE)
        if len(self.subscriptions) >= MAX_SUBSCRIPTIONS or self.next_id >= 65535:
            raise errors.BinanceError(-2042, "Maximum subscription ID reached for this connection.")
        subscription_id = self.next_id
        self.next_id += 1

        def deliver(event: dict[str, Any]) -> None:
            self.send({"subscriptionId": subscription_id, "event": event})

        self.subscriptions[subscription_id] = (uid, deliver, by_logon)
        self.feed.add(uid, deliver)
        return {"subscriptionId": subscription_id}

    def unsubscribe(self, params: dict[str, Any]) -> dict[str, Any]:
        wanted = params.get("subscriptionId")
        if wanted is None:
            for subscription_id in list(self.subscriptions):
                self._unsubscribe(subscription_id)
            return {}
        if isinstance(wanted, str) and wanted.isdigit():
            wanted = int(wanted)
        if wanted not in self.subscriptions:
            raise errors.BinanceError(*errors.SUBSCRIPTION_INACTIVE)
        self._unsubscribe(wanted)
        return {}

    def _unsubscribe(self, subscription_id: int, *, notify: bool = True) -> None:
        uid, deliver, _ = self.subscriptions.pop(subscription_id)
        self.feed.remove(uid, deliver)
        if notify:
            now = self.facade.clock.now_ms()
            self.send({"subscriptionId": subscription_id, "event": {"e": "eventStreamTerminated", "E": now}})

    def list_subscriptions(self, _params: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"subscriptionId": n} for n in self.subscriptions]


_OWN: dict[str, Callable[[_Session, dict[str, Any]], Any]] = {
    "session.logon": _Session.logon,
    "session.status": _Session.status,
    "session.logout": _Session.logout,
    "userDataStream.subscribe.signature": _Session.subscribe_signature,
    "userDataStream.subscribe": _Session.subscribe_session,
    "userDataStream.unsubscribe": _Session.unsubscribe,
    "session.subscriptions": _Session.list_subscriptions,
}


async def serve_ws_api(sessions: ApiSessions, websocket: WebSocket) -> None:
    """One WebSocket API connection (it costs 2 weight, as on Binance)."""
    facade = sessions.facade
    client = websocket.scope.get("client")
    ip = client[0] if client else "0.0.0.0"
    await websocket.accept()
    session = sessions.connect(ip)
    with contextlib.suppress(errors.BinanceError):
        facade.weights.charge(ip, 2)
    sender = asyncio.get_running_loop().create_task(_send(websocket, session))
    try:
        while True:
            text = await websocket.receive_text()
            if len(text) > MAX_MESSAGE:
                too_many = errors.BinanceError(-1101, "Too many parameters sent for this endpoint.")
                session.refuse(None, too_many)
                continue
            session.handle(text)
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        sessions.open.pop(session.id, None)
        session.close()
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await sender


async def _send(websocket: WebSocket, session: _Session) -> None:
    while True:
        message = await session.queue.get()
        if message is None:
            with contextlib.suppress(Exception):
                await websocket.close()
            return
        await websocket.send_text(message)
