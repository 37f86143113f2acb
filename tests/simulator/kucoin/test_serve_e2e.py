"""``python -m simulator serve`` as a user runs it: a real socket, hand-made signatures, signals."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from .helpers import hmac_b64

KEY, SECRET, PASSPHRASE = "e2e-key", "e2e-secret", "e2e-pass"


class Served:
    def __init__(self, proc: subprocess.Popen[str], url: str) -> None:
        self.proc = proc
        self.url = url


def _start(*args: str) -> Served:
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulator", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 30
    line = ""
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.startswith("listening on ") or (not line and proc.poll() is not None):
            break
    if not line.startswith("listening on "):
        proc.kill()
        raise AssertionError(f"no listening line; stderr: {proc.communicate(timeout=5)[1]}")
    url = line.split()[2]
    assert url.startswith("http://127.0.0.1:") and line == f"listening on {url}\n"
    return Served(proc, url)


def _stop(served: Served) -> tuple[int, str]:
    served.proc.send_signal(signal.SIGTERM)
    try:
        _out, err = served.proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:  # pragma: no cover - a hang is the failure
        served.proc.kill()
        raise
    return served.proc.returncode, err


@pytest.fixture
def served() -> Iterator[Served]:
    s = _start(
        "--seed", "7", "--api-key", KEY, "--api-secret", SECRET, "--api-passphrase", PASSPHRASE,
        "--balance", "USDT=50000", "--balance", "BTC=1",
    )  # fmt: skip
    try:
        yield s
    finally:
        if s.proc.poll() is None:
            s.proc.kill()
        s.proc.communicate(timeout=10)  # (reaps it and closes its pipes)


def _signed(
    client: httpx.Client,
    method: str,
    path: str,
    params: dict[str, Any] | None = None,
    body: dict[str, Any] | None = None,
    creds: tuple[str, str, str] = (KEY, SECRET, PASSPHRASE),
) -> Any:
    key, secret, passphrase = creds
    target = path + ("?" + urlencode(params) if params else "")
    text = json.dumps(body, separators=(",", ":")) if body is not None else ""
    ts = str(int(time.time() * 1000))
    headers = {
        "KC-API-KEY": key,
        "KC-API-SIGN": hmac_b64(secret, ts + method + target + text),
        "KC-API-TIMESTAMP": ts,
        "KC-API-PASSPHRASE": hmac_b64(secret, passphrase),
        "KC-API-KEY-VERSION": "2",
    }
    if text:
        headers["Content-Type"] = "application/json"
    response = client.request(method, target, content=text or None, headers=headers)
    payload = response.json()
    assert payload["code"] == "200000", (method, target, payload)
    return payload["data"]


def test_serve_trades_over_a_real_socket_and_stops_on_sigterm(served: Served) -> None:
    with httpx.Client(base_url=served.url, timeout=10) as client:
        server_ms = client.get("/api/v1/timestamp").json()["data"]
        assert abs(server_ms - time.time() * 1000) < 5000
        symbols = {s["symbol"]: s for s in client.get("/api/v2/symbols").json()["data"]}
        assert "BTC-USDT" in symbols
        # The embedded synthetic market keeps a two-sided book.
        deadline = time.monotonic() + 10
        while True:
            ticker = client.get("/api/v1/market/orderbook/level1", params={"symbol": "BTC-USDT"}).json()[
                "data"
            ]
            if (ticker["bestBid"] != "0" and ticker["bestAsk"] != "0") or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert Decimal(ticker["bestBid"]) < Decimal(ticker["bestAsk"])

        balances = {a["currency"]: a for a in _signed(client, "GET", "/api/v1/accounts", {"type": "trade"})}
        assert balances["USDT"]["available"] == "50000" and balances["BTC"]["balance"] == "1"

        tick = Decimal(symbols["BTC-USDT"]["priceIncrement"])
        price = str((Decimal(ticker["bestBid"]) * Decimal("0.9") / tick).to_integral_value() * tick)
        order = {"clientOid": "e2e-1", "symbol": "BTC-USDT", "side": "buy", "type": "limit", "price": price,
                 "size": "0.01"}  # fmt: skip
        order_id = _signed(client, "POST", "/api/v1/hf/orders", body=order)["orderId"]
        got = _signed(client, "GET", f"/api/v1/hf/orders/{order_id}", {"symbol": "BTC-USDT"})
        assert got["active"] and got["price"] == price
        held = _signed(client, "GET", "/api/v1/accounts", {"currency": "USDT", "type": "trade"})[0]
        assert Decimal(held["holds"]) >= Decimal(price) * Decimal("0.01")
        assert _signed(client, "DELETE", f"/api/v1/hf/orders/{order_id}", {"symbol": "BTC-USDT"}) == {
            "orderId": order_id
        }
        assert not _signed(client, "GET", f"/api/v1/hf/orders/{order_id}", {"symbol": "BTC-USDT"})["active"]

        market = {"clientOid": "e2e-2", "symbol": "BTC-USDT", "side": "buy", "type": "market", "funds": "100"}
        done = _signed(client, "POST", "/api/v1/hf/orders/sync", body=market)
        assert done["status"] == "done" and Decimal(done["dealSize"]) > 0
        fills = _signed(client, "GET", "/api/v1/hf/fills", {"symbol": "BTC-USDT"})["items"]
        assert fills and fills[0]["orderId"] == done["orderId"]

        refused = client.get("/api/v1/accounts")  # unsigned private call
        assert (refused.status_code, refused.json()["code"]) == (400, "400001")
        forged = "/api/v1/x%0A127.0.0.1%20DELETE%20/api/v1/hf/orders%20200%20200000%200.1ms"
        assert client.get(forged).json()["code"] == "404000"


    code, log = _stop(served)
    assert code == 0
    assert "POST /api/v1/hf/orders 200 200000" in log  # one line per request
    assert "DELETE /api/v1/hf/orders 200" not in log  # a line break in a path writes no line
    assert "GET /api/v1/x%0A127.0.0.1%20DELETE" in log
    assert SECRET not in log and PASSPHRASE not in log


def test_demo_credentials_are_printed_and_work() -> None:
    s = _start("--rate-limits", "legacy")
    try:
        assert s.proc.stdout is not None
        creds = dict(s.proc.stdout.readline().strip().split(": ", 1) for _ in range(3))
        assert set(creds) == {"api key", "api secret", "api passphrase"}
        ts = str(int(time.time() * 1000))
        headers = {
            "KC-API-KEY": creds["api key"],
            "KC-API-SIGN": hmac_b64(creds["api secret"], ts + "GET/api/v1/accounts"),
            "KC-API-TIMESTAMP": ts,
            "KC-API-PASSPHRASE": hmac_b64(creds["api secret"], creds["api passphrase"]),
            "KC-API-KEY-VERSION": "2",
        }
        response = httpx.get(s.url + "/api/v1/accounts", headers=headers, timeout=10)
        assert response.json()["code"] == "200000"
        assert response.headers["gw-ratelimit-limit"] == "30"  # legacy: private 30 per 3 s per key
    finally:
        s.proc.send_signal(signal.SIGINT)
        s.proc.communicate(timeout=20)  # (reaps it and closes its pipes)
        assert s.proc.returncode == 0


CONFIG = """
seed = 3
rate_limits = "off"

