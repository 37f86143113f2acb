"""Idempotent placing: a lost answer is reconciled by origClientOrderId before any resend.

The fake venue keeps orders by client order id (a duplicate refused among open ones only, as
Binance does) and may lag its reads, so "one order, never two" is checked on its side.
"""

from __future__ import annotations

import pytest

from exchanges import OrderOutcomeUnknown, OrderRequest, OrderStatus

from .conftest import FakeBinance, make_exchange

REQUEST = OrderRequest.limit("BTC/USDT", "buy", "0.001", "50000", client_order_id="bot-1-order-42")
PLACE = ("POST", "/api/v3/order")


@pytest.mark.parametrize("fault", ["timeout", "reset", "502", "-1007"])
async def test_lost_answer_after_the_venue_acted_gives_one_order(fault: str) -> None:
    venue = FakeBinance()
    venue.faults[PLACE] = [fault]
    async with make_exchange(venue) as ex:
        order = await ex.place_order(REQUEST)
    assert venue.count("bot-1-order-42") == 1  # one order, never two
    assert venue.place_calls == 1  # found by client order id: not resent
    assert order.client_order_id == "bot-1-order-42" and order.status is OrderStatus.OPEN
    assert order.id == str(venue.orders[0]["orderId"])


async def test_lagging_reads_do_not_make_a_second_order() -> None:
    """The first three reads say "Order does not exist." for an order that exists: fewer
    than the confirmations needed, so it is found, not resent."""
    venue = FakeBinance(lag=3)
    venue.faults[PLACE] = ["timeout"]
    async with make_exchange(venue) as ex:
        order = await ex.place_order(REQUEST)
    assert venue.count("bot-1-order-42") == 1 and venue.place_calls == 1
    assert venue.query_calls == 4
    assert order.client_order_id == "bot-1-order-42"


async def test_a_refused_connection_is_resent_at_once() -> None:
    venue = FakeBinance()
    venue.faults[PLACE] = ["refused"]
    async with make_exchange(venue) as ex:
        order = await ex.place_order(REQUEST)
    assert venue.count("bot-1-order-42") == 1 and venue.query_calls == 0
    assert order.status is OrderStatus.OPEN


async def test_a_5xx_before_the_venue_acted_is_resent_only_after_enough_not_found() -> None:
    venue = FakeBinance()
    venue.faults[PLACE] = ["503-before"]
    async with make_exchange(venue, reconcile_confirmations=3, reconcile_queries=5) as ex:
        order = await ex.place_order(REQUEST)
    assert venue.count("bot-1-order-42") == 1
    assert venue.query_calls == 3  # three "does not exist" answers, then the resend
    assert order.client_order_id == "bot-1-order-42"


async def test_a_duplicate_after_a_lost_answer_means_the_first_send_landed() -> None:
    """The answer is lost and every read lags past the confirmations: the order is resent,
    refused as a duplicate (so the first send landed), and then read back."""
    venue = FakeBinance(lag=2)
    venue.faults[PLACE] = ["timeout"]
    async with make_exchange(venue, reconcile_confirmations=2, reconcile_queries=6) as ex:
        order = await ex.place_order(REQUEST)
    assert venue.count("bot-1-order-42") == 1 and venue.place_calls == 2
    assert order.id == str(venue.orders[0]["orderId"])


async def test_an_unanswerable_lookup_is_an_unknown_outcome_not_a_retryable_error() -> None:
    venue = FakeBinance()
    venue.faults[PLACE] = ["timeout"]
    venue.faults[("GET", "/api/v3/order")] = ["timeout"] * 10
    async with make_exchange(venue, reconcile_queries=4) as ex:
        with pytest.raises(OrderOutcomeUnknown) as info:
            await ex.place_order(REQUEST)
    assert not info.value.retryable
    assert info.value.client_order_id == "bot-1-order-42" and info.value.symbol == "BTC/USDT"
    assert venue.count("bot-1-order-42") == 1 and venue.place_calls == 1


async def test_an_older_order_of_the_same_id_is_not_taken_for_the_new_one() -> None:
    """Ids are unique among open orders only: a filled order may share the id. A lookup that
    finds the old one looks among the orders placed since for the new one."""
    venue = FakeBinance()
    async with make_exchange(venue) as ex:
        first = await ex.place_order(
            OrderRequest.limit(
                "BTC/USDT", "buy", "0.001", "50000", client_order_id="again", time_in_force="IOC"
            )
        )
        assert first.status is OrderStatus.FILLED
        for row in venue.orders:
            row["time"] -= 3_600_000  # (an hour ago)
        venue.faults[PLACE] = ["timeout"]
        second = await ex.place_order(
            OrderRequest.limit("BTC/USDT", "buy", "0.001", "50000", client_order_id="again")
        )
    assert second.id != first.id and venue.place_calls == 2
    assert second.status is OrderStatus.OPEN
