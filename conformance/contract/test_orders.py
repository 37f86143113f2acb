"""Orders: every supported type and time in force behaves as specified."""

from __future__ import annotations

import secrets
from decimal import Decimal

import pytest

from conformance.helpers import cross_price, far_price, limit_far, min_size, quote_for, require_trading, skip
from conformance.target import Target
from exchanges import (
    BadRequest,
    Exchange,
    OrderNotFound,
    OrderRequest,
    OrderStatus,
    OrderType,
    PostOnlyWouldTake,
    Side,
    StopKind,
    TimeInForce,
)

pytestmark = [pytest.mark.conformance_area("orders"), pytest.mark.asyncio(loop_scope="function")]

OPENISH = (OrderStatus.NEW, OrderStatus.OPEN)


def _need(target: Target, ok: bool, what: str) -> None:
    if not ok:
        skip(target, f"{what} not declared in capabilities")


def _need_liquidity(target: Target) -> None:
    require_trading(target)
    if not target.has_liquidity:
        skip(target, "no book to trade against")


async def test_resting_limit_is_open_then_cancelled(
    conformance_target: Target, conformance_exchange: Exchange
) -> None:
    require_trading(conformance_target)
    ex, symbol = conformance_exchange, conformance_target.symbol
    market, ticker = await quote_for(ex, symbol)
    request = limit_far(market, ticker, Side.BUY)
    placed = await ex.place_order(request)
    assert placed.status in OPENISH
    assert placed.symbol == symbol
    assert placed.side is Side.BUY
    assert placed.type is OrderType.LIMIT
    assert placed.filled_size == 0
    assert (placed.price, placed.size) == (request.price, request.size), "placed as asked"
    fetched = await ex.fetch_order(symbol, order_id=placed.id)
    assert fetched.status in OPENISH
    assert (fetched.price, fetched.size) == (request.price, request.size), "the venue holds what was asked"
    assert placed.id in {o.id for o in await ex.fetch_open_orders(symbol)}
    cancelled = await ex.cancel_order(symbol, order_id=placed.id)
    assert cancelled.id == placed.id
    assert cancelled.status is OrderStatus.CANCELED
    assert cancelled.filled_size == 0
    assert placed.id not in {o.id for o in await ex.fetch_open_orders(symbol)}
    again = await ex.fetch_order(symbol, order_id=placed.id)
    assert again.status is OrderStatus.CANCELED


async def test_fetch_by_id_and_by_client_id_agree(
    conformance_target: Target, conformance_exchange: Exchange
) -> None:
    require_trading(conformance_target)
    ex, symbol = conformance_exchange, conformance_target.symbol
    market, ticker = await quote_for(ex, symbol)
    placed = await ex.place_order(limit_far(market, ticker, Side.SELL))
    assert placed.client_order_id, "the venue should report (or the adapter generate) a client order id"
    by_id = await ex.fetch_order(symbol, order_id=placed.id)
    assert by_id.client_order_id == placed.client_order_id
    if ex.capabilities.fetch_by_client_order_id:  # (else not offered: nothing to compare)
        assert by_id == await ex.fetch_order(symbol, client_order_id=placed.client_order_id)


async def test_open_and_closed_lists_agree_with_status(
    conformance_target: Target, conformance_exchange: Exchange
) -> None:
    require_trading(conformance_target)
    ex, symbol = conformance_exchange, conformance_target.symbol
    market, ticker = await quote_for(ex, symbol)
    keep = await ex.place_order(limit_far(market, ticker, Side.BUY))
    drop = await ex.place_order(limit_far(market, ticker, Side.SELL))
    await ex.cancel_order(symbol, order_id=drop.id)
    open_orders = {o.id: o for o in await ex.fetch_open_orders(symbol)}
    closed = {o.id: o for o in await ex.fetch_closed_orders(symbol)}
    assert keep.id in open_orders
    assert drop.id not in open_orders
    assert drop.id in closed
    assert keep.id not in closed
    assert all(o.is_open for o in open_orders.values())
    assert not any(o.is_open for o in closed.values())
    assert closed[drop.id].status is OrderStatus.CANCELED
    everywhere = await ex.fetch_open_orders(None)
    assert keep.id in {o.id for o in everywhere}


