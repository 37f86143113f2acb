"""Serving the bridge under uvicorn: in the foreground until SIGINT or SIGTERM (``python -m
signals serve``), or for the length of a block (tests)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import uvicorn

__all__ = ["run", "serving"]


class _Server(uvicorn.Server):
    """uvicorn without its own signal capture: the owner decides how to stop it."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _bind(host: str, port: int) -> socket.socket:
    """Bound here, not by uvicorn (which logs and exits on failure): a port in use is an
    ``OSError`` the caller reports."""
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


@contextlib.asynccontextmanager
async def serving(app: Any, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
    """Serve ``app`` (its lifespan included) while the block runs; yields its base URL."""
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=5,
    )
    server = _Server(config)
    task = asyncio.create_task(server.serve(sockets=[_bind(host, port)]))
    try:
        while not server.started:
            if task.done():
                with contextlib.suppress(SystemExit):  # (uvicorn's word for a failed start-up)
                    task.result()
                raise RuntimeError("the server did not start: the app's start-up failed (see the log)")
            await asyncio.sleep(0.01)
        bound_host, bound_port = server.servers[0].sockets[0].getsockname()[:2]
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        yield f"http://{shown}:{bound_port}"
    finally:
        server.should_exit = True
        await task


async def run(app: Any, host: str, port: int, *, on_listening: Callable[[str], None]) -> None:
    """Serve until SIGINT or SIGTERM, then stop gracefully."""
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    try:
        async with serving(app, host, port) as url:
            on_listening(url)
            await stopping.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
