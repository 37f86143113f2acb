"""The suite catches deliberately broken exchanges, each for the right reason."""

from __future__ import annotations

import pytest

from .broken import BREAKAGES

pytest_plugins = ["pytester"]

QUIET = ("-o", "asyncio_default_fixture_loop_scope=function")

CONFTEST = """
import pytest
from tests.conformance.broken import target

@pytest.fixture(scope="session")
def conformance_target():
    return target({name!r})
"""


@pytest.mark.parametrize("name", sorted(BREAKAGES))
def test_breakage_is_caught(name: str, pytester: pytest.Pytester) -> None:
    _, must_fail = BREAKAGES[name]
    pytester.makeconftest(CONFTEST.format(name=name))
    result = pytester.runpytest_inprocess(
        "--pyargs", "conformance", "-k", must_fail, "-p", "no:cacheprovider", *QUIET
    )
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) >= 1, result.stdout.str()
    failed = [line for line in result.stdout.lines if line.startswith("FAILED")]
    assert failed, result.stdout.str()
    assert all(must_fail in line for line in failed), failed


def test_the_unbroken_exchange_passes_the_same_tests(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
import pytest
from decimal import Decimal
from conformance import Target
from simulator import PaperExchange

@pytest.fixture(scope="session")
def conformance_target():
    return Target(name="sound", exchange=lambda: PaperExchange({"USDT": Decimal(100000), "BTC": Decimal(2),
                  "ETH": Decimal(30)}, seed=3), symbol="BTC/USDT", other_symbol="ETH/USDT")
"""
    )
    selected = " or ".join(must_fail for _, must_fail in BREAKAGES.values())
    result = pytester.runpytest_inprocess(
        "--pyargs", "conformance", "-k", selected, "-p", "no:cacheprovider", *QUIET
    )
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0, result.stdout.str()
    assert outcomes.get("passed", 0) >= len(BREAKAGES)
