"""Each diff-depth speed publishes at its cadence: ``@depth@100ms`` every step that changed
the book, ``@depth`` and ``@depth@1000ms`` (the same stream, NOTES 11.3) once a second with
every change of that second, their update ids following on; the control paths' lost events
reach the ``@1000ms`` spelling too."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from simulator.binance.app import BinanceFacade
from simulator.venue import OrderParams, Venue

from .conftest import MAKER

STREAMS = ["btcusdt@depth@100ms", "btcusdt@depth", "btcusdt@depth@1000ms"]


def _drain(facade: BinanceFacade, conn: Any) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    while not conn.queue.empty():
        frame = conn.queue.get_nowait()
        if frame is not None:
            message = json.loads(frame)
            out[message["stream"]].append(message["data"])
    return out


async def test_each_depth_speed_publishes_at_its_cadence(facade: BinanceFacade, venue: Venue) -> None:
    assert facade.ws is not None
    hub = facade.ws.hub
    conn = hub.connect(combined=True)
    hub.subscribe(conn, STREAMS)
    for step in range(20):  # two seconds of 100 ms steps, the book changing in each
        venue.place_order(
            MAKER, OrderParams(symbol="BTC-USDT", side="buy", price=str(63_000 + step), size="0.01")
        )
        hub.step()
    got = _drain(facade, conn)
    fast, slow, slow_named = (got[s] for s in STREAMS)
    assert len(fast) == 20
    assert len(slow) == 2 and slow_named == slow
    assert [e["U"] for e in slow] == [fast[0]["U"], fast[10]["U"]]
    assert [e["u"] for e in slow] == [fast[9]["u"], fast[19]["u"]]
    assert len(slow[1]["b"]) == 10  # (every level the second changed)
    assert hub.lose_depth(1) == 1 and set(conn.losing) == set(STREAMS)
    hub.drop(conn)
    if hub.task is not None:
        await hub.task
