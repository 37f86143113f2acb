"""The plugin as an adapter author meets it: a target in their own conftest, ``pytest
--pyargs conformance`` and nothing else."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from conformance.areas import AREA_MODULES
from conformance.docs import contract_tests

pytest_plugins = ["pytester"]

REPO = Path(__file__).parents[2]

#: An author's conftest: their exchange (here the paper exchange) as a target.
AUTHOR = """
import pytest
from decimal import Decimal
from conformance import Target
from simulator import PaperExchange

@pytest.fixture(scope="session")
def conformance_target():
    funds = {"USDT": Decimal(100000), "BTC": Decimal(2), "ETH": Decimal(30)}
    return Target(name="my-venue", exchange=lambda: PaperExchange(funds, seed=3), symbol="BTC/USDT",
                  other_symbol="ETH/USDT", balances=funds)
"""


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_inprocess("--pyargs", "conformance", "-p", "no:cacheprovider", *args)


def _tests_of(area: str) -> set[str]:
    return {name for name, _ in contract_tests(AREA_MODULES[area])}


def _report(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def test_an_area_is_a_marker_an_option_and_a_module(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(AUTHOR)
    ways = {
        "marker": ("conformance", "-m", "conformance_errors"),
        "option": ("conformance", "--conformance-area", "errors"),
        "module": ("conformance.contract.test_errors",),
    }
    for way, (package, *args) in ways.items():
        path = pytester.path / f"{way}.json"
        result = pytester.runpytest_inprocess(
            "--pyargs", package, *args, f"--conformance-json={path}", "-p", "no:cacheprovider"
        )
        assert result.ret == 0, result.stdout.str()
        (run,) = _report(path)["runs"]
        assert {t["test"] for t in run["tests"]} == _tests_of("errors"), way
        assert set(run["areas"]) == {"errors"}, way


def test_an_unknown_area_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(AUTHOR)
    result = _run(pytester, "--conformance-area", "order")
    assert result.ret != 0
    assert "unknown conformance area 'order'" in result.stdout.str() + result.stderr.str()


def test_the_table_comes_from_pytest_itself_for_a_conftest_target(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(AUTHOR)
    result = _run(pytester, "--conformance-area", "errors,rate limits")
    out = result.stdout.str()
    assert "conformance of my-venue" in out
    lines = [line.split() for line in result.stdout.lines]
    assert ["errors", "6", "0", "1"] in lines, out
    assert ["rate", "limits", "0", "0", "2"] in lines, out
    assert "skipped, and why:" in out
    assert "1 x my-venue: no credentials to get wrong" in out


def test_the_json_report_has_every_test_with_its_outcome(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(AUTHOR)
    path = pytester.path / "out" / "conformance.json"
    _run(pytester, "--conformance-area", "errors", f"--conformance-json={path}", "--conformance-seed", "5")
    document = _report(path)
    assert (document["seed"], document["depth"]) == (5, 1)
    (run,) = document["runs"]
    assert (run["target"], run["mutant"]) == ("my-venue", None)
    assert run["areas"] == {"errors": {"passed": 6, "skipped": 1}}
    assert run["skipped_because"] == [{"reason": "my-venue: no credentials to get wrong", "count": 1}]
    skipped = [t for t in run["tests"] if t["outcome"] == "skipped"]
    assert [t["test"] for t in skipped] == ["test_bad_credentials"]


def test_junit_xml_carries_each_tests_area_and_target(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(AUTHOR)
    path = pytester.path / "junit.xml"
    _run(pytester, "--conformance-area", "errors", f"--junitxml={path}")
    cases = ET.parse(path).getroot().iter("testcase")
    properties = [{p.get("name"): p.get("value") for p in case.iter("property")} for case in cases]
    assert len(properties) == len(_tests_of("errors")), properties
    assert all(p.get("conformance_area") == "errors" for p in properties), properties
    assert all(p.get("conformance_target") == "my-venue" for p in properties), properties


def test_a_failure_says_the_contract_in_words(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(AUTHOR)
    path = pytester.path / "out.json"
    _run(
        pytester, "--conformance-mutant", "ioc_rests", "--conformance-mutant-scope", "named",
        f"--conformance-json={path}",
    )  # fmt: skip
    (run,) = _report(path)["runs"]
    (failure,) = [t for t in run["tests"] if t["outcome"] == "failed"]
    assert failure["message"].startswith("AssertionError: an IOC order rested: status open")


def test_depth_scales_the_long_tests_from_the_command_line(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(AUTHOR)
    pytester.makepyfile(
        test_depth="""
        def test_depth(conformance_subject, conformance_target):
            assert conformance_subject.state_machine_examples == 3 * conformance_target.state_machine_examples
            assert conformance_subject.fault_attempts == 3 * conformance_target.fault_attempts
        """
    )
    quiet = ("-p", "no:cacheprovider", "-o", "asyncio_default_fixture_loop_scope=function")
    result = pytester.runpytest_inprocess("test_depth.py", "--conformance-depth", "3", *quiet)
    result.assert_outcomes(passed=1)
    bad = pytester.runpytest_inprocess("test_depth.py", "--conformance-depth", "0", *quiet)
    assert bad.ret != 0
    assert "a depth is a whole number from 1 up" in bad.stderr.str()


def test_the_seed_is_printed_and_replays_the_same_walk(pytester: pytest.Pytester) -> None:
    """The state machine's failing walk on a broken exchange, run twice with the printed
    seed: the same walk both times."""
    pytester.makeconftest(AUTHOR)
    args = ["--conformance-area", "state machine", "--conformance-mutant", "holds_kept_after_cancel"]
    first = _run(pytester, *args, "--conformance-seed", "7")
    assert "conformance: seed 7, depth 1 (replay with --conformance-seed 7)" in first.stdout.str()
    again = _run(pytester, *args, "--conformance-seed", "7")

    def walk(result: pytest.RunResult) -> list[str]:
        return [line for line in result.stdout.lines if line.lstrip("E ").startswith("state.")]

    assert walk(first), first.stdout.str()
    assert walk(first) == walk(again)


def test_skips_point_at_the_test_not_at_a_helper(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(AUTHOR)
    result = _run(pytester, "--conformance-area", "faults,rate limits", "-rs")
    skips = [line for line in result.stdout.lines if line.startswith("SKIPPED")]
    assert len(skips) == 11, result.stdout.str()  # (9 fault tests, 2 rate-limit tests)
    assert all("conformance/contract/test_faults.py:" in s or "test_rate_limits.py:" in s for s in skips), (
        skips
    )
    assert not any("helpers.py" in s for s in skips), skips


def _python(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_an_authors_run_has_no_loop_scope_warning_but_others_keep_theirs(tmp_path: Path) -> None:
    """The suite names its loop scopes itself, so a conformance run outside this repository
    (no ini setting) has no pytest-asyncio deprecation warning; another project's run, in an
    environment with the plugin installed, still has it."""
    (tmp_path / "conftest.py").write_text(AUTHOR)
    done = _python(tmp_path, "-m", "pytest", "--pyargs", "conformance", "--conformance-area", "errors",
                   "-p", "no:cacheprovider")  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PytestDeprecationWarning" not in done.stdout + done.stderr
    other = tmp_path / "other"
    other.mkdir()
    (other / "test_other.py").write_text("def test_nothing():\n    pass\n")
    plain = _python(other, "-m", "pytest", "-p", "no:cacheprovider", "-W", "default")
    assert "asyncio_default_fixture_loop_scope" in plain.stdout + plain.stderr


def test_help_lists_no_registered_target_and_loads_no_registry(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(AUTHOR)
    helped = _python(tmp_path, "-m", "pytest", "--help")
    assert "--conformance-target" in helped.stdout
    assert "kucoin" not in helped.stdout
    probe = (
        "import sys, pytest\n"
        "pytest.main(['--pyargs', 'conformance', '-k', 'ticker_consistent', '-q',"
        " '-p', 'no:cacheprovider'])\n"
        "print('registry loaded' if 'conformance.targets' in sys.modules else 'no registry')\n"
    )
    done = _python(tmp_path, "-c", probe)
    assert "1 passed" in done.stdout, done.stdout + done.stderr
    assert done.stdout.strip().endswith("no registry"), done.stdout
