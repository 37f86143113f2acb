"""The venue's order lists, venue-neutral: an OCO leg's trade, trigger or end ends its sibling
inside the same step (a triggered leg holds only once its sibling has let go); an OTO's
pending order enters the book after the matching that filled the working order, never inside
it; holds and books audited after every step."""

from __future__ import annotations

from decimal import Decimal

import pytest

from exchanges import OrderStatus, StopKind
from simulator.engine import Book, EngineOrder, Event, Filled, Matched
from simulator.venue import OrderParams, Venue, VenueEvent

BTC = "BTC-USDT"


def _limit(side: str, price: str, size: str, **kw: object) -> OrderParams:
    return OrderParams(symbol=BTC, side=side, type="limit", price=price, size=size, **kw)  # type: ignore[arg-type]


@pytest.fixture
def venue() -> Venue:
    v = Venue()
    v.create_user("maker", {"USDT": "1000000", "BTC": "100"})
    v.place_order("maker", _limit("sell", "100", "1"))
    v.place_order("maker", _limit("buy", "100", "1"))  # (a print at 100)
    assert v.last_price(BTC) == Decimal(100)
    return v


def test_a_triggered_leg_holds_what_its_sibling_let_go(venue: Venue) -> None:
    """Funds for one leg only: the buy stop triggers, the limit leg's hold goes first."""
    uid = venue.create_user("trader", {"USDT": "1000"})
    info = venue.place_oco(
        uid,
        [
            _limit("buy", "90", "8", post_only=True),
            _limit("buy", "111", "8", stop=StopKind.ENTRY, stop_price="110"),
        ],
        "bracket",
    )
    assert venue.audit() == []
    assert venue.balance(uid, "USDT").holds == Decimal("720.72")  # (the limit leg, with its fee)
    venue.place_order("maker", _limit("sell", "112", "10"))
    venue.place_order("maker", _limit("buy", "110", "1"))
    venue.place_order("maker", _limit("sell", "110", "1"))  # a print at 110: the stop triggers
    limit_leg, stop_leg = venue.order_list(uid, list_id=info.id).orders
    assert (limit_leg.status, limit_leg.reason) == (OrderStatus.CANCELED, "oco")
    assert stop_leg.status is OrderStatus.OPEN and stop_leg.stop_triggered
    assert venue.order_list(uid, list_id=info.id).status == "all_done"
    assert venue.audit() == []


def test_a_trade_of_one_leg_ends_the_other_before_the_call_returns(venue: Venue) -> None:
    uid = venue.create_user("trader", {"BTC": "2"})
    heard: list[VenueEvent] = []
    venue.subscribe(heard.append)
    info = venue.place_oco(
        uid,
        [
            _limit("sell", "120", "2", post_only=True),
            _limit("sell", "89", "2", stop=StopKind.LOSS, stop_price="90"),
        ],
        "bracket",
    )
    heard.clear()
    venue.place_order("maker", _limit("buy", "120", "0.5"))  # part of the limit leg
    stop = venue.get_order(uid, order_id=info.orders[1].id)
    assert (stop.status, stop.reason) == (OrderStatus.CANCELED, "oco")
    kinds = [(e.kind, e.change) for e in heard if e.uid == uid]
    assert (
        kinds.index(("order", "match"))
        < kinds.index(("order", "canceled"))
        < kinds.index(("list", "all_done"))
    )
    assert venue.book(BTC).stop_count == 0  # (a later fall triggers nothing)
    assert venue.balance(uid, "BTC").holds == Decimal("1.5")
    assert venue.audit() == []


def test_cancelling_a_leg_or_all_orders_ends_the_list(venue: Venue) -> None:
    uid = venue.create_user("trader", {"BTC": "2"})
    legs = [
        _limit("sell", "120", "1", post_only=True),
        _limit("sell", "89", "1", stop=StopKind.LOSS, stop_price="90"),
    ]
    first = venue.place_oco(uid, legs, "one")
    venue.cancel_order(uid, BTC, order_id=first.orders[0].id)
    assert [o.reason for o in venue.order_list(uid, list_id=first.id).orders] == ["canceled", "canceled"]
    venue.place_oco(uid, legs, "two")
    venue.cancel_all(uid, BTC)
    assert venue.order_lists(uid, open_only=True) == []
    assert venue.balance(uid, "BTC").holds == 0
    assert venue.audit() == []


def test_pending_orders_enter_after_the_matching_that_armed_them(venue: Venue) -> None:
    """The working bid fills while a seller's order walks the bids: the pending market sell
    then takes the next bid, after the walk, not inside it."""
    uid = venue.create_user("trader", {"USDT": "1000"})
    venue.place_order("maker", _limit("buy", "95", "5"))
    info = venue.place_oto(
        uid,
        _limit("buy", "99", "1"),
        [OrderParams(symbol=BTC, side="sell", type="market", size="1")],
        "oto",
    )
    assert info.orders[1].reason == "pending"
    assert venue.balance(uid, "BTC").balance == 0
    venue.create_user("seller", {"BTC": "10"})
    venue.place_order("seller", _limit("sell", "96", "2"))  # takes the working bid at 99, rests 1 at 96
    working, pending = venue.order_list(uid, list_id=info.id).orders
    assert working.status is OrderStatus.FILLED
    assert pending.status is OrderStatus.FILLED and pending.deal_funds == Decimal(95)
    assert venue.book(BTC).best_ask == venue.market_state(BTC).rules.ticks(Decimal(96), "price")
    assert venue.audit() == []


