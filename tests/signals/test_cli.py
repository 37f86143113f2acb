"""The README's flow from the shell: ``python -m simulator serve``, ``python -m signals serve``
with ``examples/bridge.toml``, and ``python -m signals send``; every one a real process."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from exchanges import connect

from .conftest import count_orders

ROOT = Path(__file__).resolve().parents[2]
KEY, SECRET, PASSPHRASE = "cli-key-0123", "cli-secret-0123456789abcdef", "cli-passphrase"
SOURCE_SECRET, OPS_SECRET = "voc-" + "a" * 40, "ops-" + "b" * 40
ENV = {
    **os.environ,
    "KUCOIN_API_KEY": KEY,
    "KUCOIN_API_SECRET": SECRET,
    "KUCOIN_API_PASSPHRASE": PASSPHRASE,
    "SIGNALS_SECRET_VOICEOFCHAIN": SOURCE_SECRET,
    "SIGNALS_SECRET_OPS": OPS_SECRET,
}


def _start(*command: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", *command], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith("listening on "):
        process.kill()
        raise AssertionError(f"{command[0]} did not start: {line!r} {process.communicate(timeout=10)[1]}")
    return process, line.split()[-1]


def _stop(process: subprocess.Popen[str]) -> tuple[int, str]:
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    return process.returncode, err


@pytest.fixture
def simulator() -> Iterator[str]:
    process, url = _start(
        "simulator", "serve", "--port", "0", "--quiet",
        "--api-key", KEY, "--api-secret", SECRET, "--api-passphrase", PASSPHRASE,
        "--api-permissions", "General,Spot", "--api-ip-whitelist", "127.0.0.1",
    )  # fmt: skip
    try:
        yield url
    finally:
        _stop(process)


def send(url: str, source: str, *args: str) -> tuple[int, int, dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, "-m", "signals", "send", "--url", url, "--source", source, *args],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=60,
    )
    status, _, body = done.stdout.partition(" ")
    return done.returncode, int(status), json.loads(body)


def test_the_readme_flow_against_the_simulator(simulator: str, tmp_path: Path) -> None:
    config = tmp_path / "bridge.toml"
    config.write_text(
        (ROOT / "examples" / "bridge.toml").read_text().replace("http://127.0.0.1:8080", simulator)
    )
    bridge, url = _start("signals", "serve", "--config", str(config), "--port", "0")
    try:
        signal_body = {
            "signal_id": "voc-1",
            "symbol": "BTC-USDT",
            "side": "buy",
            "price": "30000",
            "size": "0.001",
        }
        code, status, body = send(url, "voiceofchain", "POST", "/signal", json.dumps(signal_body))
        assert (code, status) == (0, 200) and body["signal"]["state"] == "placed"
        code, status, body = send(url, "voiceofchain", "GET", "/signals/voc-1")
        assert (code, status) == (0, 200) and body["signal"]["order_id"]
        too_big = {**signal_body, "signal_id": "voc-2", "size": "0.01"}
        code, status, body = send(url, "voiceofchain", "POST", "/signal", json.dumps(too_big))
        assert (code, status) == (1, 422) and body["error"]["code"] == "risk_limit"
        code, status, body = send(url, "ops", "POST", "/halt", '{"halt": true, "cancel_open": true}')
        assert status == 200 and body["cancelled"] == [
            {"source": "voiceofchain", "signal_id": "voc-1", "state": "cancelled"}
        ]
    finally:
        returncode, log = _stop(bridge)
    assert returncode == 0
    assert "signal voiceofchain/voc-1: placed" in log
    assert not any(secret in log for secret in (SECRET, PASSPHRASE, SOURCE_SECRET, OPS_SECRET))
    assert (tmp_path / "signals.db").exists()


def test_serve_reports_a_bad_configuration(tmp_path: Path) -> None:
    config = tmp_path / "bridge.toml"
    config.write_text((ROOT / "examples" / "bridge.toml").read_text())
    env = {k: v for k, v in ENV.items() if k != "SIGNALS_SECRET_OPS"}
    done = subprocess.run(
        [sys.executable, "-m", "signals", "serve", "--config", str(config), "--port", "0"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 2
    assert "sources[1].secret_env: the environment variable SIGNALS_SECRET_OPS is not set" in done.stderr


def _post_signal(url: str, body: dict[str, Any]) -> httpx.Response:
    payload = json.dumps(body).encode()
    stamp = str(int(time.time() * 1000))
    signature = hmac.new(SOURCE_SECRET.encode(), stamp.encode() + payload, hashlib.sha256).hexdigest()
    headers = {
        "X-Signal-Source": "voiceofchain",
        "X-Signal-Timestamp": stamp,
        "X-Signal-Signature": signature,
        "Content-Type": "application/json",
    }
    return httpx.post(f"{url}/signal", content=payload, headers=headers, timeout=30)


def _settled(url: str, body: dict[str, Any], within: float = 30.0) -> dict[str, Any]:
    """Re-deliver until the signal's state is settled (the bridge may still be taking it up)."""
    deadline = time.monotonic() + within
    while True:
        answer = _post_signal(url, body)
        signal_: dict[str, Any] = answer.json()["signal"]
        if signal_["state"] not in ("received", "unknown") or time.monotonic() > deadline:
            return signal_
        time.sleep(0.05)  # (a poll with a deadline)