async def test_history_calls_refuse_negative_limits_and_times(
    conformance_target: Target, conformance_exchange: Exchange
) -> None:
    require_trading(conformance_target)
    ex, symbol = conformance_exchange, conformance_target.symbol
    market, ticker = await quote_for(ex, symbol)
    drop = await ex.place_order(limit_far(market, ticker, Side.BUY))
    await ex.cancel_order(symbol, order_id=drop.id)
    for call in (ex.fetch_closed_orders, ex.fetch_fills):
        with pytest.raises(BadRequest):
            await call(symbol, limit=-1)
        with pytest.raises(BadRequest):
            await call(symbol, start=-1)
    assert await ex.fetch_closed_orders(symbol, limit=0) == []
    assert [o.id for o in await ex.fetch_closed_orders(symbol, limit=1)] == [drop.id], "newest first"


async def test_ioc_never_rests(conformance_target: Target, conformance_exchange: Exchange) -> None:
    _need(conformance_target, TimeInForce.IOC in conformance_exchange.capabilities.time_in_force, "IOC")
    require_trading(conformance_target)
    ex, symbol = conformance_exchange, conformance_target.symbol
    market, ticker = await quote_for(ex, symbol)
    passive = await ex.place_order(limit_far(market, ticker, Side.BUY, time_in_force=TimeInForce.IOC))
    final = await ex.fetch_order(symbol, order_id=passive.id)
    assert not final.is_open
    assert final.filled_size == 0
    assert final.status in (OrderStatus.CANCELED, OrderStatus.EXPIRED)
    assert passive.id not in {o.id for o in await ex.fetch_open_orders(symbol)}
    if conformance_target.has_liquidity:
        price = cross_price(market, ticker, Side.BUY)
        taker = await ex.place_order(
            OrderRequest.limit(
                symbol, Side.BUY, min_size(market, price), price, time_in_force=TimeInForce.IOC
            )
        )
        done = await ex.fetch_order(symbol, order_id=taker.id)
        assert not done.is_open
        assert done.filled_size > 0


async def test_fok_fills_all_or_nothing(conformance_target: Target, conformance_exchange: Exchange) -> None:
    _need(conformance_target, TimeInForce.FOK in conformance_exchange.capabilities.time_in_force, "FOK")
    require_trading(conformance_target)
    ex, symbol = conformance_exchange, conformance_target.symbol
    market, ticker = await quote_for(ex, symbol)
    nothing = await ex.place_order(limit_far(market, ticker, Side.SELL, time_in_force=TimeInForce.FOK))
    nothing = await ex.fetch_order(symbol, order_id=nothing.id)
    assert not nothing.is_open
    assert nothing.filled_size == 0
    if conformance_target.has_liquidity:
        price = cross_price(market, ticker, Side.BUY)
        size = min_size(market, price)
        req = OrderRequest.limit(symbol, Side.BUY, size, price, time_in_force=TimeInForce.FOK)
        everything = await ex.fetch_order(symbol, order_id=(await ex.place_order(req)).id)
        assert everything.status is OrderStatus.FILLED
        assert everything.filled_size == size


async def test_post_only_that_would_take_is_rejected(
    conformance_target: Target, conformance_exchange: Exchange
) -> None:
    _need(conformance_target, conformance_exchange.capabilities.post_only, "post-only")
    _need_liquidity(conformance_target)
    ex, symbol = conformance_exchange, conformance_target.symbol
    market, ticker = await quote_for(ex, symbol)
    price = cross_price(market, ticker, Side.BUY)
    req = OrderRequest.limit(symbol, Side.BUY, min_size(market, price), price, post_only=True)
    try:
        order = await ex.place_order(req)
    except PostOnlyWouldTake:
        return
    final = await ex.fetch_order(symbol, order_id=order.id)
    assert not final.is_open, "a post-only order that would take must not rest"
    assert final.filled_size == 0, "a post-only order must never take"


