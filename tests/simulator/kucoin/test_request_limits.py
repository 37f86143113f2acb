"""How big a request may be, in-process: an oversized body or query is refused with KuCoin's
error before it is read, whether its size is declared or it streams in chunks."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx

from simulator.kucoin.limits import MAX_BODY_BYTES, MAX_TARGET_BYTES

from .helpers import Signer

LARGEST_ORDER = {
    "clientOid": "c" * 40,
    "symbol": "BTC-USDT",
    "side": "sell",
    "type": "limit",
    "price": "1" * 20 + "." + "1" * 19,
    "size": "1" * 20 + "." + "1" * 19,
    "timeInForce": "GTT",
    "cancelAfter": 2_592_000,
    "postOnly": False,
    "hidden": False,
    "iceberg": True,
    "visibleSize": "1" * 20 + "." + "1" * 19,
    "stp": "DC",
    "remark": "r" * 100,
    "tags": "t" * 100,
}


def _refusal(response: httpx.Response, status: int, limit: int) -> None:
    assert response.status_code == status, response.text
    assert response.json() == {"code": "400100", "msg": response.json()["msg"]}
    assert str(limit) in response.json()["msg"]


def test_the_body_limit_is_far_above_the_largest_batch() -> None:
    # Twenty orders (four times the batch KuCoin takes), every field at its longest, pretty-printed.
    batch = json.dumps({"symbol": "BTC-USDT", "orderList": [LARGEST_ORDER] * 20}, indent=4)
    assert 3 * len(batch.encode()) < MAX_BODY_BYTES


async def test_a_declared_body_over_the_limit_is_413_unread(
    client: httpx.AsyncClient, signer: Signer
) -> None:
    sent: list[int] = []

    async def body() -> AsyncIterator[bytes]:
        for _ in range(MAX_BODY_BYTES // 1024 + 1):
            sent.append(1024)
            yield b" " * 1024

    headers = signer.headers("POST", "/api/v1/hf/orders")
    headers.update({"Content-Type": "application/json", "Content-Length": str(MAX_BODY_BYTES + 1024)})
    response = await client.post("/api/v1/hf/orders", content=body(), headers=headers)
    _refusal(response, 413, MAX_BODY_BYTES)
    assert sent == []  # refused on the declared length, before a byte of the body was read


async def test_a_body_at_the_limit_is_read(client: httpx.AsyncClient, signer: Signer) -> None:
    text = '{"symbol":"BTC-USDT","type":"limit"}'.ljust(MAX_BODY_BYTES)
    headers = signer.headers("POST", "/api/v1/hf/orders", text)
    response = await client.post("/api/v1/hf/orders", content=text.encode(), headers=headers)
    assert response.json() == {"code": "400100", "msg": "side is required"}  # read and parsed


async def test_a_chunked_body_is_refused_once_it_passes_the_limit(
    client: httpx.AsyncClient, signer: Signer
) -> None:
    sent: list[int] = []
    chunk = b" " * 1024

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(100 * MAX_BODY_BYTES // len(chunk)):  # a hundred times the limit
            sent.append(len(chunk))
            yield chunk

    headers = signer.headers("POST", "/api/v1/hf/orders")
    headers["Content-Type"] = "application/json"
    response = await client.post("/api/v1/hf/orders", content=chunks(), headers=headers)
    _refusal(response, 413, MAX_BODY_BYTES)
    assert sum(sent) <= MAX_BODY_BYTES + 2 * len(chunk)  # read no further than the limit


async def test_a_query_over_the_limit_is_414(client: httpx.AsyncClient, signer: Signer) -> None:
    target = "/api/v1/market/candles?symbol=BTC-USDT&type=1min&pad=" + "a" * MAX_TARGET_BYTES
    _refusal(await client.get(target), 414, MAX_TARGET_BYTES)
    signed = await client.get(target, headers=signer.headers("GET", target))
    _refusal(signed, 414, MAX_TARGET_BYTES)
