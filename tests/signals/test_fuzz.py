"""Ten thousand malformed requests over loopback: each answered with its 4xx and a JSON error,
none with a 500, none placing anything; the bridge still serves a good signal afterwards.

Every case is broken by construction (bad bytes, a field set to a value it cannot take, a
required field gone, a forged or stale signature, a wrong path, method or content type, a
body too large), so that every answer must be a refusal. ``SIGNALS_FUZZ_REQUESTS`` runs more.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import httpx

from .conftest import config, headers, order, running

REQUESTS = int(os.environ.get("SIGNALS_FUZZ_REQUESTS", "10000"))
CONCURRENCY = 8
REFUSALS = frozenset({400, 401, 403, 404, 405, 409, 413, 415, 422})
MAX_BODY = 4096


@attrs.frozen
class Case:
    kind: str
    method: str
    path: str
    headers: dict[str, str]
    content: bytes


JUNK: list[Any] = [
    None, True, False, 0, -1, -0.0, 1e308, 10**30, "", " ", "\u0000", "x" * 300, [], {}, [1, [2]],
    {"a": {"b": 1}}, "１２３", "0x10", "1_000", "1e999999999", "-5", "NaN", "Infinity", "\ud800", "💥",
    "1" * 60, "0.0000000000000000001",
]  # fmt: skip

BAD_VALUES: dict[str, list[Any]] = {
    "source": [None, 7, "voc", "", "tv ", ["tv"]],
    "signal_id": [None, 7, "", "a b", "x" * 65, "ü", "a/b", "\ud800", ["s"]],
    "symbol": [None, 7, "", "DOGE/USDT", "ETH/USDT", "BTC USDT", "B/T/C", "btc/usdt/x", "<script>", "x" * 50],
    "side": [None, "long", "BUY!", 1, "", ["buy"]],
    "type": ["stop", "LIMITED", 0, "", ["market"]],
    "price": [
        0,
        -1,
        "0",
        "-0.1",
        "abc",
        True,
        [],
        {},
        "1e999",
        "NaN",
        "Infinity",
        "1" * 45,
        "0.0000000000000000001",
    ],
    "size": [0, -1, "0", "abc", False, [], "1e999", "NaN", " ", "1" * 45],
    "time_in_force": ["GTT", "ioc!", 5, "", ["GTC"]],
    "client_tag": ["", "x" * 17, "a b", 7, "é"],
}
REQUIRED = ("source", "signal_id", "symbol", "side", "price", "size")


def _now() -> int:
    return int(time.time() * 1000)


def _signed(kind: str, payload: bytes, source: str = "tv", path: str = "/signal", **kw: Any) -> Case:
    return Case(kind, "POST", path, headers(source, payload, **kw), payload)


def _broken_signal(rng: random.Random, n: int) -> dict[str, Any]:
    body: dict[str, Any] = order(f"f{n}", price="30000", size="0.001")
    for _ in range(rng.randint(1, 3)):
        move = rng.random()
        if move < 0.55:
            field = rng.choice(list(BAD_VALUES))
            body[field] = rng.choice(BAD_VALUES[field])
        elif move < 0.75:
            body.pop(rng.choice(REQUIRED), None)
        elif move < 0.9:
            body[rng.choice(["prize", "qty", "", "x" * 100, "Side", "signal-id"])] = rng.choice(JUNK)
        else:
            body["funds"] = "10"  # with size: one or the other
    if "size" not in body:
        body.pop("funds", None)  # (funds alone would make a good limit order by funds)
    return body


def _json_bytes(rng: random.Random, body: Any) -> bytes:
    text = json.dumps(body, allow_nan=True)
    roll = rng.random()
    if roll < 0.1:
        text = text[: rng.randint(0, len(text))]  # cut short
    elif roll < 0.15:
        text = text.replace('"30000"', "NaN")
    return text.encode("utf-8", "surrogatepass")


def _case(rng: random.Random, n: int) -> Case:
    roll = rng.random()
    if roll < 0.45:
        payload = _json_bytes(rng, _broken_signal(rng, n))
        return _signed("fields", payload)
    if roll < 0.55:
        payload = rng.randbytes(rng.randint(0, 200))
        return _signed("bytes", payload)
    if roll < 0.60:
        depth = rng.choice([50, 1000, 1900])
        opener, closer = rng.choice([("[", "]"), ('{"a":', "}")])
        return _signed("deep", (opener * depth + "1" + closer * depth).encode())
    if roll < 0.62:
        payload = rng.choice([b"null", b"[]", b'"signal"', b"17", b"true", b"{}"])
        return _signed("not an object", payload)
    if roll < 0.77:
        return _bad_headers(rng, n)
    if roll < 0.85:
        return _bad_route(rng, n)
    if roll < 0.90:
        payload = json.dumps(order(f"c{n}")).encode()
        signed = headers("tv", payload)
        signed["Content-Type"] = rng.choice(
            ["text/plain", "application/jsonx", "", "multipart/form-data", "json"]
        )
        return Case("content type", "POST", "/signal", signed, payload)
    if roll < 0.91:
        payload = b'{"a":"' + b"x" * (MAX_BODY + rng.randint(1, 3000)) + b'"}'
        return _signed("too large", payload)
    if roll < 0.96:
        body = rng.choice([{"halt": "yes"}, {"halt": 1}, {"halt": None}, {"halt": True, "x": 1}, {}, [True]])
        payload = json.dumps(body).encode()
        return _signed("halt", payload, rng.choice(["ops", "tv"]), "/halt")
    path = f"/signals/{rng.choice(['nope', 'f1', 'x' * 150, '%00', 'a%2Fb'])}"
    return Case("get", "GET", path, headers(rng.choice(["tv", "voc"]), path.encode() + b"?"), b"")


def _bad_headers(rng: random.Random, n: int) -> Case:
    payload = json.dumps(order(f"h{n}")).encode()
    signed = headers("tv", payload)
    roll = rng.random()
    if roll < 0.2:
        signed.pop(rng.choice(["X-Signal-Source", "X-Signal-Timestamp", "X-Signal-Signature"]))
    elif roll < 0.4:
        signed["X-Signal-Timestamp"] = rng.choice(
            ["abc", "-1", "", "１２３", "1" * 30, "1.5e12", str(_now() + 10**6)]
        )
    elif roll < 0.6:
        good = signed["X-Signal-Signature"]
        signed["X-Signal-Signature"] = rng.choice(
            [
                good[:-1],
                good + "0",
                "z" * 64,
                good[::-1],
                "",
                "ä" * 64,
                good[:-1] + ("0" if good[-1] != "0" else "1"),
            ]
        )
    elif roll < 0.75:
        signed["X-Signal-Source"] = rng.choice(["stranger", "", "TV", "t v", "x" * 500, "ops"])
    elif roll < 0.9:
        return _signed("stale", payload, stamp=_now() - rng.choice([31_000, 10**7, _now()]))
    else:
        return _signed("forged", payload, secret=rng.choice(["wrong-wrong-wrong-wrong", "", "tv-secret"]))
    return Case("headers", "POST", "/signal", signed, payload)


def _bad_route(rng: random.Random, n: int) -> Case:
    method = rng.choice(["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "POST"])
    path = rng.choice(
        ["/", "/signal/", "/signals", "/signals/a/b", "/halt/x", "/admin", "/" + "a" * 2000, "/%2e%2e/etc"]
    )
    if method == "POST" and path in ("/signal", "/halt"):
        path = "/nowhere"
    payload = json.dumps(order(f"r{n}")).encode()
    return Case("route", method, path, headers("tv", payload), payload if method != "GET" else b"")


def _expected(case: Case) -> Callable[[int], bool]:
    return lambda status: status in REFUSALS


class RawClient:
    """HTTP/1.1 written by hand on a keep-alive connection: nothing between the fuzz and the
    server's parser (and next to nothing spent on the client's side)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def request(self, case: Case) -> tuple[int, bytes]:
        head = [f"{case.method} {case.path} HTTP/1.1".encode(), f"Host: {self.host}".encode()]
        head += [k.encode() + b": " + v.encode() for k, v in case.headers.items()]
        head.append(f"Content-Length: {len(case.content)}".encode())
        raw = b"\r\n".join(head) + b"\r\n\r\n" + case.content
        for attempt in range(2):
            if self.streams is None:
                self.streams = await asyncio.open_connection(self.host, self.port)
            reader, writer = self.streams
            try:
                writer.write(raw)
                await writer.drain()
                return await self._response(reader)
            except (ConnectionError, asyncio.IncompleteReadError):
                await self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    async def _response(self, reader: asyncio.StreamReader) -> tuple[int, bytes]:
        status = int((await reader.readuntil(b"\r\n")).split()[1])
        length, close = 0, False
        while (line := await reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "connection" and "close" in value.lower():
                close = True
        body = await reader.readexactly(length)
        if close:
            await self.close()
        return status, body

    async def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


async def test_ten_thousand_malformed_requests_answer_no_500(tmp_path: Path) -> None:
    sources = [
        {"name": "tv", "secret_env": "SIGNALS_SECRET_TV", "pairs": ["BTC/USDT"], "rate_limit": 10**9},
        {"name": "voc", "secret_env": "SIGNALS_SECRET_VOC", "pairs": ["BTC/USDT"], "rate_limit": 10**9},
        {"name": "ops", "secret_env": "SIGNALS_SECRET_OPS", "can_halt": True, "rate_limit": 10**9},
    ]
    bridge_config = config(tmp_path, sources=sources, bridge={"max_body_bytes": MAX_BODY})
    rng = random.Random(20240601)
    statuses: Counter[int] = Counter()
    by_kind: Counter[str] = Counter()
    wrong: list[tuple[str, int, bytes, bytes]] = []
    async with running(bridge_config) as s:
        url = httpx.URL(str(s.client.base_url))
        queue = [_case(rng, n) for n in range(REQUESTS)]

        async def worker(cases: list[Case]) -> None:
            client = RawClient(url.host, url.port or 80)
            try:
                for case in cases:
                    status, body = await client.request(case)
                    statuses[status] += 1
                    by_kind[case.kind] += 1
                    if status not in REFUSALS or "error" not in json.loads(body):
                        wrong.append((case.kind, status, case.content[:300], body[:300]))
            finally:
                await client.close()

        await asyncio.gather(*(worker(queue[i::CONCURRENCY]) for i in range(CONCURRENCY)))
        assert not wrong, wrong[:5]
        assert await s.exchange.fetch_open_orders() == []  # nothing malformed was placed
        good = await s.signal("after-the-storm")
        assert good.status_code == 200 and good.json()["signal"]["state"] == "placed"
    print(f"\nfuzz: {sum(statuses.values())} requests; statuses {dict(sorted(statuses.items()))}")
    print(f"fuzz: by kind {dict(by_kind)}")
    assert sum(statuses.values()) == REQUESTS >= 10_000
    assert statuses[500] == 0
    assert not wrong, wrong[:5]
