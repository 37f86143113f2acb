"""Order lists (NOTES 7.6): OCO, OTO and OTOCO, which the ``Exchange`` protocol cannot
express, in the adapter's own API.

A list is placed once however its answer is lost, as a single order is: every leg carries a
client order id, and after a lost answer the list is found through its first leg (by that
id), then read whole by its ``orderListId``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from adapters.common import Finder, PlacementGuard
from exchanges import (
    BadRequest,
    ExchangeError,
    Market,
    Order,
    OrderNotFound,
    Side,
    TimeInForce,
    new_client_order_id,
    require_one_ref,
    validate_client_order_id,
)

from .client import BinanceClient
from .errors import VENUE
from .models import OrderList
from .parsing import parse_order, parse_order_list
from .routes import LIST, LIST_CANCEL, LIST_OCO, LIST_OTO, LIST_OTOCO, OPEN_LISTS, ORDER
from .signing import value_text

__all__ = ["ListLeg", "OrderLists"]

_LEG_TYPES = frozenset(
    {"LIMIT", "LIMIT_MAKER", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT", "MARKET"}
)


@attrs.frozen(slots=True, kw_only=True)
class ListLeg:
    """One order of a list, in Binance's terms: its ``type`` (``LIMIT_MAKER``,
    ``STOP_LOSS_LIMIT``, ``TAKE_PROFIT``...), prices and time in force where the type takes
    them; ``side`` and ``size`` where the list does not set them for every leg."""

    type: str
    price: Decimal | None = None
    stop_price: Decimal | None = None
    trailing_delta: int | None = None
    time_in_force: TimeInForce | None = None
    iceberg_size: Decimal | None = None
    client_order_id: str | None = None
    side: Side | None = None
    size: Decimal | None = None

    def __attrs_post_init__(self) -> None:
        if self.type not in _LEG_TYPES:
            raise BadRequest(f"{self.type!r} is no order type a list takes", venue=VENUE)

    def params(self, prefix: str, client_oid: str, *, with_side: bool) -> dict[str, object]:
        """This leg's parameters, each name prefixed (``above``, ``workingPrice``...)."""
        values: dict[str, object] = {"Type": self.type, "ClientOrderId": client_oid}
        if with_side:
            if self.side is None or self.size is None:
                raise BadRequest(f"the {prefix} order needs a side and a size", venue=VENUE)
            values["Side"] = self.side.value.upper()
            values["Quantity"] = value_text(self.size)
        for name, value in (
            ("Price", self.price),
            ("StopPrice", self.stop_price),
            ("IcebergQty", self.iceberg_size),
        ):
            if value is not None:
                values[name] = value_text(value)
        if self.trailing_delta is not None:
            values["TrailingDelta"] = self.trailing_delta
        if self.time_in_force is not None:
            values["TimeInForce"] = self.time_in_force.value
        return {prefix + name: value for name, value in values.items()}


def _ids(*legs: ListLeg) -> list[str]:
    return [
        validate_client_order_id(VENUE, leg.client_order_id)
        if leg.client_order_id
        else new_client_order_id(VENUE)
        for leg in legs
    ]


