"""The Binance adapter's order lists against the dialect in process: two independent
readings of NOTES 7.6 meeting. OCO, OTO and OTOCO placed, read and cancelled; a placement
whose answer is lost after the venue acted gives one list, found through its first order."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import httpx
import pytest

from adapters.binance import BinanceCredentials, BinanceExchange, ListLeg
from conformance.binance_wire import BinanceFaultWire
from conformance.faults import Fault, FaultInjectingTransport
from exchanges import ManualClock, OrderStatus, RateLimitRegistry, Side, TimeInForce
from simulator.binance.app import BinanceFacade
from simulator.venue import OrderParams, Venue

from .conftest import KEY, MAKER, SECRET, START, UID

TAKE_PROFIT = ListLeg(type="LIMIT_MAKER", price=Decimal(65500))
STOP_LOSS = ListLeg(
    type="STOP_LOSS_LIMIT", stop_price=Decimal(64500), price=Decimal(64400), time_in_force=TimeInForce.GTC
)
ENTRY = ListLeg(
    type="LIMIT", side=Side.BUY, size=Decimal("0.1"), price=Decimal(64500), time_in_force=TimeInForce.GTC
)


def _adapter(transport: httpx.AsyncBaseTransport) -> BinanceExchange:
    return BinanceExchange(
        BinanceCredentials(KEY, SECRET),
        base_url="http://sim",
        transport=transport,
        clock=ManualClock(START),
        registry=RateLimitRegistry(),
        rate_limit=False,
        reconcile_delay=0.0,
    )


@pytest.fixture
async def adapter(facade: BinanceFacade) -> AsyncIterator[BinanceExchange]:
    exchange = _adapter(httpx.ASGITransport(app=facade.app))
    yield exchange
    await exchange.close()


async def test_an_oco_placed_read_and_cancelled(adapter: BinanceExchange, venue: Venue) -> None:
    bracket = await adapter.place_oco(
        "BTC/USDT", Side.SELL, Decimal("0.5"), TAKE_PROFIT, STOP_LOSS, list_client_id="bracket-1"
    )
    assert (bracket.contingency_type, bracket.client_list_id, bracket.is_open) == ("OCO", "bracket-1", True)
    assert [o.id for o in bracket.orders] == list(bracket.order_ids)
    assert [o.status for o in bracket.orders] == [OrderStatus.PENDING, OrderStatus.OPEN]  # (the stop waits)
    read = await adapter.fetch_order_list(list_client_id="bracket-1")
    assert read.id == bracket.id and read.order_ids == bracket.order_ids
    assert [lst.id for lst in await adapter.fetch_open_order_lists()] == [bracket.id]
    cancelled = await adapter.cancel_order_list("BTC/USDT", order_list_id=bracket.id)
    assert not cancelled.is_open
    assert {o.status for o in cancelled.orders} == {OrderStatus.CANCELED}
    assert await adapter.fetch_open_order_lists() == []
    assert venue.audit() == []


async def test_an_otoco_bracket_runs_its_course(adapter: BinanceExchange, venue: Venue) -> None:
    stop = ListLeg(type="STOP_LOSS", stop_price=Decimal(63000))  # (below the entry's own print)
    bracket = await adapter.place_otoco("BTC/USDT", ENTRY, Side.SELL, Decimal("0.1"), TAKE_PROFIT, stop)
    assert bracket.contingency_type == "OTO" and len(bracket.order_ids) == 3
    venue.create_user("seller", {"BTC": "1"})
    venue.place_order("seller", OrderParams(symbol="BTC-USDT", side="sell", type="market", size="0.1"))
    venue.place_order(MAKER, OrderParams(symbol="BTC-USDT", side="buy", price="65500", size="0.1"))
    done = await adapter.fetch_order_list(order_list_id=bracket.id)
    assert done.list_order_status == "ALL_DONE"
    statuses = [(await adapter.fetch_order("BTC/USDT", order_id=i)).status for i in done.order_ids]
    assert statuses == [OrderStatus.FILLED, OrderStatus.EXPIRED, OrderStatus.FILLED]
    assert venue.balance(str(UID), "BTC").balance == Decimal("1.9999")  # (bought 0.1 less fee, sold 0.1)
    assert venue.audit() == []


async def test_an_oto_whose_answer_is_lost_is_placed_once(facade: BinanceFacade, venue: Venue) -> None:
    transport = FaultInjectingTransport(
        httpx.ASGITransport(app=facade.app),
        seed=1,
        rate=1.0,
        faults=(Fault.LOSE_RESPONSE,),
        path_contains="/orderList/",
        wire=BinanceFaultWire(),
    )
    async with _adapter(transport) as adapter:
        pending = ListLeg(type="LIMIT_MAKER", side=Side.SELL, size=Decimal("0.1"), price=Decimal(67000))
        placed = await adapter.place_oto("BTC/USDT", ENTRY, pending, list_client_id="once")
    assert transport.injected[Fault.LOSE_RESPONSE] == 1
    lists = venue.order_lists(str(UID))
    assert [(lst.id, lst.client_id) for lst in lists] == [(int(placed.id), "once")]
    assert placed.order_ids == tuple(o.id for o in lists[0].orders)
    assert venue.audit() == []
