"""Market streams over a KuCoin-speaking WebSocket server on loopback: connecting, pings,
reconnects, limits, errors, unsubscribing, conflation and the local book."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest

from adapters.kucoin import KucoinExchange
from exchanges import (
    BadSymbol,
    GapReason,
    Interval,
    ManualClock,
    OrderBook,
    RateLimitExceeded,
    RequestTimeout,
    StreamGap,
    Streaming,
    StreamKind,
    Ticker,
    Trade,
)

from .fake_ws import PING_INTERVAL_MS, PING_TIMEOUT_MS, FakeKucoin
from .ws_helpers import drop, pull, ticker_data, until, within_deadline

BTC = "/market/ticker:BTC-USDT"


@pytest.fixture
async def fake() -> AsyncIterator[FakeKucoin]:
    server = FakeKucoin()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def kucoin(fake: FakeKucoin, clock: ManualClock) -> AsyncIterator[KucoinExchange]:
    ex = KucoinExchange(base_url=fake.url, clock=clock, rate_limit=False)
    yield ex
    await ex.close()


async def test_the_adapter_is_streaming_and_says_so(kucoin: KucoinExchange) -> None:
    assert isinstance(kucoin, Streaming)
    assert kucoin.capabilities.streams == frozenset(StreamKind)


async def test_a_ticker_arrives_after_welcome_and_subscribe(fake: FakeKucoin, kucoin: KucoinExchange) -> None:
    stream = kucoin.watch_ticker("BTC/USDT")
    first = pull(stream)
    await until(lambda: fake.topic_count() == 1, what="subscribed")
    conn = fake.connections[0]
    [sub] = conn.kinds("subscribe")
    assert sub["topic"] == BTC and sub["privateChannel"] is False and sub["response"] is True
    assert conn.connect_id  # the client names its connection
    await fake.publish(BTC, "trade.ticker", ticker_data())
    ticker = await within_deadline(first)
    assert isinstance(ticker, Ticker)
    assert (ticker.bid, ticker.ask, ticker.last, ticker.timestamp) == (
        Decimal("99"),
        Decimal("101"),
        Decimal("100"),
        1_729_816_058_766,
    )
    await stream.aclose()


async def test_nothing_is_sent_before_the_welcome(
    fake: FakeKucoin, kucoin: KucoinExchange, clock: ManualClock
) -> None:
    fake.withhold_welcome = 1
    stream = kucoin.watch_ticker("BTC/USDT")
    first = pull(stream)
    await until(lambda: len(fake.connections) == 1, what="connected")
    silent = fake.connections[0]
    # the welcome never comes: after the welcome timeout, a new connection with a new token
    await until(lambda: len(fake.connections) == 2, clock=clock, step=1.0, what="reconnected")
    assert silent.received == []
    assert silent.token != fake.connections[1].token
    await until(lambda: fake.topic_count() == 1)
    await fake.publish(BTC, "trade.ticker", ticker_data())
    assert isinstance(await within_deadline(first), Ticker)
    await stream.aclose()


async def test_pings_every_interval_and_a_stalled_pong_reconnects(
    fake: FakeKucoin, kucoin: KucoinExchange, clock: ManualClock
) -> None:
    stream = kucoin.watch_ticker("BTC/USDT")
    first = pull(stream)
    await until(lambda: fake.topic_count() == 1)
    await fake.publish(BTC, "trade.ticker", ticker_data(price="100"))
    await within_deadline(first)
    conn = fake.connections[0]
    clock.advance(PING_INTERVAL_MS / 1000 - 0.5)
    await asyncio.sleep(0)
    assert conn.kinds("ping") == []  # not before the interval
    await until(lambda: len(conn.kinds("ping")) == 1, clock=clock, step=0.25, what="a ping")
    assert len(fake.connections) == 1  # answered: still the same socket
    fake.stall_pongs = True
    clock.advance(PING_INTERVAL_MS / 1000)
    await until(lambda: len(conn.kinds("ping")) == 2, what="a second ping")
    assert len(fake.connections) == 1
    # no pong within pingTimeout: a new socket, a fresh token, the topic again
    fake.stall_pongs = False
    await until(
        lambda: len(fake.connections) == 2, clock=clock, step=PING_TIMEOUT_MS / 4000, what="reconnect"
    )
    await until(lambda: fake.topic_count() == 1, clock=clock, step=0.1, what="resubscribed")
    assert conn.closed
    assert fake.connections[1].token != conn.token
    assert fake.connections[1].kinds("subscribe")[0]["topic"] == BTC
    gap = await within_deadline(pull(stream))
    assert isinstance(gap, StreamGap)
    assert (gap.reason, gap.kind, gap.symbol) == (GapReason.RECONNECT, StreamKind.TICKER, "BTC/USDT")
    await fake.publish(BTC, "trade.ticker", ticker_data(price="105"))
    after = await within_deadline(pull(stream))
    assert isinstance(after, Ticker) and after.last == Decimal("105")
    await stream.aclose()


async def test_a_dropped_socket_comes_back_with_backoff_and_every_topic(
    fake: FakeKucoin, kucoin: KucoinExchange, clock: ManualClock
) -> None:
    streams = [kucoin.watch_ticker("BTC/USDT"), kucoin.watch_trades("ETH/USDT")]
    firsts = [pull(s) for s in streams]
    await until(lambda: fake.topic_count() == 2)
    fake.reject_handshakes = 2  # the first two attempts fail: the backoff grows
    await fake.kick()
    await until(lambda: fake.topic_count() == 2 and len(fake.open_connections) == 1, clock=clock, step=0.25)
    assert fake.open_connections[0].topics == {BTC, "/market/match:ETH-USDT"}
    assert len(set(fake.tokens)) == len(fake.tokens) == 4  # a fresh token for every attempt
    for item in await asyncio.gather(*(within_deadline(f) for f in firsts)):
        assert isinstance(item, StreamGap) and item.reason is GapReason.RECONNECT
    for stream in streams:
        await stream.aclose()


async def test_refusals_are_exchanges_errors_with_kucoins_code(
    fake: FakeKucoin, kucoin: KucoinExchange
) -> None:
    with pytest.raises(BadSymbol) as unknown:
        await anext(kucoin.watch_ticker("NOPE/USDT"))
    assert unknown.value.code == "404" and "not found" in str(unknown.value)
    fake.refuse[BTC] = (509, "exceed max permits per second")
    with pytest.raises(RateLimitExceeded) as busy:
        await anext(kucoin.watch_ticker("BTC/USDT"))
    assert busy.value.code == "509"
    assert kucoin.ws.topics == frozenset()


async def test_one_bad_symbol_does_not_sink_the_others_of_its_batch(
    fake: FakeKucoin, kucoin: KucoinExchange
) -> None:
    good = [kucoin.watch_ticker(s) for s in ("BTC/USDT", "ETH/USDT")]
    bad = kucoin.watch_ticker("NOPE/USDT")
    pending = [pull(s) for s in good]
    refused = pull(bad)
    await until(lambda: fake.topic_count() == 2 and refused.done())
    assert isinstance(refused.exception(), BadSymbol)
    batched = [m for m in fake.connections[0].kinds("subscribe") if "," in m["topic"]]
    assert batched  # the three went out together first, then one by one
    await fake.publish(BTC, "trade.ticker", ticker_data())
    assert isinstance(await within_deadline(pending[0]), Ticker)
    await drop(pending[1])
    for stream in good:
        await stream.aclose()


async def test_leaving_the_loop_unsubscribes_and_frees_the_connection(
    fake: FakeKucoin, kucoin: KucoinExchange
) -> None:
    async def first_ticker() -> Ticker | StreamGap:
        async for item in kucoin.watch_ticker("BTC/USDT"):
            return item  # leaves the async for
        raise AssertionError("the stream ended")

    task = asyncio.ensure_future(first_ticker())
    await until(lambda: fake.topic_count() == 1)
    conn = fake.connections[0]
    await fake.publish(BTC, "trade.ticker", ticker_data())
    assert isinstance(await within_deadline(task), Ticker)
    await until(lambda: fake.topic_count() == 0, what="unsubscribed")
    assert conn.kinds("unsubscribe")[0]["topic"] == BTC
    await until(lambda: conn.closed, what="the idle connection closed")
    assert kucoin.ws.connections == []


async def test_two_streams_share_a_topic_until_both_leave(fake: FakeKucoin, kucoin: KucoinExchange) -> None:
    one, two = kucoin.watch_ticker("BTC/USDT"), kucoin.watch_ticker("BTC/USDT")
    got = [pull(one), pull(two)]
    await until(lambda: fake.topic_count() == 1)
    await fake.publish(BTC, "trade.ticker", ticker_data())
    await asyncio.gather(*(within_deadline(f) for f in got))
    assert len(fake.connections[0].kinds("subscribe")) == 1
    await one.aclose()
    await asyncio.sleep(0)
    assert fake.connections[0].kinds("unsubscribe") == []
    await two.aclose()
    await until(lambda: fake.topic_count() == 0)


async def test_topic_limits_split_across_connections(clock: ManualClock) -> None:
    symbols = [f"C{i:03d}-USDT" for i in range(450)]
    fake = FakeKucoin(set(symbols))
    await fake.start()
    kucoin = KucoinExchange(base_url=fake.url, clock=clock, rate_limit=False)
    try:
        streams = [kucoin.watch_ticker(s.replace("-", "/")) for s in symbols]
        waiting = [pull(s) for s in streams]
        await until(lambda: fake.topic_count() == 450, what="450 topics")
        sizes = sorted(len(c.topics) for c in fake.open_connections)
        assert sizes == [50, 400]
        for conn in fake.open_connections:
            per_message = [len(m["topic"].split(",")) for m in conn.kinds("subscribe")]
            assert max(per_message) <= 100 and sum(per_message) == len(conn.topics)
            assert len(per_message) == -(-len(conn.topics) // 100)  # as few messages as the limit allows
        assert fake.errors_sent == []
        await drop(*waiting)
        for stream in streams:
            await stream.aclose()
        await until(lambda: not fake.open_connections, what="both connections closed")
    finally:
        await kucoin.close()
        await fake.stop()


async def test_client_messages_stay_under_100_per_10_seconds(clock: ManualClock) -> None:
    symbols = [f"C{i:03d}-USDT" for i in range(150)]
    fake = FakeKucoin(set(symbols))
    await fake.start()
    kucoin = KucoinExchange(base_url=fake.url, clock=clock, rate_limit=False)
    try:
        # candles topics cannot share a message: 150 subscriptions, 150 messages
        streams = [kucoin.watch_candles(s.replace("-", "/"), "1m") for s in symbols]
        waiting = [pull(s) for s in streams]
        await until(lambda: fake.topic_count() == 100, what="the first 100")
        for _ in range(20):
            await asyncio.sleep(0)
        assert fake.topic_count() == 100  # the rest wait for the window
        clock.advance(10.0)
        await until(lambda: fake.topic_count() == 150, what="the other 50")
        await drop(*waiting)
        for stream in streams:
            await stream.aclose()
    finally:
        await kucoin.close()
        await fake.stop()


async def test_a_slow_consumer_gets_the_latest_ticker(fake: FakeKucoin, kucoin: KucoinExchange) -> None:
    stream = kucoin.watch_ticker("BTC/USDT")
    first = pull(stream)
    await until(lambda: fake.topic_count() == 1)
    await fake.publish(BTC, "trade.ticker", ticker_data(price="1"))
    await within_deadline(first)
    for i in range(2, 1002):
        await fake.publish(BTC, "trade.ticker", ticker_data(price=str(i)))
    feed = kucoin._feeds[BTC]
    box = feed.boxes[0]
    await until(lambda: bool(box._values) and next(iter(box._values.values())).last == Decimal("1001"))
    assert len(feed.boxes[0]) == 1  # one value held, not a thousand
    latest = await within_deadline(pull(stream))
    assert isinstance(latest, Ticker) and latest.last == Decimal("1001")
    await stream.aclose()


def _match(seq: int, price: str = "100") -> dict[str, Any]:
    return {
        "makerOrderId": "671b5007389355000701b1d3",
        "price": price,
        "sequence": str(seq),
        "side": "buy",
        "size": "0.003",
        "symbol": "BTC-USDT",
        "takerOrderId": "671b50161777ff00074c168d",
        "time": str(1_729_843_222_921_000_000 + seq),
        "tradeId": str(seq),
        "type": "match",
    }


async def test_trades_in_order_and_a_gap_for_what_a_slow_consumer_lost(
    fake: FakeKucoin, clock: ManualClock
) -> None:
    kucoin = KucoinExchange(base_url=fake.url, clock=clock, rate_limit=False, ws_trade_backlog=5)
    try:
        stream = kucoin.watch_trades("BTC/USDT")
        first = pull(stream)
        await until(lambda: fake.topic_count() == 1)
        await fake.publish("/market/match:BTC-USDT", "trade.l3match", _match(1))
        trade = await within_deadline(first)
        assert isinstance(trade, Trade) and (trade.id, trade.timestamp) == ("1", 1_729_843_222_921)
        for seq in range(2, 22):
            await fake.publish("/market/match:BTC-USDT", "trade.l3match", _match(seq))
        feed = kucoin._feeds["/market/match:BTC-USDT"]
        await until(lambda: feed.boxes[0]._dropped == 15)
        gap = await within_deadline(pull(stream))
        assert isinstance(gap, StreamGap) and (gap.reason, gap.dropped) == (GapReason.OVERFLOW, 15)
        rest = [await within_deadline(pull(stream)) for _ in range(5)]
        assert [t.id for t in rest if isinstance(t, Trade)] == ["17", "18", "19", "20", "21"]
        await stream.aclose()
    finally:
        await kucoin.close()


async def test_candles_update_the_current_bar(fake: FakeKucoin, kucoin: KucoinExchange) -> None:
    topic = "/market/candles:BTC-USDT_1hour"
    stream = kucoin.watch_candles("BTC/USDT", Interval.H1)
    first = pull(stream)
    await until(lambda: fake.topic_count() == 1)
    assert fake.connections[0].kinds("subscribe")[0]["topic"] == topic
    row = ["1729839600", "67644.9", "67437.6", "67724.8", "67243.8", "44.88321441", "3027558.991928447"]
    await fake.publish(topic, "trade.candles.update", {"symbol": "BTC-USDT", "candles": row, "time": 1})
    candle = await within_deadline(first)
    assert not isinstance(candle, StreamGap)
    assert (candle.start, candle.open, candle.close, candle.high, candle.low) == (
        1_729_839_600_000,
        Decimal("67644.9"),
        Decimal("67437.6"),
        Decimal("67724.8"),
        Decimal("67243.8"),
    )
    await stream.aclose()


async def test_shallow_books_come_from_the_depth_snapshots(fake: FakeKucoin, kucoin: KucoinExchange) -> None:
    stream = kucoin.watch_order_book("BTC/USDT", depth=3)
    first = pull(stream)
    await until(lambda: fake.topic_count() == 1)
    topic = "/spotMarket/level2Depth5:BTC-USDT"
    assert fake.connections[0].kinds("subscribe")[0]["topic"] == topic
    data = {
        "asks": [[str(101 + i), "1"] for i in range(5)],
        "bids": [[str(99 - i), "2"] for i in range(5)],
        "timestamp": 1_729_822_226_746,
    }
    await fake.publish(topic, "level2", data)
    book = await within_deadline(first)
    assert isinstance(book, OrderBook)
    assert [lv.price for lv in book.bids] == [Decimal(99), Decimal(98), Decimal(97)]
    assert [lv.price for lv in book.asks] == [Decimal(101), Decimal(102), Decimal(103)]
    assert book.timestamp == 1_729_822_226_746
    await stream.aclose()


def test_the_token_stays_out_of_reprs() -> None:
    from adapters.kucoin.ws_protocol import parse_token

    token = parse_token(
        {
            "token": "SECRET-TOKEN-123",
            "instanceServers": [
                {"endpoint": "wss://ws-api-spot.kucoin.com/", "encrypt": True, "pingInterval": 18000}
            ],
        }
    )
    assert "SECRET-TOKEN-123" not in repr(token)
    assert token.ping_interval == 18.0 and token.ping_timeout == 10.0
    assert token.url("c1") == "wss://ws-api-spot.kucoin.com/?token=SECRET-TOKEN-123&connectId=c1"


async def test_failed_handshakes_never_log_the_token(
    fake: FakeKucoin, kucoin: KucoinExchange, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="adapters.kucoin")
    fake.reject_handshakes = 1
    stream = kucoin.watch_ticker("BTC/USDT")
    first = pull(stream)
    await until(lambda: fake.topic_count() == 1, clock=clock, step=0.25)
    assert "HTTP 403" in caplog.text
    for token in fake.tokens:
        assert token not in caplog.text
        assert token.split("+")[0] not in caplog.text
    await drop(first)
    await stream.aclose()


async def test_a_stream_that_cannot_connect_fails_instead_of_hanging(
    fake: FakeKucoin, kucoin: KucoinExchange, clock: ManualClock
) -> None:
    fake.reject_handshakes = 1_000
    stream = kucoin.watch_ticker("BTC/USDT")
    first = pull(stream)
    await until(first.done, clock=clock, step=1.0, what="the subscription's deadline")
    error = first.exception()
    assert isinstance(error, RequestTimeout) and "no answer within 30.0 s" in str(error)
    assert kucoin.ws.topics == frozenset()
    await until(lambda: kucoin.ws.connections == [], what="the connection given up")


async def test_reconnect_attempts_back_off_exponentially_with_jitter(
    fake: FakeKucoin, clock: ManualClock
) -> None:
    # (a connect timeout far off, so that the next deadline on the clock is the backoff's)
    kucoin = KucoinExchange(base_url=fake.url, clock=clock, rate_limit=False, timeout=120.0)
    fake.reject_handshakes = 6
    give_up = clock.now_ms() + 30_000  # (the subscription's own deadline, also on the clock)
    stream = kucoin.watch_ticker("BTC/USDT")
    first = pull(stream)
    waits = []
    for attempt in range(1, 6):
        await until(lambda a=attempt: 6 - fake.reject_handshakes == a, what=f"attempt {attempt}")  # type: ignore[misc]
        await until(lambda: (clock.next_deadline_ms or give_up) < give_up, what="the backoff's sleep")
        deadline = clock.next_deadline_ms
        assert deadline is not None
        waits.append((deadline - clock.now_ms()) / 1000)
        clock.advance(waits[-1])
    for k, wait in enumerate(waits):  # 0.5 s doubling, each between half and all of it
        assert 0.5 * 2**k * 0.5 <= wait <= 0.5 * 2**k + 0.001, waits
    await drop(first)
    await stream.aclose()
    await kucoin.close()


async def test_a_socket_cut_after_some_messages_is_a_gap_then_more(
    fake: FakeKucoin, kucoin: KucoinExchange, clock: ManualClock
) -> None:
    fake.disconnect_after = 2  # every socket closes after its second data frame
    stream = kucoin.watch_ticker("BTC/USDT")
    first = pull(stream)
    await until(lambda: fake.topic_count() == 1)
    await fake.publish(BTC, "trade.ticker", ticker_data(price="1"))
    assert isinstance(await within_deadline(first), Ticker)
    await fake.publish(BTC, "trade.ticker", ticker_data(price="2"))
    items = [await within_deadline(pull(stream), clock=clock, step=0.25) for _ in range(2)]
    assert isinstance(items[0], Ticker) and items[0].last == Decimal("2")
    assert isinstance(items[1], StreamGap) and items[1].reason is GapReason.RECONNECT
    await until(lambda: fake.topic_count() == 1, clock=clock, step=0.25)
    await fake.publish(BTC, "trade.ticker", ticker_data(price="3"))
    after = await within_deadline(pull(stream))
    assert isinstance(after, Ticker) and after.last == Decimal("3")
    assert len(fake.connections) == 2
    await stream.aclose()
