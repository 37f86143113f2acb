"""User data (NOTES 13) over the WebSocket API, the way Binance recommends since the REST
listenKey endpoints were switched off: ``userDataStream.subscribe.signature`` (any key
type; the request signed over its sorted parameters), sent again after every reconnect.
Events arrive as ``{"subscriptionId", "event"}``.

Feeds run one task each, in order: the order feed turns ``executionReport`` into orders and
fills, the balance feed ``outboundAccountPosition`` into balances. Both start from a REST
read (open orders, balances) and, after every new subscription on a new socket, read again
what they may have missed, so that the streams lose nothing.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from decimal import Decimal
from typing import Any, Protocol

import aiohttp
import orjson

from adapters.common import OrderTracker
from exchanges import (
    AuthenticationError,
    Backlog,
    Balance,
    Clock,
    ExchangeError,
    Fill,
    Latest,
    Order,
    OrderNotFound,
    RequestTimeout,
)

from .credentials import BinanceCredentials
from .errors import VENUE, error_from_response
from .options import BinanceOptions
from .signing import ws_payload
from .ws_parsing import balances_from_position, fill_from_report, order_from_report
from .ws_socket import WsSocket

__all__ = ["BalanceFeed", "OrderFeed", "PrivateRest", "UserStream"]

log = logging.getLogger("adapters.binance")

ZERO = Decimal(0)
_RESTART = object()
#: How long before the last event heard a reconnect's read of done orders starts.
_REREAD_MARGIN_MS = 60_000
_MALFORMED = (KeyError, TypeError, ValueError, ArithmeticError, IndexError, AttributeError)


class PrivateRest(Protocol):
    """The REST reads the feeds fall back on (``BinanceExchange`` has them all)."""

    async def unified(self, native: str) -> str: ...

    async def fetch_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order: ...

    async def fetch_open_orders(self, symbol: str | None = None) -> list[Order]: ...

    async def fetch_closed_orders(self, symbol: str, *, start: int | None = None) -> list[Order]: ...

    async def fetch_fills(self, symbol: str, *, order_id: str | None = None) -> list[Fill]: ...

    async def fetch_balances(self) -> dict[str, Balance]: ...


class UserFeed(Protocol):
    ready: asyncio.Future[None] | None

    async def start(self) -> None: ...

    def stop(self) -> None: ...

    def on_event(self, event: Mapping[str, Any]) -> None: ...

    def on_restart(self) -> None: ...

    def on_error(self, error: ExchangeError) -> None: ...


class UserStream:
    """One WebSocket API connection subscribed to the account's user data."""

    def __init__(
        self,
        options: BinanceOptions,
        clock: Clock,
        credentials: BinanceCredentials,
        now_ms: Callable[[], int],
        session: Callable[[], aiohttp.ClientSession],
    ) -> None:
        self._options = options
        self._clock = clock
        self._credentials = credentials
        self._now_ms = now_ms
        self._ids = itertools.count(1)
        self._asked: str | None = None
        self.subscription: int | None = None
        self.feeds: list[UserFeed] = []
        self._subscribed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._restarted = False
        self.socket = WsSocket(
            name="user-data",
            url=lambda: options.ws_api,
            handler=self,
            session=session,
            clock=clock,
            connect_timeout=options.timeout,
            backoff_initial=options.ws_backoff_initial,
            backoff_max=options.ws_backoff_max,
            messages_per_second=options.ws_messages_per_second,
            ssl_context=options.ws_ssl,
        )

    async def start(self) -> None:
        """Connect and subscribe; the subscription's refusal is raised (an ``exchanges``
        error), as is no answer within ``ws_subscribe_timeout``."""
        self.socket.start()
        timer = asyncio.ensure_future(self._clock.sleep(self._options.ws_subscribe_timeout))
        try:
            await asyncio.wait((self._subscribed, timer), return_when=asyncio.FIRST_COMPLETED)
        finally:
            timer.cancel()
        if not self._subscribed.done():
            wait = self._options.ws_subscribe_timeout
            raise RequestTimeout(f"user data subscription: no answer within {wait} s", venue=VENUE)
        self._subscribed.result()

    async def close(self) -> None:
        await self.socket.close()

    def _request(self) -> dict[str, Any]:
        params: dict[str, Any] = {
            "apiKey": self._credentials.api_key,
            "recvWindow": self._options.recv_window,
            "timestamp": self._now_ms(),
        }
        params["signature"] = self._credentials.sign(ws_payload(params))
        self._asked = f"sub-{next(self._ids)}"
        return {"id": self._asked, "method": "userDataStream.subscribe.signature", "params": params}

    async def on_open(self, restarted: bool) -> None:
        self.subscription = None
        self._restarted = restarted
        await self.socket.send(self._request())

    def on_lost(self) -> None:
        self.subscription = None

    def on_text(self, text: str) -> None:
        try:
            frame = orjson.loads(text)
        except orjson.JSONDecodeError:
            return
        if not isinstance(frame, dict):
            return
        event = frame.get("event")
        if isinstance(event, dict):
            self._event(event)
        elif frame.get("id") is not None and frame.get("id") == self._asked:
            self._answer(frame)

    def _answer(self, frame: Mapping[str, Any]) -> None:
        status = frame.get("status")
        if status == 200:
            result = frame.get("result")
            self.subscription = int(result["subscriptionId"]) if isinstance(result, dict) else 0
            if not self._subscribed.done():
                self._subscribed.set_result(None)
            elif self._restarted:
                for feed in self.feeds:
                    feed.on_restart()
            return
        error_body = frame.get("error") if isinstance(frame.get("error"), dict) else {}
        assert isinstance(error_body, dict)
        http = status if isinstance(status, int) else None
        error = error_from_response(str(error_body.get("code") or ""), str(error_body.get("msg") or ""), http)
        if not self._subscribed.done():
            self._subscribed.set_exception(error)
            self._subscribed.exception()
        elif isinstance(error, AuthenticationError):
            for feed in self.feeds:
                feed.on_error(error)
        log.debug("binance user data subscription refused: %s", error)

    def _event(self, event: Mapping[str, Any]) -> None:
        kind = event.get("e")
        if kind == "eventStreamTerminated":  # subscribe again (and read what was missed)
            self._restarted = True
            asyncio.get_running_loop().create_task(self.socket.send(self._request()))
            return
        if kind == "serverShutdown":
            return  # (the socket closes; the next one subscribes again)
        for feed in self.feeds:
            feed.on_event(event)


