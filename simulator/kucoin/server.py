"""Serving the facade on a real socket under uvicorn: in the foreground, as a task, or in a thread.

``serving`` (async context manager) starts uvicorn in the running loop and yields the base URL
once it accepts connections; ``serve_in_thread`` does the same from synchronous code (tests that
drive blocking clients such as CCXT's sync class or KuCoin's SDKs). ``run`` is the foreground
server of ``python -m simulator serve``: it reports the URL, drives the market, and stops
cleanly on SIGINT or SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import Any

import uvicorn

from .protocol import BoundedHttpToolsProtocol

__all__ = ["run", "serve_in_thread", "serving"]

MarketDriver = Callable[[], Coroutine[Any, Any, None]]


class _Server(uvicorn.Server):
    """uvicorn without its own signal capture: the owner decides how to stop it."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _config(app: Any, host: str, port: int, http: type[Any] = BoundedHttpToolsProtocol) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=3,
        http=http,
    )


def _bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound here rather than by uvicorn, which on failure logs and
    exits the process: a port in use or a bad host is then a plain ``OSError``."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock


async def _start(server: _Server) -> tuple[asyncio.Task[None], str]:
    sock = _bind(server.config.host, server.config.port)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()  # raises the start-up error (port taken, bad host)
            raise RuntimeError("uvicorn stopped before it started")
        await asyncio.sleep(0.005)
    host, port = server.servers[0].sockets[0].getsockname()[:2]
    host = server.config.host if server.config.host not in ("0.0.0.0", "::") else host
    shown = f"[{host}]" if ":" in host else host
    return task, f"http://{shown}:{port}"


@contextlib.asynccontextmanager
async def serving(
    app: Any,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    market: MarketDriver | None = None,
    http: type[Any] = BoundedHttpToolsProtocol,
) -> AsyncIterator[str]:
    """Serve ``app`` while the block runs; yields ``http://host:port`` (port 0 picks one).
    ``http`` is the protocol class (another dialect's words for a head too large)."""
    server = _Server(_config(app, host, port, http))
    task, url = await _start(server)
    driver = asyncio.create_task(market()) if market is not None else None
    try:
        yield url
    finally:
        if driver is not None:
            driver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await driver
        server.should_exit = True
        await task


@contextlib.contextmanager
def serve_in_thread(
    app: Any,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    market: MarketDriver | None = None,
    http: type[Any] = BoundedHttpToolsProtocol,
) -> Iterator[str]:
    """``serving`` on a background thread with its own event loop, for blocking clients."""
    ready = threading.Event()
    stop: asyncio.Event | None = None
    loop: asyncio.AbstractEventLoop | None = None
    box: dict[str, Any] = {}

    async def main() -> None:
        nonlocal stop, loop
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        try:
            async with serving(app, host, port, market=market, http=http) as url:
                box["url"] = url
                ready.set()
                await stop.wait()
        except BaseException as err:
            box["error"] = err
            ready.set()
            raise

    thread = threading.Thread(target=lambda: asyncio.run(main()), name="kucoin-sim-server", daemon=True)
    thread.start()
    ready.wait(timeout=30)
    if "url" not in box:
        thread.join(timeout=5)
        raise RuntimeError(f"the server did not start: {box.get('error')!r}")
    try:
        yield box["url"]
    finally:
        assert loop is not None and stop is not None
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=30)


async def run(
    app: Any,
    host: str,
    port: int,
    *,
    on_listening: Callable[[str], None],
    market: MarketDriver | None = None,
    http: type[Any] = BoundedHttpToolsProtocol,
) -> None:
    """Serve until SIGINT or SIGTERM, then shut down gracefully and return."""
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    try:
        async with serving(app, host, port, market=market, http=http) as url:
            on_listening(url)
            await stopping.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