async def _orders_by_client_id(sim_url: str, client_order_ids: list[str]) -> list[int]:
    judge = connect(
        "kucoin",
        base_url=sim_url,
        environ={"KUCOIN_API_KEY": KEY, "KUCOIN_API_SECRET": SECRET, "KUCOIN_API_PASSPHRASE": PASSPHRASE},
        rate_limit=False,
    )
    try:
        return [await count_orders(judge, cid) for cid in client_order_ids]
    finally:
        await judge.close()


def test_a_bridge_killed_mid_way_loses_nothing_and_doubles_nothing(simulator: str, tmp_path: Path) -> None:
    """SIGKILL while signals are in flight: no clean shutdown, whatever the audit log and the
    venue hold at that instant. After the restart every signal re-delivered ends placed, once."""
    config = tmp_path / "bridge.toml"
    config.write_text(
        (ROOT / "examples" / "bridge.toml")
        .read_text()
        .replace("http://127.0.0.1:8080", simulator)
        .replace("rate_limit = 10 ", "rate_limit = 1000 ")  # (the re-deliveries poll)
    )
    bodies = [
        {
            "source": "voiceofchain",
            "signal_id": f"kill-{i}",
            "symbol": "BTC/USDT",
            "side": "buy",
            "price": "30000",
            "size": "0.0005",
        }
        for i in range(6)
    ]
    bridge, url = _start("signals", "serve", "--config", str(config), "--port", "0")
    try:
        with ThreadPoolExecutor(len(bodies)) as pool:
            flying = [pool.submit(_post_signal, url, body) for body in bodies]
            first = next(iter(flying)).result()  # one answered: the rest are on their way
            bridge.kill()  # SIGKILL
            bridge.wait(timeout=30)
            answered = [f for f in flying if f.exception() is None]
    finally:
        if bridge.poll() is None:
            bridge.kill()
        bridge.communicate(timeout=30)
    assert first.status_code == 200 and bridge.returncode == -signal.SIGKILL
    assert answered  # (at least the first)
    bridge, url = _start("signals", "serve", "--config", str(config), "--port", "0")
    try:
        settled = [_settled(url, body) for body in bodies]
        again = [_post_signal(url, body).json() for body in bodies]
    finally:
        returncode, _ = _stop(bridge)
    assert returncode == 0
    assert [s["state"] for s in settled] == ["placed"] * len(bodies), settled
    assert all(a["duplicate"] is True and a["signal"]["state"] == "placed" for a in again)
    ids = [s["client_order_id"] for s in settled]
    assert len(set(ids)) == len(bodies)
    assert asyncio.run(_orders_by_client_id(simulator, ids)) == [1] * len(bodies)
