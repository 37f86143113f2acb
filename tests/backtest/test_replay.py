"""Replay fill rules, no look-ahead and determinism, on small hand-made data."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal as D
from typing import Any

import pytest

from exchanges import (
    Candle,
    Fill,
    Interval,
    Liquidity,
    Order,
    OrderRequest,
    OrderStatus,
    Side,
    TimeInForce,
    Trade,
)
from simulator.backtest import Strategy
from simulator.backtest.instruments import instrument
from simulator.backtest.replay import FillRules
from simulator.backtest.runner import Backtest, BacktestResult, MarketData, SetupError, SyntheticData

T0 = 1_700_000_000_000
SYMBOL = "BTC/USDT"
BALANCES = {"USDT": D(100_000), "BTC": D(10)}

Action = Callable[["Scripted"], Awaitable[None]]


def trade(i: int, price: str, size: str, side: str = "sell", dt: int = 1000) -> Trade:
    return Trade(
        id=str(i), symbol=SYMBOL, price=D(price), size=D(size), side=Side(side), timestamp=T0 + i * dt
    )


def bar(i: int, o: str, h: str, low: str, c: str, v: str = "10") -> Candle:
    return Candle(
        start=T0 + i * 60_000, open=D(o), high=D(h), low=D(low), close=D(c), volume=D(v), symbol=SYMBOL,
        interval=Interval.M1,
    )  # fmt: skip


class Scripted(Strategy):
    """Runs ``script[k]`` when it sees its k-th event; records what it saw and got."""

    def __init__(self, script: dict[int, Action]) -> None:
        super().__init__(SYMBOL)
        self.script = script
        self.seen = 0
        self.seen_times: list[int] = []
        self.orders: list[Order] = []
        self.fills: list[Fill] = []

    async def _event(self, at: int) -> None:
        self.seen_times.append(at)
        action = self.script.get(self.seen)
        self.seen += 1
        if action is not None:
            await action(self)

    async def on_trade(self, trade: Trade) -> None:
        await self._event(trade.timestamp)

    async def on_candle(self, candle: Candle) -> None:
        await self._event(candle.start + 60_000)

    async def on_fill(self, fill: Fill) -> None:
        self.fills.append(fill)

    async def place(self, request: OrderRequest) -> None:
        self.orders.append(await self.exchange.place_order(request))


def place(request: OrderRequest) -> Action:
    async def act(s: Scripted) -> None:
        await s.place(request)

    return act


async def run(
    events: list[Trade] | list[Candle], script: dict[int, Action], **kw: object
) -> tuple[Scripted, BacktestResult]:
    strategy = Scripted(script)
    kind = "candles" if isinstance(events[0], Candle) else "trades"
    data = MarketData(SYMBOL, kind, events, Interval.M1 if kind == "candles" else None)  # type: ignore[arg-type]
    result = await Backtest(strategy, data, balances=dict(BALANCES), **kw).run()  # type: ignore[arg-type]
    return strategy, result


def limit(side: str, size: str, price: str, **kw: object) -> OrderRequest:
    return OrderRequest.limit(SYMBOL, side, size, price, **kw)


async def test_one_print_never_fills_more_than_its_size() -> None:
    events = [trade(0, "100.5", "1"), trade(1, "99.5", "1.5"), trade(2, "100", "0.2"), trade(3, "101", "5")]
    s, result = await run(events, {0: place(limit("buy", "1", "100")), 1: place(limit("buy", "1", "100"))})
    # print 1 (1.5 @ 99.5) reaches only the first order: the second is placed after seeing it
    first, second = s.orders
    by_order: dict[str, list[Fill]] = {}
    for f in result.fills:
        by_order.setdefault(f.order_id, []).append(f)
    assert [f.size for f in by_order[first.id]] == [D(1)]
    assert [f.size for f in by_order[second.id]] == [D("0.2")]
    assert all(f.price == D(100) for f in result.fills)
    assert by_order[first.id][0].liquidity is Liquidity.MAKER, "resting: maker at its own limit"
    assert by_order[second.id][0].liquidity is Liquidity.TAKER, "placed through the last price (99.5): taker"


async def test_liquidity_is_shared_in_price_then_time_priority() -> None:
    events = [trade(0, "105", "1"), trade(1, "99", "1.5")]
    s, result = await run(events, {0: _both})
    sizes = {f.order_id: f.size for f in result.fills}
    better, older = s.orders[1], s.orders[0]
    assert sizes[better.id] == D(1), "the higher bid fills first"
    assert sizes[older.id] == D("0.5"), "what is left of the print goes to the next"
    assert sum(sizes.values()) == D("1.5")


async def _both(s: Scripted) -> None:
    await s.place(limit("buy", "1", "100"))
    await s.place(limit("buy", "1", "101"))


async def test_marketable_orders_take_at_the_print_price() -> None:
    events = [trade(0, "100", "1"), trade(1, "101", "0.3", "buy"), trade(2, "102", "1", "buy")]
    _s, result = await run(events, {0: place(OrderRequest.market(SYMBOL, "buy", size="0.5"))})
    assert [(f.price, f.size) for f in result.fills] == [(D(101), D("0.3")), (D(102), D("0.2"))]
    assert all(f.liquidity is Liquidity.TAKER for f in result.fills)
    assert result.orders[0].status is OrderStatus.FILLED


async def test_a_market_buy_by_funds_spends_its_funds_fee_included() -> None:
    """The fee comes out of the funds: 1001 USDT buy 10 BTC at 100 (1000) and pay 1."""
    events = [trade(0, "100", "1"), trade(1, "100", "20", "buy"), trade(2, "100", "1", "buy")]
    _s, result = await run(events, {0: place(OrderRequest.market(SYMBOL, "buy", funds="1001"))})
    assert [(f.price, f.size, f.fee) for f in result.fills] == [(D(100), D(10), D(1))]
    assert result.orders[0].status is OrderStatus.FILLED


async def test_a_market_buy_by_funds_ends_after_the_event_that_fills_it() -> None:
    """Placed at 100, it gaps up to 150 and buys what its funds buy there (1 share with
    149.85 left); the rest cannot buy a share at the fill price, so it ends there and
    never buys another share at 90 on the bar after."""
    stock = instrument("GOOG/USD", tick="0.01", lot="1")
    bars = [
        Candle(start=T0 + i * 60_000, open=D(o), high=D(o), low=D(o), close=D(o), volume=D(10),
               symbol="GOOG/USD", interval=Interval.M1)
        for i, o in enumerate(("100", "150", "90", "90"))
    ]  # fmt: skip
    strategy = Scripted({0: place(OrderRequest.market("GOOG/USD", "buy", funds="300"))})
    strategy.symbol = "GOOG/USD"
    data = MarketData("GOOG/USD", "candles", bars, Interval.M1)
    result = await Backtest(strategy, data, balances={"USD": D(1000)}, symbols=[stock]).run()
    assert [(f.price, f.size) for f in result.fills] == [(D(150), D(1))]
    (order,) = result.orders
    assert order.status is OrderStatus.FILLED
    assert order.filled_size == 1
    assert result.report.final_balances["USD"] == D(1000) - D("150.15")


async def test_ioc_keeps_what_the_first_print_fills() -> None:
    events = [trade(0, "99", "1"), trade(1, "99.5", "0.5"), trade(2, "99", "5")]
    _s, result = await run(events, {0: place(limit("buy", "2", "100", time_in_force=TimeInForce.IOC))})
    assert [f.size for f in result.fills] == [D("0.5")]
    assert result.orders[0].status is OrderStatus.CANCELED


async def test_fok_is_all_or_nothing() -> None:
    events = [trade(0, "99", "1"), trade(1, "99.5", "0.5"), trade(2, "99", "5")]
    _, result = await run(events, {0: place(limit("buy", "2", "100", time_in_force=TimeInForce.FOK))})
    assert result.fills == ()
    assert result.orders[0].status is OrderStatus.CANCELED
    _, filled = await run(events, {1: place(limit("buy", "2", "100", time_in_force=TimeInForce.FOK))})
    assert [f.size for f in filled.fills] == [D(2)]


async def test_post_only_that_would_take_ends_unfilled() -> None:
    events = [trade(0, "99", "1"), trade(1, "99", "5")]
    _, result = await run(events, {0: place(limit("buy", "1", "100", post_only=True))})
    assert result.fills == ()
    assert result.orders[0].status is OrderStatus.CANCELED


async def test_latency_delays_arrival() -> None:
    events = [trade(i, "99", "1") for i in range(10)]
    _, result = await run(events, {0: place(limit("buy", "1", "100"))}, rules=FillRules(latency_ms=4_500))
    (fill,) = result.fills
    assert fill.timestamp == T0 + 5_000, "placed at t0, arrives at t0 + 4.5 s, fills on the next print"


async def test_candles_fill_from_the_next_bar_never_the_same() -> None:
    bars = [
        bar(0, "100", "101", "99", "100"),
        bar(1, "110", "111", "109", "110"),
        bar(2, "90", "91", "89", "90"),
    ]
    s, result = await run(bars, {0: place(OrderRequest.market(SYMBOL, "buy", size="1"))})
    (fill,) = result.fills
    assert fill.price == D(110), "a market order decided at bar 0's close fills at bar 1's open"
    assert fill.timestamp == bars[1].start + 60_000
    assert s.seen_times == [b.start + 60_000 for b in bars], "each bar is seen at its close"


@pytest.mark.parametrize(("path", "filled"), [("OHLC", D(95)), ("OLHC", D(95)), ("nearest", D(95))])
async def test_candle_path_reaches_resting_prices(path: str, filled: D) -> None:
    bars = [
        bar(0, "100", "100", "100", "100"),
        bar(1, "100", "101", "94", "99"),
        bar(2, "99", "99", "99", "99"),
    ]
    _, result = await run(bars, {0: place(limit("buy", "1", "95"))}, rules=FillRules(candle_path=path))
    (fill,) = result.fills
    assert fill.price == filled
    assert fill.liquidity is Liquidity.MAKER


class _AtStart(Scripted):
    """Places its order in ``on_start``, before the first event."""

    def __init__(self, request: OrderRequest) -> None:
        super().__init__({})
        self.request = request

    async def on_start(self) -> None:
        await self.place(self.request)


@pytest.mark.parametrize("kind", ["trades", "candles"])
async def test_an_order_placed_before_the_first_event_is_judged_by_that_events_price(kind: str) -> None:
    """No last price yet: a buy at 200 into a market at 100 takes at 100, not rests at 200."""
    events = (
        [trade(0, "100", "5"), trade(1, "100", "5")]
        if kind == "trades"
        else [bar(0, "100", "101", "99", "100"), bar(1, "100", "101", "99", "100")]
    )
    strategy = _AtStart(limit("buy", "1", "200"))
    data = MarketData(SYMBOL, kind, events, Interval.M1 if kind == "candles" else None)  # type: ignore[arg-type]
    result = await Backtest(strategy, data, balances=dict(BALANCES)).run()
    (fill,) = result.fills
    assert (fill.price, fill.liquidity) == (D(100), Liquidity.TAKER)


@pytest.mark.parametrize("kind", ["trades", "candles"])
async def test_a_limit_its_first_event_does_not_fill_rests_as_a_maker(kind: str) -> None:
    """A buy at 105 placed with the market at 100 is marketable; the next event (110) does
    not reach it, so it rests; when the market falls through to 90 it fills at 105 as a
    maker, never at 90 (no resting order gets price improvement)."""
    if kind == "trades":
        events: list[Trade] | list[Candle] = [trade(0, "100", "5"), trade(1, "110", "5"), trade(2, "90", "5")]
    else:
        events = [
            bar(0, "100", "101", "99", "100"),
            bar(1, "110", "112", "108", "110"),
            bar(2, "90", "91", "89", "90"),
        ]
    _, result = await run(events, {0: place(limit("buy", "1", "105"))})
    (fill,) = result.fills
    assert (fill.price, fill.liquidity) == (D(105), Liquidity.MAKER)


@pytest.mark.parametrize(("path", "side"), [("OHLC", Side.SELL), ("OLHC", Side.BUY)])
async def test_a_bars_path_decides_which_order_its_volume_reaches_first(path: str, side: Side) -> None:
    """One bar with volume for one order, a bid at 95 and an ask at 105 resting: walked
    open-high-low-close it reaches the ask first, open-low-high-close the bid."""
    bars = [
        bar(0, "100", "101", "99", "100"),
        bar(1, "100", "106", "94", "100", v="1"),
        bar(2, "100", "100", "100", "100"),
    ]

    async def both(s: Scripted) -> None:
        await s.place(limit("buy", "1", "95"))
        await s.place(limit("sell", "1", "105"))

    _, result = await run(bars, {0: both}, rules=FillRules(candle_path=path))
    (fill,) = result.fills
    assert fill.side is side and fill.size == D(1)


async def test_candle_volume_caps_what_our_orders_take() -> None:
    bars = [
        bar(0, "100", "100", "100", "100"),
        bar(1, "100", "100", "90", "95", v="0.4"),
        bar(2, "95", "95", "95", "95"),
    ]
    _, result = await run(bars, {0: place(limit("buy", "1", "99"))})
    first, rest = result.fills
    assert (first.size, first.timestamp) == (D("0.4"), bars[1].start + 60_000), "bar 1 had only 0.4 to give"
    assert (rest.size, rest.timestamp) == (D("0.6"), bars[2].start + 60_000)


async def test_same_seed_same_report_byte_for_byte() -> None:
    events = [trade(i, str(100 + (i % 7) - 3), "0.7", "buy" if i % 2 else "sell") for i in range(300)]
    script: dict[int, Action] = {
        i: place(limit("buy" if i % 20 else "sell", "0.3", "99")) for i in range(0, 300, 10)
    }
    rules = FillRules(latency_ms=200, latency_jitter_ms=3000)
    _, a = await run(events, script, seed=5, rules=rules)
    _, b = await run(events, script, seed=5, rules=rules)
    assert a.report.to_json() == b.report.to_json()
    assert a.fills == b.fills
    _, c = await run(events, script, seed=6, rules=rules)
    assert c.report.to_json() != a.report.to_json(), "the seed drives the latency jitter"


class _Probe(Strategy):
    """Places and cancels orders now and then and reads the public data it may read."""

    def __init__(self) -> None:
        super().__init__(SYMBOL)
        self.n = 0
        self.seen: list[object] = []

    async def _event(self, price: D) -> None:
        self.n += 1
        ex = self.exchange
        if self.n % 7 == 0:
            ticker = await ex.fetch_ticker(SYMBOL)
            self.seen.append((ticker, await ex.fetch_trades(SYMBOL, 3)))
            self.seen.append(await ex.fetch_candles(SYMBOL, Interval.M5, T0, T0 + 86_400_000))
        if self.n % 23 == 0:
            side = "buy" if self.n % 2 else "sell"
            at = price + (-1 if side == "buy" else 1)
            self.seen.append(await ex.place_order(limit(side, "0.3", str(at))))
        if self.n % 61 == 0:
            for order in await ex.fetch_open_orders(SYMBOL):
                await ex.cancel_order(SYMBOL, order_id=order.id)

    async def on_trade(self, trade: Trade) -> None:
        await self._event(trade.price)

    async def on_candle(self, candle: Candle) -> None:
        await self._event(candle.close)

    async def on_fill(self, fill: Fill) -> None:
        self.seen.append(fill)

    async def on_order(self, order: Order) -> None:
        self.seen.append(order)


@pytest.mark.parametrize("kind", ["trades", "candles"])
async def test_the_fast_loops_match_the_one_event_at_a_time_loop(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While nothing is open the runner only tapes events (the venue files them when read);
    everything the strategy sees and the report must be as when each is recorded at once."""
    rows = [(i, 100 + (i * 7919 % 13) - 6, f"0.{1 + i % 9}") for i in range(700)]
    events: list[Trade] | list[Candle]
    if kind == "trades":
        events = [trade(i, str(p), size, "buy" if i % 3 else "sell", dt=1_300) for i, p, size in rows]
    else:
        events = [bar(i, str(p), str(p + 2), str(p - 2), str(p + 1), size) for i, p, size in rows]
    data = MarketData(SYMBOL, kind, events, Interval.M1 if kind == "candles" else None)  # type: ignore[arg-type]
    rules = FillRules(latency_ms=300, latency_jitter_ms=2_000)

    async def once() -> tuple[object, ...]:
        probe = _Probe()
        backtest = Backtest(probe, data, balances=dict(BALANCES), seed=9, rules=rules, sample_ms=45_000)
        result = await backtest.run()
        return result.report.to_json(), result.fills, result.orders, probe.seen

    fast = await once()

    async def one_at_a_time(self: Backtest, lanes: list[Any], *args: Any) -> None:
        iv_ms = 60_000 if kind == "candles" else 0
        await self._replay_mixed(lanes[0], iv_ms, *args)

    monkeypatch.setattr(Backtest, "_replay", one_at_a_time)
    slow = await once()
    assert fast == slow
    assert len(fast[1]) > 5 and len(fast[3]) > 100  # type: ignore[arg-type]


