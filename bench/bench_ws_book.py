"""The KuCoin adapter's local order book: level-2 messages applied per second.

A recorded stream is replayed: 1,000,000 ``/market/level2`` frames on one symbol (seeded
and generated before timing, as KuCoin spells them: 1-3 changes each, mostly sizes of known
levels near the top, some new levels, some removed, the mid moving now and then), after a
snapshot of 160 levels. Each frame goes the way a frame from the socket goes: the
connection's text handler (decode, frame type), the hub (topic), the book feed (calibrated
apply) and the stream's mailbox. Baselines in the same run: the bare JSON decode of the
same frames (orjson, the decoder the adapter uses; the standard library's for reference),
and ccxt.pro's kucoin order-book handling of the same frames driven offline through its
own client's text handler (decode and dispatch included). Every run's final book is
checked against the generator's, so a fast wrong book cannot pass.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from decimal import Decimal
from typing import Any

import orjson

from adapters.kucoin import KucoinOptions
from adapters.kucoin.ws_feeds import BookFeed
from adapters.kucoin.ws_protocol import WsToken
from adapters.kucoin.ws_subscriptions import WsHub
from bench.timing import Timing, repeat
from exchanges import Latest, ManualClock, OrderBook, StreamKind

MESSAGES = 1_000_000
SEED = 7
SYMBOL, NATIVE = "BTC/USDT", "BTC-USDT"
TOPIC = f"/market/level2:{NATIVE}"
TARGET = 200_000

Side = dict[int, str]


def generate(n: int = MESSAGES, seed: int = SEED) -> tuple[dict[str, Any], list[str], tuple[Side, Side]]:
    """(REST snapshot, the frames as text, the book they end at in ticks of 0.1)."""
    rng = random.Random(seed)
    mid = 680_000
    bids: Side = {mid - 1 - k: "1" for k in range(80)}
    asks: Side = {mid + k: "1" for k in range(80)}
    seq = 1_000_000
    snapshot = {
        "sequence": str(seq),
        "time": 1_700_000_000_000,
        "bids": [[_price(p), s] for p, s in sorted(bids.items(), reverse=True)],
        "asks": [[_price(p), s] for p, s in sorted(asks.items())],
    }
    frames: list[str] = []
    stamp = 1_700_000_000_000
    for _ in range(n):
        ask_rows: list[list[str]] = []
        bid_rows: list[list[str]] = []
        for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
            seq += 1
            if rng.random() < 0.02:  # the mid moves a tick; the level it crosses goes
                if rng.random() < 0.5:
                    asks.pop(mid, None)
                    ask_rows.append([_price(mid), "0", str(seq)])
                    mid += 1
                else:
                    mid -= 1
                    bids.pop(mid, None)
                    bid_rows.append([_price(mid), "0", str(seq)])
                continue
            is_bid = rng.random() < 0.5
            k = min(int(rng.expovariate(1 / 8)), 79)
            price = mid - 1 - k if is_bid else mid + k
            side = bids if is_bid else asks
            if price in side and rng.random() < 0.25:
                del side[price]
                size = "0"
            else:
                size = f"{rng.randrange(1, 10**8) / 10**8:.8f}"
                side[price] = size
            (bid_rows if is_bid else ask_rows).append([_price(price), size, str(seq)])
        count = len(ask_rows) + len(bid_rows)
        stamp += rng.randrange(0, 3)
        data = {
            "changes": {"asks": ask_rows, "bids": bid_rows},
            "sequenceEnd": seq,
            "sequenceStart": seq - count + 1,
            "symbol": NATIVE,
            "time": stamp,
        }
        frame = {"topic": TOPIC, "type": "message", "subject": "trade.l2update", "data": data}
        frames.append(orjson.dumps(frame).decode())
    return snapshot, frames, (bids, asks)


def _price(ticks: int) -> str:
    return f"{ticks // 10}.{ticks % 10}"


def _expected(
    final: tuple[Side, Side],
) -> tuple[list[tuple[Decimal, Decimal]], list[tuple[Decimal, Decimal]]]:
    bids, asks = final
    return (
        [(Decimal(_price(p)), Decimal(s)) for p, s in sorted(bids.items(), reverse=True)],
        [(Decimal(_price(p)), Decimal(s)) for p, s in sorted(asks.items())],
    )


def time_decode(frames: list[str], loads: Any) -> float:
    start = time.perf_counter()
    for text in frames:
        loads(text)
    return time.perf_counter() - start


async def _never() -> WsToken:
    await asyncio.Event().wait()
    raise AssertionError("unreachable")


async def time_adapter(snapshot: dict[str, Any], frames: list[str], final: tuple[Side, Side]) -> float:
    """The frames through a subscribed hub's connection (no socket: the token never comes,
    and the ack is given by hand), into a book feed with one depth-20 stream."""
    clock = ManualClock()
    hub = WsHub(KucoinOptions(), clock, lambda _private: _never())
    feed = BookFeed(SYMBOL, _never, clock, max_buffer=10_000)  # type: ignore[arg-type]
    subscribing = asyncio.ensure_future(hub.subscribe(TOPIC, feed, private=False))
    await asyncio.sleep(0)
    hub.on_ack(TOPIC)
    await subscribing
    feed.book.load(snapshot)
    box: Latest[Any] = Latest(StreamKind.ORDER_BOOK, SYMBOL, clock)
    feed.attach_depth(box, 20)
    on_text = hub.connections[0].on_text
    start = time.perf_counter()
    for text in frames:
        on_text(text)
    elapsed = time.perf_counter() - start
    book = (await box.get())()  # type: ignore[operator]
    assert isinstance(book, OrderBook)
    whole = feed.book.snapshot(None)
    bids, asks = _expected(final)
    assert [(lv.price, lv.size) for lv in whole.bids] == bids, "the adapter's bids differ"
    assert [(lv.price, lv.size) for lv in whole.asks] == asks, "the adapter's asks differ"
    assert [(lv.price, lv.size) for lv in book.bids] == bids[:20]
    await hub.close()
    return elapsed


async def time_ccxt(snapshot: dict[str, Any], frames: list[str], final: tuple[Side, Side]) -> float | None:
    try:
        import ccxt.pro as ccxtpro
    except ImportError:
        return None
    exchange = ccxtpro.kucoin()
    try:
        client = exchange.client("wss://offline.invalid/")
        exchange.orderbooks[SYMBOL] = exchange.order_book(
            {
                "bids": [[float(p), float(s)] for p, s in snapshot["bids"]],
                "asks": [[float(p), float(s)] for p, s in snapshot["asks"]],
                "nonce": int(snapshot["sequence"]),
            }
        )
        handle = client.handle_text_or_binary_message
        start = time.perf_counter()
        for text in frames:
            handle(text)
        elapsed = time.perf_counter() - start
        book = exchange.orderbooks[SYMBOL]
        bids, asks = _expected(final)
        got = [(Decimal(str(p)), Decimal(str(s))) for p, s, *_ in book["bids"]]
        ok = got == bids and len(book["asks"]) == len(asks)
        print(f"ws_book ccxt.pro final book equals the generator's: {ok}")
        return elapsed
    finally:
        await exchange.close()


def _line(name: str, timing: Timing, n: int) -> None:
    best, median = n / timing.best, n / timing.median
    print(f"ws_book {name}: {best:,.0f} msg/s (best of {len(timing.runs)}; median {median:,.0f})")


def main() -> None:
    started = time.perf_counter()
    snapshot, frames, final = generate()
    n = len(frames)
    size = sum(len(f) for f in frames) / n
    print(
        f"ws_book stream: {n:,} level2 frames, {size:.0f} bytes each on average, generated in "
        f"{time.perf_counter() - started:.1f} s"
    )
    fast = repeat(lambda: time_decode(frames, orjson.loads))
    _line("bare decode (orjson)", fast, n)
    slow = repeat(lambda: time_decode(frames, json.loads))
    _line("bare decode (json, reference)", slow, n)
    adapter = repeat(lambda: asyncio.run(time_adapter(snapshot, frames, final)))
    _line("adapter: decode, route, apply, publish", adapter, n)
    print(f"ws_book adapter / bare orjson decode: {fast.best / adapter.best:.2f} (of the decode's speed)")
    rate = n / adapter.best
    print(f"ws_book target {TARGET:,} msg/s: {'met' if rate >= TARGET else 'NOT met'}")
    ccxt_seconds = asyncio.run(time_ccxt(snapshot, frames, final))
    if ccxt_seconds is None:
        print("ws_book ccxt.pro: not installed (pip install ccxt), skipped")
        return
    print(f"ws_book ccxt.pro kucoin handle_order_book: {n / ccxt_seconds:,.0f} msg/s (one run)")
    print(f"ws_book adapter / ccxt.pro: {ccxt_seconds / adapter.best:.1f}x")


if __name__ == "__main__":
    main()
