"""The suite catches deliberately broken KuCoin adapters, each in its fault test and for the
right reason; a sound exchange with other id rules and fewer capabilities passes; a run with
no target fails."""

from __future__ import annotations

import pytest

from .broken import ATTEMPTS, BREAKAGES, FAULT_TESTS

pytest_plugins = ["pytester"]

CONFTEST = """
import pytest
from tests.conformance.broken import target

@pytest.fixture(scope="session")
def conformance_target():
    return target({name!r})
"""


def _fault_tests(pytester: pytest.Pytester) -> dict[str, str]:
    """Run every fault test of ``FAULT_TESTS`` on the conftest's target; each one that failed,
    with its failure's text (none may be skipped)."""
    recorder = pytester.inline_run(
        "--pyargs", "conformance", "-k", " or ".join(FAULT_TESTS), "-p", "no:cacheprovider"
    )
    passed, skipped, failed = recorder.listoutcomes()
    assert not skipped, [r.nodeid for r in skipped]
    ran = {_name(r.nodeid) for r in (*passed, *failed)}
    assert ran == set(FAULT_TESTS), sorted(set(FAULT_TESTS) ^ ran)
    return {_name(r.nodeid): r.longreprtext for r in failed}


def _name(nodeid: str) -> str:
    return nodeid.split("::")[-1].split("[")[0]


@pytest.mark.parametrize("name", sorted(BREAKAGES))
def test_breakage_is_caught(name: str, pytester: pytest.Pytester) -> None:
    """The test named for the flaw fails, saying the flaw's own words; the fault tests whose
    faults exercise the flaw too fail (each breakage says why); every other fault test passes."""
    breakage = BREAKAGES[name]
    pytester.makeconftest(CONFTEST.format(name=name))
    failures = _fault_tests(pytester)
    assert breakage.must_fail in failures, f"{breakage.must_fail} did not catch {name}"
    text = failures[breakage.must_fail]
    assert breakage.reason in text, (
        f"{breakage.must_fail} failed, but not because of {breakage.reason!r}: {text}"
    )
    unexpected = set(failures) - {breakage.must_fail, *breakage.also_fails}
    assert not unexpected, {test: failures[test][-600:] for test in unexpected}
    missed = set(breakage.also_fails) - set(failures)
    assert not missed, f"{name} passed fault tests its flaw should fail: {sorted(missed)}"


def test_each_breakage_has_its_own_words() -> None:
    reasons = [b.reason for b in BREAKAGES.values()]
    assert len(set(reasons)) == len(reasons), reasons
    assert all(
        b.must_fail in FAULT_TESTS and set(b.also_fails) <= set(FAULT_TESTS) for b in BREAKAGES.values()
    )


SOUND = f"""
import attrs
import pytest
from conformance.targets import kucoin_sim

@pytest.fixture(scope="session")
def conformance_target():
    return attrs.evolve(kucoin_sim("sound"), fault_attempts={ATTEMPTS})
"""


def test_the_unbroken_exchange_passes_the_same_tests(pytester: pytest.Pytester) -> None:
    """What each breakage is broken from passes every fault test, at the breakages' size."""
    pytester.makeconftest(SOUND)
    failures = _fault_tests(pytester)
    assert not failures, {test: text[-600:] for test, text in failures.items()}


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
