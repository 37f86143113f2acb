"""The Binance adapter's ``amend_order`` against the dialect in process: a decrease keeps the
order (amend keep-priority), anything else is a cancelReplace whose new order keeps the
client order id; a lost answer, before or after the dialect acted, still ends with exactly
one open order; an order cancelled whose replacement was refused is said so, not lost."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import httpx
import pytest

from adapters.binance import BinanceCredentials, BinanceExchange
from exchanges import (
    ExchangeError,
    InsufficientFunds,
    ManualClock,
    Order,
    OrderNotFound,
    OrderRequest,
    RateLimitRegistry,
    Side,
)
from simulator.binance.app import BinanceFacade
from simulator.venue import Venue

from .conftest import KEY, SECRET, UID

REPLACE = "/api/v3/order/cancelReplace"
AMEND = "/api/v3/order/amend/keepPriority"


class Faulty(httpx.AsyncBaseTransport):
    """The dialect's app, but the next requests to a path lose their answer: ``after`` once
    the dialect has acted on them, ``before`` without their reaching it."""

    def __init__(self, facade: BinanceFacade) -> None:
        self.app = httpx.ASGITransport(app=facade.app)
        self.faults: dict[str, list[str]] = {}
        self.sent: dict[str, int] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.sent[path] = self.sent.get(path, 0) + 1
        pending = self.faults.get(path)
        fault = pending.pop(0) if pending else None
        if fault == "before":
            raise httpx.ReadTimeout("lost on the way", request=request)
        response = await self.app.handle_async_request(request)
        if fault == "after":
            await response.aread()
            raise httpx.ReadTimeout("the answer was lost", request=request)
        return response


@pytest.fixture
def wire(facade: BinanceFacade) -> Faulty:
    return Faulty(facade)


@pytest.fixture
async def adapter(wire: Faulty, clock: ManualClock) -> AsyncIterator[BinanceExchange]:
    exchange = BinanceExchange(
        BinanceCredentials(KEY, SECRET),
        base_url="http://sim",
        transport=wire,
        clock=clock,
        registry=RateLimitRegistry(),
        rate_limit=False,
        reconcile_delay=0.0,
        reconcile_confirmations=2,
        reconcile_queries=3,
    )
    yield exchange
    await exchange.close()


def _open(venue: Venue, client_oid: str) -> list[str]:
    return [o.id for o in venue.active_orders(str(UID), "BTC-USDT") if o.client_oid == client_oid]


async def _rest(adapter: BinanceExchange, cid: str, size: str = "0.002") -> Order:
    return await adapter.place_order(
        OrderRequest.limit("BTC/USDT", Side.BUY, size, "60000", client_order_id=cid)
    )


async def test_a_decrease_keeps_the_order_and_anything_else_replaces_it(
    adapter: BinanceExchange, venue: Venue
) -> None:
    order = await _rest(adapter, "amend-me")
    smaller = await adapter.amend_order("BTC/USDT", order_id=order.id, size="0.001")
    assert (smaller.order_id, smaller.client_order_id) == (order.id, "amend-me")
    assert (await adapter.fetch_order("BTC/USDT", order_id=order.id)).size == Decimal("0.001")
    moved = await adapter.amend_order("BTC/USDT", client_order_id="amend-me", price="60100")
    assert moved.order_id != order.id and moved.client_order_id == "amend-me"
    now = await adapter.fetch_order("BTC/USDT", client_order_id="amend-me")
    assert (now.id, now.price, now.size) == (moved.order_id, Decimal("60100"), Decimal("0.001"))
    assert _open(venue, "amend-me") == [moved.order_id]


@pytest.mark.parametrize("fault", ["after", "before"])
async def test_a_lost_cancel_replace_answer_leaves_one_order(
    adapter: BinanceExchange, wire: Faulty, venue: Venue, fault: str
) -> None:
    order = await _rest(adapter, "lost-replace")
    wire.faults[REPLACE] = [fault]
    ack = await adapter.amend_order("BTC/USDT", order_id=order.id, price="60200")
    assert ack.order_id is not None and ack.order_id != order.id
    assert _open(venue, "lost-replace") == [ack.order_id]  # one order, never two
    assert wire.sent[REPLACE] == (1 if fault == "after" else 2)  # found, not resent; or resent once
    assert (await adapter.fetch_order("BTC/USDT", order_id=ack.order_id)).price == Decimal("60200")


async def test_a_lost_amend_answer_is_read_back(adapter: BinanceExchange, wire: Faulty, venue: Venue) -> None:
    order = await _rest(adapter, "lost-amend")
    wire.faults[AMEND] = ["after"]
    ack = await adapter.amend_order("BTC/USDT", order_id=order.id, size="0.001")
    assert ack.order_id == order.id and wire.sent[AMEND] == 1
    assert _open(venue, "lost-amend") == [order.id]
    assert (await adapter.fetch_order("BTC/USDT", order_id=order.id)).size == Decimal("0.001")


async def test_a_refused_replacement_says_the_order_was_cancelled(
    adapter: BinanceExchange, venue: Venue
) -> None:
    order = await _rest(adapter, "too-big")
    with pytest.raises(InsufficientFunds, match=f"order {order.id} was cancelled"):
        await adapter.amend_order("BTC/USDT", order_id=order.id, size="100")
    assert _open(venue, "too-big") == []
    with pytest.raises(OrderNotFound):
        await adapter.amend_order("BTC/USDT", order_id=order.id, price="60100")


async def test_the_adapters_cancel_replace_reports_each_half_as_the_dialect_did_it(
    adapter: BinanceExchange, venue: Venue
) -> None:
    """``cancel_replace`` (the adapter's own API, every mode) against the local Binance: both
    halves done; a cancel that fails stops the placement (STOP_ON_FAILURE) or not
    (ALLOW_FAILURE); a refused new order leaves the old one cancelled, said in its half."""
    old = await _rest(adapter, "cr-old")
    new = OrderRequest.limit("BTC/USDT", Side.BUY, "0.002", "60100", client_order_id="cr-new")
    done = await adapter.cancel_replace("BTC/USDT", new, order_id=old.id)
    assert (done.cancel_result, done.new_order_result) == ("SUCCESS", "SUCCESS")
    assert done.cancelled is not None and done.cancelled.id == old.id
    assert done.placed is not None and done.placed.client_order_id == "cr-new"
    assert (done.cancel_error, done.placed_error) == (None, None)
    assert _open(venue, "cr-old") == [] and _open(venue, "cr-new") == [done.placed.id]

    again = OrderRequest.limit("BTC/USDT", Side.BUY, "0.002", "60200", client_order_id="cr-again")
    stopped = await adapter.cancel_replace("BTC/USDT", again, order_id=old.id)  # (already cancelled)
    assert (stopped.cancel_result, stopped.new_order_result) == ("FAILURE", "NOT_ATTEMPTED")
    assert isinstance(stopped.cancel_error, OrderNotFound) and stopped.placed is None
    assert _open(venue, "cr-again") == []

    allowed = await adapter.cancel_replace("BTC/USDT", again, order_id=old.id, allow_failure=True)
    assert (allowed.cancel_result, allowed.new_order_result) == ("FAILURE", "SUCCESS")
    assert allowed.placed is not None and _open(venue, "cr-again") == [allowed.placed.id]

    too_big = OrderRequest.limit("BTC/USDT", Side.BUY, "100", "60000", client_order_id="cr-big")
    refused = await adapter.cancel_replace("BTC/USDT", too_big, client_order_id="cr-again")
    assert (refused.cancel_result, refused.new_order_result) == ("SUCCESS", "FAILURE")
    assert isinstance(refused.placed_error, InsufficientFunds) and refused.placed is None
    assert _open(venue, "cr-again") == [] and _open(venue, "cr-big") == []


async def test_the_adapters_amend_keep_priority_lowers_the_order_in_place(
    adapter: BinanceExchange, venue: Venue
) -> None:
    order = await _rest(adapter, "keep-me", size="0.005")
    result = await adapter.amend_keep_priority(
        "BTC/USDT", "0.003", order_id=order.id, new_client_order_id="kept"
    )
    assert (result.order.id, result.order.client_order_id, result.order.size) == (
        order.id,
        "kept",
        Decimal("0.003"),
    )
    assert result.execution_id > 0 and result.timestamp > 0
    assert _open(venue, "kept") == [order.id]
    with pytest.raises(ExchangeError) as raised:  # Binance amends decreases only
        await adapter.amend_keep_priority("BTC/USDT", "0.004", client_order_id="kept")
    assert raised.value.code == "-2038" and "quantity increase" in str(raised.value)
    assert (await adapter.fetch_order("BTC/USDT", order_id=order.id)).size == Decimal("0.003")
