"""The suite catches deliberately broken KuCoin adapters, each in its fault test and for the
right reason; a sound exchange with other id rules and fewer capabilities passes; a run with
no target fails."""

from __future__ import annotations

import pytest

from .broken import BREAKAGES

pytest_plugins = ["pytester"]

CONFTEST = """
import pytest
from tests.conformance.broken import target

@pytest.fixture(scope="session")
def conformance_target():
    return target({name!r})
"""


@pytest.mark.parametrize("name", sorted(BREAKAGES))
def test_breakage_is_caught(name: str, pytester: pytest.Pytester) -> None:
    must_fail, reason = BREAKAGES[name].must_fail, BREAKAGES[name].reason
    pytester.makeconftest(CONFTEST.format(name=name))
    result = pytester.runpytest_inprocess(
        "--pyargs", "conformance", "-k", must_fail, "-p", "no:cacheprovider"
    )
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) >= 1, result.stdout.str()
    failed = [line for line in result.stdout.lines if line.startswith("FAILED")]
    assert failed, result.stdout.str()
    assert all(must_fail in line for line in failed), failed
    assert reason in result.stdout.str(), f"failed, but not because of {reason!r}: {failed}"


SOUND = """
import pytest
from conformance.targets import kucoin_sim

@pytest.fixture(scope="session")
def conformance_target():
    return kucoin_sim("sound")
"""


def test_the_unbroken_exchange_passes_the_same_tests(pytester: pytest.Pytester) -> None:
    """What each breakage is broken from passes the tests that catch the breakage."""
    pytester.makeconftest(SOUND)
    names = [b.must_fail for b in BREAKAGES.values()]
    result = pytester.runpytest_inprocess(
        "--pyargs", "conformance", "-k", " or ".join(names), "-p", "no:cacheprovider"
    )
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0, result.stdout.str()
    assert outcomes.get("passed", 0) >= len(names), result.stdout.str()


def test_a_sound_exchange_with_other_client_id_rules_and_fewer_capabilities_passes(
    pytester: pytest.Pytester,
) -> None:
    """Gate's ``t-`` client ids, and no fetch or cancel by client id: the suite uses the
    venue's own id rules and skips what the capabilities do not offer."""
    pytester.makeconftest(
        """
import attrs
import pytest
from decimal import Decimal
from conformance import Target
from exchanges import NotSupported, validate_client_order_id
from simulator import PaperExchange
from simulator.backtest import TrackingExchange

class GateLike(TrackingExchange):
    def __init__(self):
        funds = {"USDT": Decimal(100000), "BTC": Decimal(2), "ETH": Decimal(30)}
        super().__init__(PaperExchange(funds, seed=3))
        self.venue = "gate"
        self.capabilities = attrs.evolve(self.capabilities, fetch_by_client_order_id=False,
                                         cancel_by_client_order_id=False)

    async def place_order(self, request):
        if request.client_order_id is not None:
            validate_client_order_id("gate", request.client_order_id)
        return await super().place_order(request)

    async def fetch_order(self, symbol, *, order_id=None, client_order_id=None):
        if client_order_id is not None:
            raise NotSupported("by order id only", venue="gate")
        return await super().fetch_order(symbol, order_id=order_id)

    async def cancel_order(self, symbol, *, order_id=None, client_order_id=None):
        if client_order_id is not None:
            raise NotSupported("by order id only", venue="gate")
        return await super().cancel_order(symbol, order_id=order_id)

@pytest.fixture(scope="session")
def conformance_target():
    return Target(name="gate-like", exchange=GateLike, symbol="BTC/USDT", other_symbol="ETH/USDT")
"""
    )
    result = pytester.runpytest_inprocess(
        "--pyargs", "conformance", "-k", "client_id or unknown_or_filled or duplicate_active", "-p",
        "no:cacheprovider",
    )  # fmt: skip
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0, result.stdout.str()
    assert outcomes.get("passed", 0) >= 3, result.stdout.str()


def test_a_run_with_no_target_fails_and_says_where_the_conftest_goes(pytester: pytest.Pytester) -> None:
    """It used to skip everything and pass: a conftest in tests/ is not seen by --pyargs."""
    result = pytester.runpytest_inprocess(
        "--pyargs", "conformance", "-k", "duplicate_active", "-p", "no:cacheprovider"
    )
    outcomes = result.parseoutcomes()
    assert outcomes.get("errors", 0) + outcomes.get("failed", 0) >= 1, result.stdout.str()
    assert "conftest.py at your project's root" in result.stdout.str()
