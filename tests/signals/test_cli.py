"""The README's flow from the shell: ``python -m simulator serve``, ``python -m signals serve``
with ``examples/bridge.toml``, and ``python -m signals send``; every one a real process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

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