async def test_post_only_that_rests_is_accepted(
    conformance_target: Target, conformance_exchange: Exchange
) -> None:
    _need(conformance_target, conformance_exchange.capabilities.post_only, "post-only")
    require_trading(conformance_target)
    ex = conformance_exchange
    market, ticker = await quote_for(ex, conformance_target.symbol)
    order = await ex.place_order(limit_far(market, ticker, Side.BUY, post_only=True))
    assert order.status in OPENISH
    assert order.post_only


async def test_market_by_funds_spends_at_most_the_funds(
    conformance_target: Target, conformance_exchange: Exchange
) -> None:
    caps = conformance_exchange.capabilities
    _need(
        conformance_target, OrderType.MARKET in caps.order_types and caps.market_by_funds, "market by funds"
    )
    _need_liquidity(conformance_target)
    ex, symbol = conformance_exchange, conformance_target.symbol
    market, ticker = await quote_for(ex, symbol)
    price = ticker.ask or ticker.last
    assert price is not None
    funds = (min_size(market, price) * price).quantize(market.funds_increment) + market.funds_increment
    order = await ex.place_order(OrderRequest.market(symbol, Side.BUY, funds=funds))
    final = await ex.fetch_order(symbol, order_id=order.id)
    assert not final.is_open
    assert final.filled_size > 0
    assert final.filled_funds <= funds


async def test_market_by_size_fills(conformance_target: Target, conformance_exchange: Exchange) -> None:
    _need(
        conformance_target, OrderType.MARKET in conformance_exchange.capabilities.order_types, "market orders"
    )
    _need_liquidity(conformance_target)
    ex, symbol = conformance_exchange, conformance_target.symbol
    market, ticker = await quote_for(ex, symbol)
    price = ticker.ask or ticker.last
    assert price is not None
    size = min_size(market, price)
    final = await ex.fetch_order(
        symbol, order_id=(await ex.place_order(OrderRequest.market(symbol, "buy", size=size))).id
    )
    assert final.status is OrderStatus.FILLED
    assert final.filled_size == size
    assert final.average_price is not None


async def test_cancel_of_unknown_or_filled_order_raises_order_not_found(
    conformance_target: Target, conformance_exchange: Exchange
) -> None:
    require_trading(conformance_target)
    ex, symbol = conformance_exchange, conformance_target.symbol
    with pytest.raises(OrderNotFound):
        await ex.cancel_order(symbol, order_id=secrets.token_hex(12))
    if ex.capabilities.cancel_by_client_order_id:
        with pytest.raises(OrderNotFound):
            await ex.cancel_order(symbol, client_order_id="nosuch" + secrets.token_hex(8))
    with pytest.raises(OrderNotFound):
        await ex.fetch_order(symbol, order_id=secrets.token_hex(12))
    market, ticker = await quote_for(ex, symbol)
    placed = await ex.place_order(limit_far(market, ticker, Side.BUY))
    await ex.cancel_order(symbol, order_id=placed.id)
    with pytest.raises(OrderNotFound):
        await ex.cancel_order(symbol, order_id=placed.id)
    if conformance_target.has_liquidity:
        price = cross_price(market, ticker, Side.BUY)
        filled = await ex.place_order(
            OrderRequest.limit(
                symbol, Side.BUY, min_size(market, price), price, time_in_force=TimeInForce.IOC
            )
            if TimeInForce.IOC in ex.capabilities.time_in_force
            else OrderRequest.limit(symbol, Side.BUY, min_size(market, price), price)
        )
        done = await ex.fetch_order(symbol, order_id=filled.id)
        if done.status is OrderStatus.FILLED:
            with pytest.raises(OrderNotFound):
                await ex.cancel_order(symbol, order_id=filled.id)


