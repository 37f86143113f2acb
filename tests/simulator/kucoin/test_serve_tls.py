"""``python -m simulator serve --tls``: https and wss on one port, with a throw-away certificate
whose authority it prints; the bullet paths then hand out ``wss://`` with ``encrypt: true``."""

from __future__ import annotations

import json
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import httpx
import pytest


def _serve(*args: str) -> tuple[subprocess.Popen[str], list[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulator", "serve", "--port", "0", "--quiet", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(lines) < 5:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
    return proc, lines


async def test_tls_serves_https_and_wss_with_a_certificate_it_prints() -> None:
    proc, lines = _serve("--tls", "--control")
    try:
        assert lines[0].startswith("listening on https://127.0.0.1:"), lines
        url = lines[0].split()[-1]
        prefix = "tls: trust this throw-away certificate authority: "
        assert lines[1].startswith(prefix), lines
        ca = Path(lines[1][len(prefix) :])
        context = ssl.create_default_context(cafile=str(ca))  # (fails if there is no such file)
        async with httpx.AsyncClient(base_url=url, verify=context) as http:
            token = (await http.post("/api/v1/bullet-public")).json()["data"]
            (server,) = token["instanceServers"]
            assert server["endpoint"] == url.replace("https://", "wss://") + "/ws"
            assert server["encrypt"] is True
            endpoint = f"{server['endpoint']}?token={token['token']}&connectId=tls-1"
            async with aiohttp.ClientSession() as session, session.ws_connect(endpoint, ssl=context) as ws:
                assert json.loads(await ws.receive_str()) == {"id": "tls-1", "type": "welcome"}
                state = (await http.get("/sim/ws")).json()
                assert [c["connectId"] for c in state["connections"]] == ["tls-1"]
        async with httpx.AsyncClient(base_url=url) as untrusting:
            # (the certificate is nobody's but the printed authority's)
            with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
                await untrusting.get("/api/v1/timestamp")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=20)  # (reaps it and closes its pipes)
        assert proc.returncode == 0


def test_a_certificate_without_its_key_is_refused() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "simulator", "serve", "--port", "0", "--tls-cert", "cert.pem"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2 and "--tls-cert and --tls-key go together" in result.stderr
