"""Key hygiene: the rules (pure), the search for leaked credentials, and the command against
the simulator's KuCoin server on loopback."""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from exchanges import ApiKeyInfo, KeyPermission, Purpose, SystemClock, check_key
from exchanges.cli_keycheck import configure, run
from exchanges.keycheck import Result, SecretHit
from exchanges.secret_scan import git_files, scan_files, search_for
from simulator import Venue
from simulator.kucoin import AccountConfig, ApiKey, FacadeConfig, build_facade, serve_in_thread

P = KeyPermission
NOW = 1_760_000_000_000
DAY = 86_400_000


def key(
    *permissions: KeyPermission, whitelist: tuple[str, ...] = ("10.0.0.1",), age_days: int = 3
) -> ApiKeyInfo:
    return ApiKeyInfo(
        venue="kucoin",
        permissions=frozenset(permissions),
        ip_whitelist=whitelist,
        created_at=NOW - age_days * DAY,
    )


def results(info: ApiKeyInfo, purpose: Purpose, **kw: Any) -> dict[str, list[tuple[Result, str]]]:
    out: dict[str, list[tuple[Result, str]]] = {}
    for check in check_key(info, purpose, now_ms=NOW, **kw).checks:
        out.setdefault(check.name, []).append((check.result, check.detail))
    return out


# --- the rules -----------------------------------------------------------------------------------


def test_a_least_privilege_trading_key_passes() -> None:
    report = check_key(key(P.READ, P.TRADE), Purpose.TRADE, now_ms=NOW, searched={"git": "3 files"})
    assert report.ok
    by_name = {c.name: c.result for c in report.checks}
    assert by_name == {
        "permissions": Result.PASS,
        "ip whitelist": Result.PASS,
        "age": Result.PASS,
        "secrets in git": Result.PASS,
        "secrets in git history": Result.SKIP,
        "secrets in env dump": Result.SKIP,
    }


@pytest.mark.parametrize(
    ("purpose", "granted", "excess"),
    [
        (Purpose.DATA, (P.READ, P.TRADE), "trade"),  # a market data bot never needs Trade
        (Purpose.TRADE, (P.READ, P.TRADE, P.WITHDRAW), "withdraw"),  # a signal follower never needs Transfer
        (Purpose.TRADE, (P.READ, P.TRADE, P.FUTURES, P.MARGIN), "margin, futures"),
        (Purpose.WITHDRAW, (P.READ, P.WITHDRAW, P.EARN), "earn"),
    ],
)
def test_more_permission_than_the_purpose_needs_fails(
    purpose: Purpose, granted: tuple[KeyPermission, ...], excess: str
) -> None:
    report = check_key(key(*granted), purpose, now_ms=NOW)
    assert not report.ok
    [(result, detail)] = results(key(*granted), purpose)["permissions"]
    assert result is Result.FAIL and detail.startswith(f"grants {excess} beyond what a {purpose} key needs")


def test_a_permission_allowed_by_hand_is_not_excess() -> None:
    info = key(P.READ, P.TRADE, P.FUTURES)
    assert results(info, Purpose.TRADE, allow=frozenset({P.FUTURES}))["permissions"][0][0] is Result.PASS


def test_a_key_that_cannot_do_its_job_fails() -> None:
    [(result, detail)] = results(key(P.READ), Purpose.TRADE)["permissions"]
    assert result is Result.FAIL and detail == "lacks trade: a trade key needs it"


def test_unrecognised_venue_permissions_are_flagged_for_a_human() -> None:
    info = ApiKeyInfo(
        venue="kucoin",
        permissions=frozenset({P.READ}),
        venue_permissions=frozenset({"General", "Shiny"}),
        unrecognised_permissions=frozenset({"Shiny"}),
        ip_whitelist=("1.2.3.4",),
        created_at=NOW,
    )
    assert (Result.WARN, "kucoin permission(s) not understood: Shiny") in results(info, Purpose.DATA)[
        "permissions"
    ]


def test_no_ip_whitelist_fails_a_trading_key_and_warns_a_data_key() -> None:
    assert results(key(P.READ, P.TRADE, whitelist=()), Purpose.TRADE)["ip whitelist"] == [
        (Result.FAIL, "none: the key works from any address")
    ]
    assert results(key(P.READ, whitelist=()), Purpose.DATA)["ip whitelist"][0][0] is Result.WARN
    assert check_key(key(P.READ, whitelist=()), Purpose.DATA, now_ms=NOW).ok


