"""The access log prints what a client sent, but a client cannot write lines into it: control and
other non-printing characters in the request come out escaped."""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any

import httpx
import pytest

from simulator.kucoin.app import KucoinFacade

FORGED = "127.0.0.1 GET /api/v1/accounts 200 200000 0.1ms"


def _lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "simulator.kucoin.access"]


@pytest.mark.parametrize("encoded", ["%0A", "%0D%0A", "%0D", "%1B%5B2K%0D", "%E2%80%A8", "%C2%85"])
async def test_an_encoded_line_break_in_the_path_stays_on_its_line(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, encoded: str
) -> None:
    caplog.set_level(logging.INFO, logger="simulator.kucoin.access")
    response = await client.get(f"/api/v1/x{encoded}{FORGED.replace(' ', '%20')}")
    assert response.json()["code"] == "404000"
    (line,) = _lines(caplog)
    assert line.isprintable(), line  # no \n, \r, ESC, U+2028, NEL: one line, no terminal control
    assert line.endswith(" 404 404000 0.0ms")


async def _asgi_get(facade: KucoinFacade, raw_path: bytes, query: bytes, method: str = "GET") -> int:
    """One request handed to the app as a server would, bytes as they came off the wire."""
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> MutableMapping[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": raw_path.decode("latin-1"),
        "raw_path": raw_path,
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"sim")],
        "client": ("127.0.0.1", 5555),
        "server": ("127.0.0.1", 8080),
    }
    await facade.app(scope, receive, send)
    status: int = sent[0]["status"]
    return status


@pytest.mark.parametrize(
    ("raw_path", "query", "method"),
    [
        (b"/api/v1/timestamp", b"a=\n" + FORGED.encode(), "GET"),
        (b"/api/v1/timestamp", b"a=\x1b[31mred\x00", "GET"),
        (b"/api/v1/x\r\n" + FORGED.encode(), b"", "GET"),
        (b"/api/v1/timestamp", b"", "GET\n" + FORGED),
    ],
)
async def test_raw_control_bytes_are_escaped(
    facade: KucoinFacade, caplog: pytest.LogCaptureFixture, raw_path: bytes, query: bytes, method: str
) -> None:
    caplog.set_level(logging.INFO, logger="simulator.kucoin.access")
    assert await _asgi_get(facade, raw_path, query, method) < 500
    (line,) = _lines(caplog)
    assert line.isprintable(), line
    assert "\\" in line  # shown escaped, not dropped


async def test_an_ordinary_request_is_logged_as_sent(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="simulator.kucoin.access")
    await client.get("/api/v1/market/orderbook/level1?symbol=BTC-USDT")
    (line,) = _lines(caplog)
    assert line.startswith("127.0.0.1 GET /api/v1/market/orderbook/level1?symbol=BTC-USDT 200 200000 ")