@pytest.mark.parametrize("sold", ["1", "0.4"])
async def test_pnl_counts_the_starting_inventory_as_bought_at_the_start(sold: str) -> None:
    """Starting with base only: selling it realises what the price did since the start; what
    is still held is marked. Realised plus unrealised is the marked total, always."""
    events = [trade(0, "100", "5"), trade(1, "100", "5"), trade(2, "200", "5"), trade(3, "200", "5")]
    strategy = Scripted({0: place(OrderRequest.market(SYMBOL, "sell", size=sold))})
    data = MarketData(SYMBOL, "trades", events)
    report = (await Backtest(strategy, data, balances={"BTC": D(1)}).run()).report
    assert report.realized_pnl + report.unrealized_pnl == report.total_pnl
    assert report.realized_pnl == -D(sold) * D("0.1"), "sold at the starting price: only the fee"
    assert report.unrealized_pnl == (1 - D(sold)) * 100, "the rest gained 100 a unit"


class _Listener(Strategy):
    def __init__(self) -> None:
        super().__init__(SYMBOL)
        self.heard = D(0)
        self.bars = D(0)

    async def on_trade(self, trade: Trade) -> None:
        self.heard += trade.size

    async def on_candle(self, candle: Candle) -> None:
        self.bars += candle.volume


async def test_a_synthetic_run_tells_the_strategy_every_print_even_with_long_bars() -> None:
    """Hourly bars: thousands of prints a step, more than the venue's recent-trades window."""
    strategy = _Listener()
    data = SyntheticData(symbol=SYMBOL, interval=Interval.H1, duration_ms=2 * 3_600_000)
    await Backtest(strategy, data, balances=dict(BALANCES)).run()
    assert strategy.bars > 0 and strategy.heard == strategy.bars


async def test_a_synthetic_run_refuses_latency_rather_than_show_the_future() -> None:
    data = SyntheticData(symbol=SYMBOL, duration_ms=3_600_000)
    with pytest.raises(SetupError, match="latency and jitter apply to replayed data"):
        await Backtest(_Listener(), data, balances=dict(BALANCES), rules=FillRules(latency_ms=100)).run()
