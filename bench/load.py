"""One load-generating process for the HTTP benchmarks: ``connections`` keep-alive clients
running one workload against a server for ``seconds``, then the count on stdout as JSON.

``python -m bench.load URL WORKLOAD CONNECTIONS SECONDS`` with WORKLOAD ``get:PATH`` or
``pairs`` (a signed HF limit order far below the market, then its cancel by id, KuCoin's
signing written out here). HTTP/1.1 is written and read by hand on asyncio streams (the
request bytes formatted once per request, the answer's head split and its body read by its
length): a general client library costs more per request than the server it drives, and the
generator must not be the bottleneck. Several of these run side by side (``bench_server``).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import re
import sys
import time
from urllib.parse import urlsplit

KEY, SECRET, PASSPHRASE = "bench-key", "bench-secret", "bench-pass"
SYMBOL = "BTC-USDT"
_SECRET = SECRET.encode()
_ORDER_ID = re.compile(rb'"orderId":"([0-9a-z]+)"')


def _sign(message: str) -> str:
    return base64.b64encode(hmac.new(_SECRET, message.encode(), hashlib.sha256).digest()).decode()


_PASSPHRASE = _sign(PASSPHRASE)


def _signed(method: str, target: str, host: str, body: str = "") -> bytes:
    ts = str(int(time.time() * 1000))
    head = (
        f"{method} {target} HTTP/1.1\r\nHost: {host}\r\nKC-API-KEY: {KEY}\r\n"
        f"KC-API-SIGN: {_sign(ts + method + target + body)}\r\nKC-API-TIMESTAMP: {ts}\r\n"
        f"KC-API-PASSPHRASE: {_PASSPHRASE}\r\nKC-API-KEY-VERSION: 2\r\n"
    )
    if body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return (head + "\r\n" + body).encode()


async def _answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
            break
    return status, await reader.readexactly(length)


async def _client(url: str, workload: str, stop_at: float) -> int:
    parts = urlsplit(url)
    host = parts.netloc
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    done = 0
    get = f"GET {workload.partition(':')[2]} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
    order = json.dumps(
        {"symbol": SYMBOL, "side": "buy", "type": "limit", "price": "1000", "size": "0.001"},
        separators=(",", ":"),
    )  # (far below any pair's market: it rests until cancelled)
    try:
        while time.monotonic() < stop_at:
            if workload == "pairs":
                writer.write(_signed("POST", "/api/v1/hf/orders", host, order))
                status, body = await _answer(reader)
                found = _ORDER_ID.search(body)
                assert status == 200 and found is not None, body
                target = f"/api/v1/hf/orders/{found.group(1).decode()}?symbol={SYMBOL}"
                writer.write(_signed("DELETE", target, host))
                status, body = await _answer(reader)
                assert status == 200 and b'"200000"' in body, body
            else:
                writer.write(get)
                status, _ = await _answer(reader)
                assert status == 200
            done += 1
    finally:
        writer.close()
    return done


async def _run(url: str, workload: str, connections: int, seconds: float) -> int:
    stop_at = time.monotonic() + seconds
    counts = await asyncio.gather(*(_client(url, workload, stop_at) for _ in range(connections)))
    return sum(counts)


def main(argv: list[str]) -> int:
    url, workload, connections, seconds = argv[0], argv[1], int(argv[2]), float(argv[3])
    try:
        import uvloop
    except ImportError:
        count = asyncio.run(_run(url, workload, connections, seconds))
    else:
        count = uvloop.run(_run(url, workload, connections, seconds))
    print(json.dumps({"count": count}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
