"""Client order ids: checked before sending, unique among active orders, usable to fetch and
cancel, generated when not given, and known to the venue rather than to one client."""

from __future__ import annotations

from collections.abc import Awaitable

import pytest

from conformance.helpers import client_id_for, expect_error, limit_far, quote_for, require_trading, skip
from conformance.target import Target, resolve
from exchanges import (
    DuplicateClientOrderId,
    Exchange,
    InvalidClientOrderId,
    Order,
    OrderNotFound,
    OrderStatus,
    Side,
)

pytestmark = [pytest.mark.conformance_area("client ids"), pytest.mark.asyncio(loop_scope="function")]


@pytest.mark.parametrize("bad", ["has space", "semi;colon", "x" * 300, ""])
async def test_invalid_ids_are_refused(
    bad: str, conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """A client order id the venue's rules do not allow is refused with
    ``InvalidClientOrderId``, and no order is placed: never silently changed."""
    require_trading(conformance_subject)
    ex = conformance_exchange
    market, ticker = await quote_for(ex, conformance_subject.symbol)
    await expect_error(
        InvalidClientOrderId,
        f"client order id {bad[:20]!r} must be refused with InvalidClientOrderId",
        ex.place_order(limit_far(market, ticker, Side.BUY, client_order_id=bad)),
    )
    assert not await ex.fetch_open_orders(conformance_subject.symbol), "a refused order exists all the same"


async def test_duplicate_active_id_is_refused(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """A client order id already used by an active order is refused with
    ``DuplicateClientOrderId``: one active order per client order id."""
    require_trading(conformance_subject)
    ex = conformance_exchange
    market, ticker = await quote_for(ex, conformance_subject.symbol)
    cid = client_id_for(ex)
    first = await ex.place_order(limit_far(market, ticker, Side.BUY, client_order_id=cid))
    await expect_error(
        DuplicateClientOrderId,
        "a second order under an active client order id must be refused with DuplicateClientOrderId",
        ex.place_order(limit_far(market, ticker, Side.BUY, client_order_id=cid)),
    )
    active = [o.id for o in await ex.fetch_open_orders(conformance_subject.symbol) if o.id != first.id]
    assert not active, f"a refused duplicate was placed all the same: {active}"


async def test_fetch_and_cancel_by_client_id(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """An order placed with a client order id says so, and can be fetched and cancelled by it."""
    require_trading(conformance_subject)
    ex, symbol = conformance_exchange, conformance_subject.symbol
    caps = ex.capabilities
    if not (caps.fetch_by_client_order_id and caps.cancel_by_client_order_id):
        skip(conformance_subject, "fetch/cancel by client order id not declared in capabilities")
    market, ticker = await quote_for(ex, symbol)
    cid = client_id_for(ex)
    placed = await ex.place_order(limit_far(market, ticker, Side.SELL, client_order_id=cid))
    assert placed.client_order_id == cid, (
        f"placed with client order id {cid}, the order says {placed.client_order_id!r}"
    )
    fetched = await ex.fetch_order(symbol, client_order_id=cid)
    assert fetched.id == placed.id, (
        f"fetched client order id {cid}, got order {fetched.id} instead of {placed.id}"
    )
    cancelled = await ex.cancel_order(symbol, client_order_id=cid)
    assert cancelled.id == placed.id, (
        f"cancelled client order id {cid}, got order {cancelled.id} instead of {placed.id}"
    )
    assert cancelled.status is OrderStatus.CANCELED, (
        f"an order cancelled by client order id is {cancelled.status}"
    )


async def test_an_id_is_generated_when_none_is_given(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """An order placed without a client order id gets one (generated), unique to it."""
    require_trading(conformance_subject)
    ex = conformance_exchange
    market, ticker = await quote_for(ex, conformance_subject.symbol)
    a = await ex.place_order(limit_far(market, ticker, Side.BUY))
    b = await ex.place_order(limit_far(market, ticker, Side.BUY))
    assert a.client_order_id, "an order placed without a client order id was given none"
    assert b.client_order_id, "an order placed without a client order id was given none"
    assert a.client_order_id != b.client_order_id, (
        f"two orders were given the same client order id {a.client_order_id}"
    )


async def test_a_new_client_finds_orders_by_client_id(
    conformance_subject: Target, conformance_exchange: Exchange
) -> None:
    """Client order ids live at the venue: another client on the account (a restarted bot)
    lists an order this one placed with its client order id, and fetches and cancels it by
    that id."""
    require_trading(conformance_subject)
    opener = conformance_subject.second_client
    if opener is None:
        skip(conformance_subject, "the target opens no second client on one account (Target.second_client)")
    ex, symbol = conformance_exchange, conformance_subject.symbol
    market, ticker = await quote_for(ex, symbol)
    placed = await ex.place_order(limit_far(market, ticker, Side.BUY, client_order_id=client_id_for(ex)))
    cid = str(placed.client_order_id)
    restarted: Exchange = await resolve(opener, ex)
    try:
        listed = {o.id: o.client_order_id for o in await restarted.fetch_open_orders(symbol)}
        assert listed.get(placed.id) == cid, (
            f"a new client lists order {placed.id} with client order id {listed.get(placed.id)!r}, not {cid}"
        )
        caps = restarted.capabilities
        if caps.fetch_by_client_order_id:
            found = await _by_client_id(restarted.fetch_order(symbol, client_order_id=cid), "fetch", cid)
            assert found.id == placed.id, f"a new client fetched client order id {cid} as order {found.id}"
        if caps.cancel_by_client_order_id:
            gone = await _by_client_id(restarted.cancel_order(symbol, client_order_id=cid), "cancel", cid)
            assert gone.id == placed.id, f"a new client cancelled client order id {cid} as order {gone.id}"
    finally:
        await restarted.close()


async def _by_client_id(call: Awaitable[Order], what: str, cid: str) -> Order:
    try:
        return await call
    except OrderNotFound as err:
        raise AssertionError(
            f"a new client cannot {what} the order of client order id {cid}, placed by another client: {err}"
        ) from err
