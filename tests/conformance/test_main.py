"""``python -m conformance``: the command itself."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).parents[2]


def test_run_outside_the_repository_has_no_loop_scope_warning(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    done = subprocess.run(
        [sys.executable, "-m", "conformance", "--target", "paper", "-k", "balance", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "conformance of paper" in done.stdout
    assert "balances" in done.stdout and "passed  failed  skipped" in done.stdout
    assert "asyncio_default_fixture_loop_scope" not in output
    assert "PytestDeprecationWarning" not in output


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    return subprocess.run(
        [sys.executable, "-m", "conformance", "--target", "paper", "-p", "no:cacheprovider", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_selection_that_matches_no_test_does_not_pass(tmp_path: Path) -> None:
    done = _run(tmp_path, "-k", "no_such_contract_test")
    assert done.returncode == 5 and "nothing was checked" in done.stderr, done.stdout + done.stderr


def test_a_conftest_target_is_not_run_under_a_registered_name(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(
        "import pytest\n\n@pytest.fixture(scope='session')\n"
        "def conformance_target():\n    raise AssertionError\n"
    )
    done = _run(tmp_path, "-k", "balance")
    assert done.returncode == 4, done.stdout + done.stderr
    assert "defines its own `conformance_target` fixture" in done.stdout + done.stderr