class OrderLists:
    """The order-list half of ``BinanceExchange``."""

    _client: BinanceClient
    _guard: PlacementGuard

    async def market(self, symbol: str) -> Market:
        raise NotImplementedError  # (MarketData's)

    async def native(self, symbol: str) -> str:
        raise NotImplementedError  # (MarketData's)

    async def place_oco(
        self,
        symbol: str,
        side: Side,
        size: Decimal,
        above: ListLeg,
        below: ListLeg,
        *,
        list_client_id: str | None = None,
    ) -> OrderList:
        """One-cancels-the-other: an ``above`` leg (LIMIT_MAKER or TAKE_PROFIT*, or a buy's
        STOP_LOSS*) and a ``below`` leg, sharing ``size``; a fill of one cancels the other."""
        above_id, below_id = _ids(above, below)
        params: dict[str, object] = {
            "symbol": await self.native(symbol),
            "listClientOrderId": list_client_id,
            "side": Side(side).value.upper(),
            "quantity": value_text(Decimal(size)),
            **above.params("above", above_id, with_side=False),
            **below.params("below", below_id, with_side=False),
            "newOrderRespType": "FULL",
        }
        return await self._place_list(LIST_OCO, params, symbol, above_id)

    async def place_oto(
        self, symbol: str, working: ListLeg, pending: ListLeg, *, list_client_id: str | None = None
    ) -> OrderList:
        """One-triggers-the-other: ``pending`` is placed once ``working`` (LIMIT or
        LIMIT_MAKER) has filled whole."""
        working_id, pending_id = _ids(working, pending)
        params: dict[str, object] = {
            "symbol": await self.native(symbol),
            "listClientOrderId": list_client_id,
            "newOrderRespType": "FULL",
            **working.params("working", working_id, with_side=True),
            **pending.params("pending", pending_id, with_side=True),
        }
        return await self._place_list(LIST_OTO, params, symbol, working_id)

    async def place_otoco(
        self,
        symbol: str,
        working: ListLeg,
        pending_side: Side,
        pending_size: Decimal,
        pending_above: ListLeg,
        pending_below: ListLeg,
        *,
        list_client_id: str | None = None,
    ) -> OrderList:
        """A working order that, once filled, places an OCO pair (``pending_above`` and
        ``pending_below``, sharing ``pending_side`` and ``pending_size``)."""
        working_id, above_id, below_id = _ids(working, pending_above, pending_below)
        params: dict[str, object] = {
            "symbol": await self.native(symbol),
            "listClientOrderId": list_client_id,
            "newOrderRespType": "FULL",
            **working.params("working", working_id, with_side=True),
            "pendingSide": Side(pending_side).value.upper(),
            "pendingQuantity": value_text(Decimal(pending_size)),
            **pending_above.params("pendingAbove", above_id, with_side=False),
            **pending_below.params("pendingBelow", below_id, with_side=False),
        }
        return await self._place_list(LIST_OTOCO, params, symbol, working_id)

    async def _place_list(self, ep: Any, params: dict[str, object], symbol: str, first_id: str) -> OrderList:
        native = params["symbol"]

        async def find() -> Order | None:
            try:
                data = await self._client.call(ORDER, {"symbol": native, "origClientOrderId": first_id})
            except OrderNotFound:
                return None
            return parse_order(data, symbol)

        async def attempt() -> Any:
            return await self._client.call(ep, params, retry_rate_limit=True)

        finder: Finder = find
        data, found = await self._guard.place(attempt, symbol=symbol, client_oid=first_id, find=finder)
        if found is not None:
            list_id = found.raw.get("orderListId") if isinstance(found.raw, Mapping) else None
            if list_id is None or int(list_id) < 0:
                raise ExchangeError(f"order {found.id} was placed, but not as part of a list", venue=VENUE)
            return await self.fetch_order_list(order_list_id=str(list_id), symbol=symbol)
        if not isinstance(data, Mapping):
            raise ExchangeError("malformed response: the order list placement answered no list", venue=VENUE)
        return parse_order_list(data, symbol)

    async def cancel_order_list(
        self, symbol: str, *, order_list_id: str | None = None, list_client_id: str | None = None
    ) -> OrderList:
        require_one_ref(order_list_id, list_client_id)
        params = {
            "symbol": await self.native(symbol),
            "orderListId": order_list_id,
            "listClientOrderId": list_client_id,
        }
        return parse_order_list(await self._client.call(LIST_CANCEL, params), symbol)

    async def fetch_order_list(
        self, *, order_list_id: str | None = None, list_client_id: str | None = None, symbol: str = ""
    ) -> OrderList:
        """A list by its id or its client id (its orders by id only: query them for more)."""
        require_one_ref(order_list_id, list_client_id)
        params = {"orderListId": order_list_id, "origClientOrderId": list_client_id}
        return parse_order_list(await self._client.call(LIST, params), symbol)

    async def fetch_open_order_lists(self) -> list[OrderList]:
        rows = await self._client.call(OPEN_LISTS) or ()
        return [parse_order_list(row, "") for row in rows]
