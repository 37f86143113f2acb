"""The pytest plugin (entry point ``pytest11``): the options, markers, fixtures and report of
the contract suite.

An adapter author defines a ``conformance_target`` fixture in a conftest (it overrides the
plugin's) and runs ``pytest --pyargs conformance``. This repository's own targets come from
``--conformance-target paper,kucoin-sim,...`` and the registry ``conformance.targets``, which
is imported only when that option is given.

Contract tests receive ``conformance_subject``: the target as this run tests it, its long
tests scaled by ``--conformance-depth`` and, with ``--conformance-mutant``, broken on purpose
by mutants of the catalogue (``conformance.mutants``).
"""

from __future__ import annotations

import argparse
import warnings
from collections.abc import AsyncIterator, Generator
from pathlib import Path
from typing import Any

import attrs
import pytest

from exchanges import Exchange

from .areas import AREAS, area_marker, parse_areas
from .helpers import tidy
from .report import Collector
from .target import Target, resolve

pytest_asyncio: Any
try:
    import pytest_asyncio
except ImportError:  # the plugin loads in every pytest run of an environment that has us installed
    pytest_asyncio = None

__all__ = [
    "DEFAULT_SEED",
    "conformance_exchange",
    "conformance_seed",
    "conformance_subject",
    "conformance_target",
]

#: The seed of the fault tests and the state machine unless ``--conformance-seed`` says otherwise.
DEFAULT_SEED = 20261207
_COLLECTOR = pytest.StashKey[Collector]()
_SCOPES = ("named", "neighbour", "area", "suite")
#: pytest-asyncio's warning when its fixture loop scope is left unset.
_LOOP_SCOPE_UNSET = r'The configuration option "asyncio_default_fixture_loop_scope" is unset'


def _depth(text: str) -> int:
    try:
        depth = int(text)
    except ValueError:
        depth = 0
    if depth < 1:
        raise argparse.ArgumentTypeError(f"a depth is a whole number from 1 up, got {text!r}")
    return depth


def _seed(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a seed is a whole number, got {text!r}") from None


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "exchange conformance suite (pytest --pyargs conformance)")
    group.addoption(
        "--conformance-target",
        default=None,
        metavar="NAMES",
        help="comma-separated targets of this package's own registry (python -m conformance --list); "
        "without it, the suite runs on the `conformance_target` fixture of your conftest.py",
    )
    group.addoption(
        "--conformance-area",
        default=None,
        metavar="AREAS",
        help=f"run only these areas, comma-separated ({', '.join(AREAS)}); the same as -m conformance_<area>",
    )
    group.addoption(
        "--conformance-depth",
        type=_depth,
        default=1,
        metavar="N",
        help="multiply the state machine's examples and the fault tests' orders by N (default 1)",
    )
    group.addoption(
        "--conformance-seed",
        type=_seed,
        default=DEFAULT_SEED,
        metavar="SEED",
        help=f"seed of the state machine and the fault tests (default {DEFAULT_SEED}; "
        "every run prints its seed so that a failure can be replayed)",
    )
    group.addoption(
        "--conformance-json",
        default=None,
        metavar="PATH",
        help="write the outcome of every contract test, per target and area, as JSON",
    )
    group.addoption(
        "--conformance-mutant",
        default=None,
        metavar="NAMES",
        help="run on the target broken by these mutants of the catalogue (comma-separated, or all; "
        "python -m conformance mutants lists them)",
    )
    group.addoption(
        "--conformance-mutant-scope",
        default="suite",
        choices=_SCOPES,
        help="with --conformance-mutant: run each mutant on the tests named for it; on those and "
        "the test after the first of them in its area; on their areas; or on the whole suite (default)",
    )


def _is_conformance_run(config: pytest.Config) -> bool:
    """Whether this run collects the contract suite (``--pyargs conformance[.contract...]``,
    a path inside the installed package, or a registered target named)."""
    if config.getoption("--conformance-target") or config.getoption("--conformance-mutant"):
        return True
    package = Path(__file__).parent.resolve()
    for arg in config.args:
        name = arg.split("::")[0]
        if config.option.pyargs and (name == "conformance" or name.startswith("conformance.")):
            return True
        path = (config.invocation_params.dir / name).resolve()
        if path == package or package in path.parents:
            return True
    return False


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "conformance_area(name): which row of the conformance report a test counts in"
    )
    for area in AREAS:
        config.addinivalue_line("markers", f"{area_marker(area)}: contract tests of the {area} area")
    _areas(config)  # (an unknown area is a usage error before anything runs)
    config.stash[_COLLECTOR] = collector = Collector()
    config.pluginmanager.register(collector, "conformance-collector")
    if _is_conformance_run(config):
        # Every contract test and fixture names its event loop's scope, so the ini default
        # pytest-asyncio asks for changes nothing here: its warning would only be noise.
        warnings.filterwarnings("ignore", message=_LOOP_SCOPE_UNSET, category=pytest.PytestDeprecationWarning)


def _areas(config: pytest.Config) -> list[str] | None:
    """The areas ``--conformance-area`` keeps (``None``: all of them)."""
    try:
        return parse_areas(config.getoption("--conformance-area") or "") or None
    except ValueError as err:
        raise pytest.UsageError(str(err)) from None


def pytest_report_header(config: pytest.Config) -> list[str]:
    if not _is_conformance_run(config):
        return []
    seed, depth = config.getoption("--conformance-seed"), config.getoption("--conformance-depth")
    return [f"conformance: seed {seed}, depth {depth} (replay with --conformance-seed {seed})"]


def _area(item: pytest.Item) -> str | None:
    marker = item.get_closest_marker("conformance_area")
    return str(marker.args[0]) if marker is not None and marker.args else None


