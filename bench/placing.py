"""The harness of the placement benches: a minimal venue-shaped server in a child process (so
that ``time.process_time()`` here counts only client work), the served simulator, and client
CPU per call for an adapter's ``place_order`` and CCXT's ``create_order`` of the same order.
Each bench brings only its venue: the server's answers, the raw signed request, how its
adapter and CCXT are made."""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from exchanges import Exchange, OrderRequest

__all__ = [
    "REQUEST",
    "Answer",
    "Stop",
    "ccxt_ms",
    "measure",
    "minimal_server",
    "place_ms",
    "served_simulator",
]

WARMUP = 200
#: A limit IOC buy below the market: nothing rests, so no open-order cap ever bites.
REQUEST = OrderRequest.limit("BTC/USDT", "buy", Decimal("0.001"), Decimal("50000"), time_in_force="IOC")
#: A server's answer to a request: the body, from the method, the target and the request body.
Answer = Callable[[str, str, bytes], bytes]
Stop = Callable[[], None]


async def measure(call: Callable[[], Awaitable[Any]], calls: int) -> float:
    """Client CPU milliseconds per call."""
    for _ in range(WARMUP):
        await call()
    start = time.process_time()
    for _ in range(calls):
        await call()
    return (time.process_time() - start) * 1000 / calls


async def place_ms(exchange: Exchange, calls: int) -> float:
    """``place_order`` of :data:`REQUEST` (the exchange is closed after)."""
    try:
        await exchange.load_markets()
        return await measure(lambda: exchange.place_order(REQUEST), calls)
    finally:
        await exchange.close()


async def ccxt_ms(make: Callable[[Any], Any], calls: int) -> float | None:
    """CCXT's ``create_order`` of the same order, on the exchange ``make`` builds from
    ``ccxt.async_support``; ``None`` when CCXT is not installed."""
    try:
        import ccxt.async_support as ccxt  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        return None
    exchange = make(ccxt)
    try:
        await exchange.load_markets()

        async def call() -> None:
            await exchange.create_order("BTC/USDT", "limit", "buy", 0.001, 50000, {"timeInForce": "IOC"})

        return await measure(call, calls)
    finally:
        await exchange.close()


class _Server(asyncio.Protocol):
    """A tiny keep-alive HTTP/1.1 responder."""

    def __init__(self, answer: Answer, headers: bytes) -> None:
        self.answer = answer
        self.headers = headers
        self.buffer = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            head_end = self.buffer.find(b"\r\n\r\n")
            if head_end < 0:
                return
            head = self.buffer[:head_end].decode("latin-1").split("\r\n")
            length = 0
            for line in head[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            if len(self.buffer) < head_end + 4 + length:
                return
            body = self.buffer[head_end + 4 : head_end + 4 + length]
            self.buffer = self.buffer[head_end + 4 + length :]
            method, target, _ = head[0].split(" ", 2)
            payload = self.answer(method, target, body)
            self.transport.write(
                b"HTTP/1.1 200 OK\r\n"
                + self.headers
                + b"Content-Length: "
                + str(len(payload)).encode()
                + b"\r\n\r\n"
                + payload
            )


def _serve(answer: Answer, headers: bytes, port_out: Any) -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: _Server(answer, headers), "127.0.0.1", 0)
        port_out.send(server.sockets[0].getsockname()[1])
        await asyncio.Event().wait()

    asyncio.run(main())


def minimal_server(answer: Answer, headers: bytes) -> tuple[Stop, str]:
    """The responder in a child process (``answer`` a module-level function; ``headers``
    the lines every answer carries, each ending in CRLF); its base URL."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    server = ctx.Process(target=_serve, args=(answer, headers, child), daemon=True)
    server.start()

    def stop() -> None:
        server.terminate()
        server.join()

    return stop, f"http://127.0.0.1:{parent.recv()}"


def served_simulator(args: list[str]) -> tuple[Stop, str]:
    """``python -m simulator serve`` on a free port with ``args`` (rate limits off, say);
    its base URL."""
    command = [sys.executable, "-m", "simulator", "serve", "--port", "0", "--quiet", *args]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert server.stdout is not None
    line = server.stdout.readline()
    if not line.startswith("listening on "):
        server.kill()
        raise RuntimeError(f"the simulator did not start: {line!r}")

    def stop() -> None:
        server.terminate()
        server.communicate(timeout=20)

    return stop, line.split()[-1]