def test_a_working_order_that_ends_unfilled_ends_its_pending_orders(venue: Venue) -> None:
    uid = venue.create_user("trader", {"USDT": "1000"})
    info = venue.place_oto(
        uid,
        _limit("buy", "99", "1", time_in_force="IOC"),
        [_limit("sell", "130", "1")],
        "oto",
    )
    working, pending = info.orders
    assert working.status is OrderStatus.CANCELED
    assert (pending.status, pending.reason) == (OrderStatus.CANCELED, "oto")
    assert info.status == "all_done"
    assert venue.audit() == []


def test_a_refused_list_leaves_nothing(venue: Venue) -> None:
    uid = venue.create_user("trader", {"BTC": "1"})
    with pytest.raises(Exception, match="balance"):
        venue.place_oco(
            uid,
            [
                _limit("sell", "89", "5", stop=StopKind.LOSS, stop_price="90"),
                _limit("sell", "120", "5", post_only=True),
            ],
            "too-big",
        )
    assert venue.order_lists(uid) == []
    assert venue.active_orders(uid, stops=True) == []
    assert venue.audit() == []


def test_the_book_runs_deferred_actions_after_its_matching() -> None:
    book = Book()
    seen: list[str] = []

    def listen(event: Event) -> None:
        if isinstance(event, Matched):
            seen.append("match")
            book.defer(lambda: seen.append("deferred"))
        elif isinstance(event, Filled):
            seen.append(f"filled {event.order.id}")

    book.listener = listen
    book.submit(EngineOrder("a", "x", False, 100, 1), 1)
    book.submit(EngineOrder("b", "x", False, 101, 1), 1)
    book.submit(EngineOrder("c", "y", True, 101, 2), 2)
    assert seen == ["match", "filled a", "match", "filled b", "filled c", "deferred", "deferred"]


def test_cancelling_a_pending_order_cancels_its_list(venue: Venue) -> None:
    uid = venue.create_user("trader", {"USDT": "1000"})
    info = venue.place_oto(uid, _limit("buy", "95", "1"), [_limit("sell", "130", "1")], "oto")
    venue.cancel_order(uid, BTC, order_id=info.orders[1].id)
    after = venue.order_list(uid, list_id=info.id)
    assert after.status == "all_done"
    assert [(o.status, o.reason) for o in after.orders] == [(OrderStatus.CANCELED, "canceled")] * 2
    assert venue.balance(uid, "USDT").holds == 0
    assert venue.audit() == []


def test_a_list_refused_by_a_cap_leaves_no_pending_order(venue: Venue) -> None:
    uid = venue.create_user("trader", {"USDT": "1000"})
    with pytest.raises(Exception, match="client"):
        venue.place_oto(
            uid,
            _limit("buy", "95", "1", client_oid="same"),
            [_limit("sell", "130", "1", client_oid="same")],
            "x",
        )
    venue.place_order(uid, _limit("buy", "90", "1", client_oid="taken"))
    with pytest.raises(Exception, match="client"):
        venue.place_oto(uid, _limit("buy", "95", "1", client_oid="taken"), [_limit("sell", "130", "1")], "y")
    assert [o.client_oid for o in venue.active_orders(uid)] == ["taken"]
    assert venue.order_lists(uid) == []
    taken = venue.active_orders(uid)[0].id
    refused_pending = f"{int(taken, 16) + 2:0{len(taken)}x}"  # (ids count up within a second)
    with pytest.raises(Exception, match="not found"):
        venue.get_order(uid, order_id=refused_pending)
    assert venue.audit() == []


def test_a_pending_pair_the_balance_cannot_hold_ends_at_activation(venue: Venue) -> None:
    uid = venue.create_user("trader", {"USDT": "1000"})
    heard: list[VenueEvent] = []
    venue.subscribe(heard.append)
    info = venue.place_oto(
        uid,
        _limit("buy", "99", "1"),
        [
            _limit("sell", "130", "2", post_only=True),
            _limit("sell", "89", "2", stop=StopKind.LOSS, stop_price="90"),
        ],
        "otoco",
    )
    venue.create_user("seller", {"BTC": "10"})
    venue.place_order("seller", _limit("sell", "99", "1"))  # the working order fills: 1 BTC, not 2
    working, take, stop = venue.order_list(uid, list_id=info.id).orders
    assert working.status is OrderStatus.FILLED
    assert (take.status, take.reason) == (OrderStatus.CANCELED, "rejected")
    assert (stop.status, stop.reason) == (OrderStatus.CANCELED, "oco")
    assert venue.order_list(uid, list_id=info.id).status == "all_done"
    assert [e.change for e in heard if e.kind == "list"] == ["exec_started", "all_done"]
    assert venue.balance(uid, "BTC").holds == 0
    assert venue.audit() == []