def _params(item: pytest.Item) -> dict[str, object]:
    callspec = getattr(item, "callspec", None)
    return dict(callspec.params) if callspec is not None else {}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Label each contract test with its area (a marker, and a user property the reports
    carry), then keep the areas and mutant scopes asked for."""
    areas: dict[str, str] = {}
    order: dict[str, list[str]] = {}
    for item in items:
        area = _area(item)
        if area is None:
            continue
        name = getattr(item, "originalname", item.name)
        if name not in areas:
            areas[name] = area
            order.setdefault(area, []).append(name)
        item.add_marker(area_marker(area))
        item.user_properties += [("conformance_area", area), ("conformance_test", name)]
    keep: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    wanted = _areas(config)
    scope = config.getoption("--conformance-mutant-scope")
    if scope != "suite":
        from .mutants.scope import mutant_scope
    for item in items:
        area = _area(item)
        ok = area is None or wanted is None or area in wanted
        mutant = _params(item).get("conformance_subject")
        if ok and area is not None and mutant is not None and scope != "suite":
            name = getattr(item, "originalname", item.name)
            ok = name in mutant_scope(str(mutant), scope, areas, order)
        (keep if ok else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """What each fault test did, then the table of each target tested."""
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
    collector = config.stash[_COLLECTOR]
    seed, depth = config.getoption("--conformance-seed"), config.getoption("--conformance-depth")
    table = collector.summary_lines()
    if table:
        terminalreporter.write_sep("-", f"conformance (seed {seed}, depth {depth})")
        for line in table[1:]:
            terminalreporter.write_line(line)
    if any(run.mutant is not None for run in collector.runs):
        from .mutants.score import render, verdicts

        found = verdicts(collector.document(seed=seed, depth=depth))
        terminalreporter.write_sep("-", f"conformance mutants (seed {seed})")
        for line in render(found, config.getoption("--conformance-mutant-scope")).splitlines():
            terminalreporter.write_line(line)


def pytest_sessionfinish(session: pytest.Session) -> None:
    path = session.config.getoption("--conformance-json")
    if path:
        collector = session.config.stash[_COLLECTOR]
        collector.write_json(
            Path(session.config.invocation_params.dir, path),
            seed=session.config.getoption("--conformance-seed"),
            depth=session.config.getoption("--conformance-depth"),
        )


def _names(config: pytest.Config, option: str) -> list[str]:
    raw = config.getoption(option, default=None)
    return [n.strip() for n in str(raw).split(",") if n.strip()] if raw else []


def _mutant_names(config: pytest.Config) -> list[str]:
    names = _names(config, "--conformance-mutant")
    if not names:
        return []
    from .mutants import MUTANTS

    if names == ["all"]:
        return list(MUTANTS)
    unknown = [n for n in names if n not in MUTANTS]
    if unknown:
        raise pytest.UsageError(
            f"unknown mutant {', '.join(unknown)}; python -m conformance mutants lists them"
        )
    return names


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "conformance_target" not in metafunc.fixturenames:
        return
    names = _names(metafunc.config, "--conformance-target")
    if names:
        metafunc.parametrize("conformance_target", names, indirect=True, scope="session")
    mutants = _mutant_names(metafunc.config)
    if mutants and "conformance_subject" in metafunc.fixturenames:
        metafunc.parametrize("conformance_subject", mutants, indirect=True, scope="session")


def pytest_collection_finish(session: pytest.Session) -> None:
    """Registered targets named on the command line, but a conftest's own fixture in force:
    its target would run under the registered name. Refuse rather than mislabel."""
    names = _names(session.config, "--conformance-target")
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


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item) -> Generator[None, Any, Any]:
    """Name the target (and mutant) on each contract test's reports, and show a skip at
    the test it skipped, not at the helper that raised it."""
    report: pytest.TestReport = yield
    if _area(item) is None:
        return report
    params = _params(item)
    subject = getattr(item, "funcargs", {}).get("conformance_subject")
    name = subject.name if isinstance(subject, Target) else params.get("conformance_target", "target")
    report.user_properties.append(("conformance_target", str(name)))
    if "conformance_subject" in params:
        report.user_properties.append(("conformance_mutant", str(params["conformance_subject"])))
    if report.skipped and isinstance(report.longrepr, tuple):
        path, lineno, _ = item.reportinfo()
        report.longrepr = (str(path), (lineno or 0) + 1, report.longrepr[2])
    return report


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


@pytest.fixture(scope="session")
def conformance_seed(request: pytest.FixtureRequest) -> int:
    """The run's seed (``--conformance-seed``)."""
    return int(request.config.getoption("--conformance-seed"))


@pytest.fixture(scope="session")
def conformance_subject(conformance_target: Target, request: pytest.FixtureRequest) -> Target:
    """The target as this run tests it: long tests scaled by ``--conformance-depth``, and
    broken by a mutant of the catalogue when the run asks for one."""
    depth = int(request.config.getoption("--conformance-depth"))
    subject = attrs.evolve(
        conformance_target,
        fault_attempts=conformance_target.fault_attempts * depth,
        state_machine_examples=conformance_target.state_machine_examples * depth,
    )
    mutant = getattr(request, "param", None)
    if mutant is None:
        return subject
    from .mutants import MUTANTS, break_target

    return break_target(subject, MUTANTS[str(mutant)])


async def _conformance_exchange(conformance_subject: Target) -> AsyncIterator[Exchange]:
    """A fresh client of the target; open orders on the target's symbols are cancelled after."""
    exchange: Exchange = await resolve(conformance_subject.exchange)
    try:
        yield exchange
    finally:
        if conformance_subject.trading:
            symbols = [conformance_subject.symbol]
            if conformance_subject.other_symbol:
                symbols.append(conformance_subject.other_symbol)
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