@pytest.mark.parametrize(
    ("age", "max_age", "expected"), [(89, 90, Result.PASS), (91, 90, Result.FAIL), (31, 30, Result.FAIL)]
)
def test_keys_older_than_the_rotation_period_fail(age: int, max_age: int, expected: Result) -> None:
    [(result, detail)] = results(key(P.READ, age_days=age), Purpose.DATA, max_age_days=max_age)["age"]
    assert result is expected and f"created {age} days ago" in detail


def test_a_key_of_unknown_age_is_a_warning() -> None:
    info = ApiKeyInfo(venue="x", permissions=frozenset({P.READ}), ip_whitelist=("1.1.1.1",))
    assert results(info, Purpose.DATA)["age"] == [(Result.WARN, "x does not say when the key was created")]


def test_each_leaked_secret_fails_by_place_and_line() -> None:
    hits = [
        SecretHit(variable="KUCOIN_API_SECRET", where="git", path="bot/config.py", line=3),
        SecretHit(variable="KUCOIN_API_KEY", where="env dump", path="ci.log", line=40),
    ]
    found = results(key(P.READ), Purpose.DATA, hits=hits, searched={"git": "g", "env dump": "e"})
    assert found["secrets in git"] == [
        (Result.FAIL, "the value of KUCOIN_API_SECRET is in bot/config.py line 3: revoke the key")
    ]
    assert found["secrets in env dump"][0][0] is Result.FAIL


# --- searching files -----------------------------------------------------------------------------

SECRET_VALUE = "f03a5284-5c39-4aaa-9b20-dea10bdcf8e3"


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", *args],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "bot").mkdir(parents=True)
    git(root, "init", "-q")
    (root / "README.md").write_text("nothing here\n")
    (root / "bot" / "config.py").write_text(f'KEY = "abc"\n\nSECRET = "{SECRET_VALUE}"  # oops\n')
    (root / "notes.txt").write_text(f"untracked: {SECRET_VALUE}\n")  # never added
    git(root, "add", "README.md", "bot/config.py")
    git(root, "commit", "-q", "-m", "init")
    return root


def test_git_search_finds_a_tracked_secret_by_file_and_line(repo: Path) -> None:
    found = git_files(repo / "bot")  # (from anywhere inside the repository)
    assert found is not None
    root, files = found
    assert {f.name for f in files} == {"README.md", "config.py"}
    hits = scan_files(files, {"KUCOIN_API_SECRET": SECRET_VALUE}, where="git", relative_to=root)
    assert hits == [SecretHit(variable="KUCOIN_API_SECRET", where="git", path="bot/config.py", line=3)]


def test_outside_a_repository_there_is_nothing_to_search(tmp_path: Path) -> None:
    assert git_files(tmp_path) is None


def test_short_values_are_not_searched(tmp_path: Path) -> None:
    dump = tmp_path / "env.txt"
    dump.write_text("PASS=abc\nX=abcdefgh\n")
    assert scan_files([dump], {"P": "abc"}, where="env dump") == []
    assert [h.line for h in scan_files([dump], {"P": "abcdefgh"}, where="env dump")] == [2]


def test_a_credential_too_short_to_search_is_a_warning_never_a_pass() -> None:
    found = results(
        key(P.READ, P.TRADE),
        Purpose.TRADE,
        searched={"git": "3 tracked files of /r"},
        unsearched=("KUCOIN_API_PASSPHRASE",),
    )
    [(result, detail)] = found["secrets in git"]
    assert result is Result.WARN
    assert detail == (
        "no credential found in 3 tracked files of /r; KUCOIN_API_PASSPHRASE not searched: under 8 "
        "characters, too short to search for (it would match by chance), so it may be there unseen"
    )


def test_the_search_says_what_it_could_not_search_for(repo: Path) -> None:
    (repo / ".env").write_text("KUCOIN_API_PASSPHRASE=7chars!\n")  # committed, and not findable
    git(repo, "add", ".env")
    git(repo, "commit", "-q", "-m", "env")
    found = search_for({"KUCOIN_API_SECRET": SECRET_VALUE, "KUCOIN_API_PASSPHRASE": "7chars!"}, repo=repo)
    assert found.unsearched == ("KUCOIN_API_PASSPHRASE",) and found.broken == {}
    assert [h.path for h in found.hits if h.where == "git"] == ["bot/config.py"]
    report = check_key(key(P.READ), Purpose.DATA, now_ms=NOW, **found.report_fields())
    results_ = {c.name: c.result for c in report.checks}
    assert results_["secrets in git"] is Result.FAIL  # (the long one, found)
    clean = search_for({"KUCOIN_API_PASSPHRASE": "7chars!"}, repo=repo)
    report = check_key(key(P.READ), Purpose.DATA, now_ms=NOW, **clean.report_fields())
    assert {c.name: c.result for c in report.checks}["secrets in git"] is Result.WARN


