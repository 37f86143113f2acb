"""``conformance.binance_wire``: the fault injector, told Binance's wire format, drives the
adapter through lost answers, resets, gateway errors and lagging or failing reads against
the fake venue, and every placement ends in one order or none."""

from __future__ import annotations

import time

import httpx

from conformance.binance_wire import BinanceFaultWire
from conformance.faults import Fault, FaultInjectingTransport
from exchanges import ExchangeError, NetworkError, Order, OrderOutcomeUnknown, OrderRequest, RateLimitRegistry

from .conftest import FakeBinance, credentials

from adapters.binance import BinanceExchange  # isort: skip


def test_the_wire_reads_binance_requests() -> None:
    wire = BinanceFaultWire()
    place = httpx.Request("POST", "https://api.binance.com/api/v3/order?symbol=BTCUSDT&newClientOrderId=a-1")
    assert wire.placed_client_ids(place) == ["a-1"]
    oco = httpx.Request(
        "POST",
        "https://api.binance.com/api/v3/orderList/oco",
        content=b"aboveClientOrderId=up&belowClientOrderId=down",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert wire.placed_client_ids(oco) == ["up", "down"]
    read = httpx.Request("GET", "https://api.binance.com/api/v3/order?symbol=BTCUSDT&origClientOrderId=a-1")
    assert wire.is_order_read(read) and wire.read_client_id(read) == "a-1"
    assert not wire.is_order_read(httpx.Request("GET", "https://api.binance.com/api/v3/account"))
    one = httpx.Response(200, json={"orderId": 1, "clientOrderId": "a-1"}, request=read)
    hidden, which = wire.hide(read, one, {"a-1"})
    assert hidden.status_code == 400 and hidden.json()["code"] == -2013 and which == {"a-1"}
    rows = httpx.Response(200, json=[{"clientOrderId": "a-1"}, {"clientOrderId": "b"}], request=read)
    hidden, which = wire.hide(read, rows, {"a-1"})
    assert hidden.json() == [{"clientOrderId": "b"}] and which == {"a-1"}


class _LiveVenue(FakeBinance):
    """The fake venue on the real clock (a client dates the orders it looks for)."""

    @property
    def now(self) -> int:
        return int(time.time() * 1000)

    @now.setter
    def now(self, value: int) -> None:
        pass


async def test_faulty_placements_end_in_one_order_or_none() -> None:
    venue = _LiveVenue()
    transport = FaultInjectingTransport(
        venue.transport(),
        seed=5,
        rate=0.5,
        faults=(Fault.REFUSE, Fault.LOSE_RESPONSE, Fault.RESET_AFTER, Fault.BAD_GATEWAY, Fault.UNAVAILABLE),
        wire=BinanceFaultWire(),
        lag_rate=0.5,
        max_lag=3,
        read_failure_rate=0.1,
    )
    outcomes: dict[str, Order | ExchangeError] = {}
    async with BinanceExchange(
        credentials(),
        transport=transport,
        reconcile_delay=0.0,
        max_read_retries=0,
        registry=RateLimitRegistry(),
    ) as ex:
        for i in range(200):
            cid = f"flt-{i}"
            request = OrderRequest.limit("BTC/USDT", "buy", "0.001", "50000", client_order_id=cid)
            for _ in range(20):  # a careful bot: retry retryable errors with the same id
                try:
                    outcomes[cid] = await ex.place_order(request)
                except NetworkError:
                    continue
                except ExchangeError as exc:
                    outcomes[cid] = exc
                break
    assert transport.harmful > 50 and transport.injected[Fault.LAG] > 0
    for cid, outcome in outcomes.items():
        held = [o for o in venue.orders if o["clientOrderId"] == cid]
        assert len(held) <= 1, f"{cid} placed twice"
        if isinstance(outcome, Order):
            assert held and outcome.id == str(held[0]["orderId"]), f"{cid} reported placed but not held"
        else:
            assert isinstance(outcome, OrderOutcomeUnknown), f"{cid}: {outcome!r}"
    assert len(outcomes) == 200
