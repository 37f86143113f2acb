"""``python -m simulator serve`` on a real socket, against what a hostile or broken client sends:
oversized bodies, heads and URLs get KuCoin's error and a closed connection (never read whole,
never a hang), and a key is held to its own version."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from simulator.kucoin.limits import MAX_BODY_BYTES, MAX_HEAD_BYTES, MAX_TARGET_BYTES

from .helpers import hmac_b64

KEY, SECRET, PASSPHRASE = "v1-key", "v1-secret", "v1-pass"
READ_DEADLINE_S = 20  # a socket timeout: reached only if the server hangs


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("serve") / "stderr.log"
    with log.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "simulator", "serve", "--port", "0", "--quiet", "--rate-limits", "off",
             "--api-key", KEY, "--api-secret", SECRET, "--api-passphrase", PASSPHRASE,
             "--api-key-version", "1"],
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # blocks until the server listens or exits
        assert line.startswith("listening on "), Path(log).read_text()
        yield line.split()[2]
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.communicate(timeout=20)  # (reaps it and closes its pipe)
        except subprocess.TimeoutExpired:  # pragma: no cover - a hang is the failure
            proc.kill()
            raise


def _exchange(url: str, *parts: bytes) -> tuple[int, dict[str, str], Any]:
    """Send ``parts`` on a fresh connection, then read until the server closes it."""
    where = urlsplit(url)
    assert where.hostname is not None and where.port is not None
    received = b""
    with socket.create_connection((where.hostname, where.port), timeout=READ_DEADLINE_S) as sock:
        try:
            for part in parts:
                sock.sendall(part)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before taking it all: read what it said
        try:
            while chunk := sock.recv(65536):  # a server that never answers nor closes times out here
                received += chunk
        except ConnectionResetError:
            pass  # closed with part of the request unread, after the answer
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    return int(status_line.split()[1]), headers, json.loads(body)


def _head(method: str, target: str, *extra: str) -> bytes:
    return "\r\n".join([f"{method} {target} HTTP/1.1", "Host: sim", *extra, "", ""]).encode("latin-1")


def _assert_refused(answer: tuple[int, dict[str, str], Any], status: int, limit: int) -> None:
    got_status, headers, body = answer
    assert (got_status, body["code"]) == (status, "400100"), answer
    assert str(limit) in body["msg"] and headers["connection"] == "close"
    assert headers["content-type"] == "application/json"


def test_a_declared_50_mb_body_is_refused_before_it_is_sent(url: str) -> None:
    head = _head("POST", "/api/v1/hf/orders", "Content-Type: application/json", "Content-Length: 50000000")
    _assert_refused(_exchange(url, head, b" " * 1024), 413, MAX_BODY_BYTES)


def test_a_chunked_body_is_refused_once_past_the_limit(url: str) -> None:
    head = _head("POST", "/api/v1/hf/orders", "Content-Type: application/json", "Transfer-Encoding: chunked")
    chunk = b"2000\r\n" + b" " * 0x2000 + b"\r\n"
    # Past the limit, then nothing more (no last chunk): the answer must not wait for the end.
    _assert_refused(_exchange(url, head, chunk * (MAX_BODY_BYTES // 0x2000 + 1)), 413, MAX_BODY_BYTES)


@pytest.mark.parametrize(
    "head",
    [
        b"GET /api/v1/timestamp HTTP/1.1\r\nHost: sim\r\nX-Big: " + b"a" * (MAX_HEAD_BYTES + 1024),
        b"GET /api/v1/timestamp HTTP/1.1\r\nHost: sim\r\n" + b"X-Many: a\r\n" * (MAX_HEAD_BYTES // 11 + 100),
        b"GET /api/v1/timestamp?q=" + b"a" * (MAX_HEAD_BYTES + 1024),
    ],
    ids=["one-huge-header", "many-headers", "huge-request-line"],
)
def test_an_oversized_head_is_431_without_waiting_for_its_end(url: str, head: bytes) -> None:
    _assert_refused(_exchange(url, head), 431, MAX_HEAD_BYTES)


def test_a_long_query_is_414(url: str) -> None:
    target = "/api/v1/market/candles?symbol=BTC-USDT&type=1min&pad=" + "a" * MAX_TARGET_BYTES
    status, _headers, body = _exchange(url, _head("GET", target, "Connection: close"))
    assert (status, body["code"]) == (414, "400100") and str(MAX_TARGET_BYTES) in body["msg"]


def test_the_server_still_serves_after_the_refusals(url: str) -> None:
    assert httpx.get(url + "/api/v1/timestamp", timeout=READ_DEADLINE_S).json()["code"] == "200000"


def _v1_headers(path: str, **extra: str) -> dict[str, str]:
    ts = str(int(time.time() * 1000))
    return {
        "KC-API-KEY": KEY,
        "KC-API-SIGN": hmac_b64(SECRET, ts + "GET" + path),
        "KC-API-TIMESTAMP": ts,
        "KC-API-PASSPHRASE": PASSPHRASE,  # in clear, no version header: python-kucoin's form
        **extra,
    }


def test_a_v1_key_takes_its_passphrase_in_clear_and_nothing_else(url: str) -> None:
    path = "/api/v1/user/api-key"
    with httpx.Client(base_url=url, timeout=READ_DEADLINE_S) as client:
        assert client.get(path, headers=_v1_headers(path)).json()["data"]["apiVersion"] == 1
        signed = hmac_b64(SECRET, PASSPHRASE)
        as_v2 = _v1_headers(path, **{"KC-API-KEY-VERSION": "2", "KC-API-PASSPHRASE": signed})
        refused = client.get(path, headers=as_v2)
        assert (refused.status_code, refused.json()["code"]) == (401, "400004")