def head(repo: Path) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_a_secret_committed_then_deleted_is_found_in_the_history(repo: Path) -> None:
    (repo / "deploy.sh").write_text(f"#!/bin/sh\nexport KUCOIN_API_SECRET={SECRET_VALUE}\n")
    git(repo, "add", "deploy.sh")
    git(repo, "commit", "-q", "-m", "deploy")
    added = head(repo)
    git(repo, "rm", "-q", "deploy.sh", "bot/config.py")
    git(repo, "commit", "-q", "-m", "remove the secrets")
    search = search_for({"KUCOIN_API_SECRET": SECRET_VALUE}, repo=repo)
    assert [h for h in search.hits if h.where == "git"] == []  # (no tracked file holds it now)
    history = sorted((h.path, h.line, h.commit) for h in search.hits if h.where == "git history")
    assert history[1] == ("deploy.sh", 2, added)
    assert history[0][:2] == ("bot/config.py", 3)
    assert "3 commits" in search.searched["git history"]
    found = results(key(P.READ), Purpose.DATA, hits=search.hits, searched=search.searched)
    assert (
        Result.FAIL,
        f"the value of KUCOIN_API_SECRET was committed in {added[:12]} (deploy.sh line 2): "
        "it stays in the history after the file is gone; revoke the key",
    ) in found["secrets in git history"]


def test_outside_a_git_repository_the_verdict_says_the_git_check_could_not_run(
    sim_url: str, tmp_path: Path
) -> None:
    argv = ["--venue", "kucoin", "--base-url", sim_url, "--purpose", "trade", "--repo", str(tmp_path)]
    code, out, _ = keycheck(argv, env_of(GOOD))
    assert code == 1, out
    assert f"could not run: {tmp_path} is not in a git repository" in out
    assert "verdict: FAIL (2 check(s) failed: secrets in git, secrets in git history)" in out
    code, out, _ = keycheck([*argv, "--no-git"], env_of(GOOD))
    assert code == 0 and "verdict: OK" in out and "--no-git given" in out


# --- the command, against the simulator's KuCoin server -------------------------------------------

GOOD = ("good-key-0123456", "good-secret-0123456789abcdef", "good-passphrase-1")
LOOSE = ("loose-key-0123456", "loose-secret-0123456789abcdef", "loose-passphrase-1")


def env_of(creds: tuple[str, str, str]) -> dict[str, str]:
    return dict(zip(("KUCOIN_API_KEY", "KUCOIN_API_SECRET", "KUCOIN_API_PASSPHRASE"), creds, strict=True))


@pytest.fixture(scope="module")
def sim_url() -> Iterator[str]:
    now = int(time.time() * 1000)
    good = ApiKey(
        key=GOOD[0],
        secret=GOOD[1],
        passphrase=GOOD[2],
        permissions=frozenset({"General", "Spot"}),
        ip_whitelist=("127.0.0.1",),
        created_at=now - 10 * DAY,
        remark="signal bot",
    )
    loose = ApiKey(
        key=LOOSE[0],
        secret=LOOSE[1],
        passphrase=LOOSE[2],
        permissions=frozenset({"General", "Spot", "Transfer", "Futures"}),
        created_at=now - 200 * DAY,
    )
    accounts = (
        AccountConfig(uid=10001, balances={"USDT": Decimal(10)}, keys=(good,)),
        AccountConfig(uid=10002, balances={"USDT": Decimal(10)}, keys=(loose,)),
    )
    venue = Venue(seed=1, clock=SystemClock())
    with serve_in_thread(build_facade(venue, FacadeConfig(accounts=accounts)).app) as url:
        yield url


