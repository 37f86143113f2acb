"""``KucoinExchange``: the ``exchanges.Exchange`` protocol over KuCoin's spot REST API, plus
the KuCoin operations the protocol does not cover (batch, test, alter, partial cancel,
stop orders, dead-man switch, ledgers, fees, key info).

Placing is idempotent: every order carries a clientOid; when a placement's response is
lost (timeout, reset connection, 5xx, 429), the order is looked up by that clientOid
before anything is resent, and resent with the same clientOid only if it is not there.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from decimal import Decimal
from types import TracebackType
from typing import Any, Self

import attrs
import httpx

from exchanges import (
    BadRequest,
    Capabilities,
    Clock,
    ExchangeError,
    Fill,
    InvalidOrder,
    InvalidPrecision,
    Market,
    NetworkError,
    NotSupported,
    Order,
    OrderAck,
    OrderChecker,
    OrderNotFound,
    OrderRequest,
    OrderStatus,
    OrderType,
    RateLimitRegistry,
    StopKind,
    check_history_args,
    conform_order,
    is_multiple,
    new_client_order_id,
    require_one_ref,
    validate_client_order_id,
)

from .account import AccountData
from .client import KucoinClient
from .credentials import KucoinCredentials
from .errors import BAD_PARAMS, VENUE
from .market_data import MarketData
from .models import (
    CancelAllResult,
    DeadCancelStatus,
    PartialCancel,
)
from .options import KucoinOptions
from .paging import CLOCK_ERROR_MS, cursor, pages, unique, windows
from .parsing import (
    from_native,
    parse_cancel_all,
    parse_dead_cancel,
    parse_fill,
    parse_order,
    parse_stop_order,
    to_native,
)
from .placing import Pending, Placer
from .reconcile import Finder, kucoin_reconciler
from .routes import (
    CL_BATCH,
    CL_CANCEL,
    CL_CANCEL_ALL,
    CL_CANCEL_COID,
    CL_FILLS,
    CL_ORDER,
    CL_ORDER_COID,
    CL_ORDERS,
    CL_PLACE,
    CL_PLACE_TEST,
    CL_RECENT,
    DCP_QUERY,
    DCP_SET,
    HF_ACTIVE,
    HF_ACTIVE_SYMBOLS,
    HF_ALTER,
    HF_BATCH,
    HF_BATCH_SYNC,
    HF_CANCEL,
    HF_CANCEL_ALL,
    HF_CANCEL_COID,
    HF_CANCEL_COID_SYNC,
    HF_CANCEL_PARTIAL,
    HF_CANCEL_SYMBOL,
    HF_CANCEL_SYNC,
    HF_DONE,
    HF_FILLS,
    HF_ORDER,
    HF_ORDER_COID,
    HF_PLACE,
    HF_PLACE_SYNC,
    HF_PLACE_TEST,
    STOP_CANCEL,
    STOP_CANCEL_COID,
    STOP_CANCEL_MANY,
    STOP_LIST,
    STOP_ORDER,
    STOP_ORDER_COID,
    STOP_PLACE,
)
from .stops import derived_stop, reference_price
from .streams import STREAMS, StreamingData
from .wire import decimal_text, order_body, stop_order_body

__all__ = ["CAPABILITIES", "KucoinExchange"]

log = logging.getLogger("adapters.kucoin")

CAPABILITIES = attrs.evolve(
    Capabilities.everything(max_candles_per_request=1500), streams=STREAMS
)

_RECENT_ORDERS = 2048
#: How long before its placement was sent a reconciled order may look created (clock offset
#: error, and a request queued behind others).
_SENT_MARGIN_MS = 10_000
_REMARK_MAX = 20


class KucoinExchange(MarketData, AccountData, StreamingData):
    """KuCoin spot behind the ``Exchange`` protocol, and ``exchanges.Streaming`` over
    KuCoin's WebSocket.

    ``KucoinExchange(credentials, base_url="http://127.0.0.1:8080")`` talks to the local
    simulator with the same code; any :class:`KucoinOptions` field can be given by keyword.
    """

    venue = VENUE
    capabilities = CAPABILITIES

    def __init__(
        self,
        credentials: KucoinCredentials | None = None,
        *,
        options: KucoinOptions | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
        registry: RateLimitRegistry | None = None,
        **option_overrides: Any,
    ) -> None:
        opts = options or KucoinOptions()
        if option_overrides:
            opts = attrs.evolve(opts, **option_overrides)
        self.options = opts
        if not opts.hf:  # (KuCoin modifies orders on its HF endpoints only)
            self.capabilities = attrs.evolve(CAPABILITIES, amend=False)
        self._client = KucoinClient(opts, credentials, transport=transport, clock=clock, registry=registry)
        self._markets: dict[str, Market] | None = None
        self._markets_lock = asyncio.Lock()
        self._recent: OrderedDict[str, Order] = OrderedDict()
        self._checkers: dict[str, OrderChecker] = {}
        reconciler = kucoin_reconciler(
            clock=self._client.clock,
            delay=opts.reconcile_delay,
            confirmations=opts.reconcile_confirmations,
            max_queries=opts.reconcile_queries,
            deadline=opts.reconcile_deadline,
        )
        self._placer = Placer(self._client, reconciler, opts.max_place_attempts)
        self._init_streams()

    def __repr__(self) -> str:
        return (
            f"KucoinExchange(base_url={self.options.base_url!r}, hf={self.options.hf}, "
            f"credentials={self._client.credentials!r})"
        )

    @property
    def client(self) -> KucoinClient:
        return self._client

    @property
    def clock(self) -> Clock:
        return self._client.clock

    async def close(self) -> None:
        await self._close_streams()
        await self._client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # === placing ==================================================================================

    async def _checked(self, request: OrderRequest) -> tuple[OrderRequest, Market]:
        market = await self.market(request.symbol)
        if request.remark is not None and (len(request.remark) > _REMARK_MAX or not request.remark.isascii()):
            raise InvalidOrder(f"remark must be at most {_REMARK_MAX} ASCII characters", venue=VENUE)
        if self.options.conform:
            return conform_order(request, market), market
        checker = self._checkers.get(request.symbol)
        if checker is None or checker.market is not market:  # (markets reloaded: a new one)
            checker = self._checkers[request.symbol] = OrderChecker(market, venue=VENUE)
        checker.check(request)
        return request, market

    @staticmethod
    def _client_oid(request: OrderRequest) -> str:
        if request.client_order_id is None:
            return new_client_order_id(VENUE)
        return validate_client_order_id(VENUE, request.client_order_id)

    def _remember(self, order: Order) -> Order:
        recent = self._recent
        recent[order.id] = order
        recent.move_to_end(order.id)
        while len(recent) > _RECENT_ORDERS:
            recent.popitem(last=False)
        return order

    def _order_from_request(
        self,
        request: OrderRequest,
        order_id: str,
        client_oid: str,
        status: OrderStatus,
        raw: Any,
        created_at: int | None = None,
        stop: StopKind | None = None,
    ) -> Order:
        now = created_at or self._client.now_ms()
        funds = request.funds
        if request.type is OrderType.LIMIT and request.price is not None and request.size is not None:
            funds = request.price * request.size
        return Order(
            id=order_id,
            symbol=request.symbol,
            side=request.side,
            type=request.type,
            status=status,
            client_order_id=client_oid,
            price=request.price,
            size=request.size,
            funds=funds,
            time_in_force=request.time_in_force,
            post_only=request.post_only,
            hidden=request.hidden,
            iceberg=request.iceberg,
            visible_size=request.visible_size,
            stp=request.stp,
            cancel_after=request.cancel_after,
            stop=stop if stop is not None else request.stop,
            stop_price=request.stop_price,
            remark=request.remark,
            created_at=now,
            updated_at=now,
            raw=raw,
        )

    async def place_order(self, request: OrderRequest) -> Order:
        """Place one order (stop orders too) and return it as KuCoin knows it.

        With ``sync_orders`` (the default) the order comes back open, partially filled,
        filled or canceled; otherwise (and on the classic endpoints) as NEW.
        """
        if request.is_stop:
            return await self.place_stop_order(request)
        checked, market = await self._checked(request)
        client_oid = self._client_oid(checked)
        body = order_body(checked, market.id, client_oid)
        hf, sync = self.options.hf, self.options.sync_orders
        ep = (HF_PLACE_SYNC if sync else HF_PLACE) if hf else CL_PLACE
        symbol = request.symbol
        find = self._finder(checked, client_oid)
        data, found = await self._placer.send(ep, body, symbol=symbol, client_oid=client_oid, find=find)
        if found is None and not (isinstance(data, Mapping) and data.get("orderId")):
            # success, but no order named: KuCoin holds it all the same, so it is read back
            malformed = ExchangeError(
                f"malformed response: the placement succeeded without an orderId ({type(data).__name__})",
                venue=VENUE,
            )
            found = await self._placer.reconciler.lookup(
                find, symbol=symbol, client_oid=client_oid, cause=malformed, exists=True
            )
        if found is not None:
            return self._remember(found)
        return self._remember(await self._placed_order(checked, client_oid, data))

    async def _placed_order(self, request: OrderRequest, client_oid: str, data: Mapping[str, Any]) -> Order:
        """The order KuCoin says it placed. A sync answer that dealt something lacks the
        fills' funds and fees, so the order is read back; a read that fails or lags then is
        no reason to report the placement as failed: it ends in the order or in
        ``OrderOutcomeUnknown`` carrying the order id, never in a retryable error."""
        order_id = str(data["orderId"])
        if "status" not in data:  # asynchronous placement: accepted, outcome unknown yet
            return self._order_from_request(request, order_id, client_oid, OrderStatus.NEW, data)
        dealt = Decimal(data.get("dealSize") or 0)
        if dealt > 0:
            symbol = request.symbol

            async def by_id() -> Order | None:
                try:
                    return await self.fetch_order(symbol, order_id=order_id)
                except OrderNotFound:
                    return None

            try:
                found = await by_id()
            except NetworkError as exc:
                failed: ExchangeError = exc
            else:
                if found is not None:
                    return found
                failed = OrderNotFound(f"order {order_id} not found right after placing", venue=VENUE)
            return await self._placer.confirm(
                by_id, symbol=symbol, client_oid=client_oid, order_id=order_id, cause=failed
            )
        # done with nothing dealt: an IOC, FOK or post-only order that ended unfilled
        status = OrderStatus.OPEN if data.get("status") == "open" else OrderStatus.CANCELED
        created = int(data.get("orderTime") or 0) or None
        return self._order_from_request(request, order_id, client_oid, status, data, created)

    async def _find_by_client_oid(
        self, symbol: str, client_oid: str, side: str, kind: str, since_ms: int
    ) -> Order | None:
        """The order with this clientOid, or ``None`` if KuCoin does not show one. The classic
        query answers only while the order is active, so a done one is looked for among the
        done orders of its symbol, side and type since ``since_ms`` (just before it was sent)."""
        if self.options.hf:
            try:
                return await self.fetch_order(symbol, client_order_id=client_oid)
            except OrderNotFound:
                return None
        active = await self._active_by_client_oid(client_oid)
        if active:
            return self._parse_order(active)
        query: dict[str, object] = {"status": "done", "symbol": to_native(symbol), "side": side}
        query.update(type=kind, startAt=since_ms)
        for row in await pages(self._client, CL_ORDERS, CL_ORDERS.path, query, None):
            if row.get("clientOid") == client_oid:
                return self._parse_order(row)
        return None

    async def place_test_order(self, request: OrderRequest) -> OrderAck:
        """Validate and sign-check an order without it reaching the matcher."""
        if request.is_stop:
            raise NotSupported("KuCoin has no test endpoint for stop orders", venue=VENUE)
        checked, market = await self._checked(request)
        client_oid = self._client_oid(checked)
        ep = HF_PLACE_TEST if self.options.hf else CL_PLACE_TEST
        data = await self._client.call(ep, ep.path, body=order_body(checked, market.id, client_oid))
        return OrderAck(
            order_id=data.get("orderId"), client_order_id=data.get("clientOid") or client_oid, raw=data
        )

    async def place_orders(self, requests: Sequence[OrderRequest]) -> list[Order | ExchangeError]:
        """Place many orders: limit orders go in batches (KuCoin takes ``batch_size`` per call,
        one symbol per batch), others one by one. Results follow the input order; an order
        KuCoin refused, or one a failed request could not place, comes back as the error
        (what the other chunks placed is still returned, never lost to one chunk's failure)."""
        results: list[Order | ExchangeError | None] = [None] * len(requests)
        groups: dict[str, list[Pending]] = {}
        singles: list[int] = []
        for index, request in enumerate(requests):
            if request.type is not OrderType.LIMIT or request.is_stop:
                singles.append(index)
                continue
            try:
                checked, market = await self._checked(request)
                client_oid = self._client_oid(checked)
            except ExchangeError as exc:
                results[index] = exc
                continue
            body = order_body(checked, market.id, client_oid)
            groups.setdefault(market.id, []).append(Pending(index, checked, client_oid, body))
        for native, items in groups.items():
            for i in range(0, len(items), self.options.batch_size):
                chunk = items[i : i + self.options.batch_size]
                try:
                    outcomes = await self._place_batch(native, chunk)
                except ExchangeError as exc:  # refused as a whole (bad key, ...): nothing placed
                    outcomes = {item.index: exc for item in chunk}
                for index, outcome in outcomes.items():
                    results[index] = self._remember(outcome) if isinstance(outcome, Order) else outcome
        for index in singles:
            try:
                results[index] = await self.place_order(requests[index])
            except ExchangeError as exc:
                results[index] = exc
        return [r if r is not None else ExchangeError("not placed", venue=VENUE) for r in results]

    async def _place_batch(self, native: str, items: list[Pending]) -> dict[int, Order | ExchangeError]:
        """One batch request of one symbol; each order's own outcome by its index."""
        hf = self.options.hf
        ep = (HF_BATCH_SYNC if self.options.sync_orders else HF_BATCH) if hf else CL_BATCH

        def make_body(pending: Sequence[Pending]) -> dict[str, Any]:
            bodies = [item.body for item in pending]
            if hf:
                return {"orderList": bodies}
            rows = [{k: v for k, v in b.items() if k != "symbol"} for b in bodies]
            return {"symbol": native, "orderList": rows}

        async def settle(item: Pending, row: Mapping[str, Any]) -> Order:
            placed = {"orderId": row.get("orderId") or row.get("id")}
            if hf:
                placed.update({k: row[k] for k in ("status", "dealSize", "orderTime") if k in row})
            return await self._placed_order(item.request, item.client_oid, placed)

        finders = {item.client_oid: self._finder(item.request, item.client_oid) for item in items}

        def find(item: Pending) -> Finder:
            return finders[item.client_oid]

        return await self._placer.send_batch(ep, make_body, items, find, settle)

    def _finder(self, request: OrderRequest, client_oid: str) -> Finder:
        """Looks the order up by clientOid; made just before the order is sent."""
        since = self._client.now_ms() - _SENT_MARGIN_MS
        symbol, side, kind = request.symbol, request.side.value, request.type.value

        async def find() -> Order | None:
            return await self._find_by_client_oid(symbol, client_oid, side, kind, since)

        return find

    async def amend_order(
        self,
        symbol: str,
        *,
        order_id: str | None = None,
        client_order_id: str | None = None,
        price: Decimal | str | None = None,
        size: Decimal | str | None = None,
    ) -> OrderAck:
        """Modify price and/or size (KuCoin cancels and replaces: the new order has a new id
        and keeps the clientOid). If the new size is not above what is filled, the order ends."""
        require_one_ref(order_id, client_order_id)
        if not self.options.hf:
            raise NotSupported("order modification needs the HF endpoints", venue=VENUE)
        if price is None and size is None:
            raise BadRequest("pass a new price, a new size, or both", venue=VENUE)
        market = await self.market(symbol)
        body: dict[str, Any] = {"symbol": market.id}
        if order_id is not None:
            body["orderId"] = order_id
        else:
            body["clientOid"] = client_order_id
        if price is not None:
            new_price = Decimal(price)
            if new_price <= 0 or not is_multiple(new_price, market.price_increment):
                raise InvalidPrecision(
                    field="price", value=new_price, increment=market.price_increment, venue=VENUE
                )
            body["newPrice"] = decimal_text(new_price)
        if size is not None:
            new_size = Decimal(size)
            if new_size <= 0 or not is_multiple(new_size, market.size_increment):
                raise InvalidPrecision(
                    field="size", value=new_size, increment=market.size_increment, venue=VENUE
                )
            body["newSize"] = decimal_text(new_size)
        data = await self._client.call(HF_ALTER, HF_ALTER.path, body=body)
        return OrderAck(order_id=data.get("newOrderId"), client_order_id=data.get("clientOid"), raw=data)

    # === cancelling ===============================================================================

    async def cancel_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order:
        """Cancel and return the order in its final state; a filled or unknown order raises
        ``OrderNotFound``."""
        require_one_ref(order_id, client_order_id)
        native = to_native(symbol)
        if not self.options.hf:
            return await self._cancel_classic(symbol, order_id, client_order_id)
        if order_id is not None:
            data = await self._client.call(
                HF_CANCEL_SYNC, f"/api/v1/hf/orders/sync/{order_id}", query={"symbol": native}
            )
        else:
            data = await self._client.call(
                HF_CANCEL_COID_SYNC,
                f"/api/v1/hf/orders/sync/client-order/{client_order_id}",
                query={"symbol": native},
            )
        data = data or {}
        known = self._recent.get(order_id or str(data.get("orderId") or ""))
        if known is None and client_order_id is not None:
            known = next(
                (o for o in reversed(self._recent.values()) if o.client_order_id == client_order_id), None
            )
        dealt = Decimal(data.get("dealSize") or 0)
        if known is not None and data.get("status") == "done" and dealt == 0 and known.filled_size == 0:
            final = attrs.evolve(
                known, status=OrderStatus.CANCELED, updated_at=self._client.now_ms(), raw=data
            )
            return self._remember(final)
        if order_id is not None or data.get("orderId"):
            return self._remember(await self.fetch_order(symbol, order_id=order_id or str(data["orderId"])))
        return self._remember(await self.fetch_order(symbol, client_order_id=client_order_id))

    async def _cancel_classic(self, symbol: str, order_id: str | None, client_order_id: str | None) -> Order:
        if order_id is not None:
            await self._client.call(CL_CANCEL, f"/api/v1/orders/{order_id}")
            target = order_id
        else:
            data = await self._client.call(CL_CANCEL_COID, f"/api/v1/order/client-order/{client_order_id}")
            target = str(data.get("cancelledOrderId") or "")
            if not target:
                raise OrderNotFound(f"no order with clientOid {client_order_id!r}", venue=VENUE)
        order = await self.fetch_order(symbol, order_id=target)
        for _ in range(3):  # classic cancels are queued: wait (briefly) for the order to end
            if not order.is_open:
                break
            await self._client.clock.sleep(max(self.options.reconcile_delay, 0.05))
            order = await self.fetch_order(symbol, order_id=target)
        return self._remember(order)

    async def request_cancel(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None
    ) -> OrderAck:
        """Queue a cancel and return at once (the outcome arrives by query or WebSocket)."""
        require_one_ref(order_id, client_order_id)
        native = to_native(symbol)
        if not self.options.hf:
            if order_id is not None:
                data = await self._client.call(CL_CANCEL, f"/api/v1/orders/{order_id}")
                ids = data.get("cancelledOrderIds") or [order_id]
                return OrderAck(order_id=str(ids[0]), raw=data)
            data = await self._client.call(CL_CANCEL_COID, f"/api/v1/order/client-order/{client_order_id}")
            return OrderAck(order_id=data.get("cancelledOrderId"), client_order_id=client_order_id, raw=data)
        if order_id is not None:
            data = await self._client.call(
                HF_CANCEL, f"/api/v1/hf/orders/{order_id}", query={"symbol": native}
            )
            return OrderAck(order_id=data.get("orderId") or order_id, raw=data)
        data = await self._client.call(
            HF_CANCEL_COID, f"/api/v1/hf/orders/client-order/{client_order_id}", query={"symbol": native}
        )
        return OrderAck(order_id=None, client_order_id=data.get("clientOid") or client_order_id, raw=data)

    async def cancel_order_partial(self, symbol: str, order_id: str, size: Decimal | str) -> PartialCancel:
        """Cancel ``size`` of an open order, keeping its place in the queue."""
        if not self.options.hf:
            raise NotSupported("partial cancel needs the HF endpoints", venue=VENUE)
        amount = Decimal(size)
        if amount <= 0:
            raise BadRequest("cancel size must be positive", venue=VENUE)
        data = await self._client.call(
            HF_CANCEL_PARTIAL,
            f"/api/v1/hf/orders/cancel/{order_id}",
            query={"symbol": to_native(symbol), "cancelSize": decimal_text(amount)},
        )
        return PartialCancel(order_id=str(data["orderId"]), cancel_size=Decimal(data["cancelSize"]), raw=data)

    async def cancel_all(self, symbol: str | None = None) -> CancelAllResult:
        """Cancel every open order (of one symbol, or everywhere) and say what happened."""
        if not self.options.hf:
            query = {"symbol": to_native(symbol)} if symbol else None
            data = await self._client.call(CL_CANCEL_ALL, CL_CANCEL_ALL.path, query=query)
            return CancelAllResult(succeeded=(symbol,) if symbol else (), raw=data)
        if symbol is not None:
            data = await self._client.call(
                HF_CANCEL_SYMBOL, HF_CANCEL_SYMBOL.path, query={"symbol": to_native(symbol)}
            )
            return CancelAllResult(succeeded=(symbol,), raw=data)
        data = await self._client.call(HF_CANCEL_ALL, HF_CANCEL_ALL.path)
        return parse_cancel_all(data or {})

    async def cancel_all_orders(self, symbol: str | None = None) -> None:
        result = await self.cancel_all(symbol)
        if result.failed:
            detail = "; ".join(f"{s}: {reason}" for s, reason in result.failed.items())
            raise ExchangeError(f"cancel all failed for {detail}", venue=VENUE)

    # === querying orders ==========================================================================

    async def fetch_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order:
        require_one_ref(order_id, client_order_id)
        native = to_native(symbol)
        if self.options.hf:
            if order_id is not None:
                data = await self._client.call(
                    HF_ORDER, f"/api/v1/hf/orders/{order_id}", query={"symbol": native}
                )
            else:
                data = await self._client.call(
                    HF_ORDER_COID,
                    f"/api/v1/hf/orders/client-order/{client_order_id}",
                    query={"symbol": native},
                )
        elif order_id is not None:
            data = await self._client.call(CL_ORDER, f"/api/v1/orders/{order_id}")
        else:
            data = await self._active_by_client_oid(str(client_order_id))
            data = data or await self._recent_by_client_oid(native, str(client_order_id))
        if not data:
            ref = order_id if order_id is not None else f"clientOid {client_order_id}"
            raise OrderNotFound(f"order {ref} does not exist", venue=VENUE)
        return self._parse_order(data)

    async def _active_by_client_oid(self, client_oid: str) -> Mapping[str, Any] | None:
        """The classic query by clientOid, which answers for active orders only."""
        try:
            data = await self._client.call(CL_ORDER_COID, f"/api/v1/order/client-order/{client_oid}")
        except OrderNotFound:
            return None
        return dict(data) if data else None

    async def _recent_by_client_oid(self, native: str, client_oid: str) -> Mapping[str, Any] | None:
        """The classic query by clientOid answers only while the order is active; a done
        one is found among the recent orders (KuCoin keeps the last 24 hours' there)."""
        rows = await self._client.call(CL_RECENT, CL_RECENT.path)
        for row in rows or ():
            if row.get("clientOid") == client_oid and row.get("symbol") == native:
                return dict(row)
        return None

    def _parse_order(self, data: Mapping[str, Any]) -> Order:
        """Parse with the market's size increment when markets are loaded (see ``order_status``)."""
        increment = None
        if self._markets is not None and data.get("type") == "market":
            market = self._markets.get(from_native(str(data.get("symbol"))))
            increment = market.size_increment if market is not None else None
        return parse_order(data, increment)

    async def fetch_open_orders(self, symbol: str | None = None) -> list[Order]:
        """Open orders, most recently updated first (as KuCoin's HF list sorts them, here
        across symbols too); without a symbol, every symbol that has some."""
        if not self.options.hf:
            query = {"status": "active", "symbol": to_native(symbol) if symbol else None}
            rows = await pages(self._client, CL_ORDERS, CL_ORDERS.path, query, None)
            found = [self._parse_order(r) for r in rows]
            found.sort(key=lambda o: o.updated_at, reverse=True)
            return found
        symbols = [symbol] if symbol is not None else await self.fetch_symbols_with_open_orders()
        lists = await asyncio.gather(
            *(self._client.call(HF_ACTIVE, HF_ACTIVE.path, query={"symbol": to_native(s)}) for s in symbols)
        )
        orders = [self._parse_order(row) for rows in lists for row in rows or ()]
        orders.sort(key=lambda o: o.updated_at, reverse=True)
        return orders

    async def fetch_symbols_with_open_orders(self) -> list[str]:
        data = await self._client.call(HF_ACTIVE_SYMBOLS, HF_ACTIVE_SYMBOLS.path)
        return [from_native(s) for s in (data or {}).get("symbols") or ()]

    async def fetch_closed_orders(
        self,
        symbol: str,
        *,
        start: int | None = None,
        end: int | None = None,
        limit: int | None = None,
    ) -> list[Order]:
        """Done orders, newest first: cursor-paged (``lastId``), ranges split into 7-day windows."""
        check_history_args(limit=limit, start=start, end=end, venue=VENUE, code=BAD_PARAMS)
        native = to_native(symbol)
        rows: list[Mapping[str, Any]] = []
        latest = self._client.now_ms() + CLOCK_ERROR_MS
        for lo, hi in windows(start, end, self.options.max_window_ms, latest):
            want = None if limit is None else limit - len(rows)
            if self.options.hf:
                query = {"symbol": native, "startAt": lo, "endAt": hi}
                rows += await cursor(self._client, HF_DONE, HF_DONE.path, query, want, 100)
            else:
                query = {"status": "done", "symbol": native, "startAt": lo, "endAt": hi}
                rows += await pages(self._client, CL_ORDERS, CL_ORDERS.path, query, want)
            if limit is not None and len(rows) >= limit:
                break
        orders = unique((self._parse_order(r) for r in rows), lambda o: o.id)
        orders.sort(key=lambda o: o.updated_at, reverse=True)
        return orders[:limit] if limit is not None else orders

    async def fetch_fills(
        self,
        symbol: str,
        *,
        order_id: str | None = None,
        start: int | None = None,
        end: int | None = None,
        limit: int | None = None,
    ) -> list[Fill]:
        """Our executions, newest first (HF fills by cursor; classic by page)."""
        check_history_args(limit=limit, start=start, end=end, venue=VENUE, code=BAD_PARAMS)
        native = to_native(symbol)
        rows: list[Mapping[str, Any]] = []
        latest = self._client.now_ms() + CLOCK_ERROR_MS
        spans = (
            [(None, None)]
            if order_id is not None
            else windows(start, end, self.options.max_window_ms, latest)
        )
        for lo, hi in spans:
            want = None if limit is None else limit - len(rows)
            query = {"symbol": native, "orderId": order_id, "startAt": lo, "endAt": hi}
            if self.options.hf:
                rows += await cursor(self._client, HF_FILLS, HF_FILLS.path, query, want, 100)
            else:
                rows += await pages(self._client, CL_FILLS, CL_FILLS.path, query, want)
            if limit is not None and len(rows) >= limit:
                break
        # (tradeId, orderId): classic fills have no id of their own, and both sides of a
        # self-trade share the tradeId
        fills = unique((parse_fill(r) for r in rows), lambda f: (f.trade_id, f.order_id))
        fills.sort(key=lambda f: f.timestamp, reverse=True)
        return fills[:limit] if limit is not None else fills

    # === dead-man switch ==========================================================================

    async def set_dead_cancel(self, seconds: int, symbols: Sequence[str] | None = None) -> DeadCancelStatus:
        """Cancel all (or ``symbols``') orders unless renewed within ``seconds`` (5..86400);
        ``seconds=-1`` switches the switch off."""
        if seconds != -1 and not 5 <= seconds <= 86400:
            raise BadRequest("dead-cancel timeout must be -1 or 5..86400 seconds", venue=VENUE)
        natives = [to_native(s) for s in symbols or ()]
        if len(natives) > 50:
            raise BadRequest("the dead-man switch takes at most 50 symbols", venue=VENUE)
        body: dict[str, Any] = {"timeout": seconds}
        if natives:
            body["symbols"] = ",".join(natives)
        data = await self._client.call(DCP_SET, DCP_SET.path, body=body) or {}
        return parse_dead_cancel({"timeout": seconds, "symbols": natives, **data})

    async def fetch_dead_cancel(self) -> DeadCancelStatus | None:
        """The dead-man switch's setting, ``None`` when it is off."""
        data = await self._client.call(DCP_QUERY, DCP_QUERY.path)
        return parse_dead_cancel(data) if data else None

    # === stop orders ==============================================================================

    async def place_stop_order(self, request: OrderRequest) -> Order:
        """A stop order: PENDING until the last price crosses ``stop_price``.

        KuCoin takes no direction: it derives one from its last price (see :mod:`.stops`),
        which is read first, so that the order returned names it. A direction the request
        gives that KuCoin would not derive is refused (``InvalidOrder``) before sending.
        """
        if request.stop_price is None:
            raise BadRequest("a stop order needs stop_price", venue=VENUE)
        checked, market = await self._checked(request)
        client_oid = self._client_oid(checked)
        reference = reference_price(await self.fetch_level1(request.symbol))
        stop = request.stop
        if reference is not None:
            derived = derived_stop(request.stop_price, reference)
            if stop is not None and stop is not derived:
                raise InvalidOrder(
                    f"KuCoin derives a stop order's direction from its last price ({reference}):"
                    f" a stop price of {request.stop_price} makes it {derived.value}, not {stop.value}",
                    venue=VENUE,
                )
            stop = derived
        body = stop_order_body(checked, market.id, client_oid)

        async def find() -> Order | None:
            rows = await self._client.call(
                STOP_ORDER_COID, STOP_ORDER_COID.path, query={"clientOid": client_oid, "symbol": market.id}
            )
            return parse_stop_order(rows[0]) if rows else None

        data, found = await self._placer.send(
            STOP_PLACE, body, symbol=request.symbol, client_oid=client_oid, find=find
        )
        if found is not None:
            return found
        order_id = str(data["orderId"])
        return self._order_from_request(checked, order_id, client_oid, OrderStatus.PENDING, data, stop=stop)

    async def cancel_stop_order(
        self, symbol: str | None = None, *, order_id: str | None = None, client_order_id: str | None = None
    ) -> tuple[str, ...]:
        """Cancel one stop order; returns the cancelled ids."""
        require_one_ref(order_id, client_order_id)
        if order_id is not None:
            data = await self._client.call(STOP_CANCEL, f"/api/v1/stop-order/{order_id}")
            return tuple(str(i) for i in data.get("cancelledOrderIds") or ())
        query = {"symbol": to_native(symbol) if symbol else None, "clientOid": client_order_id}
        data = await self._client.call(STOP_CANCEL_COID, STOP_CANCEL_COID.path, query=query)
        cancelled = data.get("cancelledOrderId")
        return (str(cancelled),) if cancelled else ()

    async def cancel_stop_orders(
        self, symbol: str | None = None, order_ids: Sequence[str] | None = None
    ) -> tuple[str, ...]:
        query = {
            "symbol": to_native(symbol) if symbol else None,
            "orderIds": ",".join(order_ids) if order_ids else None,
        }
        data = await self._client.call(STOP_CANCEL_MANY, STOP_CANCEL_MANY.path, query=query)
        return tuple(str(i) for i in data.get("cancelledOrderIds") or ())

    async def fetch_stop_orders(self, symbol: str | None = None, *, limit: int | None = None) -> list[Order]:
        """Untriggered stop orders, newest first."""
        query = {"symbol": to_native(symbol) if symbol else None}
        rows = await pages(self._client, STOP_LIST, STOP_LIST.path, query, limit)
        orders = [parse_stop_order(r) for r in rows]
        return orders[:limit] if limit is not None else orders

    async def fetch_stop_order(
        self, symbol: str | None = None, *, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order:
        require_one_ref(order_id, client_order_id)
        if order_id is not None:
            data = await self._client.call(STOP_ORDER, f"/api/v1/stop-order/{order_id}")
            if not data:
                raise OrderNotFound(f"stop order {order_id} does not exist", venue=VENUE)
            return parse_stop_order(data)
        query = {"clientOid": client_order_id, "symbol": to_native(symbol) if symbol else None}
        rows = await self._client.call(STOP_ORDER_COID, STOP_ORDER_COID.path, query=query)
        if not rows:
            raise OrderNotFound(f"no stop order with clientOid {client_order_id!r}", venue=VENUE)
        return parse_stop_order(rows[0])


_MALFORMED = (TypeError, KeyError, AttributeError, IndexError, ValueError, ArithmeticError)


def _typed_errors(method: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """A public call whose answer did not have the shape the spec gives (``data`` null, a
    string, a list for an object, a field missing) raises ``ExchangeError``, not the
    ``KeyError`` or ``TypeError`` its parsing met."""

    @functools.wraps(method)
    async def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return await method(*args, **kwargs)
        except ExchangeError:
            raise
        except _MALFORMED as exc:
            raise ExchangeError(
                f"malformed response from KuCoin ({type(exc).__name__}: {exc})", venue=VENUE
            ) from exc

    return guarded


for _name in dir(KucoinExchange):
    _method = getattr(KucoinExchange, _name)
    if not _name.startswith("_") and inspect.iscoroutinefunction(_method):
        setattr(KucoinExchange, _name, _typed_errors(_method))
