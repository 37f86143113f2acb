"""Orders: every supported type and time in force behaves as specified; every call that names
an order finds that order, among many; the lists are scoped, ordered and limited."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Sequence
from decimal import Decimal

import pytest

from conformance.helpers import (
    FAR,
    client_id_for,
    cross_price,
    expect_error,
    far_price,
    is_epoch_ms,
    limit_far,
    min_size,
    quote_for,
    require_trading,
    resting,
    skip,
)
from conformance.target import Target
from exchanges import (
    Amending,
    BadRequest,
    BatchPlacing,
    Exchange,
    ExchangeError,
    Fill,
    InsufficientFunds,
    Market,
    NetworkError,
    Order,
    OrderNotFound,
    OrderOutcomeUnknown,
    OrderRequest,
    OrderStatus,
    OrderType,
    PostOnlyWouldTake,
    Side,
    StopKind,
    TimeInForce,
    floor_to_increment,
)

pytestmark = [pytest.mark.conformance_area("orders"), pytest.mark.asyncio(loop_scope="function")]

OPENISH = (OrderStatus.NEW, OrderStatus.OPEN)
#: Placements tried on a moving market before a test gives up on the book it needs.
TRIES = 5
#: What an order's reads must agree with its placement on.
SAME = (
    *("id", "client_order_id", "symbol", "side", "type"),
    *("price", "size", "funds", "time_in_force", "post_only"),
)


def _need(target: Target, ok: bool, what: str) -> None:
    if not ok:
        skip(target, f"{what} not declared in capabilities")


def _need_liquidity(target: Target) -> None:
    require_trading(target)
    if not target.has_liquidity:
        skip(target, "no book to trade against")


async def _place_all(ex: Exchange, requests: Sequence[OrderRequest]) -> list[Order]:
    return [await ex.place_order(r) for r in requests]


def _agrees(read: Order, placed: Order, how: str) -> None:
    for field in SAME:
        got, want = getattr(read, field), getattr(placed, field)
        assert got == want, f"{how}, the order's {field} is {got!r}, but it was placed as {want!r}"


async def test_resting_limit_is_open_then_cancelled(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """A limit order far from the market rests as asked (new or open, nothing filled, at
    the price and size asked) and is listed open; a cancel returns it cancelled, and it is
    listed open no more."""
    require_trading(conformance_subject)
    ex, symbol = conformance_exchange, conformance_subject.symbol
    market, ticker = await quote_for(ex, symbol)
    request = limit_far(market, ticker, Side.BUY)
    placed = await ex.place_order(request)
    assert placed.status in OPENISH, f"a resting limit order is {placed.status}, not new or open"
    assert (placed.symbol, placed.side, placed.type) == (symbol, Side.BUY, OrderType.LIMIT), (
        f"placed a limit buy of {symbol}, got a {placed.type} {placed.side} of {placed.symbol}"
    )
    assert placed.filled_size == 0, f"an order far from the market filled {placed.filled_size}"
    assert (placed.price, placed.size) == (request.price, request.size), (
        f"placed at {placed.price} x {placed.size}, but asked for {request.price} x {request.size}"
    )
    assert placed.price is not None and placed.size is not None
    assert placed.funds == placed.price * placed.size, (
        f"a limit order's funds are its price x size, {placed.price * placed.size}, not {placed.funds}"
    )
    fetched = await ex.fetch_order(symbol, order_id=placed.id)
    assert fetched.status in OPENISH, f"a resting order reads as {fetched.status}"
    assert placed.id in {o.id for o in await ex.fetch_open_orders(symbol)}, (
        "a resting order is not listed open"
    )
    cancelled = await ex.cancel_order(symbol, order_id=placed.id)
    assert cancelled.id == placed.id, f"cancelled {placed.id}, the answer is about {cancelled.id}"
    assert cancelled.status is OrderStatus.CANCELED, (
        f"a cancel must return the order in its final state, canceled; got {cancelled.status}"
    )
    assert cancelled.filled_size == 0, f"a cancelled unfilled order reports {cancelled.filled_size} filled"
    assert placed.id not in {o.id for o in await ex.fetch_open_orders(symbol)}, (
        "a cancelled order is listed open"
    )
    again = await ex.fetch_order(symbol, order_id=placed.id)
    assert again.status is OrderStatus.CANCELED, f"a cancelled order reads as {again.status}"


async def test_reads_agree_exactly_with_the_placement(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """Every read of an order agrees with its placement, amount for amount: fetched by id
    and by client order id, listed open, and once cancelled listed closed and fetched by
    client order id still. Amounts are exact decimals, never rounded through a float."""
    require_trading(conformance_subject)
    ex, symbol = conformance_exchange, conformance_subject.symbol
    market, ticker = await quote_for(ex, symbol)
    placed = await ex.place_order(limit_far(market, ticker, Side.SELL, client_order_id=client_id_for(ex)))
    _agrees(await ex.fetch_order(symbol, order_id=placed.id), placed, "fetched by id")
    if ex.capabilities.fetch_by_client_order_id:
        cid = str(placed.client_order_id)
        _agrees(await ex.fetch_order(symbol, client_order_id=cid), placed, "fetched by client order id")
    listed = {o.id: o for o in await ex.fetch_open_orders(symbol)}
    assert placed.id in listed, "a resting order is not listed open"
    _agrees(listed[placed.id], placed, "listed open")
    await ex.cancel_order(symbol, order_id=placed.id)
    closed = {o.id: o for o in await ex.fetch_closed_orders(symbol)}
    assert placed.id in closed, "a cancelled order is not listed closed"
    _agrees(closed[placed.id], placed, "listed closed")
    if ex.capabilities.fetch_by_client_order_id:
        cid = str(placed.client_order_id)
        done = await ex.fetch_order(symbol, client_order_id=cid)
        _agrees(done, placed, "cancelled, then fetched by client order id")


async def test_fetch_finds_the_right_order_among_many(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """With several orders open, a fetch by id or by client order id returns that order,
    never another."""
    require_trading(conformance_subject)
    ex, symbol = conformance_exchange, conformance_subject.symbol
    market, ticker = await quote_for(ex, symbol)
    orders = await _place_all(ex, resting(ex, market, ticker, Side.BUY, 3))
    for order in reversed(orders):
        by_id = await ex.fetch_order(symbol, order_id=order.id)
        assert (by_id.id, by_id.price, by_id.size) == (order.id, order.price, order.size), (
            f"fetched order {order.id} by id with {len(orders)} open, got {by_id.id}"
        )
        if ex.capabilities.fetch_by_client_order_id:
            by_cid = await ex.fetch_order(symbol, client_order_id=str(order.client_order_id))
            assert (by_cid.id, by_cid.client_order_id) == (order.id, order.client_order_id), (
                f"fetched client order id {order.client_order_id} with {len(orders)} orders open, "
                f"got order {by_cid.id} (client order id {by_cid.client_order_id}) instead of {order.id}"
            )


async def test_cancel_cancels_the_right_order_among_many(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """With several orders open, a cancel by id or by client order id cancels that order
    and returns it; the others stay open."""
    require_trading(conformance_subject)
    ex, symbol = conformance_exchange, conformance_subject.symbol
    market, ticker = await quote_for(ex, symbol)
    orders = await _place_all(ex, resting(ex, market, ticker, Side.SELL, 4))
    gone = [orders[2]]
    by_id = await ex.cancel_order(symbol, order_id=orders[2].id)
    assert by_id.id == orders[2].id, f"cancelled order {orders[2].id} by id, the answer is about {by_id.id}"
    if ex.capabilities.cancel_by_client_order_id:
        gone.append(orders[1])
        cid = str(orders[1].client_order_id)
        by_cid = await ex.cancel_order(symbol, client_order_id=cid)
        assert (by_cid.id, by_cid.client_order_id) == (orders[1].id, cid), (
            f"cancelled client order id {cid} with {len(orders)} orders open, the answer is about "
            f"order {by_cid.id} (client order id {by_cid.client_order_id}) instead of {orders[1].id}"
        )
    for order in orders:
        now = await ex.fetch_order(symbol, order_id=order.id)
        if order in gone:
            assert now.status is OrderStatus.CANCELED, (
                f"order {order.id} was cancelled, yet it is {now.status}"
            )
        else:
            assert now.is_open, (
                f"order {order.id} was not cancelled, yet it is {now.status}: the wrong order was cancelled"
            )


async def test_amend_changes_the_right_order_among_many(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """With several orders open, an amend by id or by client order id changes that order
    alone: it keeps its client order id and takes the new price or size; the others are
    untouched."""
    require_trading(conformance_subject)
    ex, symbol = conformance_exchange, conformance_subject.symbol
    _need(conformance_subject, ex.capabilities.amend and isinstance(ex, Amending), "amending orders")
    assert isinstance(ex, Amending)
    market, ticker = await quote_for(ex, symbol)
    orders = await _place_all(ex, resting(ex, market, ticker, Side.BUY, 3))
    new_price = far_price(market, ticker, Side.BUY, FAR + Decimal("0.03"))
    ack = await ex.amend_order(symbol, order_id=orders[1].id, price=new_price)
    assert orders[2].size is not None
    new_size = orders[2].size * 2
    ack_by_cid = await ex.amend_order(symbol, client_order_id=str(orders[2].client_order_id), size=new_size)
    expected = {
        1: (ack.order_id or orders[1].id, new_price, orders[1].size, "by id"),
        2: (ack_by_cid.order_id or orders[2].id, orders[2].price, new_size, "by client order id"),
        0: (orders[0].id, orders[0].price, orders[0].size, "not amended"),
    }
    for i, (order_id, price, size, how) in expected.items():
        now = await ex.fetch_order(symbol, order_id=order_id)
        assert now.client_order_id == orders[i].client_order_id, (
            f"the order amended {how} is {order_id}, with client order id {now.client_order_id} "
            f"instead of {orders[i].client_order_id}: another order was amended"
        )
        assert now.is_open and (now.price, now.size) == (price, size), (
            f"order {orders[i].client_order_id} ({how}) is {now.status} at {now.price} x {now.size}, "
            f"expected open at {price} x {size}"
        )


async def test_amend_refuses_what_it_cannot_do(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """An amend with neither a price nor a size is a ``BadRequest``; one of an order no
    longer open raises ``OrderNotFound``; a new size not above what has filled ends the
    order."""
    require_trading(conformance_subject)
    ex, symbol = conformance_exchange, conformance_subject.symbol
    _need(conformance_subject, ex.capabilities.amend and isinstance(ex, Amending), "amending orders")
    assert isinstance(ex, Amending)
    market, ticker = await quote_for(ex, symbol)
    order = await ex.place_order(limit_far(market, ticker, Side.BUY))
    await expect_error(
        BadRequest,
        "an amend with neither price nor size must be a BadRequest",
        ex.amend_order(symbol, order_id=order.id),
    )
    await ex.cancel_order(symbol, order_id=order.id)
    await expect_error(
        OrderNotFound,
        "an amend of a cancelled order must raise OrderNotFound",
        ex.amend_order(symbol, order_id=order.id, price=far_price(market, ticker, Side.BUY, FAR * 2)),
    )
    if not conformance_subject.has_liquidity:
        return
    partial = await _partly_filled(ex, conformance_subject, market)
    if partial is None:
        skip(conformance_subject, "the book moved at every try: no order filled in part to amend")
    ack = await ex.amend_order(symbol, order_id=partial.id, size=partial.filled_size)
    ended = await ex.fetch_order(symbol, order_id=ack.order_id or partial.id)
    assert not ended.is_open, (
        f"an amend to a size of {partial.filled_size}, what had filled, must end the order; "
        f"it is {ended.status}"
    )


async def test_open_orders_are_most_recently_updated_first(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """Open orders are listed most recently updated first: orders placed one after another
    come newest first."""
    require_trading(conformance_subject)
    ex, symbol = conformance_exchange, conformance_subject.symbol
    market, ticker = await quote_for(ex, symbol)
    orders = await _place_all(ex, resting(ex, market, ticker, Side.BUY, 3))
    listed = await ex.fetch_open_orders(symbol)
    ours = [o.id for o in listed if o.id in {p.id for p in orders}]
    assert ours == [o.id for o in reversed(orders)], (
        "open orders must come most recently updated first: three placed one after another "
        f"are listed in placing order {[[p.id for p in orders].index(i) for i in ours]}"
    )
    stamps = [o.updated_at for o in listed]
    assert stamps == sorted(stamps, reverse=True), f"open orders' update times are not newest first: {stamps}"


async def test_open_and_closed_lists_agree_with_status(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """The open list holds the open orders of the symbol asked (of every symbol when none is
    named) and the closed list the done ones: an order is in one list, never in both."""
    require_trading(conformance_subject)
    ex, symbol, other = conformance_exchange, conformance_subject.symbol, conformance_subject.other_symbol
    market, ticker = await quote_for(ex, symbol)
    keep = await ex.place_order(limit_far(market, ticker, Side.BUY))
    drop = await ex.place_order(limit_far(market, ticker, Side.SELL))
    elsewhere = None
    if other is not None:
        other_market, other_ticker = await quote_for(ex, other)
        elsewhere = await ex.place_order(limit_far(other_market, other_ticker, Side.BUY))
    await ex.cancel_order(symbol, order_id=drop.id)
    open_orders = {o.id: o for o in await ex.fetch_open_orders(symbol)}
    closed = {o.id: o for o in await ex.fetch_closed_orders(symbol)}
    assert keep.id in open_orders, "an open order is not listed open"
    assert keep.id not in closed, "an open order is listed closed"
    assert drop.id in closed, "a cancelled order is not listed closed"
    assert drop.id not in open_orders, "a cancelled order is listed open"
    assert all(o.is_open for o in open_orders.values()), "the open list holds a done order"
    assert not any(o.is_open for o in closed.values()), "the closed list holds an open order"
    assert closed[drop.id].status is OrderStatus.CANCELED, (
        f"a cancelled order is listed {closed[drop.id].status}"
    )
    assert all(o.symbol == symbol for o in open_orders.values()), (
        f"the open list of {symbol} holds another symbol's"
    )
    everywhere = {o.id for o in await ex.fetch_open_orders(None)}
    assert keep.id in everywhere, "the open list of every symbol misses an open order"
    if elsewhere is not None:
        assert elsewhere.id not in open_orders, f"the open list of {symbol} holds an order of {other}"
        assert elsewhere.id in everywhere, f"the open list of every symbol misses an order of {other}"


async def test_closed_orders_newest_first_within_limit(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """Done orders are listed newest first, at most ``limit`` of them (0: none)."""
    require_trading(conformance_subject)
    ex, symbol = conformance_exchange, conformance_subject.symbol
    market, ticker = await quote_for(ex, symbol)
    orders = await _place_all(ex, resting(ex, market, ticker, Side.BUY, 3))
    for order in orders:
        await ex.cancel_order(symbol, order_id=order.id)
    newest = [o.id for o in reversed(orders)]
    listed = [o.id for o in await ex.fetch_closed_orders(symbol) if o.id in newest]
    assert listed == newest, (
        f"done orders must come newest first: three cancelled one after another are listed in order "
        f"{[newest.index(i) for i in listed]} (0 the newest)"
    )
    assert await ex.fetch_closed_orders(symbol, limit=0) == [], "limit 0 must list no done order"
    for limit in (1, 2):
        got = [o.id for o in await ex.fetch_closed_orders(symbol, limit=limit)]
        assert got == newest[:limit], f"limit {limit} must keep the {limit} newest done orders, got {got}"


async def test_history_calls_refuse_negative_limits_and_times(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """The closed-order and fill lists refuse a negative limit or time with a ``BadRequest``."""
    require_trading(conformance_subject)
    ex, symbol = conformance_exchange, conformance_subject.symbol
    market, ticker = await quote_for(ex, symbol)
    drop = await ex.place_order(limit_far(market, ticker, Side.BUY))
    await ex.cancel_order(symbol, order_id=drop.id)
    for name, call in (("closed orders", ex.fetch_closed_orders), ("fills", ex.fetch_fills)):
        await expect_error(BadRequest, f"{name} of limit -1 must be a BadRequest", call(symbol, limit=-1))
        await expect_error(BadRequest, f"{name} from start -1 must be a BadRequest", call(symbol, start=-1))


async def test_ioc_never_rests(conformance_subject: Target, conformance_exchange: Exchange) -> None:
    """An IOC order never rests: one that cannot fill ends at once, unfilled and not listed
    open; one that crosses the book fills and ends."""
    _need(conformance_subject, TimeInForce.IOC in conformance_exchange.capabilities.time_in_force, "IOC")
    require_trading(conformance_subject)
    ex, symbol = conformance_exchange, conformance_subject.symbol
    market, ticker = await quote_for(ex, symbol)
    passive = await ex.place_order(limit_far(market, ticker, Side.BUY, time_in_force=TimeInForce.IOC))
    final = await ex.fetch_order(symbol, order_id=passive.id)
    assert not final.is_open, f"an IOC order rested: status {final.status} after its first matching"
    assert final.filled_size == 0, f"an IOC order far from the market filled {final.filled_size}"
    assert final.status in (OrderStatus.CANCELED, OrderStatus.EXPIRED), (
        f"an unfilled IOC order ended {final.status}"
    )
    assert passive.id not in {o.id for o in await ex.fetch_open_orders(symbol)}, "an IOC order is listed open"
    if conformance_subject.has_liquidity:
        price = cross_price(market, ticker, Side.BUY)
        taker = await ex.place_order(
            OrderRequest.limit(
                symbol, Side.BUY, min_size(market, price), price, time_in_force=TimeInForce.IOC
            )
        )
        done = await ex.fetch_order(symbol, order_id=taker.id)
        assert not done.is_open, f"an IOC order rested: status {done.status} after crossing the book"
        assert done.filled_size > 0, "an IOC order that crosses the book filled nothing"


async def test_fok_fills_all_or_nothing(conformance_subject: Target, conformance_exchange: Exchange) -> None:
    """A FOK order fills entirely at once or not at all: one priced away fills nothing, one
    larger than the liquidity at its price fills nothing, one that crosses enough of the
    book fills entirely."""
    _need(conformance_subject, TimeInForce.FOK in conformance_exchange.capabilities.time_in_force, "FOK")
    require_trading(conformance_subject)
    ex, symbol = conformance_exchange, conformance_subject.symbol
    market, ticker = await quote_for(ex, symbol)
    nothing = await ex.place_order(limit_far(market, ticker, Side.SELL, time_in_force=TimeInForce.FOK))
    nothing = await ex.fetch_order(symbol, order_id=nothing.id)
    assert not nothing.is_open, f"a FOK order rested: status {nothing.status}"
    assert nothing.filled_size == 0, f"a FOK order far from the market filled {nothing.filled_size}"
    if not conformance_subject.has_liquidity:
        return
    price = cross_price(market, ticker, Side.BUY)
    size = min_size(market, price)
    req = OrderRequest.limit(symbol, Side.BUY, size, price, time_in_force=TimeInForce.FOK)
    everything = await ex.fetch_order(symbol, order_id=(await ex.place_order(req)).id)
    assert everything.status is OrderStatus.FILLED, (
        f"a FOK order that crosses enough of the book is {everything.status}"
    )
    assert everything.filled_size == size, f"a FOK order of {size} filled {everything.filled_size}"
    best = (await ex.fetch_order_book(symbol, 1)).asks[0]
    more = best.size + min_size(market, best.price)
    big = OrderRequest.limit(symbol, Side.BUY, more, best.price, time_in_force=TimeInForce.FOK)
    final = await ex.fetch_order(symbol, order_id=(await ex.place_order(big)).id)
    assert not final.is_open, f"a FOK order rested: status {final.status}"
    assert final.filled_size in (0, more), (
        f"a FOK order filled in part: {final.filled_size} of {more} "
        f"(more than the {best.size} offered at its price)"
    )


async def test_post_only_that_would_take_is_rejected(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """A post-only order that would take is refused (``PostOnlyWouldTake``) or ends unfilled:
    it never takes."""
    _need(conformance_subject, conformance_exchange.capabilities.post_only, "post-only")
    _need_liquidity(conformance_subject)
    ex, symbol = conformance_exchange, conformance_subject.symbol
    market, ticker = await quote_for(ex, symbol)
    price = cross_price(market, ticker, Side.BUY)
    req = OrderRequest.limit(symbol, Side.BUY, min_size(market, price), price, post_only=True)
    try:
        order = await ex.place_order(req)
    except PostOnlyWouldTake:
        return
    final = await ex.fetch_order(symbol, order_id=order.id)
    assert final.filled_size == 0, f"a post-only order took liquidity: {final.filled_size} filled"
    assert not final.is_open, f"a post-only order that would take rests: status {final.status}"


async def test_post_only_that_rests_is_accepted(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """A post-only order that would not take rests, and says it is post-only."""
    _need(conformance_subject, conformance_exchange.capabilities.post_only, "post-only")
    require_trading(conformance_subject)
    ex = conformance_exchange
    market, ticker = await quote_for(ex, conformance_subject.symbol)
    order = await ex.place_order(limit_far(market, ticker, Side.BUY, post_only=True))
    assert order.status in OPENISH, f"a post-only order far from the market is {order.status}"
    assert order.post_only, "a post-only order does not say it is post-only"


async def test_market_by_funds_spends_at_most_the_funds(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """A market buy by funds fills, and its fills cost no more than the funds given."""
    caps = conformance_exchange.capabilities
    _need(
        conformance_subject, OrderType.MARKET in caps.order_types and caps.market_by_funds, "market by funds"
    )
    _need_liquidity(conformance_subject)
    ex, symbol = conformance_exchange, conformance_subject.symbol
    market, ticker = await quote_for(ex, symbol)
    price = ticker.ask or ticker.last
    assert price is not None, "the ticker has neither an ask nor a last price"
    funds = (min_size(market, price) * price).quantize(market.funds_increment) + market.funds_increment
    order = await ex.place_order(OrderRequest.market(symbol, Side.BUY, funds=funds))
    final = await ex.fetch_order(symbol, order_id=order.id)
    assert not final.is_open, f"a market order rests: status {final.status}"
    assert final.filled_size > 0, "a market buy by funds filled nothing"
    assert final.filled_funds <= funds, f"a market buy of {funds} funds spent {final.filled_funds}"


async def test_market_by_size_fills(conformance_subject: Target, conformance_exchange: Exchange) -> None:
    """A market order by size fills that size entirely, at an average price."""
    _need(
        conformance_subject,
        OrderType.MARKET in conformance_exchange.capabilities.order_types,
        "market orders",
    )
    _need_liquidity(conformance_subject)
    ex, symbol = conformance_exchange, conformance_subject.symbol
    market, ticker = await quote_for(ex, symbol)
    price = ticker.ask or ticker.last
    assert price is not None, "the ticker has neither an ask nor a last price"
    size = min_size(market, price)
    final = await ex.fetch_order(
        symbol, order_id=(await ex.place_order(OrderRequest.market(symbol, "buy", size=size))).id
    )
    assert final.status is OrderStatus.FILLED, f"a market order of {size} is {final.status}"
    assert final.filled_size == size, f"a market order of {size} filled {final.filled_size}"
    assert final.average_price is not None, "a filled market order has no average price"


async def _partly_filled(ex: Exchange, target: Target, market: Market) -> Order | None:
    """A limit buy at the best ask for more than the level offers: it takes the level and
    rests the rest (``None`` if the book moved every time)."""
    symbol = target.symbol
    for _ in range(TRIES):
        best = (await ex.fetch_order_book(symbol, 1)).asks[0]
        size = best.size + min_size(market, best.price) * 5
        placed = await ex.place_order(OrderRequest.limit(symbol, Side.BUY, size, best.price))
        order = await ex.fetch_order(symbol, order_id=placed.id)
        partial = order.filled_size > 0 and (order.is_open or order.filled_size < size)
        if partial:
            return order
        if order.is_open:
            await ex.cancel_order(symbol, order_id=order.id)
    return None


async def test_partial_fill_stays_open_until_cancelled(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """An order filled in part is partially filled and open, its fills within its size; a
    cancel ends it cancelled and keeps what filled."""
    _need_liquidity(conformance_subject)
    ex, symbol = conformance_exchange, conformance_subject.symbol
    market, _ = await quote_for(ex, symbol)
    order = await _partly_filled(ex, conformance_subject, market)
    if order is None:
        skip(conformance_subject, "the book moved at every try: no order filled in part")
    assert order.size is not None
    assert order.status is OrderStatus.PARTIALLY_FILLED, (
        f"an order filled in part ({order.filled_size} of {order.size}) is {order.status}, "
        "not partially filled"
    )
    assert 0 < order.filled_size < order.size, f"a partial fill of {order.filled_size} of {order.size}"
    assert order.id in {o.id for o in await ex.fetch_open_orders(symbol)}, (
        "a partly filled order is not listed open"
    )
    cancelled = await ex.cancel_order(symbol, order_id=order.id)
    assert cancelled.status is OrderStatus.CANCELED, (
        f"a partly filled order, cancelled, is {cancelled.status}"
    )
    assert cancelled.filled_size == order.filled_size, (
        f"a cancel must keep what filled: {order.filled_size} filled, "
        f"the cancel reports {cancelled.filled_size}"
    )


async def test_cancel_of_unknown_or_filled_order_raises_order_not_found(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """A cancel or fetch of an order the venue does not know, and a cancel of an order that
    is cancelled or filled already, raises ``OrderNotFound``."""
    require_trading(conformance_subject)
    ex, symbol = conformance_exchange, conformance_subject.symbol
    unknown = secrets.token_hex(12)
    await expect_error(
        OrderNotFound,
        "a cancel of an unknown order must raise OrderNotFound",
        ex.cancel_order(symbol, order_id=unknown),
    )
    if ex.capabilities.cancel_by_client_order_id:
        await expect_error(
            OrderNotFound,
            "a cancel of an unknown client order id must raise OrderNotFound",
            ex.cancel_order(symbol, client_order_id="nosuch" + secrets.token_hex(8)),
        )
    await expect_error(
        OrderNotFound,
        "a fetch of an unknown order must raise OrderNotFound",
        ex.fetch_order(symbol, order_id=unknown),
    )
    market, ticker = await quote_for(ex, symbol)
    placed = await ex.place_order(limit_far(market, ticker, Side.BUY))
    await ex.cancel_order(symbol, order_id=placed.id)
    await expect_error(
        OrderNotFound,
        "a second cancel of a cancelled order must raise OrderNotFound",
        ex.cancel_order(symbol, order_id=placed.id),
    )
    if conformance_subject.has_liquidity:
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
            await expect_error(
                OrderNotFound,
                "a cancel of a filled order must raise OrderNotFound",
                ex.cancel_order(symbol, order_id=filled.id),
            )


async def test_cancel_all_cancels_only_what_it_should(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """Cancel-all of a symbol cancels every open order of that symbol and none of another;
    without a symbol (where offered) it cancels them all."""
    require_trading(conformance_subject)
    other = conformance_subject.other_symbol
    if other is None:
        skip(conformance_subject, "no second symbol to check cancel-all scoping")
    ex, symbol = conformance_exchange, conformance_subject.symbol
    market, ticker = await quote_for(ex, symbol)
    other_market, other_ticker = await quote_for(ex, other)
    mine = [await ex.place_order(limit_far(market, ticker, side)) for side in (Side.BUY, Side.SELL)]
    theirs = await ex.place_order(limit_far(other_market, other_ticker, Side.BUY))
    await ex.cancel_all_orders(symbol)
    for order in mine:
        status = (await ex.fetch_order(symbol, order_id=order.id)).status
        assert status is OrderStatus.CANCELED, f"cancel-all of {symbol} left one of its orders {status}"
    status = (await ex.fetch_order(other, order_id=theirs.id)).status
    assert status.is_open, f"cancel-all of {symbol} cancelled an order of {other} ({status})"
    if ex.capabilities.cancel_all_without_symbol:
        await ex.cancel_all_orders()
        status = (await ex.fetch_order(other, order_id=theirs.id)).status
        assert status is OrderStatus.CANCELED, f"cancel-all of every symbol left an order of {other} {status}"


async def test_gtt_rests_with_its_time_in_force(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """A good-till-time order rests and says it is GTT."""
    _need(conformance_subject, TimeInForce.GTT in conformance_exchange.capabilities.time_in_force, "GTT")
    require_trading(conformance_subject)
    ex = conformance_exchange
    market, ticker = await quote_for(ex, conformance_subject.symbol)
    order = await ex.place_order(
        limit_far(market, ticker, Side.BUY, time_in_force=TimeInForce.GTT, cancel_after=3600)
    )
    assert order.status in OPENISH, f"a GTT order far from the market is {order.status}"
    assert order.time_in_force is TimeInForce.GTT, (
        f"a GTT order says its time in force is {order.time_in_force}"
    )


@pytest.mark.parametrize("flag", ["hidden", "iceberg"])
async def test_hidden_and_iceberg_orders_rest(
    flag: str, conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """A hidden or iceberg order rests and says what it is."""
    _need(conformance_subject, getattr(conformance_exchange.capabilities, flag), f"{flag} orders")
    require_trading(conformance_subject)
    ex = conformance_exchange
    market, ticker = await quote_for(ex, conformance_subject.symbol)
    price = far_price(market, ticker, Side.BUY)
    size = min_size(market, price) * 20
    extra: dict[str, object] = (
        {"hidden": True} if flag == "hidden" else {"iceberg": True, "visible_size": size / 2}
    )
    order = await ex.place_order(
        OrderRequest.limit(conformance_subject.symbol, Side.BUY, size, price, **extra)
    )
    assert order.status in OPENISH, f"a {flag} order far from the market is {order.status}"
    assert getattr(order, flag), f"a {flag} order does not say it is {flag}"


async def test_stop_order_waits_for_its_trigger(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """A stop order waits for its trigger (pending or new, not in the book) with its stop
    price and direction; a cancel ends it unfilled."""
    _need(conformance_subject, conformance_exchange.capabilities.stop_orders, "stop orders")
    require_trading(conformance_subject)
    ex, symbol = conformance_exchange, conformance_subject.symbol
    market, ticker = await quote_for(ex, symbol)
    trigger = far_price(market, ticker, Side.BUY)
    # (no direction: a sell stop far below the market can only be a loss, which a venue
    # that derives the direction, as KuCoin does, reports)
    req = OrderRequest.limit(symbol, Side.SELL, min_size(market, trigger), trigger, stop_price=trigger)
    order = await ex.place_order(req)
    assert order.status in (OrderStatus.PENDING, OrderStatus.NEW), (
        f"a stop order far from its trigger is {order.status}, not waiting for it"
    )
    assert order.stop_price == trigger, f"a stop order at {trigger} says its stop price is {order.stop_price}"
    assert order.stop in (StopKind.LOSS, None), f"a sell stop below the market is an {order.stop} stop"
    cancelled = await ex.cancel_order(symbol, order_id=order.id)
    assert cancelled.status is OrderStatus.CANCELED, f"a cancelled stop order is {cancelled.status}"
    assert Decimal(0) == cancelled.filled_size, f"a stop order never triggered filled {cancelled.filled_size}"


async def test_orders_are_named_by_exactly_one_id(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """A fetch or cancel names its order by exactly one of ``order_id`` and
    ``client_order_id``: both, or neither, is a ``BadRequest``."""
    require_trading(conformance_subject)
    ex, symbol = conformance_exchange, conformance_subject.symbol
    market, ticker = await quote_for(ex, symbol)
    placed = await ex.place_order(limit_far(market, ticker, Side.BUY, client_order_id=client_id_for(ex)))
    both = {"order_id": placed.id, "client_order_id": placed.client_order_id}
    for name, call in (("fetch", ex.fetch_order), ("cancel", ex.cancel_order)):
        await expect_error(BadRequest, f"a {name} naming both ids must be a BadRequest", call(symbol, **both))
        await expect_error(BadRequest, f"a {name} naming no id must be a BadRequest", call(symbol))
    assert (await ex.fetch_order(symbol, order_id=placed.id)).is_open, "a refused cancel cancelled the order"


async def _fills_for(ex: Exchange, symbol: str, order_id: str, expect_size: Decimal) -> list[Fill]:
    """Fills can trail the order on a real venue: poll briefly until they add up."""
    fills: list[Fill] = []
    for _ in range(20):
        fills = await ex.fetch_fills(symbol, order_id=order_id)
        if sum((f.size for f in fills), Decimal(0)) >= expect_size:
            break
        await asyncio.sleep(0.25)
    return fills


async def _market_buys(ex: Exchange, target: Target, count: int) -> list[Order]:
    """``count`` filled market buys of different sizes, in placing order."""
    symbol = target.symbol
    market, ticker = await quote_for(ex, symbol)
    price = ticker.ask or ticker.last
    assert price is not None, "the ticker has neither an ask nor a last price"
    orders = []
    for i in range(count):
        size = min_size(market, price) * (i + 1)
        placed = await ex.place_order(OrderRequest.market(symbol, Side.BUY, size=size))
        orders.append(await ex.fetch_order(symbol, order_id=placed.id))
    return orders


async def test_order_and_fill_times_are_epoch_milliseconds(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """An order's creation and update times, and a fill's time, are whole epoch
    milliseconds near the server's clock: not seconds, not floats."""
    require_trading(conformance_subject)
    ex, symbol = conformance_exchange, conformance_subject.symbol
    market, ticker = await quote_for(ex, symbol)
    now = await ex.server_time()
    placed = await ex.place_order(limit_far(market, ticker, Side.BUY))
    stamps: list[tuple[str, object]] = []
    for how, order in (("placed", placed), ("fetched", await ex.fetch_order(symbol, order_id=placed.id))):
        stamps += [(f"an order {how}: creation", order.created_at)]
        stamps += [(f"an order {how}: update", order.updated_at)]
    if conformance_subject.has_liquidity and OrderType.MARKET in ex.capabilities.order_types:
        (bought,) = await _market_buys(ex, conformance_subject, 1)
        fills = await _fills_for(ex, symbol, bought.id, bought.filled_size)
        stamps += [("a fill's", f.timestamp) for f in fills]
    for what, stamp in stamps:
        assert is_epoch_ms(stamp, now), (
            f"{what} time {stamp!r} is not epoch milliseconds near server time {now}"
        )


