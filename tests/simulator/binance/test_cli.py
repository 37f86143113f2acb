"""``python -m simulator serve --dialect binance``: a real subprocess on a free port, its key
and balances from the command line, weights sent with limits off, the embedded market
trading every pair, the ``/sim/ws`` control paths with ``--control``."""

from __future__ import annotations

import hashlib
import hmac
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from simulator.cli import main


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    command = [sys.executable, "-m", "simulator", "serve", "--dialect", "binance", "--port", "0", "--quiet"]
    command += [
        "--api-key",
        "cli-key",
        "--api-secret",
        "cli-secret",
        "--balance",
        "USDT=250",
        "--balance",
        "ETH=3",
    ]
    command += ["--rate-limits", "off", "--seed", "5", "--control"]
    command += ["--api-permissions", "enableReading,enableSpotAndMarginTrading"]
    command += ["--api-ip-whitelist", "127.0.0.1", "--api-created-at", "2024-01-02"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert process.stdout is not None
    try:
        line = process.stdout.readline()
        assert line.startswith("listening on http://127.0.0.1:"), line
        yield line.split()[-1]
    finally:
        process.terminate()
        process.communicate(timeout=10)  # (reaps it and closes its pipe)


def _signed(**params: object) -> str:
    text = urlencode({**params, "timestamp": int(time.time() * 1000)})
    return text + "&signature=" + hmac.new(b"cli-secret", text.encode(), hashlib.sha256).hexdigest()


def test_the_account_holds_exactly_the_balances_given(served: str) -> None:
    r = httpx.get(f"{served}/api/v3/account?{_signed()}", headers={"X-MBX-APIKEY": "cli-key"})
    assert [(b["asset"], b["free"]) for b in r.json()["balances"]] == [
        ("ETH", "3.00000000"),
        ("USDT", "250.00000000"),
    ]


def test_weights_are_sent_with_limits_off(served: str) -> None:
    used = [int(httpx.get(f"{served}/api/v3/exchangeInfo").headers["X-MBX-USED-WEIGHT-1M"]) for _ in range(3)]
    assert used[1] - used[0] == 20 and used[2] - used[1] == 20


def test_every_pair_trades_within_a_few_seconds(served: str) -> None:
    info = httpx.get(f"{served}/api/v3/exchangeInfo").json()
    names = [s["symbol"] for s in info["symbols"]]
    first = {
        n: httpx.get(f"{served}/api/v3/trades", params={"symbol": n, "limit": 1}).json()[-1]["id"]
        for n in names
    }
    deadline = time.monotonic() + 10  # the market promises a trade every 3 s at most
    moved: set[str] = set()
    while moved != set(names):
        assert time.monotonic() < deadline, f"no trade on {sorted(set(names) - moved)}"
        for n in set(names) - moved:
            last = httpx.get(f"{served}/api/v3/trades", params={"symbol": n, "limit": 1}).json()[-1]["id"]
            if last != first[n]:
                moved.add(n)
        time.sleep(0.2)


def test_a_minimum_market_order_fills_at_once(served: str) -> None:
    order = _signed(symbol="ETHUSDT", side="SELL", type="MARKET", quantity="0.002")
    r = httpx.post(f"{served}/api/v3/order?{order}", headers={"X-MBX-APIKEY": "cli-key"})
    assert r.json()["status"] == "FILLED" and r.json()["executedQty"] == "0.00200000"


def test_kucoin_only_options_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--dialect", "binance", "--port", "0", "--api-passphrase", "p"]) == 2
    assert "--api-passphrase" in capsys.readouterr().err
    assert main(["serve", "--dialect", "binance", "--port", "0", "--tls"]) == 2
    assert "--tls: KuCoin's options" in capsys.readouterr().err
    assert main(["serve", "--dialect", "binance", "--port", "0", "--rate-limits", "legacy"]) == 2
    assert main(["serve", "--port", "0", "--rate-limits", "binance"]) == 2


def test_control_serves_the_control_paths(served: str) -> None:
    assert httpx.get(f"{served}/sim/ws").json() == {"topics": 0, "connections": []}


def test_the_key_restrictions_come_from_the_command_line(served: str) -> None:
    response = httpx.get(
        f"{served}/sapi/v1/account/apiRestrictions?{_signed()}", headers={"X-MBX-APIKEY": "cli-key"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["ipRestrict"], body["createTime"]) == (True, 1704153600000)  # 2024-01-02 UTC
    granted = sorted(
        name for name, value in body.items() if value is True and name.startswith(("enable", "permits"))
    )
    assert granted == ["enableReading", "enableSpotAndMarginTrading"]


def test_key_options_in_kucoins_words_are_refused_naming_binances(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    argv = ["serve", "--dialect", "binance", "--port", "0", "--api-key", "k", "--api-secret", "s"]
    assert main([*argv, "--api-permissions", "General,Spot"]) == 2
    err = capsys.readouterr().err
    assert "unknown API key permission(s): General, Spot" in err and "enableReading" in err
    config = tmp_path / "sim.toml"
    config.write_text('[[accounts]]\n[[accounts.keys]]\nkey = "t"\nsecret = "s"\n')
    assert (
        main(
            [
                "serve",
                "--dialect",
                "binance",
                "--port",
                "0",
                "--config",
                str(config),
                "--api-ip-whitelist",
                "127.0.0.1",
            ]
        )
        == 2
    )
    assert "give --api-key" in capsys.readouterr().err
