"""The served dialect's HTTP protocol: a request head past the bound answered in Binance's
words (HTTP 431, ``-1101``) before the connection closes."""

from __future__ import annotations

import json

from simulator.kucoin.limits import MAX_HEAD_BYTES
from simulator.kucoin.protocol import BoundedHttpToolsProtocol

__all__ = ["BinanceHttpProtocol"]


def _refusal() -> bytes:
    body = json.dumps(
        {"code": -1101, "msg": f"Request header fields too large: at most {MAX_HEAD_BYTES} bytes"}
    )
    head = (
        "HTTP/1.1 431 Request Header Fields Too Large\r\n"
        f"content-type: application/json;charset=UTF-8\r\ncontent-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode() + body.encode()


class BinanceHttpProtocol(BoundedHttpToolsProtocol):
    refusal = _refusal()
