"""The embedded synthetic market: a live, realistic, deterministic book with no data."""

from __future__ import annotations

import itertools
import math
from decimal import Decimal

import pytest

from exchanges import ManualClock
from simulator import SyntheticConfig, SyntheticMarket, Venue
from simulator.market import attach_synthetic
from tests.simulator.helpers import START_MS, D, market


def synthetic(
    seed: int, clock: ManualClock, config: bool | SyntheticConfig = True
) -> tuple[Venue, SyntheticMarket]:
    venue = Venue(seed=seed, clock=clock)
    model = attach_synthetic(venue, config)
    assert model is not None
    return venue, model


def run(seed: int, seconds: int, config: SyntheticConfig | None = None) -> Venue:
    clock = ManualClock(START_MS)
    venue, _ = synthetic(seed, clock, config or True)
    clock.advance(seconds)
    venue.sync()
    return venue


def test_a_full_book_from_the_first_instant() -> None:
    venue, _model = synthetic(1, ManualClock(START_MS), SyntheticConfig(warmup_ms=0))
    for spec in venue.symbols():
        book = venue.order_book(spec.symbol, depth=None)
        assert len(book.bids) == 20 and len(book.asks) == 20
        mid = (book.bids[0][0] + book.asks[0][0]) / 2
        assert abs(mid / spec.initial_price - 1) < Decimal("0.001")
        spread_bps = (book.asks[0][0] - book.bids[0][0]) / mid * 10_000
        assert spread_bps < 10
        assert all(size >= spec.base_min_size for _, size in book.bids + book.asks)
    assert venue.trades("BTC-USDT") == []


def test_trades_a_moving_ticker_and_realistic_volatility() -> None:
    venue = run(2, 3600)
    stats = venue.stats("BTC-USDT")
    assert stats.vol > 0 and stats.high is not None and stats.low is not None and stats.last is not None
    assert stats.low < stats.high
    bars = venue.candles("BTC-USDT", "1m", start=START_MS)
    assert 59 <= len(bars) <= 61
    closes = [float(b.close) for b in bars]
    returns = [math.log(b / a) for a, b in itertools.pairwise(closes)]
    per_minute = math.sqrt(sum(r * r for r in returns) / len(returns))
    annual = per_minute * math.sqrt(365 * 24 * 60)
    assert 0.2 < annual < 1.5  # configured 60 %/year; the spread adds bid-ask bounce
    assert len(venue.trades("BTC-USDT", limit=5000)) == 1000  # the kept history is full
    assert venue.audit() == []


def test_same_seed_same_market_different_seed_different_market() -> None:
    a = run(7, 120)
    b = run(7, 120)
    c = run(8, 120)
    assert a.trades("ETH-USDT") == b.trades("ETH-USDT")
    assert a.order_book("ETH-USDT") == b.order_book("ETH-USDT")
    assert a.trades("ETH-USDT") != c.trades("ETH-USDT")


def test_users_are_filled_when_the_market_moves_through_their_orders() -> None:
    clock = ManualClock(START_MS)
    venue, _model = synthetic(4, clock, True)
    uid = venue.create_user(balances={"USDT": "100000", "BTC": "1"})
    book = venue.order_book("BTC-USDT")
    best_bid, best_ask = book.bids[0][0], book.asks[0][0]
    from tests.simulator.helpers import limit

    buy = venue.place_order(uid, limit("BTC-USDT", "buy", str(best_bid), "0.001"))
    sell = venue.place_order(uid, limit("BTC-USDT", "sell", str(best_ask), "0.001"))
    clock.advance(1800)
    done = [venue.get_order(uid, "BTC-USDT", order_id=o.id) for o in (buy, sell)]
    assert any(o.deal_size > 0 for o in done)
    assert venue.audit() == []


def test_config_restricts_symbols_and_tunes_the_book() -> None:
    config = SyntheticConfig(symbols=("SOL-USDT",), levels=5, taker_rate=0, step_ms=500)
    venue = run(1, 60, config)
    assert len(venue.order_book("SOL-USDT").bids) == 5
    assert venue.order_book("BTC-USDT").bids == ()
    assert venue.trades("SOL-USDT") == []  # no takers
    (model,) = venue.drivers
    assert isinstance(model, SyntheticMarket) and model.symbols == ["SOL-USDT"]


