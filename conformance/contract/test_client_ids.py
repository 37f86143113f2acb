"""Client order ids: checked before sending, unique among active orders, usable to fetch and cancel."""

from __future__ import annotations

import pytest

from conformance.helpers import client_id_for, limit_far, quote_for, require_trading, skip
from conformance.target import Target
from exchanges import (
    DuplicateClientOrderId,
    Exchange,
    InvalidClientOrderId,
    OrderStatus,
    Side,
)

pytestmark = [pytest.mark.conformance_area("client ids"), pytest.mark.asyncio(loop_scope="function")]


@pytest.mark.parametrize("bad", ["has space", "semi;colon", "x" * 300, ""])
async def test_invalid_ids_are_refused(
    bad: str, conformance_target: Target, conformance_exchange: Exchange
) -> None:
    require_trading(conformance_target)
    ex = conformance_exchange
    market, ticker = await quote_for(ex, conformance_target.symbol)
    with pytest.raises(InvalidClientOrderId):
        await ex.place_order(limit_far(market, ticker, Side.BUY, client_order_id=bad))
    assert not await ex.fetch_open_orders(conformance_target.symbol), "a refused order must not exist"


async def test_duplicate_active_id_is_refused(
    conformance_target: Target, conformance_exchange: Exchange
) -> None:
    require_trading(conformance_target)
    ex = conformance_exchange
    market, ticker = await quote_for(ex, conformance_target.symbol)
    cid = client_id_for(ex)
    first = await ex.place_order(limit_far(market, ticker, Side.BUY, client_order_id=cid))
    with pytest.raises(DuplicateClientOrderId):
        await ex.place_order(limit_far(market, ticker, Side.BUY, client_order_id=cid))
    active = [o for o in await ex.fetch_open_orders(conformance_target.symbol) if o.client_order_id == cid]
    assert [o.id for o in active] == [first.id], "exactly one active order per client id"


async def test_fetch_and_cancel_by_client_id(
    conformance_target: Target, conformance_exchange: Exchange
) -> None:
    require_trading(conformance_target)
    ex, symbol = conformance_exchange, conformance_target.symbol
    caps = ex.capabilities
    if not (caps.fetch_by_client_order_id and caps.cancel_by_client_order_id):
        skip(conformance_target, "fetch/cancel by client order id not declared in capabilities")
    market, ticker = await quote_for(ex, symbol)
    cid = client_id_for(ex)
    placed = await ex.place_order(limit_far(market, ticker, Side.SELL, client_order_id=cid))
    assert placed.client_order_id == cid
    fetched = await ex.fetch_order(symbol, client_order_id=cid)
    assert fetched.id == placed.id
    cancelled = await ex.cancel_order(symbol, client_order_id=cid)
    assert cancelled.id == placed.id
    assert cancelled.status is OrderStatus.CANCELED


async def test_an_id_is_generated_when_none_is_given(
    conformance_target: Target, conformance_exchange: Exchange
) -> None:
    require_trading(conformance_target)
    ex = conformance_exchange
    market, ticker = await quote_for(ex, conformance_target.symbol)
    a = await ex.place_order(limit_far(market, ticker, Side.BUY))
    b = await ex.place_order(limit_far(market, ticker, Side.BUY))
    assert a.client_order_id
    assert b.client_order_id
    assert a.client_order_id != b.client_order_id
