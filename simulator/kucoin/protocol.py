"""uvicorn's httptools protocol with a bound on the request head.

llhttp, under httptools, sets no limit on the request line or the headers, and uvicorn none
either: a client could send megabytes of head and the server would hold them all, waiting for
the end. This protocol counts what arrives while a request's head is incomplete and, once that
passes ``limits.MAX_HEAD_BYTES``, answers KuCoin's error (HTTP 431) and closes the connection.
It never refuses a head within the limit: it may only count too little, by the part of a read
that finished the request before.
"""

from __future__ import annotations

import json

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .limits import MAX_HEAD_BYTES, head_too_large

__all__ = ["BoundedHttpToolsProtocol"]


def _refusal() -> bytes:
    err = head_too_large()
    body = json.dumps({"code": err.code, "msg": err.msg}).encode()
    head = (
        f"HTTP/1.1 {err.status} Request Header Fields Too Large\r\n"
        f"content-type: application/json\r\ncontent-length: {len(body)}\r\n"
        f"x-result-biz-code: {err.code}\r\nconnection: close\r\n\r\n"
    )
    return head.encode() + body


_REFUSAL = _refusal()


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """``HttpToolsProtocol`` refusing a request head longer than ``MAX_HEAD_BYTES``."""

    _in_head = True  # between one request's end (or the connection's start) and its headers' end
    _head_bytes = 0

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            self._head_bytes += len(data)
        super().data_received(data)
        if self._in_head and self._head_bytes > MAX_HEAD_BYTES and not self.transport.is_closing():
            self._refuse()

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._head_bytes = 0
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head = True
        self._head_bytes = 0

    #: The whole answer to a head too large (a dialect's subclass words it its way).
    refusal = _REFUSAL

    def _refuse(self) -> None:
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            # An earlier request is still being answered: let it finish, read no more, then close.
            cycle.keep_alive = False
            self.flow.pause_reading()
            return
        self.transport.write(self.refusal)
        self.transport.close()
