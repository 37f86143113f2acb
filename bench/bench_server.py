"""HTTP throughput of the served simulator over loopback (``python -m simulator serve``), against
a bare Starlette endpoint under the same uvicorn configuration, measured the same way in the
same run.

Load comes from several client processes (``bench.load``: HTTP/1.1 by hand on keep-alive
connections) and, when Debian's ``wrk`` is installed, from wrk too (a C load generator, for
the GETs: it cannot sign). Workloads: ``GET /api/v1/timestamp`` on both servers, and signed
place-then-cancel pairs (an HF limit order far below the market, then its cancel by id) on the
simulator. For each: the rate, the server's CPU per request (``/proc``, Linux) and how busy
the server was (CPU seconds per second: near 1.0, the one-process server is the bottleneck,
not the load generator). Client and server share the machine's cores, so rates move with its
load; CPU per request is the steadier figure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.load import KEY, PASSPHRASE, SECRET

SECONDS = float(os.environ.get("BENCH_SECONDS", "4"))
PROCESSES = int(os.environ.get("BENCH_CLIENT_PROCESSES", "2"))
CONNECTIONS = 8  # per client process
TIMESTAMP = "get:/api/v1/timestamp"
SERVE = [
    "--port", "0", "--rate-limits", "off", "--quiet",
    "--api-key", KEY, "--api-secret", SECRET, "--api-passphrase", PASSPHRASE,
    "--balance", "USDT=100000000", "--balance", "BTC=1000",
]  # fmt: skip


def start(command: list[str]) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.startswith("listening on "):
            return proc, line.split()[-1]
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise RuntimeError(f"{command[2:4]} did not start")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` (Linux /proc)."""
    with Path(f"/proc/{pid}/stat").open() as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Measured:
    """One workload's rate and the server's CPU over it."""

    def __init__(self, count: int, seconds: float, cpu: float) -> None:
        self.rate = count / seconds
        self.cpu_ms = cpu / count * 1000 if count else float("nan")
        self.busy = cpu / seconds


def _python_clients(url: str, workload: str, pid: int, seconds: float = SECONDS) -> Measured:
    command = [sys.executable, "-m", "bench.load", url, workload, str(CONNECTIONS), str(seconds)]
    cpu = cpu_seconds(pid)
    procs = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True) for _ in range(PROCESSES)]
    counts = [json.loads(p.communicate(timeout=seconds + 60)[0])["count"] for p in procs]
    return Measured(sum(counts), seconds, cpu_seconds(pid) - cpu)


def _wrk(url: str, pid: int) -> Measured | None:
    wrk = shutil.which("wrk")
    if wrk is None:
        return None
    cpu = cpu_seconds(pid)
    out = subprocess.run(
        [wrk, "-t1", f"-c{CONNECTIONS * PROCESSES}", f"-d{SECONDS:g}s", url],
        capture_output=True,
        text=True,
        timeout=SECONDS + 60,
    ).stdout
    spent = cpu_seconds(pid) - cpu
    found = re.search(r"(\d+) requests in ([\d.]+)s", out)
    if found is None:
        return None
    return Measured(int(found.group(1)), float(found.group(2)), spent)


def _show(name: str, got: Measured, unit: str = "req/s") -> None:
    print(f"{name}: {got.rate:.0f} {unit}")
    print(f"{name}_server_cpu: {got.cpu_ms:.3f} ms")
    print(f"{name}_server_busy: {got.busy:.2f} cpu s/s")


def main() -> None:
    sim, sim_url = start([sys.executable, "-m", "simulator", "serve", *SERVE])
    bare, bare_url = start([sys.executable, "-m", "bench.bare_app"])
    try:
        _python_clients(sim_url, TIMESTAMP, sim.pid, 0.5)  # (warm both up)
        _python_clients(bare_url, TIMESTAMP, bare.pid, 0.5)
        py_bare = _python_clients(bare_url, TIMESTAMP, bare.pid)
        py_time = _python_clients(sim_url, TIMESTAMP, sim.pid)
        py_pairs = _python_clients(sim_url, "pairs", sim.pid)
        wrk_bare = _wrk(bare_url + "/api/v1/timestamp", bare.pid)
        wrk_time = _wrk(sim_url + "/api/v1/timestamp", sim.pid)
    finally:
        for proc in (sim, bare):
            proc.terminate()
            proc.wait(timeout=10)
    print(f"# {PROCESSES} client processes x {CONNECTIONS} connections, {SECONDS:g} s each")
    _show("python_clients_bare_starlette", py_bare)
    _show("python_clients_server_timestamp", py_time)
    _show("python_clients_server_place_cancel_pairs", py_pairs, "pairs/s")
    print(f"server_timestamp_vs_bare_rate: {py_time.rate / py_bare.rate:.3f} ratio")
    print(f"server_timestamp_vs_bare_cpu: {py_time.cpu_ms / py_bare.cpu_ms:.2f} ratio")
    print(f"server_pair_vs_timestamp_cpu: {py_pairs.cpu_ms / py_time.cpu_ms:.2f} ratio")
    if wrk_bare is None or wrk_time is None:
        print("# wrk is not installed (Debian: apt-get install wrk): no C load generator figures")
        return
    _show("wrk_bare_starlette", wrk_bare)
    _show("wrk_server_timestamp", wrk_time)
    print(f"wrk_server_timestamp_vs_bare_rate: {wrk_time.rate / wrk_bare.rate:.3f} ratio")
    print(f"wrk_server_timestamp_vs_bare_cpu: {wrk_time.cpu_ms / wrk_bare.cpu_ms:.2f} ratio")


if __name__ == "__main__":
    main()