def keycheck(argv: list[str], environ: Mapping[str, str]) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser()
    configure(parser)
    out, err = io.StringIO(), io.StringIO()
    code = run(parser.parse_args(argv), environ=environ, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_a_well_kept_key_passes_with_exit_0(sim_url: str, repo: Path) -> None:
    code, out, _ = keycheck(
        ["--venue", "kucoin", "--base-url", sim_url, "--purpose", "trade", "--repo", str(repo)], env_of(GOOD)
    )
    assert code == 0, out
    assert "kucoin key for trade: account 10001, label 'signal bot', key version 3" in out
    assert "permissions:  read, trade (General, Spot)" in out and "ip whitelist: 127.0.0.1" in out
    assert "verdict: OK" in out
    assert not any(secret in out for secret in GOOD)


def test_a_loose_key_fails_every_rule_with_exit_1_in_json(sim_url: str, repo: Path, tmp_path: Path) -> None:
    dump = tmp_path / "ci.log"
    # (the key itself is an identifier, not a secret: it is not searched for)
    dump.write_text("step 1\n" + "\n".join(f"{k}={v}" for k, v in env_of(LOOSE).items()) + "\n")
    (repo / "bot" / "config.py").write_text(f"SECRET = '{LOOSE[1]}'\n")
    git(repo, "commit", "-q", "-am", "oops")
    argv = ["--venue", "kucoin", "--base-url", sim_url, "--purpose", "trade", "--repo", str(repo)]
    code, out, _ = keycheck([*argv, "--env-dump", str(dump), "--format", "json"], env_of(LOOSE))
    assert code == 1
    report = json.loads(out)
    assert report["ok"] is False and report["venue"] == "kucoin" and report["purpose"] == "trade"
    assert report["key"]["permissions"] == ["futures", "read", "trade", "withdraw"]
    assert report["key"]["venue_permissions"] == ["Futures", "General", "Spot", "Transfer"]
    failed = {(c["check"], c["detail"].split(":")[0]) for c in report["checks"] if c["result"] == "fail"}
    assert failed == {
        ("permissions", "grants futures, withdraw beyond what a trade key needs (read, trade)"),
        ("ip whitelist", "none"),
        ("age", "created 200 days ago (" + report["checks"][2]["detail"].split("(")[1].split(")")[0] + ")"),
        ("secrets in git", "the value of KUCOIN_API_SECRET is in bot/config.py line 1"),
        (
            "secrets in git history",
            f"the value of KUCOIN_API_SECRET was committed in {head(repo)[:12]} (bot/config.py line 1)",
        ),
        ("secrets in env dump", f"the value of KUCOIN_API_SECRET is in {dump} line 3"),
        ("secrets in env dump", f"the value of KUCOIN_API_PASSPHRASE is in {dump} line 4"),
    }
    assert not any(secret in out for secret in LOOSE)


def test_a_shorter_rotation_period_and_an_allowed_permission(sim_url: str) -> None:
    argv = ["--venue", "kucoin", "--base-url", sim_url, "--no-git", "--format", "json"]
    code, out, _ = keycheck([*argv, "--purpose", "trade", "--max-age-days", "7"], env_of(GOOD))
    assert code == 1 and [c["check"] for c in json.loads(out)["checks"] if c["result"] == "fail"] == ["age"]
    code, out, _ = keycheck([*argv, "--purpose", "data", "--allow", "trade"], env_of(GOOD))
    assert code == 0


@pytest.mark.parametrize(
    ("argv", "environ", "message"),
    [
        (["--purpose", "trade"], {}, "name the venue: --venue kucoin"),
        (["--venue", "paper", "--purpose", "trade"], {}, "venue 'paper' does not report API key information"),
        (["--venue", "kucoin", "--purpose", "data"], {}, "missing environment variable(s): KUCOIN_API_KEY"),
        (["--venue", "no-such-venue", "--purpose", "data"], {}, "unknown venue 'no-such-venue'"),
        (
            ["--venue", "kucoin", "--option", "api_secret=hunter2-hunter2", "--purpose", "data"],
            {},
            "process list",
        ),
        (
            ["--venue", "kucoin", "--option", "timeout=x", "--purpose", "data"],
            {},
            "timeout: expected a number",
        ),
        (
            ["--venue", "kucoin", "--env-dump", "/no/such/file", "--purpose", "data"],
            env_of(GOOD),
            "no such environment dump",
        ),
    ],
)
def test_a_key_that_cannot_be_checked_exits_2(
    argv: list[str], environ: dict[str, str], message: str, sim_url: str
) -> None:
    where = [] if "paper" in argv else ["--base-url", sim_url]
    code, out, err = keycheck([*argv, *where], environ)
    assert code == 2 and out == ""
    assert message in err, err
    assert "hunter2" not in err


def test_credentials_the_venue_refuses_exit_2_with_its_code_and_no_secret(sim_url: str) -> None:
    wrong = (GOOD[0], "wrong-secret-0123456789", GOOD[2])
    code, _, err = keycheck(["--venue", "kucoin", "--base-url", sim_url, "--purpose", "data"], env_of(wrong))
    assert code == 2 and "[kucoin 400004] Invalid KC-API-PASSPHRASE" in err  # (signed with the secret)
    assert not any(value in err for value in wrong)


def test_the_venue_and_its_options_from_a_toml_table(sim_url: str, tmp_path: Path) -> None:
    config = tmp_path / "bot.toml"
    config.write_text(f'[exchange]\nvenue = "kucoin"\nbase_url = "{sim_url}"\ntimeout = 5\n')
    argv = ["--config", str(config), "--table", "exchange", "--purpose", "trade", "--no-git"]
    code, out, _ = keycheck(argv, env_of(GOOD))
    assert code == 0 and "secrets in git" in out and "--no-git given" in out


def test_python_m_exchanges_keycheck_against_python_m_simulator_serve(tmp_path: Path) -> None:
    """The README's flow: a key declared with the simulator's key options, checked from the shell."""
    key_, secret, passphrase = "shell-key-0123", "shell-secret-0123456789", "shell-pass-0123"
    server = subprocess.Popen(
        [
            sys.executable, "-m", "simulator", "serve", "--port", "0", "--quiet",
            "--api-key", key_, "--api-secret", secret, "--api-passphrase", passphrase,
            "--api-permissions", "General,Spot", "--api-ip-whitelist", "127.0.0.1",
            "--api-created-at", "2024-01-02",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert line.startswith("listening on "), line
        url = line.split()[-1]
        env = {**os.environ, **env_of((key_, secret, passphrase))}
        done = subprocess.run(
            [sys.executable, "-m", "exchanges", "keycheck", "--venue", "kucoin", "--base-url", url,
             "--purpose", "trade", "--no-git", "--format", "json"],
            capture_output=True, text=True, env=env, timeout=60,
        )  # fmt: skip
    finally:
        server.terminate()
        server.communicate(timeout=20)  # (reaps it and closes its pipe)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["key"]["venue_permissions"] == ["General", "Spot"]
    assert report["key"]["ip_whitelist"] == ["127.0.0.1"]
    assert report["key"]["created_at"] == 1704153600000  # 2024-01-02 UTC
    assert [c["check"] for c in report["checks"] if c["result"] == "fail"] == ["age"]


def test_python_m_exchanges_keycheck_against_the_binance_dialect(tmp_path: Path) -> None:
    """The same flow on Binance: the simulator's key options in Binance's words, read back
    through ``GET /sapi/v1/account/apiRestrictions`` by the Binance adapter."""
    if importlib.util.find_spec("adapters.binance") is None:
        pytest.skip("adapters.binance is not importable here: no adapter reads Binance's key restrictions")
    key_, secret = "bn-shell-key-0123", "bn-shell-secret-0123456789"
    server = subprocess.Popen(
        [
            sys.executable, "-m", "simulator", "serve", "--dialect", "binance", "--port", "0", "--quiet",
            "--api-key", key_, "--api-secret", secret,
            "--api-permissions", "enableReading,enableSpotAndMarginTrading",
            "--api-ip-whitelist", "127.0.0.1", "--api-created-at", "2024-01-02",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert line.startswith("listening on "), line
        url = line.split()[-1]
        env = {**os.environ, "BINANCE_API_KEY": key_, "BINANCE_API_SECRET": secret}
        done = subprocess.run(
            [sys.executable, "-m", "exchanges", "keycheck", "--venue", "binance", "--base-url", url,
             "--purpose", "trade", "--no-git", "--format", "json"],
            capture_output=True, text=True, env=env, timeout=60,
        )  # fmt: skip
    finally:
        server.terminate()
        server.communicate(timeout=20)  # (reaps it and closes its pipe)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["key"]["venue_permissions"] == ["enableReading", "enableSpotAndMarginTrading"]
    assert report["key"]["permissions"] == ["read", "trade"]
    assert report["key"]["ip_whitelist"] != []
    assert report["key"]["created_at"] == 1704153600000  # 2024-01-02 UTC
    assert [c["check"] for c in report["checks"] if c["result"] == "fail"] == ["age"]
    assert secret not in done.stdout + done.stderr
