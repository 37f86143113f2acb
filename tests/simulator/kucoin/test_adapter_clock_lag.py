"""A client whose estimate of the venue's time lags behind (its clock drifted since it last
measured the offset) still lists its newest done orders and fills."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from adapters.kucoin import KucoinCredentials, KucoinExchange
from exchanges import ManualClock, OrderRequest, RateLimitRegistry, Side
from simulator.kucoin.app import KucoinFacade

from .conftest import START
from .helpers import KEY, PASSPHRASE, SECRET

#: How far the venue's clock runs ahead of the client's estimate (under KuCoin's 5 s window
#: for signed timestamps, so the client is not refused).
LAG_MS = 3_000


@pytest.fixture
async def adapter(facade: KucoinFacade) -> AsyncIterator[KucoinExchange]:
    exchange = KucoinExchange(
        KucoinCredentials(KEY, SECRET, PASSPHRASE),
        base_url="http://sim",
        transport=httpx.ASGITransport(app=facade.app),
        clock=ManualClock(START),  # (never advanced: the client's time stands still)
        registry=RateLimitRegistry(),
        rate_limit=False,
    )
    yield exchange
    await exchange.close()


async def test_done_orders_and_fills_since_a_time_reach_the_venues_now(
    adapter: KucoinExchange, clock: ManualClock
) -> None:
    resting = await adapter.place_order(OrderRequest.limit("BTC/USDT", Side.BUY, "0.001", "60000"))
    clock.advance_ms(LAG_MS)
    await adapter.cancel_order("BTC/USDT", order_id=resting.id)
    taker = await adapter.place_order(OrderRequest.market("BTC/USDT", Side.BUY, size="0.001"))
    closed = {o.id for o in await adapter.fetch_closed_orders("BTC/USDT", start=START)}
    assert {resting.id, taker.id} <= closed
    fills = await adapter.fetch_fills("BTC/USDT", start=START)
    assert taker.id in {f.order_id for f in fills}


async def test_ledger_entries_since_a_time_reach_the_venues_now(
    adapter: KucoinExchange, clock: ManualClock
) -> None:
    before = {e.id for e in await adapter.fetch_ledgers("USDT", start=START)}
    clock.advance_ms(LAG_MS)
    await adapter.place_order(OrderRequest.market("BTC/USDT", Side.BUY, size="0.001"))
    after = await adapter.fetch_ledgers("USDT", start=START)
    new = [e for e in after if e.id not in before]
    assert new, "the market buy's USDT ledger line is missing: the read stopped at the client's time"
    assert all(e.timestamp >= START + LAG_MS for e in new), [(e.timestamp - START, e.biz_type) for e in new]