async def test_fills_are_listed_per_order_newest_first(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """The fills of an order are its own and add up to its filled size; a symbol's fills
    come newest first, at most ``limit`` of them."""
    _need_liquidity(conformance_subject)
    ex, symbol = conformance_exchange, conformance_subject.symbol
    if OrderType.MARKET not in ex.capabilities.order_types:
        skip(conformance_subject, "market orders not declared in capabilities")
    orders = await _market_buys(ex, conformance_subject, 2)
    per_order = {}
    for order in orders:
        fills = await _fills_for(ex, symbol, order.id, order.filled_size)
        strays = {f.order_id for f in fills} - {order.id}
        assert not strays, f"the fills of order {order.id} include fills of order(s) {sorted(strays)}"
        total = sum((f.size for f in fills), Decimal(0))
        assert total == order.filled_size, (
            f"order {order.id} filled {order.filled_size}, its fills add up to {total}"
        )
        per_order[order.id] = {f.id for f in fills}
    listed = await ex.fetch_fills(symbol)
    stamps = [f.timestamp for f in listed]
    assert stamps == sorted(stamps, reverse=True), f"fills are not newest first: {stamps[:5]}"
    positions = {f.id: i for i, f in enumerate(listed)}
    first, second = (per_order[o.id] for o in orders)
    assert max(positions[i] for i in second) < min(positions[i] for i in first), (
        "fills must come newest first: the fills of the later order are listed after the earlier one's"
    )
    limited = await ex.fetch_fills(symbol, limit=1)
    assert [f.id for f in limited] == [listed[0].id], (
        f"limit 1 must keep the newest fill, got {len(limited)} fill(s)"
    )


async def test_a_batch_answers_each_order_on_its_own(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """A batch's results follow its requests, one each: an order the venue refuses gets
    its own error, and the orders around it are placed all the same."""
    require_trading(conformance_subject)
    ex, symbol = conformance_exchange, conformance_subject.symbol
    if not isinstance(ex, BatchPlacing):
        skip(conformance_subject, "the exchange places no batches (it is no BatchPlacing)")
    market, ticker = await quote_for(ex, symbol)
    first, last = resting(ex, market, ticker, Side.BUY, 2)
    price = far_price(market, ticker, Side.BUY)
    balances = await ex.fetch_balances()
    available = balances[market.quote].available if market.quote in balances else Decimal(0)
    size = floor_to_increment(available / price * 2, market.size_increment) + min_size(market, price)
    if market.max_size is not None and size > market.max_size:
        skip(conformance_subject, "the balance exceeds what one order may be; cannot provoke a refusal")
    broke = OrderRequest.limit(symbol, Side.BUY, size, price, client_order_id=client_id_for(ex))
    requests = [first, broke, last]
    results = await ex.place_orders(requests)
    assert len(results) == len(requests), f"a batch of {len(requests)} answered {len(results)} results"
    for i in (0, 2):
        result = results[i]
        assert isinstance(result, Order), (
            f"order {i + 1} of a batch, placeable on its own, was answered {result!r} next to a refusal"
        )
        assert result.client_order_id == requests[i].client_order_id, (
            f"result {i + 1} of a batch is about client order id {result.client_order_id}, "
            f"not {requests[i].client_order_id}: results must follow the requests"
        )
        assert (await ex.fetch_order(symbol, order_id=result.id)).is_open, (
            f"order {i + 1} of a batch is not open"
        )
    refusal = results[1]
    assert isinstance(refusal, ExchangeError) and not isinstance(
        refusal, NetworkError | OrderOutcomeUnknown
    ), f"an unaffordable order of a batch was answered {refusal!r}, not its refusal"
    assert isinstance(refusal, InsufficientFunds), (
        f"an unaffordable order of a batch was refused with {refusal!r}"
    )
