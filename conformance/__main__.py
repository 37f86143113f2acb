"""``python -m conformance --target NAME``: run the contract on a registered target, print a table."""

from __future__ import annotations

import argparse
import sys
from collections import Counter

import pytest

from .helpers import AREAS


class _Tally:
    """A pytest plugin object counting outcomes per conformance area."""

    def __init__(self) -> None:
        self.counts: dict[str, Counter[str]] = {area: Counter() for area in AREAS}
        self.skips: list[str] = []

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        area = dict(report.user_properties).get("conformance_area")
        if area is None:
            return
        bucket = self.counts.setdefault(str(area), Counter())
        if report.when == "call" and report.passed:
            bucket["passed"] += 1
        elif report.failed:
            bucket["failed"] += 1
        elif report.skipped:
            bucket["skipped"] += 1
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            self.skips.append(reason.removeprefix("Skipped: "))


LOOP_SCOPE_INI = "asyncio_default_fixture_loop_scope"


def _sets_ini(args: list[str], name: str) -> bool:
    """Whether pytest arguments override the ini option ``name`` (``-o NAME=...`` and spellings)."""
    for i, arg in enumerate(args):
        if arg in ("-o", "--override-ini"):
            value = args[i + 1] if i + 1 < len(args) else ""
        elif arg.startswith("--override-ini="):
            value = arg.removeprefix("--override-ini=")
        elif arg.startswith("-o"):
            value = arg.removeprefix("-o")
        else:
            continue
        if value.partition("=")[0].strip() == name:
            return True
    return False


def table(counts: dict[str, Counter[str]]) -> str:
    width = max(len(a) for a in counts)
    lines = [f"{'area':<{width}}  passed  failed  skipped", f"{'-' * width}  ------  ------  -------"]
    for area, c in counts.items():
        lines.append(f"{area:<{width}}  {c['passed']:>6}  {c['failed']:>6}  {c['skipped']:>7}")
    total = sum((c for c in counts.values()), Counter())
    lines.append(f"{'total':<{width}}  {total['passed']:>6}  {total['failed']:>6}  {total['skipped']:>7}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m conformance", description=__doc__)
    parser.add_argument("--target", required=True, help="a registered target (see --list)")
    parser.add_argument("--list", action="store_true", help="list the registered targets and exit")
    if argv is None:
        argv = sys.argv[1:]
    if "--list" in argv:
        from .targets import TARGETS

        print("\n".join(TARGETS))
        return 0
    args, pytest_args = parser.parse_known_args(argv)  # anything else goes to pytest (-x, -k ...)
    from .targets import TARGETS

    if args.target not in TARGETS:
        parser.error(f"unknown target {args.target!r}; registered: {', '.join(TARGETS) or 'none'}")
    tally = _Tally()
    if not _sets_ini(pytest_args, LOOP_SCOPE_INI):
        # Outside this repository no ini file sets it, and pytest-asyncio warns on every run.
        pytest_args = ["-o", f"{LOOP_SCOPE_INI}=function", *pytest_args]
    code = pytest.main(
        [
            "--pyargs",
            "conformance",
            f"--conformance-target={args.target}",
            "-q",
            "-rs",
            "-W",
            "ignore::pytest.PytestAssertRewriteWarning",
            *pytest_args,
        ],
        plugins=[tally],
    )
    print()
    print(f"conformance of {args.target}")
    print(table(tally.counts))
    if tally.skips:
        print("\nskipped, and why:")
        for reason, count in Counter(tally.skips).most_common():
            print(f"  {count:>3} x {reason}")
    if int(code) == 5:  # (pytest: nothing collected, e.g. a -k that matches no test)
        print("\nno contract test was selected: nothing was checked", file=sys.stderr)
    return int(code)


if __name__ == "__main__":
    raise SystemExit(main())