class _SerialFeed:
    """Events and restarts in a queue, handled in order by one task; ``start`` seeds by REST
    first, so events that arrive meanwhile wait for it."""

    def __init__(self, rest: PrivateRest, clock: Clock) -> None:
        self._rest = rest
        self._clock = clock
        self._queue: deque[object] = deque()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.ready: asyncio.Future[None] | None = None

    async def start(self) -> None:
        await self._seed()
        self._task = asyncio.get_running_loop().create_task(self._run())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def on_event(self, event: Mapping[str, Any]) -> None:
        self._queue.append(event)
        self._wake.set()

    def on_restart(self) -> None:
        if not self._queue or self._queue[-1] is not _RESTART:
            self._queue.append(_RESTART)
        self._wake.set()

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._queue:
                item = self._queue.popleft()
                try:
                    if item is _RESTART:
                        await self._reread()
                    else:
                        assert isinstance(item, Mapping)
                        await self._event(item)
                except asyncio.CancelledError:
                    raise
                except (ExchangeError, *_MALFORMED) as exc:
                    log.warning(
                        "binance ws: a user data event could not be read (%s: %s)", type(exc).__name__, exc
                    )

    async def _retrying(self, what: str, read: Callable[[], Awaitable[Any]]) -> Any:
        """A REST read that must succeed (nothing may be lost): retried on network errors."""
        pause = 0.25
        while True:
            try:
                return await read()
            except ExchangeError as exc:
                if not exc.retryable:
                    raise
                log.debug("binance ws: %s failed, retrying: %s", what, exc)
            await self._clock.sleep(pause)
            pause = min(pause * 2, 5.0)

    async def _seed(self) -> None:
        raise NotImplementedError

    async def _reread(self) -> None:
        raise NotImplementedError

    async def _event(self, event: Mapping[str, Any]) -> None:
        raise NotImplementedError


