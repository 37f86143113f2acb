"""How big a request may be, and reading a body no further than that.

A client's request is refused, with KuCoin's parameter-error code and the HTTP status that
names the excess, before the server holds more of it than the limit: a body by its declared
``Content-Length`` or, when it streams in chunks, as soon as it passes the limit; the request
line and headers by ``protocol`` on a real socket. The limits are those of nginx's defaults
(8 KiB request line, 32 KiB of headers) for what precedes the body, and 64 KiB for a body,
several times the largest valid batch of orders with every field at its longest.
"""

from __future__ import annotations

from starlette.requests import Request

from .errors import ApiError
from .numbers import parse_int

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_HEAD_BYTES",
    "MAX_TARGET_BYTES",
    "body_too_large",
    "head_too_large",
    "read_body",
    "target_too_long",
]

MAX_BODY_BYTES = 64 * 1024
MAX_TARGET_BYTES = 8 * 1024
MAX_HEAD_BYTES = 32 * 1024


# KuCoin documents no code of its own for these (its gateway answers them before the API);
# 400100, its parameter error, is what a client already handles, and the status says which.
def body_too_large() -> ApiError:
    return ApiError("400100", f"Request body too large: at most {MAX_BODY_BYTES} bytes", 413)


def target_too_long() -> ApiError:
    return ApiError("400100", f"Request URI too long: at most {MAX_TARGET_BYTES} bytes", 414)


def head_too_large() -> ApiError:
    return ApiError("400100", f"Request header fields too large: at most {MAX_HEAD_BYTES} bytes", 431)


async def read_body(request: Request) -> bytes:
    """The body, or ``body_too_large`` as soon as it is known to pass the limit."""
    declared = request.headers.get("content-length")
    if declared is not None:
        size = parse_int(declared)
        if size is not None and size > MAX_BODY_BYTES:
            raise body_too_large()
    chunks = []
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > MAX_BODY_BYTES:
            raise body_too_large()
        chunks.append(chunk)
    return b"".join(chunks)
