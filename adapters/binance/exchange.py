"""``BinanceExchange``: the ``exchanges.Exchange`` protocol over Binance's spot REST API, plus
what the protocol does not cover (test orders, cancel-replace, amend keep-priority, order
lists, commission rates, every symbol filter). ``exchanges.Amending`` is in :mod:`.amending`.

Placing is idempotent: every order carries a ``newClientOrderId``; when a placement's answer
is lost (timeout, reset connection, HTTP 5xx or "execution status unknown"), the order is
looked up by that id (``origClientOrderId``) before anything is resent, and resent with the
same id only once Binance has said often enough that it does not know it.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from decimal import Decimal
from types import TracebackType
from typing import Any, Self

import attrs
import httpx

from adapters.common import Finder, PlacementGuard, Reconciler
from exchanges import (
    STP,
    BadRequest,
    Capabilities,
    Clock,
    ConcatCodec,
    ExchangeError,
    Fill,
    InvalidOrder,
    Market,
    Order,
    OrderAck,
    OrderChecker,
    OrderNotFound,
    OrderRequest,
    OrderType,
    RateLimitRegistry,
    StopKind,
    TimeInForce,
    check_history_args,
    conform_order,
    is_multiple,
    new_client_order_id,
    require_one_ref,
    validate_client_order_id,
)

from .account import AccountData
from .amending import OrderAmends
from .client import BinanceClient
from .credentials import BinanceCredentials
from .errors import BAD_PARAMS, VENUE, error_from_response
from .market_data import MarketData
from .models import AmendResult, CancelReplaceResult, SymbolInfo
from .options import BinanceOptions
from .order_lists import OrderLists
from .parsing import parse_fill, parse_order
from .routes import (
    ALL_ORDERS,
    AMEND,
    CANCEL,
    CANCEL_ALL,
    CANCEL_REPLACE,
    MY_TRADES,
    OPEN_ORDERS,
    ORDER,
    PLACE,
    PLACE_TEST,
    TICKER_PRICE,
)
from .signing import value_text
from .streams import STREAMS, StreamingData
from .wire import order_params

__all__ = ["CAPABILITIES", "BinanceExchange"]

log = logging.getLogger("adapters.binance")

CAPABILITIES = Capabilities(
    order_types=frozenset(OrderType),
    time_in_force=frozenset({TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK}),
    stp=frozenset(STP),
    post_only=True,
    hidden=False,
    iceberg=True,
    market_by_funds=True,
    stop_orders=True,
    amend=True,
    max_candles_per_request=1000,
    streams=STREAMS,
)

_RECENT_ORDERS = 2048
#: How long before its placement was sent a reconciled order may look created (clock offset
#: error, and a request queued behind others).
_SENT_MARGIN_MS = 10_000
_MAX_ROWS = 1000


class BinanceExchange(MarketData, AccountData, OrderLists, OrderAmends, StreamingData):
    """Binance spot behind the ``Exchange`` protocol, and ``exchanges.Streaming`` over
    Binance's market streams and WebSocket API.

    ``BinanceExchange(credentials, base_url="http://127.0.0.1:8080")`` talks to a local
    simulator with the same code; any :class:`BinanceOptions` field can be given by keyword.
    """

    venue = VENUE
    capabilities = CAPABILITIES

    def __init__(
        self,
        credentials: BinanceCredentials | None = None,
        *,
        options: BinanceOptions | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
        registry: RateLimitRegistry | None = None,
        **option_overrides: Any,
    ) -> None:
        opts = options or BinanceOptions()
        if option_overrides:
            opts = attrs.evolve(opts, **option_overrides)
        self.options = opts
        self._client = BinanceClient(opts, credentials, transport=transport, clock=clock, registry=registry)
        self._markets: dict[str, Market] | None = None
        self._infos: dict[str, SymbolInfo] = {}
        self._codec: ConcatCodec | None = None
        self._markets_lock = asyncio.Lock()
        self._recent: OrderedDict[str, Order] = OrderedDict()
        self._checkers: dict[str, OrderChecker] = {}
        reconciler = Reconciler(
            clock=self._client.clock,
            delay=opts.reconcile_delay,
            confirmations=opts.reconcile_confirmations,
            max_queries=opts.reconcile_queries,
            deadline=opts.reconcile_deadline,
            venue=VENUE,
            label="Binance",
            id_name="newClientOrderId",
        )
        self._guard = PlacementGuard(reconciler, opts.max_place_attempts)
        self._init_streams()

    def __repr__(self) -> str:
        return (
            f"BinanceExchange(base_url={self.options.base_url!r}, credentials={self._client.credentials!r})"
        )

    @property
    def client(self) -> BinanceClient:
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

    async def _stop_direction(self, request: OrderRequest) -> StopKind | None:
        """The trigger direction of a stop order: the request's, else derived from the last
        price as KuCoin does (at or above it: ``entry``, below: ``loss``)."""
        if request.stop_price is None or request.stop is not None:
            return request.stop
        data = await self._client.call(TICKER_PRICE, {"symbol": await self.native(request.symbol)})
        last = Decimal(data["price"])
        return StopKind.ENTRY if request.stop_price >= last else StopKind.LOSS

    async def _params(
        self, request: OrderRequest
    ) -> tuple[OrderRequest, str, dict[str, Any], StopKind | None]:
        checked, market = await self._checked(request)
        client_oid = self._client_oid(checked)
        stop = await self._stop_direction(checked)
        return checked, client_oid, order_params(checked, market.id, client_oid, stop=stop), stop

    async def place_order(self, request: OrderRequest) -> Order:
        """Place one order (stop orders too) and return it as Binance answered it (FULL: its
        fills, and their commission when paid in one asset)."""
        checked, client_oid, params, stop = await self._params(request)
        symbol = request.symbol
        await self._client.ensure_offset()  # (the finder dates the order in Binance's time)
        find = self._finder(symbol, client_oid)

        async def attempt() -> Any:
            return await self._client.call(PLACE, params, retry_rate_limit=True)

        data, found = await self._guard.place(attempt, symbol=symbol, client_oid=client_oid, find=find)
        if found is not None:
            return self._remember(found)
        if not isinstance(data, Mapping) or data.get("orderId") is None:
            # success, but no order named: Binance holds it all the same, so it is read back
            malformed = ExchangeError("malformed response: the placement named no orderId", venue=VENUE)
            found = await self._guard.reconciler.lookup(
                find, symbol=symbol, client_oid=client_oid, cause=malformed, exists=True
            )
            assert found is not None
            return self._remember(found)
        order = parse_order(data, symbol) if "side" in data else None
        if order is None:  # an ACK (a server that ignored newOrderRespType): read it back
            order = await self._guard.confirm(
                find,
                symbol=symbol,
                client_oid=client_oid,
                order_id=str(data["orderId"]),
                cause=ExchangeError("the placement was acknowledged without its state", venue=VENUE),
            )
        if stop is not None and order.stop is None:
            order = attrs.evolve(order, stop=stop, stop_price=checked.stop_price)
        return self._remember(order)

    def _finder(self, symbol: str, client_oid: str) -> Finder:
        """Looks the order up by ``origClientOrderId``; made just before the order is sent, so
        that an older order that used the same id (ids are unique only among open orders)
        is not taken for it."""
        since = self._client.now_ms() - _SENT_MARGIN_MS

        async def find() -> Order | None:
            try:
                order = await self.fetch_order(symbol, client_order_id=client_oid)
            except OrderNotFound:
                return None
            if order.created_at >= since:
                return order
            # an earlier order of that id: is there a newer one?
            for row in await self._all_orders(symbol, {"startTime": since}):
                if row.get("clientOrderId") == client_oid:
                    return parse_order(row, symbol)
            return None

        return find

    async def place_test_order(self, request: OrderRequest, *, commission_rates: bool = False) -> OrderAck:
        """Validate and sign-check an order without it reaching the matcher; with
        ``commission_rates``, the answer (``raw``) holds the rates it would pay."""
        _, client_oid, params, _ = await self._params(request)
        if commission_rates:
            params["computeCommissionRates"] = True
        data = await self._client.call(PLACE_TEST, params)
        return OrderAck(order_id=None, client_order_id=client_oid, raw=data)

    # === cancelling ===============================================================================

    def _ref(self, order_id: str | None, client_order_id: str | None) -> dict[str, object]:
        require_one_ref(order_id, client_order_id)
        if order_id is not None:
            if not str(order_id).isdigit():
                raise OrderNotFound(f"Binance order ids are numbers, not {order_id!r}", venue=VENUE)
            return {"orderId": order_id}
        return {"origClientOrderId": client_order_id}

    async def cancel_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order:
        """Cancel and return the order in its final state (``client_order_id`` is the order's,
        not the cancel's); a filled or unknown order raises ``OrderNotFound``."""
        ref = self._ref(order_id, client_order_id)
        data = await self._client.call(CANCEL, {"symbol": await self.native(symbol), **ref})
        order = parse_order(data, symbol)
        known = self._recent.get(order.id)
        if known is not None and known.stop is not None and order.stop is None:
            order = attrs.evolve(order, stop=known.stop, stop_price=known.stop_price)
        return self._remember(order)

    async def cancel_all(self, symbol: str) -> list[Order]:
        """Cancel every open order of ``symbol`` (order lists too: their orders come back);
        nothing open is no error."""
        try:
            rows = await self._client.call(CANCEL_ALL, {"symbol": await self.native(symbol)})
        except OrderNotFound:  # (Binance answers -2011 when nothing was open)
            return []
        out: list[Order] = []
        for row in rows or ():
            reports = row.get("orderReports") if "orderListId" in row and "orderReports" in row else [row]
            out.extend(self._remember(parse_order(r, symbol)) for r in reports or ())
        return out

    async def cancel_all_orders(self, symbol: str | None = None) -> None:
        if symbol is not None:
            await self.cancel_all(symbol)
            return
        symbols = sorted({o.symbol for o in await self.fetch_open_orders()})
        for each in symbols:
            await self.cancel_all(each)

    async def cancel_replace(
        self,
        symbol: str,
        request: OrderRequest,
        *,
        order_id: str | None = None,
        client_order_id: str | None = None,
        allow_failure: bool = False,
    ) -> CancelReplaceResult:
        """Cancel an order and place ``request`` in one call (``cancelReplace``). With
        ``allow_failure`` the new order is placed even if the cancel fails. Each half's
        outcome comes back; nothing is raised for a half that failed, except when the
        request itself was refused."""
        require_one_ref(order_id, client_order_id)
        if request.symbol != symbol:
            raise BadRequest(f"the new order is for {request.symbol}, not {symbol}", venue=VENUE)
        _, _, params, _ = await self._params(request)
        params["cancelReplaceMode"] = "ALLOW_FAILURE" if allow_failure else "STOP_ON_FAILURE"
        if order_id is not None:
            params["cancelOrderId"] = order_id
        else:
            params["cancelOrigClientOrderId"] = client_order_id
        try:
            data = await self._client.call(CANCEL_REPLACE, params)
        except ExchangeError as exc:
            if exc.code not in ("-2021", "-2022") or "data" not in exc.details:
                raise
            data = exc.details["data"]
        return self._cancel_replace_result(data, symbol)

    def _cancel_replace_result(self, data: Mapping[str, Any], symbol: str) -> CancelReplaceResult:
        def half(answer: Any) -> tuple[Order | None, ExchangeError | None]:
            if not isinstance(answer, Mapping):
                return None, None
            if "code" in answer and "orderId" not in answer:
                return None, error_from_response(str(answer["code"]), str(answer.get("msg") or ""))
            return self._remember(parse_order(answer, symbol)), None

        cancelled, cancel_error = half(data.get("cancelResponse"))
        placed, placed_error = half(data.get("newOrderResponse"))
        return CancelReplaceResult(
            cancel_result=str(data.get("cancelResult") or ""),
            new_order_result=str(data.get("newOrderResult") or ""),
            cancelled=cancelled,
            placed=placed,
            cancel_error=cancel_error,
            placed_error=placed_error,
            raw=data,
        )

    async def amend_keep_priority(
        self,
        symbol: str,
        size: Decimal | str,
        *,
        order_id: str | None = None,
        client_order_id: str | None = None,
        new_client_order_id: str | None = None,
    ) -> AmendResult:
        """Lower an open order's quantity keeping its place in the queue (Binance allows
        decreases only, and no new price), with Binance's whole answer."""
        ref = self._ref(order_id, client_order_id)
        market = await self.market(symbol)
        amount = Decimal(size)
        if amount <= 0 or not is_multiple(amount, market.size_increment):
            raise InvalidOrder(
                f"the new size {amount} must be positive and a multiple of {market.size_increment}",
                venue=VENUE,
            )
        params: dict[str, object] = {"symbol": market.id, **ref}
        if new_client_order_id is not None:
            params["newClientOrderId"] = validate_client_order_id(VENUE, new_client_order_id)
        params["newQty"] = value_text(amount)
        data = await self._client.call(AMEND, params)
        order = self._remember(parse_order(data["amendedOrder"], symbol, amended=True))
        return AmendResult(
            order=order,
            execution_id=int(data.get("executionId") or 0),
            timestamp=int(data.get("transactTime") or 0),
            raw=data,
        )

    # === querying orders ==========================================================================

    async def fetch_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order:
        ref = self._ref(order_id, client_order_id)
        data = await self._client.call(ORDER, {"symbol": await self.native(symbol), **ref})
        return parse_order(data, symbol)

    async def fetch_open_orders(self, symbol: str | None = None) -> list[Order]:
        """Open orders, most recently updated first (without a symbol: every symbol's, weight 80)."""
        params = {"symbol": await self.native(symbol)} if symbol is not None else None
        rows = await self._client.call(OPEN_ORDERS, params)
        orders = [parse_order(row, symbol or await self.unified(str(row["symbol"]))) for row in rows or ()]
        # (orders of one millisecond share their times: the later id is the newer order)
        orders.sort(key=lambda o: (o.updated_at, int(o.id)), reverse=True)
        return orders

    async def _all_orders(self, symbol: str, params: Mapping[str, object]) -> list[Mapping[str, Any]]:
        rows = await self._client.call(
            ALL_ORDERS, {"symbol": await self.native(symbol), **params, "limit": _MAX_ROWS}
        )
        return list(rows or ())

    async def fetch_closed_orders(
        self,
        symbol: str,
        *,
        start: int | None = None,
        end: int | None = None,
        limit: int | None = None,
    ) -> list[Order]:
        """Done orders, newest first. Without a range, among the newest 1000 orders; a range
        is read in 24 h windows (Binance's longest), each paged by time."""
        check_history_args(limit=limit, start=start, end=end, venue=VENUE, code=BAD_PARAMS)
        if limit == 0:
            return []
        rows: dict[str, Mapping[str, Any]] = {}
        if start is None and end is None:
            for row in await self._all_orders(symbol, {}):
                rows[str(row["orderId"])] = row
        else:
            for lo, hi in self._windows(start, end):
                await self._read_window(symbol, lo, hi, rows)
                done = [r for r in rows.values() if _is_done(r)]
                if limit is not None and len(done) >= limit:
                    break
        orders = [parse_order(r, symbol) for r in rows.values() if _is_done(r)]
        if start is not None:
            orders = [o for o in orders if o.updated_at >= start or o.created_at >= start]
        orders.sort(key=lambda o: (o.updated_at, int(o.id)), reverse=True)
        return orders[:limit] if limit is not None else orders

    async def _read_window(self, symbol: str, lo: int, hi: int, rows: dict[str, Mapping[str, Any]]) -> None:
        cursor = lo
        while True:
            batch = await self._all_orders(symbol, {"startTime": cursor, "endTime": hi})
            fresh = [r for r in batch if str(r["orderId"]) not in rows]
            for row in batch:
                rows[str(row["orderId"])] = row
            if len(batch) < _MAX_ROWS or not fresh:
                return
            cursor = max(int(r.get("time") or cursor) for r in batch)

    def _windows(self, start: int | None, end: int | None) -> list[tuple[int, int]]:
        """``[start, end]`` in spans Binance answers in one query, newest first. An open end
        reaches past the client's estimate of Binance's time by the clock-error margin (a
        drifted clock would cut off the newest orders; Binance clamps a future ``endTime``)."""
        span = self.options.max_window_ms
        hi = end if end is not None else self._client.now_ms() + _SENT_MARGIN_MS
        lo_bound = start if start is not None else hi - span
        out: list[tuple[int, int]] = []
        while hi > lo_bound:
            lo = max(lo_bound, hi - span)
            out.append((lo, hi))
            hi = lo - 1
        return out

    async def fetch_fills(
        self,
        symbol: str,
        *,
        order_id: str | None = None,
        start: int | None = None,
        end: int | None = None,
        limit: int | None = None,
    ) -> list[Fill]:
        """Our executions, newest first. By order: every fill of it (paged by ``fromId``);
        without a range: the newest 1000; a range: in 24 h windows, a full page continued
        by ``fromId``."""
        check_history_args(limit=limit, start=start, end=end, venue=VENUE, code=BAD_PARAMS)
        if limit == 0:
            return []
        native = await self.native(symbol)
        rows: dict[str, Mapping[str, Any]] = {}
        if order_id is not None:
            await self._trades_from(native, {"orderId": order_id}, rows, None)
        elif start is None and end is None:
            for row in await self._client.call(MY_TRADES, {"symbol": native, "limit": _MAX_ROWS}) or ():
                rows[str(row["id"])] = row
        else:
            for lo, hi in self._windows(start, end):
                batch = await self._client.call(
                    MY_TRADES, {"symbol": native, "startTime": lo, "endTime": hi, "limit": _MAX_ROWS}
                )
                for row in batch or ():
                    rows[str(row["id"])] = row
                if len(batch or ()) >= _MAX_ROWS:
                    await self._trades_from(native, {}, rows, hi, from_id=int(batch[-1]["id"]) + 1)
                if limit is not None and len(rows) >= limit:
                    break
        fills = [parse_fill(r, symbol) for r in rows.values()]
        if start is not None or end is not None:
            low, high = start or 0, end if end is not None else 2**63
            fills = [f for f in fills if low <= f.timestamp <= high]
        fills.sort(key=lambda f: (f.timestamp, int(f.trade_id)), reverse=True)
        return fills[:limit] if limit is not None else fills

    async def fetch_fills_from(self, symbol: str, from_id: int, limit: int | None = None) -> list[Fill]:
        """Our executions with trade id ``from_id`` and later, oldest first (``fromId`` paging)."""
        rows: dict[str, Mapping[str, Any]] = {}
        await self._trades_from(await self.native(symbol), {}, rows, None, from_id=from_id, limit=limit)
        fills = [parse_fill(r, symbol) for r in rows.values()]
        fills.sort(key=lambda f: int(f.trade_id))
        return fills[:limit] if limit is not None else fills

    async def _trades_from(
        self,
        native: str,
        base: Mapping[str, object],
        rows: dict[str, Mapping[str, Any]],
        until: int | None,
        *,
        from_id: int | None = None,
        limit: int | None = None,
    ) -> None:
        """Page ``myTrades`` forward by ``fromId`` until a short page, a trade after
        ``until``, or ``limit`` rows."""
        while True:
            params = {"symbol": native, **base, "fromId": from_id, "limit": _MAX_ROWS}
            batch = list(await self._client.call(MY_TRADES, params) or ())
            for row in batch:
                if until is not None and int(row.get("time") or 0) > until:
                    return
                rows[str(row["id"])] = row
            if len(batch) < _MAX_ROWS or (limit is not None and len(rows) >= limit):
                return
            from_id = int(batch[-1]["id"]) + 1


def _is_done(row: Mapping[str, Any]) -> bool:
    return row.get("status") not in ("NEW", "PARTIALLY_FILLED", "PENDING_NEW", "PENDING_CANCEL")


_MALFORMED = (TypeError, KeyError, AttributeError, IndexError, ValueError, ArithmeticError)


def _typed_errors(method: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """A public call whose answer did not have the shape the spec gives raises
    ``ExchangeError``, not the ``KeyError`` or ``TypeError`` its parsing met."""

    @functools.wraps(method)
    async def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return await method(*args, **kwargs)
        except ExchangeError:
            raise
        except _MALFORMED as exc:
            raise ExchangeError(
                f"malformed response from Binance ({type(exc).__name__}: {exc})", venue=VENUE
            ) from exc

    return guarded


for _name in dir(BinanceExchange):
    _method = getattr(BinanceExchange, _name)
    if not _name.startswith("_") and inspect.iscoroutinefunction(_method):
        setattr(BinanceExchange, _name, _typed_errors(_method))
