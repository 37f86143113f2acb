"""The WebSocket wire against KuCoin's spec: topics, the example frames of every topic the
adapter reads, client frames, error codes and tokens."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pytest

from adapters.kucoin.local_book import APPLIED, LocalBook
from adapters.kucoin.ws_parsing import (
    book_from_depth,
    candle_from_ws,
    order_from_frame,
    stop_order_from_frame,
    ticker_from_ws,
    trade_from_ws,
)
from adapters.kucoin.ws_protocol import (
    BALANCE,
    CANDLES,
    DEPTH5,
    DEPTH50,
    LEVEL2,
    MATCH,
    ORDERS,
    STOP_ORDERS,
    TICKER,
    parse_token,
    split_topic,
    subscribe_frames,
    ws_error,
)
from exchanges import (
    AuthenticationError,
    BadRequest,
    BadSymbol,
    ExchangeError,
    ExchangeUnavailable,
    Interval,
    OrderStatus,
    OrderType,
    PermissionDenied,
    RateLimitExceeded,
    Side,
    StopKind,
)

from .conftest import SPEC_DIR

FIXTURE = Path(__file__).with_name("fixtures") / "ws_examples.json"
EXAMPLES: dict[str, Any] = json.loads(FIXTURE.read_text())


def _derive() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in ("openapi-spot-public.json", "openapi-spot-private.json"):
        doc = json.loads((SPEC_DIR / "ws" / name).read_text())
        for operations in doc["paths"].values():
            op = operations["trace"]
            out[op["x-topic"]] = json.loads(json.loads('"' + op["x-response-example"] + '"'))
    return out


def test_the_checked_in_examples_are_the_specs() -> None:
    if not (SPEC_DIR / "ws").is_dir():
        pytest.skip("../shared/kucoin-spec is absent (a fresh clone): the checked-in copy stands in")
    assert _derive() == EXAMPLES


@pytest.mark.parametrize(
    ("prefix", "spec_topic"),
    [
        (TICKER, "/market/ticker:{symbol},{symbol}"),
        (MATCH, "/market/match:{symbol},{symbol}"),
        (LEVEL2, "/market/level2:{symbol},{symbol}"),
        (DEPTH5, "/spotMarket/level2Depth5:{symbol},{symbol}"),
        (DEPTH50, "/spotMarket/level2Depth50:{symbol},{symbol}"),
        (CANDLES, "/market/candles:{symbol}_{type}"),
        (ORDERS, "/spotMarket/tradeOrdersV2"),
        (BALANCE, "/account/balance"),
        (STOP_ORDERS, "/spotMarket/advancedOrders"),
    ],
)
def test_the_adapters_topics_are_the_specs(prefix: str, spec_topic: str) -> None:
    assert spec_topic in EXAMPLES
    assert spec_topic.startswith(prefix)


def _data(topic: str) -> dict[str, Any]:
    data: dict[str, Any] = EXAMPLES[topic]["data"]
    return data


def test_the_example_ticker() -> None:
    ticker = ticker_from_ws(_data("/market/ticker:{symbol},{symbol}"), "BTC/USDT")
    assert (ticker.bid, ticker.ask, ticker.last, ticker.last_size) == (
        Decimal("0.049"),
        Decimal("0.08"),
        Decimal("0.08"),
        Decimal("0.011"),
    )
    assert ticker.timestamp == 1704873323416  # the example spells it "Time"


def test_the_example_trade_candle_and_depth_books() -> None:
    trade = trade_from_ws(_data("/market/match:{symbol},{symbol}"), "BTC/USDT")
    assert (trade.id, trade.side, trade.price, trade.timestamp) == (
        "11067996711960577",
        Side.BUY,
        Decimal("67523"),
        1729843222921,
    )
    candle = candle_from_ws(_data("/market/candles:{symbol}_{type}"), "BTC/USDT", Interval.H1)
    assert (candle.start, candle.close, candle.high) == (
        1729839600000,
        Decimal("67437.6"),
        Decimal("67724.8"),
    )
    for topic, size in (
        ("/spotMarket/level2Depth5:{symbol},{symbol}", 5),
        ("/spotMarket/level2Depth50:{symbol},{symbol}", 50),
    ):
        book = book_from_depth(_data(topic), "BTC/USDT", None)
        assert len(book.bids) == len(book.asks) == size
        assert book.bids[0].price < book.asks[0].price


def test_the_example_increment_applies() -> None:
    data = _data("/market/level2:{symbol},{symbol}")
    book = LocalBook("BTC/USDT")
    book.load({"sequence": str(data["sequenceStart"] - 1), "bids": [["67000", "1"]], "asks": []})
    assert book.apply(data) == APPLIED
    assert book.snapshot().asks[0].price == Decimal("67993.3")


def test_the_example_order_events() -> None:
    received = order_from_frame(_data("/spotMarket/tradeOrdersV2"), None, Decimal(0))
    assert (received.status, received.type, received.size) == (
        OrderStatus.NEW,
        OrderType.MARKET,
        Decimal("0.00001"),
    )
    assert received.created_at == 1730206271588 and received.updated_at == 1730206271616
    opened = order_from_frame(_data("/spotMarket/tradeOrders"), None, Decimal(0))
    assert (opened.status, opened.price, opened.filled_size) == (
        OrderStatus.OPEN,
        Decimal("50000"),
        Decimal(0),
    )
    stop = stop_order_from_frame(_data("/spotMarket/advancedOrders"))
    assert stop is not None
    assert (stop.status, stop.stop, stop.stop_price, stop.type) == (
        OrderStatus.PENDING,
        StopKind.LOSS,
        Decimal("71000"),
        OrderType.LIMIT,
    )


def test_order_events_move_an_order_through_its_life() -> None:
    base = {
        "symbol": "BTC-USDT",
        "orderId": "o1",
        "side": "sell",
        "orderType": "limit",
        "price": "10",
        "size": "2",
    }
    opened = order_from_frame(
        {**base, "type": "open", "status": "open", "filledSize": "0", "ts": 1_000_000}, None, Decimal(0)
    )
    part = order_from_frame(
        {**base, "type": "match", "status": "open", "filledSize": "1", "ts": 2_000_000}, opened, Decimal(10)
    )
    assert part.status is OrderStatus.PARTIALLY_FILLED and part.filled_funds == Decimal(10)
    done = order_from_frame(
        {**base, "type": "filled", "status": "done", "filledSize": "2", "ts": 3_000_000}, part, Decimal(20)
    )
    assert done.status is OrderStatus.FILLED and done.updated_at == 3
    cut = order_from_frame(
        {**base, "type": "canceled", "status": "done", "filledSize": "1", "ts": 4_000_000}, part, Decimal(10)
    )
    assert cut.status is OrderStatus.CANCELED


def test_subscriptions_join_up_to_100_symbols_of_one_prefix() -> None:
    ids = iter(str(i) for i in range(100))
    topics = [f"{TICKER}S{i}-USDT" for i in range(250)] + [f"{CANDLES}BTC-USDT_1min", ORDERS]
    frames = subscribe_frames(lambda: next(ids), topics, private=False)
    sizes = [len(batch) for _, batch, _ in frames]
    assert sizes == [100, 100, 50, 1, 1]
    first = orjson.loads(frames[0][2])
    assert first == {
        "id": "0",
        "type": "subscribe",
        "topic": TICKER + ",".join(f"S{i}-USDT" for i in range(100)),
        "privateChannel": False,
        "response": True,
    }
    assert orjson.loads(frames[3][2])["topic"] == f"{CANDLES}BTC-USDT_1min"
    drop = subscribe_frames(lambda: "x", [ORDERS], private=True, unsubscribe=True)
    assert orjson.loads(drop[0][2])["type"] == "unsubscribe"
    assert split_topic(ORDERS) == (ORDERS, "")


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (400, BadRequest),
        (401, AuthenticationError),
        (403, PermissionDenied),
        (404, BadSymbol),
        (406, BadRequest),
        (415, BadRequest),
        (500, ExchangeUnavailable),
        (509, RateLimitExceeded),
        (777, ExchangeError),
    ],
)
def test_websocket_error_codes(code: int, kind: type[ExchangeError]) -> None:
    error = ws_error({"id": "1", "type": "error", "code": code, "data": "words"})
    assert type(error) is kind
    assert (error.code, error.venue, error.message) == (str(code), "kucoin", "words")


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"token": "t"},
        {"token": "t", "instanceServers": []},
        {"token": "t", "instanceServers": [{"endpoint": "http://x"}]},
    ],
)
def test_unusable_token_answers_are_errors(data: Any) -> None:
    with pytest.raises(ExchangeError, match="malformed WebSocket token"):
        parse_token(data)


def test_a_token_takes_the_servers_timing() -> None:
    token = parse_token(
        {
            "token": "t",
            "instanceServers": [
                {
                    "endpoint": "wss://a/",
                    "encrypt": True,
                    "protocol": "websocket",
                    "pingInterval": 5000,
                    "pingTimeout": 2000,
                }
            ],
        }
    )
    assert (token.ping_interval, token.ping_timeout, token.encrypt, token.where) == (
        5.0,
        2.0,
        True,
        "wss://a/",
    )
