"""The replay tape: events appended cheaply, applied at the next sync, filed into trades and
candles when read, must leave the venue exactly as recording them one by one would."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from exchanges import Candle, Interval, InvalidPrecision, ManualClock, Side, Trade
from simulator import Venue
from simulator.venue import state
from tests.simulator.helpers import START_MS, D

BTC = "BTC-USDT"
INTERVALS = [Interval.M1, Interval.M5, Interval.H1, Interval.H4, Interval.D1, Interval.W1, Interval.MON1]


def _pair() -> tuple[Venue, ManualClock, Venue, ManualClock]:
    out: list[Venue | ManualClock] = []
    for _ in range(2):
        clock = ManualClock(START_MS)
        venue = Venue(seed=3, clock=clock)
        venue.set_external(BTC)
        out += [venue, clock]
    a, ca, b, cb = out
    assert isinstance(a, Venue) and isinstance(b, Venue)
    assert isinstance(ca, ManualClock) and isinstance(cb, ManualClock)
    return a, ca, b, cb


def _trades(n: int, seed: int, *, unordered: bool = False) -> list[Trade]:
    rng = random.Random(seed)
    price, t, out = 60_000.0, START_MS, []
    for i in range(n):
        price *= 1 + rng.gauss(0, 0.001)
        t += rng.choice([0, 0, 50, 700, 20_000, 61_000, 3_700_000]) if i else 0
        when = t - rng.randint(0, 90_000) if unordered and rng.random() < 0.2 else t
        size = rng.choice(["0.000000001", "0.00000001", f"{rng.uniform(0.0001, 3):.8f}", "2"])
        out.append(
            Trade(
                id=str(i), symbol="BTC/USDT", price=Decimal(f"{price:.1f}"), size=Decimal(size),
                side=Side.BUY if rng.random() < 0.5 else Side.SELL, timestamp=when,
            )
        )  # fmt: skip
    return out


def _bars(n: int, seed: int) -> list[Candle]:
    rng = random.Random(seed)
    price, out = 60_000.0, []
    for i in range(n):
        o = price
        price *= 1 + rng.gauss(0, 0.002)
        h, lo = max(o, price) * 1.001, min(o, price) * 0.999
        out.append(
            Candle(
                start=START_MS + i * 60_000, open=Decimal(f"{o:.1f}"), high=Decimal(f"{h:.1f}"),
                low=Decimal(f"{lo:.1f}"), close=Decimal(f"{price:.1f}"),
                volume=Decimal(f"{rng.uniform(0, 9):.9f}"),
                quote_volume=Decimal(f"{rng.uniform(1, 9e5):.4f}") if rng.random() < 0.5 else Decimal(0),
                symbol="BTC/USDT", interval=Interval.M1,
            )
        )  # fmt: skip
    return out


def _public(venue: Venue) -> object:
    now = venue.sync()
    return (
        now,
        venue.trades(BTC, 1000),
        [venue.candles(BTC, iv, 0, now + 10 * 86_400_000) for iv in INTERVALS],
        venue.stats(BTC),
        venue.level1(BTC),
        venue.last_price(BTC),
        (venue.book(BTC).last_time, venue.book(BTC).last_size, venue.book(BTC).last_taker_buy),
    )


def _next_trade_id(venue: Venue) -> int:
    venue.record_trade(BTC, "1", "1", "buy")
    return venue.trades(BTC, 1)[0].trade_id


Seen = tuple[object, ...]


def _replay_trades(trades: list[Trade], flush_every: list[int]) -> tuple[Seen, Seen]:
    tape_venue, tape_clock, one_venue, one_clock = _pair()
    tape = tape_venue.replay_tape(BTC)
    seen_tape, seen_one = [], []
    for i, t in enumerate(trades):
        for clock in (tape_clock, one_clock):
            if t.timestamp > clock.now_ms():
                clock.set_ms(t.timestamp)
        tape.append(t)
        one_venue.record_trade(BTC, t.price, t.size, t.side, time=t.timestamp)
        if i in flush_every:
            seen_tape.append(_public(tape_venue))
            seen_one.append(_public(one_venue))
    return (seen_tape, _public(tape_venue), _next_trade_id(tape_venue), tape_venue.now), (
        seen_one,
        _public(one_venue),
        _next_trade_id(one_venue),
        one_venue.now,
    )


@pytest.mark.parametrize("unordered", [False, True])
def test_a_tape_of_trades_is_the_same_as_recording_them(unordered: bool) -> None:
    trades = _trades(3_000, seed=1, unordered=unordered)
    a, b = _replay_trades(trades, flush_every=[0, 1, 2, 7, 500, 501, 1_700, 2_999])
    assert a == b


def test_a_tape_of_bars_is_the_same_as_recording_them() -> None:
    bars = _bars(3_000, seed=2)
    tape_venue, tape_clock, one_venue, one_clock = _pair()
    tape = tape_venue.replay_tape(BTC)
    for i, bar in enumerate(bars):
        close = bar.start + 60_000
        for clock in (tape_clock, one_clock):
            clock.set_ms(close)
        tape.append((bar, close))
        one_venue.record_candle(
            BTC, bar.start, bar.open, bar.high, bar.low, bar.close, bar.volume, bar.quote_volume or None
        )
        if i in (0, 3, 4, 1_000, 1_441, 2_999):
            assert _public(tape_venue) == _public(one_venue)
    assert _public(tape_venue) == _public(one_venue)
    assert _next_trade_id(tape_venue) == _next_trade_id(one_venue)


def test_rows_are_filed_when_too_many_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(state, "UNSETTLED_MAX", 100)
    trades = _trades(1_000, seed=4)
    a, b = _replay_trades(trades, flush_every=[50, 120, 121, 500, 999])
    assert a == b


def test_a_bad_print_raises_at_the_sync_after_the_good_ones(clock: ManualClock) -> None:
    venue = Venue(seed=1, clock=clock)
    venue.set_external(BTC)
    tape = venue.replay_tape(BTC)
    good = _trades(10, seed=5)
    bad = Trade(id="x", symbol="BTC/USDT", price=D("60000.05"), size=D("1"), side=Side.BUY, timestamp=0)
    tape.extend([*good[:6], bad, *good[6:]])
    with pytest.raises(InvalidPrecision):
        venue.sync()
    assert [t.price for t in venue.trades(BTC, 100)] == [t.price for t in good[:6]]
    assert not tape


def test_a_mixed_tape_is_applied_in_order() -> None:
    tape_venue, _, one_venue, _ = _pair()
    trades, bars = _trades(8, seed=6), _bars(8, seed=7)
    tape = tape_venue.replay_tape(BTC)
    for t, bar in zip(trades, bars, strict=True):
        tape.append(t)
        tape.append((bar, bar.start))
        one_venue.record_trade(BTC, t.price, t.size, t.side, time=t.timestamp)
        turnover = bar.quote_volume or None
        one_venue.record_candle(BTC, bar.start, bar.open, bar.high, bar.low, bar.close, bar.volume, turnover)
    assert _public(tape_venue) == _public(one_venue)


def test_subscribers_hear_every_print_of_a_tape(clock: ManualClock) -> None:
    venue = Venue(seed=1, clock=clock)
    venue.set_external(BTC)
    heard = []
    venue.subscribe(lambda event: heard.append(event.trade.price) if event.trade else None)
    tape = venue.replay_tape(BTC)
    trades = _trades(20, seed=8)
    tape.extend(trades)
    assert not heard, "nothing is applied before the venue syncs"
    venue.sync()
    assert heard == [t.price for t in trades]
