"""The baseline of the HTTP benchmarks: a bare Starlette endpoint under uvicorn, configured as
the simulator's server is (httptools, uvloop, no access log), answering a KuCoin-shaped body.

``python -m bench.bare_app`` prints ``listening on http://127.0.0.1:PORT`` like ``serve``.
"""

from __future__ import annotations

import socket
import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

_BODY = b'{"code":"200000","data":1700000000000}'


async def timestamp(_request: Request) -> Response:
    return Response(_BODY, media_type="application/json")


APP = Starlette(routes=[Route("/api/v1/timestamp", timestamp)])


def main() -> int:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        APP, log_config=None, log_level="warning", access_log=False, lifespan="off", http="httptools"
    )
    server = uvicorn.Server(config)

    async def serve() -> None:
        async def startup(sockets: list[socket.socket] | None = None) -> None:
            await original(sockets)
            print(f"listening on http://127.0.0.1:{sock.getsockname()[1]}", flush=True)

        original = server.startup
        # (announce the bound port once listening, as `simulator serve` does, for the benchmark)
        server.startup = startup  # type: ignore[method-assign]
        await server.serve(sockets=[sock])

    import uvloop

    uvloop.run(serve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
