"""One WebSocket client process for ``bench_ws_server``: ``python -m bench.ws_load URL MODE N
SECONDS``. Prints ``ready`` once its subscriptions are acknowledged, waits for a line on its
stdin (the start, the same for every process), then, after SECONDS of listening, prints one
JSON line.

- ``public``: N connections, each subscribed to one busy symbol's match, level-2, ticker and
  depth-5 topics; the JSON is ``{"frames": count}``.
- ``private``: one connection (a signed ``bullet-private``) on ``/spotMarket/tradeOrdersV2``;
  the JSON maps each ``match`` frame's trade id to ``time.monotonic_ns()`` at its arrival
  (Linux's monotonic clock is the machine's, so the server's process can compare).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

import aiohttp

from bench.load import _sign

KEY, SECRET, PASSPHRASE = "bench-key", "bench-secret", "bench-pass"
SYMBOL = "BTC-USDT"
PUBLIC_TOPICS = (
    f"/market/match:{SYMBOL}",
    f"/market/level2:{SYMBOL}",
    f"/market/ticker:{SYMBOL}",
    f"/spotMarket/level2Depth5:{SYMBOL}",
)


def _signed_headers(method: str, path: str) -> dict[str, str]:
    ts = str(int(time.time() * 1000))
    return {
        "KC-API-KEY": KEY,
        "KC-API-SIGN": _sign(ts + method + path),
        "KC-API-TIMESTAMP": ts,
        "KC-API-PASSPHRASE": _sign(PASSPHRASE),
        "KC-API-KEY-VERSION": "2",
    }


async def _connect(http: aiohttp.ClientSession, url: str, private: bool) -> aiohttp.ClientWebSocketResponse:
    path = "/api/v1/bullet-private" if private else "/api/v1/bullet-public"
    headers = _signed_headers("POST", path) if private else {}
    async with http.post(url + path, headers=headers) as response:
        token = (await response.json())["data"]
    server = token["instanceServers"][0]
    ws = await http.ws_connect(f"{server['endpoint']}?token={token['token']}", max_msg_size=0)
    assert json.loads((await ws.receive()).data)["type"] == "welcome"
    return ws


async def _subscribe(ws: aiohttp.ClientWebSocketResponse, topics: tuple[str, ...], private: bool) -> None:
    for i, topic in enumerate(topics):
        message = {
            "id": str(i),
            "type": "subscribe",
            "topic": topic,
            "privateChannel": private,
            "response": True,
        }
        await ws.send_str(json.dumps(message))
    acked = 0
    while acked < len(topics):
        frame = json.loads((await ws.receive()).data)
        if frame.get("type") == "ack":
            acked += 1
        elif frame.get("type") == "error":
            raise RuntimeError(frame)


async def _go() -> None:
    """Until the benchmark says start (a line on stdin)."""
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)


async def _public(url: str, count: int, seconds: float) -> dict[str, int]:
    async with aiohttp.ClientSession() as http:
        sockets = [await _connect(http, url, False) for _ in range(count)]
        for ws in sockets:
            await _subscribe(ws, PUBLIC_TOPICS, False)
        print("ready", flush=True)
        await _go()
        frames = 0

        async def read(ws: aiohttp.ClientWebSocketResponse) -> None:
            nonlocal frames
            while True:
                await ws.receive()
                frames += 1

        readers = [asyncio.create_task(read(ws)) for ws in sockets]
        await asyncio.sleep(seconds)
        counted = frames
        for reader in readers:
            reader.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
        for ws in sockets:
            await ws.close()
    return {"frames": counted}


async def _private(url: str, seconds: float) -> dict[str, int]:
    arrived: dict[str, int] = {}
    async with aiohttp.ClientSession() as http:
        ws = await _connect(http, url, True)
        await _subscribe(ws, ("/spotMarket/tradeOrdersV2",), True)
        print("ready", flush=True)
        await _go()

        async def read() -> None:
            while True:
                message = await ws.receive()
                at = time.monotonic_ns()
                data = json.loads(message.data).get("data") or {}
                if data.get("type") == "match":
                    arrived[data["tradeId"]] = at

        reader = asyncio.create_task(read())
        await asyncio.sleep(seconds)
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)
        await ws.close()
    return arrived


def main(argv: list[str]) -> int:
    import uvloop

    url, mode, count, seconds = argv[0], argv[1], int(argv[2]), float(argv[3])
    result = uvloop.run(_private(url, seconds) if mode == "private" else _public(url, count, seconds))
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
