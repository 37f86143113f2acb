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
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Protocol

import aiohttp

from adapters.common.deadline import within
from adapters.common.private_feeds import BalanceFeed as _BalanceFeed
from adapters.common.private_feeds import OrderFeed as _OrderFeed
from adapters.common.private_feeds import OrderReads
from adapters.common.ws_socket import Reconnect, json_object
from exchanges import (
    AuthenticationError,
    Balance,
    Clock,
    ExchangeError,
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
VENUE_NAME = "binance"


class PrivateRest(OrderReads, Protocol):
    """The REST reads the feeds fall back on (``BinanceExchange`` has them all)."""

    async def unified(self, native: str) -> str: ...

    async def fetch_balances(self) -> dict[str, Balance]: ...


class UserFeed(Protocol):
    ready: asyncio.Future[None] | None

    async def start(self) -> None: ...

    def stop(self) -> None: ...

    def on_message(self, message: Mapping[str, Any]) -> None: ...

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
            "user-data",
            url=lambda: options.ws_api,
            handler=self,
            reconnect=Reconnect.of(options, session, clock),
            messages_per_second=options.ws_messages_per_second,
        )

    async def start(self) -> None:
        """Connect and subscribe; the subscription's refusal is raised (an ``exchanges``
        error), as is no answer within ``ws_subscribe_timeout``."""
        self.socket.start()
        wait = self._options.ws_subscribe_timeout
        try:
            await within(self._subscribed, wait, self._clock)
        except TimeoutError:
            raise RequestTimeout(f"user data subscription: no answer within {wait} s", venue=VENUE) from None

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
        frame = json_object(text)
        if frame is None:
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
            feed.on_message(event)


class OrderFeed(_OrderFeed[PrivateRest]):
    """Orders and fills of every symbol; each stream filters its own."""

    def __init__(self, rest: PrivateRest, clock: Clock, *, placed_symbols: Callable[[], set[str]]) -> None:
        super().__init__(rest, clock, VENUE_NAME, placed_symbols=placed_symbols)
        self._fees: dict[str, tuple[Decimal, str | None]] = {}

    async def _message(self, event: Mapping[str, Any]) -> None:
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
                self._put_fill(fill)
        order = order_from_report(event, symbol, fee, asset)
        if order.status.is_done:
            self._fees.pop(order_id, None)
        self._tell(order)


class BalanceFeed(_BalanceFeed[PrivateRest]):
    """Every asset's balance, as ``fetch_balances`` gives it, kept by the account events."""

    def __init__(self, rest: PrivateRest, clock: Clock) -> None:
        super().__init__(rest, clock, VENUE_NAME)

    async def _reread(self) -> None:
        balances = await self._retrying("reading balances", self._rest.fetch_balances)
        for currency in sorted(balances):
            self._tell(balances[currency])

    async def _message(self, event: Mapping[str, Any]) -> None:
        kind = event.get("e")
        if kind == "outboundAccountPosition":
            for balance in balances_from_position(event):
                self._tell(balance)
        elif kind in ("balanceUpdate", "externalLockUpdate"):
            await self._reread()  # (a delta alone cannot say what is held)