async def test_cancel_all_cancels_only_what_it_should(
    conformance_target: Target, conformance_exchange: Exchange
) -> None:
    require_trading(conformance_target)
    other = conformance_target.other_symbol
    if other is None:
        skip(conformance_target, "no second symbol to check cancel-all scoping")
    ex, symbol = conformance_exchange, conformance_target.symbol
    market, ticker = await quote_for(ex, symbol)
    other_market, other_ticker = await quote_for(ex, other)
    mine = [await ex.place_order(limit_far(market, ticker, side)) for side in (Side.BUY, Side.SELL)]
    theirs = await ex.place_order(limit_far(other_market, other_ticker, Side.BUY))
    await ex.cancel_all_orders(symbol)
    assert not await ex.fetch_open_orders(symbol)
    assert theirs.id in {o.id for o in await ex.fetch_open_orders(other)}
    for order in mine:
        assert (await ex.fetch_order(symbol, order_id=order.id)).status is OrderStatus.CANCELED
    if ex.capabilities.cancel_all_without_symbol:
        await ex.cancel_all_orders()
        assert not await ex.fetch_open_orders(other)


async def test_gtt_rests_with_its_time_in_force(
    conformance_target: Target, conformance_exchange: Exchange
) -> None:
    _need(conformance_target, TimeInForce.GTT in conformance_exchange.capabilities.time_in_force, "GTT")
    require_trading(conformance_target)
    ex = conformance_exchange
    market, ticker = await quote_for(ex, conformance_target.symbol)
    order = await ex.place_order(
        limit_far(market, ticker, Side.BUY, time_in_force=TimeInForce.GTT, cancel_after=3600)
    )
    assert order.status in OPENISH
    assert order.time_in_force is TimeInForce.GTT


@pytest.mark.parametrize("flag", ["hidden", "iceberg"])
async def test_hidden_and_iceberg_orders_rest(
    flag: str, conformance_target: Target, conformance_exchange: Exchange
) -> None:
    _need(conformance_target, getattr(conformance_exchange.capabilities, flag), f"{flag} orders")
    require_trading(conformance_target)
    ex = conformance_exchange
    market, ticker = await quote_for(ex, conformance_target.symbol)
    price = far_price(market, ticker, Side.BUY)
    size = min_size(market, price) * 20
    extra: dict[str, object] = (
        {"hidden": True} if flag == "hidden" else {"iceberg": True, "visible_size": size / 2}
    )
    order = await ex.place_order(
        OrderRequest.limit(conformance_target.symbol, Side.BUY, size, price, **extra)
    )
    assert order.status in OPENISH
    assert getattr(order, flag)


async def test_stop_order_waits_for_its_trigger(
    conformance_target: Target, conformance_exchange: Exchange
) -> None:
    _need(conformance_target, conformance_exchange.capabilities.stop_orders, "stop orders")
    require_trading(conformance_target)
    ex, symbol = conformance_exchange, conformance_target.symbol
    market, ticker = await quote_for(ex, symbol)
    trigger = far_price(market, ticker, Side.BUY)
    # (no direction: a sell stop far below the market can only be a loss, which a venue
    # that derives the direction, as KuCoin does, reports)
    req = OrderRequest.limit(symbol, Side.SELL, min_size(market, trigger), trigger, stop_price=trigger)
    order = await ex.place_order(req)
    assert order.status in (OrderStatus.PENDING, OrderStatus.NEW)
    assert order.stop_price == trigger and order.stop in (StopKind.LOSS, None)
    cancelled = await ex.cancel_order(symbol, order_id=order.id)
    assert cancelled.status is OrderStatus.CANCELED
    assert Decimal(0) == cancelled.filled_size
