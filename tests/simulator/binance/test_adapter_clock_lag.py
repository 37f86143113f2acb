"""The Binance adapter, whose estimate of the venue's time lags behind (its clock drifted
since it last measured the offset), still lists its newest done orders and fills: a read
with an open end must not stop at the client's idea of now."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from adapters.binance import BinanceCredentials, BinanceExchange
from exchanges import ManualClock, OrderRequest, RateLimitRegistry, Side
from simulator.binance.app import BinanceFacade

from .conftest import KEY, SECRET, START

#: How far the venue's clock runs ahead of the client's estimate (under the adapter's 5 s
#: recvWindow, so the client is not refused).
LAG_MS = 3_000


@pytest.fixture
async def adapter(facade: BinanceFacade) -> AsyncIterator[BinanceExchange]:
    exchange = BinanceExchange(
        BinanceCredentials(KEY, SECRET),
        base_url="http://sim",
        transport=httpx.ASGITransport(app=facade.app),
        clock=ManualClock(START),  # (never advanced: the client's time stands still)
        registry=RateLimitRegistry(),
        rate_limit=False,
    )
    yield exchange
    await exchange.close()


async def test_done_orders_and_fills_since_a_time_reach_the_venues_now(
    adapter: BinanceExchange, clock: ManualClock
) -> None:
    resting = await adapter.place_order(OrderRequest.limit("BTC/USDT", Side.BUY, "0.001", "60000"))
    clock.advance_ms(LAG_MS)
    await adapter.cancel_order("BTC/USDT", order_id=resting.id)
    taker = await adapter.place_order(OrderRequest.market("BTC/USDT", Side.BUY, size="0.001"))
    closed = {o.id for o in await adapter.fetch_closed_orders("BTC/USDT", start=START)}
    assert {resting.id, taker.id} <= closed
    fills = await adapter.fetch_fills("BTC/USDT", start=START)
    assert taker.id in {f.order_id for f in fills}