def test_a_cross_pair_follows_its_legs_and_majors_move_together() -> None:
    """ETH-BTC tracks ETH-USDT / BTC-USDT within a few basis points (no free triangular
    arbitrage), even when the legs wander far, from the warm-up on; and the legs' returns
    are correlated, as crypto majors are."""
    clock = ManualClock(START_MS)
    config = SyntheticConfig(volatility=5.0, warmup_ms=600_000)  # legs that move a lot, fast
    venue, model = synthetic(4, clock, config)

    def mids() -> tuple[float, float, float]:
        return tuple(float(model.mid(s)) for s in ("BTC-USDT", "ETH-USDT", "ETH-BTC"))  # type: ignore[return-value]

    path = [mids()]
    for _ in range(40):
        clock.advance(30)
        venue.sync()
        path.append(mids())
    for btc, eth, cross in path:
        assert abs(cross / (eth / btc) - 1) < 0.0025  # (the mids are rounded to the tick, 1 bp of 0.05)
    btc_moves = [math.log(b / a) for (a, _, _), (b, _, _) in itertools.pairwise(path)]
    eth_moves = [math.log(b / a) for (_, a, _), (_, b, _) in itertools.pairwise(path)]
    assert max(abs(math.log(eth / btc / (path[0][1] / path[0][0]))) for btc, eth, _ in path) > 0.01
    assert _correlation(btc_moves, eth_moves) > 0.4  # configured 0.7
    warm = venue.candles("ETH-BTC", "1m", end=START_MS)
    btc_bars = {b.start: b.close for b in venue.candles("BTC-USDT", "1m", end=START_MS)}
    eth_bars = {b.start: b.close for b in venue.candles("ETH-USDT", "1m", end=START_MS)}
    for bar in warm:  # the warm-up's history is consistent too (its closes are trades at the quotes)
        implied = eth_bars[bar.start] / btc_bars[bar.start]
        assert abs(float(bar.close / implied) - 1) < 0.005


def _correlation(xs: list[float], ys: list[float]) -> float:
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    cov = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    return cov / math.sqrt(sum((x - mx) ** 2 for x in xs) * sum((y - my) ** 2 for y in ys))


def test_mid_can_be_steered_and_market_orders_slip() -> None:
    clock = ManualClock(START_MS)
    venue, model = synthetic(3, clock, SyntheticConfig(taker_rate=0))
    model.set_mid("ETH-USDT", "4000")
    clock.advance(1)
    book = venue.order_book("ETH-USDT")
    assert abs(book.bids[0][0] / D("4000") - 1) < Decimal("0.001")
    assert model.mid("ETH-USDT") > 3990
    uid = venue.create_user(balances={"USDT": "1000000"})
    order = venue.place_order(uid, market("ETH-USDT", "buy", size="5"))
    assert order.deal_size == D("5") and order.deal_funds / order.deal_size > book.asks[0][0]


def test_a_newcomer_sees_a_past_by_default() -> None:
    clock = ManualClock(START_MS)
    venue, _ = synthetic(1, clock)  # 15 minutes of history by default
    for spec in venue.symbols():
        bars = venue.candles(spec.symbol, "1m")
        assert 15 <= len(bars) <= 16 and bars[0].start > START_MS - 960_000 and bars[-1].start < START_MS
        trades = venue.trades(spec.symbol)
        assert len(trades) > 50 and all(t.time < START_MS for t in trades)
        stats = venue.stats(spec.symbol)
        assert stats.vol > 0 and stats.low is not None and stats.high is not None and stats.last is not None
        assert stats.low <= stats.last <= stats.high
        level1 = venue.level1(spec.symbol)
        assert level1.best_bid is not None and level1.best_ask is not None and level1.price is not None
        # the live book continues from where the history ends
        assert abs(level1.price / ((level1.best_bid + level1.best_ask) / 2) - 1) < Decimal("0.002")
    assert venue.now == START_MS and venue.audit() == []


def test_longer_warmup_is_configurable() -> None:
    venue, _model = synthetic(1, ManualClock(START_MS), SyntheticConfig(warmup_ms=3_600_000))
    assert venue.candles("BTC-USDT", "1h")[0].start <= START_MS - 3_600_000 + 3_600_000
    assert len(venue.candles("BTC-USDT", "1m")) >= 59


def test_bad_config_is_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        SyntheticConfig(step_ms=0)
    with pytest.raises(TypeError):
        SyntheticConfig.from_mapping({"nope": 1})
    assert SyntheticConfig.from_mapping({"levels": 3, "volatility": "0.5", "enabled": True}).levels == 3
