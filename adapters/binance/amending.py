"""``exchanges.Amending`` on Binance: a size-only decrease is amend keep-priority (the same
order, its place in the queue kept); anything else is a cancelReplace (``STOP_ON_FAILURE``)
whose new order keeps the client order id, so the ack names a new order id.

Neither can do harm when its answer is lost. The amend sets an absolute quantity: the order
is read back, and the amend sent again only if it did not take. The cancelReplace places
its new order only if its cancel of the old one succeeds, which can happen once: after a
lost answer the new order is looked up by the client order id (as a lost placement is), and
the request is sent again only while the old order is still open. An order cancelled whose
replacement was refused is never passed over in silence: the refusal is raised, saying so.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from adapters.common import PlacementGuard
from exchanges import (
    BadRequest,
    ExchangeError,
    InvalidOrder,
    InvalidPrecision,
    Market,
    NetworkError,
    Order,
    OrderAck,
    OrderNotFound,
    OrderOutcomeUnknown,
    OrderRequest,
    OrderStatus,
    OrderType,
    RateLimitExceeded,
    RequestNotSent,
    is_multiple,
    require_one_ref,
)

from .client import BinanceClient
from .errors import VENUE, error_from_response
from .parsing import parse_order
from .routes import AMEND, CANCEL_REPLACE
from .signing import value_text
from .wire import order_params

__all__ = ["OrderAmends"]

#: How long before its request was sent a replacement may look created (clock offset error).
_SENT_MARGIN_MS = 10_000


def _amount(value: Decimal | str | None, increment: Decimal, field: str) -> Decimal | None:
    if value is None:
        return None
    amount = Decimal(value)
    if amount <= 0 or not is_multiple(amount, increment):
        raise InvalidPrecision(field=field, value=amount, increment=increment, venue=VENUE)
    return amount


class OrderAmends:
    """The amending half of ``BinanceExchange``."""

    _client: BinanceClient
    _guard: PlacementGuard

    async def market(self, symbol: str) -> Market:
        raise NotImplementedError  # (MarketData's)

    async def fetch_order(
        self, symbol: str, *, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order:
        raise NotImplementedError  # (BinanceExchange's)

    def _remember(self, order: Order) -> Order:
        raise NotImplementedError  # (BinanceExchange's)

    async def amend_order(
        self,
        symbol: str,
        *,
        order_id: str | None = None,
        client_order_id: str | None = None,
        price: Decimal | str | None = None,
        size: Decimal | str | None = None,
    ) -> OrderAck:
        """Give an open limit order a new price and/or total size (what filled included); a
        size not above what filled ends the order."""
        require_one_ref(order_id, client_order_id)
        if price is None and size is None:
            raise BadRequest("pass a new price, a new size, or both", venue=VENUE)
        market = await self.market(symbol)
        new_price = _amount(price, market.price_increment, "price")
        new_size = _amount(size, market.size_increment, "size")
        order = await self.fetch_order(symbol, order_id=order_id, client_order_id=client_order_id)
        if not order.is_open:
            raise OrderNotFound(f"order {order.id} is {order.status.value}: nothing to amend", venue=VENUE)
        if order.type is not OrderType.LIMIT or order.stop is not None or order.size is None:
            raise InvalidOrder("only open limit orders can be amended", venue=VENUE)
        assert order.price is not None
        to_price = order.price if new_price is None else new_price
        to_size = order.size if new_size is None else new_size
        if to_size <= order.filled_size or (to_price == order.price and to_size < order.size):
            return await self._keep_priority(market, order, to_size)
        if (to_price, to_size) == (order.price, order.size):
            return OrderAck(order_id=order.id, client_order_id=order.client_order_id, raw=order.raw)
        return await self._replace(market, order, to_price, to_size)

    # --- a decrease: amend keep-priority ----------------------------------------------------------

    async def _keep_priority(self, market: Market, order: Order, size: Decimal) -> OrderAck:
        params: dict[str, object] = {"symbol": market.id, "orderId": order.id, "newQty": value_text(size)}
        if order.client_order_id:
            params["newClientOrderId"] = order.client_order_id  # (it keeps its client order id)
        attempts, lost = 0, False
        while True:
            attempts += 1
            try:
                data = await self._client.call(AMEND, params)
            except RequestNotSent:
                if attempts >= self._guard.max_attempts:
                    raise
                continue
            except RateLimitExceeded:
                raise
            except ExchangeError as exc:
                if not isinstance(exc, NetworkError) and not lost:
                    raise
                lost = True
                if await self._took(market.symbol, order.id, size):
                    return OrderAck(order_id=order.id, client_order_id=order.client_order_id)
                if not isinstance(exc, NetworkError):
                    raise
                if attempts >= self._guard.max_attempts:
                    raise OrderOutcomeUnknown(
                        f"the amend of order {order.id} to {size} lost its answer {attempts} times "
                        f"and was not seen to take ({exc})",
                        symbol=market.symbol,
                        client_order_id=order.client_order_id,
                        order_id=order.id,
                        venue=VENUE,
                    ) from exc
                await self._guard.pause()
                continue
            amended = data.get("amendedOrder") if isinstance(data, Mapping) else None
            if isinstance(amended, Mapping):
                self._remember(parse_order(amended, market.symbol, amended=True))
            return OrderAck(order_id=order.id, client_order_id=order.client_order_id, raw=data)

    async def _took(self, symbol: str, order_id: str, size: Decimal) -> bool:
        """Whether an amend to ``size`` is what the order now shows."""
        now = await self.fetch_order(symbol, order_id=order_id)
        return now.size == size or (not now.is_open and now.filled_size >= size)

    # --- anything else: cancelReplace -------------------------------------------------------------

    async def _replace(self, market: Market, order: Order, price: Decimal, size: Decimal) -> OrderAck:
        symbol, client_oid = market.symbol, order.client_order_id
        if not client_oid:
            raise InvalidOrder(f"order {order.id} has no client order id to keep", venue=VENUE)
        request = OrderRequest(
            symbol=symbol,
            side=order.side,
            type=OrderType.LIMIT,
            size=size - order.filled_size,
            price=price,
            time_in_force=order.time_in_force,
            post_only=order.post_only,
            iceberg=order.iceberg,
            visible_size=order.visible_size,
            stp=order.stp,
        )
        params = order_params(request, market.id, client_oid)
        params["cancelReplaceMode"] = "STOP_ON_FAILURE"
        params["cancelOrderId"] = order.id
        await self._client.ensure_offset()  # (the lookup dates the replacement in Binance's time)
        since = self._client.now_ms() - _SENT_MARGIN_MS
        data = await self._send_replace(order, params, since)
        if isinstance(data, Order):
            return self._ack(data.id, client_oid, data.raw)
        placed = data.get("newOrderResponse")
        if not isinstance(placed, Mapping) or placed.get("orderId") is None:
            found = await self._replacement(order, since, ExchangeError("no new order named", venue=VENUE))
            if found is None:
                raise self._unknown(order, "its answer named no new order", None)
            return self._ack(found.id, client_oid, found.raw)
        self._remember(parse_order(placed, symbol))
        return self._ack(str(placed["orderId"]), client_oid, data)

    async def _send_replace(
        self, order: Order, params: dict[str, Any], since: int
    ) -> Mapping[str, Any] | Order:
        """Binance's answer, or the new order found after a lost one."""
        attempts, lost = 0, False
        while True:
            attempts += 1
            try:
                data = await self._client.call(CANCEL_REPLACE, params)
                return data if isinstance(data, Mapping) else {}
            except RequestNotSent:
                if attempts >= self._guard.max_attempts:
                    raise
            except RateLimitExceeded:
                raise
            except NetworkError as exc:
                lost = True
                found = await self._replacement(order, since, exc)
                if found is not None:
                    return found
                if attempts >= self._guard.max_attempts:
                    raise self._unknown(order, f"each of its {attempts} sends lost its answer", exc) from exc
            except ExchangeError as exc:
                data = exc.details.get("data") if exc.code in ("-2021", "-2022") else None
                if not isinstance(data, Mapping):
                    raise
                if lost:  # (an earlier send may have done it: then this one's cancel failed)
                    found = await self._replacement(order, since, exc)
                    if found is not None:
                        return found
                raise _half_failed(order, data) from exc

    @staticmethod
    def _ack(order_id: str, client_oid: str, raw: Any) -> OrderAck:
        return OrderAck(
            order_id=order_id, client_order_id=client_oid, raw=raw if isinstance(raw, Mapping) else {}
        )

    async def _replacement(self, old: Order, since: int, cause: ExchangeError) -> Order | None:
        """The new order of a cancelReplace of ``old`` whose answer was lost, if Binance holds
        one: by the client order id, another order than ``old``, made since it was sent. When
        none is found, the old order must still be open, or the outcome is unknown."""
        symbol, client_oid = old.symbol, old.client_order_id
        assert client_oid is not None

        async def find() -> Order | None:
            try:
                found = await self.fetch_order(symbol, client_order_id=client_oid)
            except OrderNotFound:
                return None
            return found if found.id != old.id and found.created_at >= since else None

        found = await self._guard.reconciler.lookup(find, symbol=symbol, client_oid=client_oid, cause=cause)
        if found is not None:
            return self._remember(found)
        now = await self.fetch_order(symbol, order_id=old.id)
        if now.is_open:
            return None  # (nothing happened: sending again is safe)
        if now.status is OrderStatus.FILLED:
            raise OrderNotFound(f"order {old.id} filled: nothing to amend", venue=VENUE)
        raise self._unknown(old, f"the order is now {now.status.value} and no replacement was found", cause)

    @staticmethod
    def _unknown(old: Order, what: str, cause: ExchangeError | None) -> OrderOutcomeUnknown:
        return OrderOutcomeUnknown(
            f"cancel-replace of order {old.id} ({old.client_order_id!r}) on {old.symbol} has an "
            f"unknown outcome: {what}" + (f" (after {type(cause).__name__}: {cause})" if cause else ""),
            symbol=old.symbol,
            client_order_id=old.client_order_id,
            order_id=old.id,
            venue=VENUE,
        )


def _half_failed(old: Order, data: Mapping[str, Any]) -> ExchangeError:
    """The error of a cancelReplace that did not place its new order: the cancel's when the
    cancel failed (nothing changed), else the new order's, saying that the old one is gone."""
    cancel = data.get("cancelResponse")
    if data.get("cancelResult") != "SUCCESS" and isinstance(cancel, Mapping):
        return error_from_response(str(cancel.get("code")), str(cancel.get("msg") or ""))
    refused = data.get("newOrderResponse")
    code, msg = (refused.get("code"), refused.get("msg")) if isinstance(refused, Mapping) else (None, "")
    error = error_from_response(None if code is None else str(code), str(msg or "the new order was refused"))
    error.message = f"order {old.id} was cancelled and its replacement refused: {error.message}"
    error.args = (error.message,)
    return error