[[accounts]]
name = "alice"
vip_level = 4
balances = { USDT = "2500" }
[[accounts.keys]]
key = "alice-key"
secret = "alice-secret"
passphrase = "alice-pass"
permissions = ["General"]

[venue]
synthetic = false
taker_fee_rate = "0.002"
[[venue.symbols]]
symbol = "DOGE-USDT"
baseIncrement = "1"
quoteIncrement = "0.0001"
priceIncrement = "0.00001"
baseMinSize = "10"
quoteMinSize = "1"
initialPrice = "0.15"
"""


def test_config_file_sets_accounts_keys_symbols_and_fees(tmp_path: Path) -> None:
    path = tmp_path / "sim.toml"
    path.write_text(CONFIG)
    s = _start("--config", str(path))
    try:
        assert s.proc.stdout is not None
        with httpx.Client(base_url=s.url, timeout=10) as client:
            symbols = [x["symbol"] for x in client.get("/api/v2/symbols").json()["data"]]
            assert symbols == ["DOGE-USDT"]
            alice = ("alice-key", "alice-secret", "alice-pass")
            assert _signed(client, "GET", "/api/v2/user-info", creds=alice)["level"] == 4
            assert _signed(client, "GET", "/api/v1/base-fee", creds=alice)["takerFeeRate"] == "0.002"
            balances = _signed(client, "GET", "/api/v1/accounts", creds=alice)
            assert [(b["currency"], b["balance"]) for b in balances] == [("USDT", "2500")]
            response = client.post("/api/v1/hf/orders", headers={"KC-API-KEY": "alice-key"})
            assert response.json()["code"] == "400001"
    finally:
        code, _log = _stop(s)
    assert code == 0


def test_bad_options_exit_with_a_message() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "simulator", "serve", "--port", "0", "--api-key", "only-a-key"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2 and "go together" in result.stderr


def _serve_fails(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "simulator", "serve", "--quiet", *args],
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_a_port_out_of_range_is_refused() -> None:
    result = _serve_fails("--port", "99999")
    assert result.returncode == 2 and "99999 is not a port (0-65535)" in result.stderr


def test_a_taken_port_is_one_clear_line_not_a_traceback() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _serve_fails("--port", str(port))
    assert result.returncode == 1, result.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_balance_the_venue_refuses_is_one_line() -> None:
    result = _serve_fails("--port", "0", "--balance", "USDT=1e400")
    assert result.returncode == 2 and "amount too large" in result.stderr
    assert "Traceback" not in result.stderr