class OrderFeed(_SerialFeed):
    """Orders and fills of every symbol; each stream filters its own."""

    def __init__(self, rest: PrivateRest, clock: Clock, *, placed_symbols: Callable[[], set[str]]) -> None:
        super().__init__(rest, clock)
        self.tracker = OrderTracker()
        self._placed_symbols = placed_symbols
        self._heard = 0
        self._seeded = False
        self._fees: dict[str, tuple[Decimal, str | None]] = {}
        self._orders: list[tuple[str | None, Backlog[Order]]] = []
        self._fills: list[tuple[str | None, Backlog[Fill]]] = []
        self.rereads = 0

    @property
    def boxes(self) -> list[Backlog[Order] | Backlog[Fill]]:
        return [b for _, b in self._orders] + [b for _, b in self._fills]

    def attach_orders(self, box: Backlog[Order], symbol: str | None) -> None:
        self._orders.append((symbol, box))
        if self._seeded:
            for order in self._open(symbol):
                box.put(order)

    def attach_fills(self, box: Backlog[Fill], symbol: str | None) -> None:
        self._fills.append((symbol, box))

    def detach(self, box: object) -> None:
        self._orders = [(s, b) for s, b in self._orders if b is not box]
        self._fills = [(s, b) for s, b in self._fills if b is not box]

    def on_error(self, error: ExchangeError) -> None:
        for box in self.boxes:
            box.fail(error)

    def _open(self, symbol: str | None) -> list[Order]:
        found = [o for o in self.tracker.open_orders() if symbol is None or o.symbol == symbol]
        return sorted(found, key=lambda o: (o.updated_at, o.created_at))

    def _tell(self, order: Order) -> None:
        if self.tracker.advance(order):
            for symbol, box in self._orders:
                if symbol is None or symbol == order.symbol:
                    box.put(order)

    def _tell_fill(self, fill: Fill) -> None:
        if self.tracker.first_fill(fill.trade_id, fill.order_id):
            for symbol, box in self._fills:
                if symbol is None or symbol == fill.symbol:
                    box.put(fill)

    async def _seed(self) -> None:
        self._heard = self._clock.now_ms()
        for order in await self._retrying("reading open orders", self._rest.fetch_open_orders):
            self.tracker.seed(order)
        self._seeded = True
        for symbol, box in self._orders:
            for order in self._open(symbol):
                box.put(order)

    async def _event(self, event: Mapping[str, Any]) -> None:
        if event.get("e") != "executionReport":
            return
        self._heard = self._clock.now_ms()
        symbol = await self._rest.unified(str(event["s"]))
        order_id = str(event["i"])
        fee, asset = self._fees.get(order_id, (ZERO, None))
        if event.get("x") == "TRADE":
            fill = fill_from_report(event, symbol)
            if self.tracker.first_fill(fill.trade_id, fill.order_id):
                if fill.fee:
                    fee, asset = (
                        (fee + fill.fee, fill.fee_currency)
                        if asset in (None, fill.fee_currency)
                        else (ZERO, None)
                    )
                    self._fees[order_id] = (fee, asset)
                for want, box in self._fills:
                    if want is None or want == symbol:
                        box.put(fill)
        order = order_from_report(event, symbol, fee, asset)
        if order.status.is_done:
            self._fees.pop(order_id, None)
        self._tell(order)

    async def _reread(self) -> None:
        """After a reconnect: every open order as REST has it; each order known open that no
        longer is, in its final state; orders done since shortly before the socket went quiet
        (of every symbol seen, watched or placed on); and the fills of orders that moved."""
        self.rereads += 1
        since = max(self._heard - _REREAD_MARGIN_MS, 0)
        before = {o.id: o for o in self.tracker.open_orders()}
        now = await self._retrying("reading open orders", self._rest.fetch_open_orders)
        moved: dict[str, Order] = {o.id: o for o in now}
        symbols = {o.symbol for o in before.values()} | self._placed_symbols()
        symbols |= {s for s, _ in self._orders if s is not None} | {
            s for s, _ in self._fills if s is not None
        }
        for symbol in sorted(symbols):
            done = await self._retrying(
                f"reading {symbol} orders done",
                lambda s=symbol: self._rest.fetch_closed_orders(s, start=since),  # type: ignore[misc]
            )
            for order in done:
                moved.setdefault(order.id, order)
        for order in before.values():
            if order.id not in moved:
                final = await self._retrying(
                    f"reading order {order.id}",
                    lambda o=order: self._final(o),  # type: ignore[misc]
                )
                if final is not None:
                    moved[final.id] = final
        for order in sorted(moved.values(), key=lambda o: o.updated_at):
            old = self.tracker.get(order.id)
            if order.filled_size > (old.filled_size if old is not None else ZERO):
                fills = await self._retrying(
                    f"reading fills of {order.id}",
                    lambda o=order: self._rest.fetch_fills(o.symbol, order_id=o.id),  # type: ignore[misc]
                )
                for fill in sorted(fills, key=lambda f: (f.timestamp, f.trade_id)):
                    self._tell_fill(fill)
            self._tell(order)
        self._heard = self._clock.now_ms()

    async def _final(self, order: Order) -> Order | None:
        try:
            return await self._rest.fetch_order(order.symbol, order_id=order.id)
        except OrderNotFound:
            return None


class BalanceFeed(_SerialFeed):
    """Every asset's balance, as ``fetch_balances`` gives it, kept by the account events."""

    def __init__(self, rest: PrivateRest, clock: Clock) -> None:
        super().__init__(rest, clock)
        self.boxes: list[Latest[Balance]] = []
        self._told: dict[str, Balance] = {}

    def attach(self, box: Latest[Balance]) -> None:
        self.boxes.append(box)
        for currency in sorted(self._told):
            box.put(self._told[currency], key=currency)

    def detach(self, box: object) -> None:
        self.boxes = [b for b in self.boxes if b is not box]

    def on_error(self, error: ExchangeError) -> None:
        for box in self.boxes:
            box.fail(error)

    def _tell(self, balance: Balance) -> None:
        if balance == self._told.get(balance.currency):
            return
        self._told[balance.currency] = balance
        for box in self.boxes:
            box.put(balance, key=balance.currency)

    async def _seed(self) -> None:
        await self._reread()

    async def _reread(self) -> None:
        balances = await self._retrying("reading balances", self._rest.fetch_balances)
        for currency in sorted(balances):
            self._tell(balances[currency])

    async def _event(self, event: Mapping[str, Any]) -> None:
        kind = event.get("e")
        if kind == "outboundAccountPosition":
            for balance in balances_from_position(event):
                self._tell(balance)
        elif kind in ("balanceUpdate", "externalLockUpdate"):
            await self._reread()  # (a delta alone cannot say what is held)
