"""The synthetic market between two looks: its takers' trades printed straight from the
model, its book quoted through the engine at the last step before a look, and the same
market either way."""

from __future__ import annotations

import math
from decimal import Decimal
from itertools import pairwise

from exchanges import ManualClock
from simulator import SyntheticConfig, SyntheticMarket, Venue
from simulator.market import attach_synthetic
from tests.simulator.helpers import START_MS, limit

SYMBOL = "BTC-USDT"


def _venue(stream: bool, seed: int = 3) -> tuple[Venue, SyntheticMarket, ManualClock]:
    clock = ManualClock(START_MS)
    venue = Venue(seed=seed, clock=clock)
    model = attach_synthetic(venue, SyntheticConfig(symbols=(SYMBOL,), warmup_ms=0, stream=stream))
    assert model is not None
    return venue, model, clock


Look = tuple[Decimal, int, int, Decimal, Decimal]


def _looks(venue: Venue, model: SyntheticMarket, clock: ManualClock, minutes: int) -> list[Look]:
    """The market as seen once a minute: the model's mid and the book's inner ladder."""
    seen = []
    for _ in range(minutes):
        clock.advance(60)
        venue.sync()
        book = venue.order_book(SYMBOL, depth=None)
        seen.append((model.mid(SYMBOL), len(book.bids), len(book.asks), book.bids[0][0], book.asks[0][0]))
    return seen


def test_the_streamed_market_walks_the_same_path_and_shows_a_full_book() -> None:
    streamed, model, clock = _venue(stream=True)
    stepped, full_model, full_clock = _venue(stream=False)
    a = _looks(streamed, model, clock, 90)
    b = _looks(stepped, full_model, full_clock, 90)
    assert [look[0] for look in a] == [look[0] for look in b], "the same path of mids"
    for mid, bids, asks, bid, ask in a + b:
        assert bids >= 15 and asks >= 15, "a ladder at every look (less what the last takers took)"
        assert bid < mid < ask
    for venue in (streamed, stepped):
        assert venue.audit() == []
    prints = streamed.trades(SYMBOL, limit=1000)
    full_prints = stepped.trades(SYMBOL, limit=1000)
    assert len(prints) == len(full_prints) == 1000, "the takers trade as much either way"
    grid = model._agents[SYMBOL].grid  # (a test may look inside)
    tick = streamed.symbol(SYMBOL).price_increment
    assert all(int(p.price / tick) % grid == 0 for p in prints), "every print is at a price of the ladder"
    sizes = [float(p.size) for p in prints]
    full_sizes = [float(p.size) for p in full_prints]
    assert math.isclose(sum(sizes) / len(sizes), sum(full_sizes) / len(full_sizes), rel_tol=0.35)


def test_a_resting_order_of_anyone_else_puts_every_step_through_the_book() -> None:
    """With a user's order in the book, the market trades through the book at every step:
    it fills the order when its price is reached, whenever the venue is next looked at."""
    venue, _model, clock = _venue(stream=True, seed=4)
    uid = venue.create_user(balances={"USDT": "1000000", "BTC": "10"})
    book = venue.order_book(SYMBOL)
    bid, ask = book.bids[0][0], book.asks[0][0]
    orders = [
        venue.place_order(uid, limit(SYMBOL, "buy", str(bid), "0.001")),
        venue.place_order(uid, limit(SYMBOL, "sell", str(ask), "0.001")),
    ]
    clock.advance(3600)
    venue.sync()
    filled = [venue.get_order(uid, SYMBOL, order_id=o.id).deal_size for o in orders]
    assert any(size > 0 for size in filled)
    assert venue.audit() == []


def test_a_served_market_looked_at_every_step_is_the_stepped_one() -> None:
    """Synced at every step (as a served venue is), nothing is printed from the model."""
    streamed, model, clock = _venue(stream=True, seed=5)
    stepped, full_model, full_clock = _venue(stream=False, seed=5)
    for c, v in ((clock, streamed), (full_clock, stepped)):
        c.set_ms(START_MS + 1)  # (each sync from here covers one step)
        v.sync()
    for _ in range(300):
        for c, v in ((clock, streamed), (full_clock, stepped)):
            c.advance(1)
            v.sync()
    assert streamed.trades(SYMBOL, limit=1000) == stepped.trades(SYMBOL, limit=1000)
    assert streamed.order_book(SYMBOL) == stepped.order_book(SYMBOL)
    assert model.mid(SYMBOL) == full_model.mid(SYMBOL) > Decimal(0)


def test_the_longest_quiet_time_holds_between_looks_too() -> None:
    """``max_quiet_ms`` bounds the time between a pair's trades whether its takers go
    through the book or are printed straight from the model."""
    clock = ManualClock(START_MS)
    venue = Venue(seed=6, clock=clock)
    config = SyntheticConfig(symbols=(SYMBOL,), warmup_ms=0, taker_rate=0.02, max_quiet_ms=3000)
    assert attach_synthetic(venue, config) is not None
    for _ in range(10):
        clock.advance(60)
        venue.sync()
    times = sorted({t.time for t in venue.trades(SYMBOL, limit=1000)})
    assert len(times) >= 150
    assert max(b - a for a, b in pairwise(times)) <= 3000
