"""What a stop order's user data says (NOTES 8.1, 13.2): placed, it is ``NEW`` and not on the
book (``w`` false, no working time ``W``); triggered, a stop-limit starts working on the book
(``NEW`` again, now ``w`` true with ``W`` the trigger time), while a stop-market order, which
never rests, goes straight to its trades."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from exchanges import ManualClock
from simulator.binance.app import BinanceFacade
from simulator.venue import OrderParams, Venue

from .conftest import UID


def _heard(facade: BinanceFacade) -> list[dict[str, Any]]:
    assert facade.ws is not None
    heard: list[dict[str, Any]] = []
    facade.ws.sessions.feed.add(str(UID), heard.append)
    return heard


def _reports(facade: BinanceFacade, heard: list[dict[str, Any]]) -> list[dict[str, Any]]:
    assert facade.ws is not None
    facade.ws.sessions.feed.flush()
    return [e for e in heard if e["e"] == "executionReport"]


def _fall(venue: Venue, clock: ManualClock) -> int:
    """A sale through the 64000 bid (the last price falls below 64500); its time."""
    clock.advance_ms(5)
    venue.create_user("seller", {"BTC": Decimal(10)})
    venue.place_order("seller", OrderParams(symbol="BTC-USDT", side="sell", type="market", size="0.5"))
    return clock.now_ms()


@pytest.mark.parametrize(("price", "kind"), [("64000", "STOP_LOSS_LIMIT"), (None, "STOP_LOSS")])
async def test_a_stop_order_is_not_placed_twice_when_it_triggers(
    facade: BinanceFacade, venue: Venue, clock: ManualClock, price: str | None, kind: str
) -> None:
    heard = _heard(facade)
    order = venue.place_order(
        str(UID),
        OrderParams(
            symbol="BTC-USDT",
            side="sell",
            type="limit" if price else "market",
            price=price,
            size="0.01",
            stop="loss",
            stop_price="64500",
            client_oid="my-stop",
        ),
    )
    placed = _reports(facade, heard)
    assert [(r["x"], r["X"], r["o"], r["w"], "W" in r) for r in placed] == [
        ("NEW", "NEW", kind, False, False)
    ]
    heard.clear()
    at = _fall(venue, clock)
    after = _reports(facade, heard)
    assert {r["i"] for r in after} == {int(order.id)} and {r["c"] for r in after} == {"my-stop"}
    if price is not None:
        working = after[0]
        assert (working["x"], working["X"], working["w"], working["W"]) == ("NEW", "NEW", True, at)
        after = after[1:]
    assert [r["x"] for r in after] == ["TRADE"]
    assert (after[0]["X"], after[0]["W"]) == ("FILLED", at)
