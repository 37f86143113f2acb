"""The pytest plugin (entry point ``pytest11``): fixtures that hand contract tests their target.

An adapter author defines a ``conformance_target`` fixture in a conftest (it overrides the
plugin's) and runs ``pytest --pyargs conformance``. In this repository the fixture comes
from ``--conformance-target paper,kucoin-sim,...`` and the registry in ``conformance.targets``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from exchanges import Exchange

from .helpers import tidy
from .target import Target, resolve

pytest_asyncio: Any
try:
    import pytest_asyncio
except ImportError:  # the plugin loads in every pytest run of an environment that has us installed
    pytest_asyncio = None

__all__ = ["conformance_exchange", "conformance_target"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "exchange conformance suite")
    group.addoption(
        "--conformance-target",
        action="store",
        default=None,
        help="comma-separated registered targets to run the contract against "
        "(this repository: paper, kucoin-sim, kucoin-sim-socket, kucoin-live)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "conformance_area(name): which row of the conformance report a test counts in"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Label each contract test with its report row (reports carry user properties)."""
    for item in items:
        marker = item.get_closest_marker("conformance_area")
        if marker is not None and marker.args:
            item.user_properties.append(("conformance_area", str(marker.args[0])))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """What each fault test did: placed, refused, unknown, doubled and lost orders, and the
    faults injected (the tests record them as the user property ``fault_summary``)."""
    lines = []
    for reports in terminalreporter.stats.values():
        for report in reports:
            if getattr(report, "when", None) != "call":
                continue
            summary = dict(getattr(report, "user_properties", ())).get("fault_summary")
            if summary is not None:
                lines.append(f"{report.nodeid.rpartition('::')[2]}: {summary}")
    if lines:
        terminalreporter.write_sep("-", "conformance faults")
        for line in sorted(lines):
            terminalreporter.write_line(line)


def _names(config: pytest.Config) -> list[str]:
    raw = config.getoption("--conformance-target", default=None)
    return [n.strip() for n in str(raw).split(",") if n.strip()] if raw else []


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "conformance_target" not in metafunc.fixturenames:
        return
    names = _names(metafunc.config)
    if names:
        metafunc.parametrize("conformance_target", names, indirect=True, scope="session")


def pytest_collection_finish(session: pytest.Session) -> None:
    """Registered targets named on the command line, but a conftest's own fixture in force:
    its target would run under the registered name. Refuse rather than mislabel."""
    names = _names(session.config)
    if not names:
        return
    for item in session.items:
        info = getattr(item, "_fixtureinfo", None)
        defs = info.name2fixturedefs.get("conformance_target", ()) if info is not None else ()
        if defs:
            if getattr(defs[-1].func, "__module__", __name__) != __name__:
                pytest.exit(
                    f"--conformance-target {','.join(names)} was given, but a conftest here defines "
                    "its own `conformance_target` fixture, which would run instead: drop one of the two",
                    returncode=pytest.ExitCode.USAGE_ERROR,
                )
            return


@pytest.fixture(scope="session")
def conformance_target(request: pytest.FixtureRequest) -> Target:
    """The target by registered name; override this fixture in your conftest for your adapter."""
    name = getattr(request, "param", None)
    if name is None:  # (a failure, not a skip: a run that tested nothing must not pass)
        pytest.fail(
            "no conformance target: define a `conformance_target` fixture in a conftest.py at "
            "your project's root (where pytest.ini or pyproject.toml is; `pytest --pyargs "
            "conformance` collects the installed package, so a conftest in tests/ is not seen), "
            "or pass --conformance-target NAME",
            pytrace=False,
        )
    from .targets import get_target  # only this repository's registry imports adapters/simulator

    target = get_target(str(name))
    reason = target.skip_reasons.get("*")
    if reason:
        pytest.skip(f"{target.name}: {reason}")
    return target


async def _conformance_exchange(conformance_target: Target) -> AsyncIterator[Exchange]:
    """A fresh client of the target; open orders on the target's symbols are cancelled after."""
    exchange: Exchange = await resolve(conformance_target.exchange)
    try:
        yield exchange
    finally:
        if conformance_target.trading:
            symbols = [conformance_target.symbol]
            if conformance_target.other_symbol:
                symbols.append(conformance_target.other_symbol)
            await tidy(exchange, symbols)
        await exchange.close()


if pytest_asyncio is not None:
    conformance_exchange = pytest_asyncio.fixture(loop_scope="function", name="conformance_exchange")(
        _conformance_exchange
    )
else:  # pragma: no cover - only without pytest-asyncio

    @pytest.fixture(name="conformance_exchange")
    def conformance_exchange() -> None:
        pytest.skip("the conformance suite needs pytest-asyncio: pip install 'exchanges[conformance]'")
