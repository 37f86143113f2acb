"""The caller's own feeds: orders and fills (``/spotMarket/tradeOrdersV2`` and
``/spotMarket/advancedOrders``), balances (``/account/balance``).

Frames are handled one at a time, in arrival order, by a task of the feed's own, since some
need a REST read first (an order first seen part-filled, an order's final state, an
account not yet known). After a reconnect, once every topic is acknowledged again, the
feed re-reads by REST what the socket may have missed: the open orders (and each order it
knew open that is no longer, in its final state, with the fills between), or the balances.
Nothing is dropped: the mailboxes of these streams keep every event.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Protocol

from adapters.common.order_tracker import OrderTracker
from exchanges import (
    Backlog,
    Balance,
    Clock,
    ExchangeError,
    Fill,
    Latest,
    Order,
    OrderNotFound,
)

from .models import Account, TradeFee
from .parsing import from_native
from .ws_parsing import fill_from_frame, order_from_frame, stop_order_from_frame

__all__ = ["BalanceFeed", "OrderFeed", "PrivateRest"]

log = logging.getLogger("adapters.kucoin")

ZERO = Decimal(0)
_RESTART = object()
#: How long before the last event heard a reconnect's read of done orders starts (the
#: socket may have been dead a while before anyone noticed: up to a ping interval and
#: its timeout).
_REREAD_MARGIN_MS = 60_000
_MALFORMED = (KeyError, TypeError, ValueError, ArithmeticError, IndexError, AttributeError)


class PrivateRest(Protocol):
    """The REST reads the private feeds fall back on (``KucoinExchange`` has them all)."""

    async def fetch_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order: ...

    async def fetch_open_orders(self, symbol: str | None = None) -> list[Order]: ...

    async def fetch_closed_orders(self, symbol: str, *, start: int | None = None) -> list[Order]: ...

    async def fetch_fills(self, symbol: str, *, order_id: str | None = None) -> list[Fill]: ...

    async def fetch_trade_fees(self, symbols: Sequence[str]) -> dict[str, TradeFee]: ...

    async def fetch_accounts(self, currency: str | None = None, type: str | None = None) -> list[Account]: ...


class _SerialFeed:
    """Frames and restarts in a queue, handled in order by one task; ``start`` seeds by REST
    first, so frames that arrive meanwhile wait for it."""

    def __init__(self, rest: PrivateRest, clock: Clock) -> None:
        self.symbol = ""
        self._rest = rest
        self._clock = clock
        self._queue: deque[object] = deque()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._seed()
        self._task = asyncio.get_running_loop().create_task(self._run())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def on_message(self, frame: dict[str, Any]) -> None:
        self._queue.append(frame)
        self._wake.set()

    def on_restart(self) -> None:
        if not self._queue or self._queue[-1] is not _RESTART:  # (one per reconnect, not per topic)
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
                        assert isinstance(item, dict)
                        await self._frame(item)
                except asyncio.CancelledError:
                    raise
                except (ExchangeError, *_MALFORMED) as exc:
                    name = type(exc).__name__
                    log.warning("kucoin ws: a private event could not be read (%s: %s)", name, exc)

    async def _retrying(self, what: str, read: Callable[[], Any]) -> Any:
        """A REST read that must succeed (nothing may be lost): retried on network errors."""
        pause = 0.25
        while True:
            try:
                return await read()
            except ExchangeError as exc:
                if not exc.retryable:
                    raise
                log.debug("kucoin ws: %s failed, retrying: %s", what, exc)
            await self._clock.sleep(pause)
            pause = min(pause * 2, 5.0)

    async def _seed(self) -> None:
        raise NotImplementedError

    async def _reread(self) -> None:
        raise NotImplementedError

    async def _frame(self, frame: dict[str, Any]) -> None:
        raise NotImplementedError


class OrderFeed(_SerialFeed):
    """Orders and fills of every symbol; each stream filters its own."""

    def __init__(
        self,
        rest: PrivateRest,
        clock: Clock,
        *,
        placed: Callable[[str], Order | None],
        placed_symbols: Callable[[], set[str]],
        read_final: bool,
    ) -> None:
        super().__init__(rest, clock)
        self.tracker = OrderTracker()
        self._placed = placed
        self._placed_symbols = placed_symbols
        self._heard = 0  # local time of the last event: a reconnect re-reads from a little before
        self._seeded = False
        self._read_final = read_final
        self._rates: dict[str, tuple[Decimal | None, Decimal | None]] = {}
        self._orders: list[tuple[str | None, Backlog[Order]]] = []
        self._fills: list[tuple[str | None, Backlog[Fill]]] = []
        self.ready: asyncio.Future[None] | None = None
        self.rereads = 0

    @property
    def boxes(self) -> list[Backlog[Order] | Backlog[Fill]]:
        return [b for _, b in self._orders] + [b for _, b in self._fills]

    def attach_orders(self, box: Backlog[Order], symbol: str | None) -> None:
        """A stream starts with the open orders as they stand (a later one, as the feed
        knows them), then hears every change."""
        self._orders.append((symbol, box))
        if self._seeded:
            for order in self._open(symbol):
                box.put(order)

    def _open(self, symbol: str | None) -> list[Order]:
        found = [o for o in self.tracker.open_orders() if symbol is None or o.symbol == symbol]
        return sorted(found, key=lambda o: (o.updated_at, o.created_at))

    def attach_fills(self, box: Backlog[Fill], symbol: str | None) -> None:
        self._fills.append((symbol, box))

    def detach(self, box: object) -> None:
        self._orders = [(s, b) for s, b in self._orders if b is not box]
        self._fills = [(s, b) for s, b in self._fills if b is not box]

    def on_error(self, error: ExchangeError) -> None:
        for box in self.boxes:
            box.fail(error)

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

    async def _frame(self, frame: dict[str, Any]) -> None:
        self._heard = self._clock.now_ms()
        data = frame.get("data")
        if not isinstance(data, Mapping):
            return
        subject = frame.get("subject")
        if subject == "orderChange":
            await self._order_change(data)
        elif subject == "stopOrder":
            stop = stop_order_from_frame(data)
            if stop is not None:
                self._tell(stop)

    async def _order_change(self, data: Mapping[str, Any]) -> None:
        order_id = str(data["orderId"])
        symbol = from_native(str(data["symbol"]))
        known = self.tracker.get(order_id)
        filled = Decimal(data.get("filledSize") or 0)
        is_match = data.get("type") == "match"
        match_size = Decimal(data.get("matchSize") or 0) if is_match else ZERO
        if known is None and filled - match_size > 0:
            # first seen after fills it did not see: their funds come from REST
            known = await self._read(symbol, order_id)
            if known is not None:
                self._tell(known)
        base = known or self._placed(order_id)
        funds = known.filled_funds if known is not None else ZERO
        if is_match and (known is None or filled > known.filled_size):
            funds += Decimal(data["matchPrice"]) * match_size
        if is_match:
            maker, taker = await self._fee_rates(symbol)
            quote = symbol.split("/")[1]
            fill = fill_from_frame(data, maker_rate=maker, taker_rate=taker, fee_currency=quote)
            self._tell_fill(fill)
        order = order_from_frame(data, base, funds, known.filled_size if known is not None else ZERO)
        if order.status.is_done and self._read_final:
            final = await self._read(symbol, order_id)
            if final is not None and final.status.is_done:
                order = final
        self._tell(order)

    async def _read(self, symbol: str, order_id: str) -> Order | None:
        try:
            return await self._rest.fetch_order(symbol, order_id=order_id)
        except ExchangeError as exc:
            log.debug("kucoin ws: order %s not read back: %s", order_id, exc)
            return None

    async def _fee_rates(self, symbol: str) -> tuple[Decimal | None, Decimal | None]:
        rates = self._rates.get(symbol)
        if rates is None:
            try:
                fee = (await self._rest.fetch_trade_fees([symbol]))[symbol]
                rates = (fee.maker_fee_rate, fee.taker_fee_rate)
            except (ExchangeError, KeyError) as exc:
                log.debug("kucoin ws: no fee rates for %s: %s", symbol, exc)
                return None, None
            self._rates[symbol] = rates
        return rates

    async def _reread(self) -> None:
        """After a reconnect: every open order as REST has it; each order known open that
        no longer is, in its final state; the orders done since shortly before the socket
        went quiet, of every symbol the stream has seen, watches or this exchange placed
        on (an order placed and done while away is in no open list); and the fills of the
        orders that moved meanwhile."""
        self.rereads += 1
        since = max(self._heard - _REREAD_MARGIN_MS, 0)
        before = {o.id: o for o in self.tracker.open_orders()}
        now = await self._retrying("reading open orders", self._rest.fetch_open_orders)
        moved: dict[str, Order] = {o.id: o for o in now}
        symbols = {o.symbol for o in before.values()} | self._placed_symbols()
        symbols |= {s for s, _ in self._orders + self._fills if s is not None}
        for symbol in sorted(symbols):
            done = await self._retrying(
                f"reading {symbol} orders done",
                lambda s=symbol: self._rest.fetch_closed_orders(s, start=since),  # type: ignore[misc]
            )
            for order in done:
                moved.setdefault(order.id, order)
        for order in before.values():
            if order.id not in moved and order.stop is None:
                final = await self._retrying(
                    f"reading order {order.id}", lambda o=order: self._final(o)  # type: ignore[misc]
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
    """The trade account's balance per currency, as ``fetch_balances`` gives it."""

    def __init__(self, rest: PrivateRest, clock: Clock) -> None:
        super().__init__(rest, clock)
        self.boxes: list[Latest[Balance]] = []
        self._accounts: dict[str, Account] = {}  # trade accounts by id
        self._others: set[str] = set()
        self._told: dict[str, Balance] = {}
        self.ready: asyncio.Future[None] | None = None

    def attach(self, box: Latest[Balance]) -> None:
        """A stream starts with every balance as it stands, then hears each change."""
        self.boxes.append(box)
        for currency in sorted(self._told):
            box.put(self._told[currency], key=currency)

    def detach(self, box: object) -> None:
        self.boxes = [b for b in self.boxes if b is not box]

    def on_error(self, error: ExchangeError) -> None:
        for box in self.boxes:
            box.fail(error)

    async def _load(self) -> None:
        rows = await self._retrying("reading accounts", lambda: self._rest.fetch_accounts(type="trade"))
        self._accounts = {a.id: a for a in rows}

    async def _seed(self) -> None:
        await self._load()
        for currency in sorted({a.currency for a in self._accounts.values()}):
            self._told[currency] = balance = self._balance(currency)
            for box in self.boxes:
                box.put(balance, key=currency)

    def _balance(self, currency: str) -> Balance:
        rows = [a for a in self._accounts.values() if a.currency == currency]
        return Balance(
            currency=currency,
            total=sum((a.balance for a in rows), ZERO),
            available=sum((a.available for a in rows), ZERO),
            hold=sum((a.holds for a in rows), ZERO),
            raw=[a.raw for a in rows] if len(rows) > 1 else (rows[0].raw if rows else None),
        )

    def _tell(self, currency: str) -> None:
        balance = self._balance(currency)
        if balance == self._told.get(currency):
            return
        self._told[currency] = balance
        for box in self.boxes:
            box.put(balance, key=currency)

    async def _frame(self, frame: dict[str, Any]) -> None:
        data = frame.get("data")
        if not isinstance(data, Mapping):
            return
        account_id = str(data["accountId"])
        if account_id in self._others:
            return
        if account_id not in self._accounts:
            await self._load()  # a new account: is it a trade one?
            if account_id not in self._accounts:
                self._others.add(account_id)
                return
        old = self._accounts[account_id]
        self._accounts[account_id] = Account(
            id=account_id,
            currency=str(data.get("currency") or old.currency),
            type=old.type,
            balance=Decimal(data["total"]),
            available=Decimal(data["available"]),
            holds=Decimal(data["hold"]),
            raw=data,
        )
        self._tell(self._accounts[account_id].currency)

    async def _reread(self) -> None:
        await self._load()
        for currency in sorted({a.currency for a in self._accounts.values()}):
            self._tell(currency)
