"""The mutant catalogue: the suite catches every mutant in the tests named for it, for the
right reason, and no other test of their areas fails on it.

That no other test of the whole suite fails is the catalogue's strong claim; checking it runs
the suite once per mutant (about a minute), so it runs here only with
``CONFORMANCE_MUTANTS_DEEP=1`` (or by hand: ``python -m conformance mutants --deep``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.__main__ import main
from conformance.areas import AREA_MODULES
from conformance.docs import contract_tests
from conformance.mutants import MUTANTS
from conformance.mutants.score import verdicts

pytest_plugins = ["pytester"]

REPO = Path(__file__).parents[2]
DEEP = os.environ.get("CONFORMANCE_MUTANTS_DEEP") == "1"


def test_the_catalogue_holds_many_mutants_each_naming_real_tests() -> None:
    known = {name for module in AREA_MODULES.values() for name, _ in contract_tests(module)}
    assert len(MUTANTS) >= 30
    for mutant in MUTANTS.values():
        assert mutant.caught_by, mutant.name
        assert set(mutant.caught_by) <= known, f"{mutant.name} names a test the suite lacks"
        assert mutant.reason.strip(), mutant.name
        assert mutant.flaw.strip(), mutant.name


@pytest.mark.parametrize("scope", ["suite" if DEEP else "area"])
def test_every_mutant_is_caught_where_named_and_nowhere_else(pytester: pytest.Pytester, scope: str) -> None:
    report = pytester.path / "mutants.json"
    result = pytester.runpytest_inprocess(
        "--pyargs", "conformance", "--conformance-target=paper", "--conformance-mutant=all",
        f"--conformance-mutant-scope={scope}", f"--conformance-json={report}", "-p", "no:cacheprovider",
        "--tb=no", "-q",
    )  # fmt: skip
    found = verdicts(json.loads(report.read_text()))
    assert {v.mutant.name for v in found} == set(MUTANTS)
    wrong = [
        f"{v.mutant.name}: failed {list(v.failed)}, named {list(v.mutant.caught_by)}; {v.message[:200]!r}"
        for v in found
        if not v.exact
    ]
    assert not wrong, "\n".join(wrong)
    assert f"score: {len(MUTANTS)}/{len(MUTANTS)} mutants caught" in result.stdout.str()


def test_the_readme_states_the_score_of_the_whole_catalogue() -> None:
    readme = (REPO / "README.md").read_text()
    stated = re.findall(r"catches\s+(\d+)\s+of\s+its\s+(\d+)\s+mutants", readme)
    assert stated == [(str(len(MUTANTS)), str(len(MUTANTS)))], stated


def test_the_command_lists_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mutants", "--list"]) == 0
    out = capsys.readouterr().out
    for mutant in MUTANTS.values():
        assert mutant.name in out and mutant.flaw in out
    assert f"{len(MUTANTS)} mutants" in out


def test_the_command_scores_the_mutants_it_runs(capsys: pytest.CaptureFixture[str]) -> None:
    """Two mutants on the tests named for them: both caught, the score says so, exit 0."""
    code = main(
        ["mutants", "--only", "unsorted_book,stale_ticker", "--scope", "named", "-p", "no:cacheprovider"]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "score: 2/2 mutants caught" in out
    assert re.search(r"unsorted_book\s+caught\s+test_order_book_sorted_and_not_crossed", out), out


def test_the_command_runs_as_a_user_types_it() -> None:
    """``python -m conformance mutants`` in its own process, from a project whose pytest turns
    warnings into errors (this one): conformance is imported before pytest starts, which pytest
    warns of; the command must not die of that warning."""
    done = subprocess.run(
        [sys.executable, "-m", "conformance", "mutants", "--only", "stale_ticker", "--scope", "named"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "score: 1/1 mutants caught" in done.stdout, done.stdout[-2000:]
