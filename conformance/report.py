"""What a conformance run found, per target and area: the table printed at the end of the
run, and the JSON document ``--conformance-json`` writes for CI.

Each contract test's reports carry ``conformance_area``, ``conformance_target`` and (on a
broken target) ``conformance_mutant`` as user properties, so JUnit XML carries them too.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import attrs
import pytest

from .areas import AREAS

__all__ = ["Collector", "Outcome", "Run", "table"]

_RANK = {"passed": 0, "skipped": 1, "failed": 2}


@attrs.define
class Outcome:
    """One contract test on one target: passed, failed or skipped, and the failure's or
    the skip's message."""

    nodeid: str
    test: str
    area: str
    outcome: str
    message: str = ""


@attrs.frozen(order=True)
class Run:
    """A target as it was tested (``mutant``: broken by that mutant of the catalogue)."""

    target: str
    mutant: str | None = None

    @property
    def title(self) -> str:
        return self.target if self.mutant is None else f"{self.target} broken by mutant {self.mutant}"


class Collector:
    """A pytest plugin object gathering the outcome of every contract test, by run."""

    def __init__(self) -> None:
        self.runs: dict[Run, dict[str, Outcome]] = {}

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        props = dict(report.user_properties)
        area = props.get("conformance_area")
        if area is None:
            return
        mutant = props.get("conformance_mutant")
        run = Run(str(props.get("conformance_target", "target")), None if mutant is None else str(mutant))
        outcomes = self.runs.setdefault(run, {})
        state = "failed" if report.failed else "skipped" if report.skipped else "passed"
        if state == "passed" and report.when != "call":
            return  # (a setup or teardown that went well says nothing yet)
        known = outcomes.get(report.nodeid)
        if known is None or _RANK[state] > _RANK[known.outcome]:
            test = str(props.get("conformance_test", report.nodeid))
            outcomes[report.nodeid] = Outcome(report.nodeid, test, str(area), state, _message(report, state))

    def counts(self, run: Run) -> dict[str, Counter[str]]:
        """Outcomes per area, in report order (areas with no test in this run left out)."""
        found: dict[str, Counter[str]] = {}
        for outcome in self.runs.get(run, {}).values():
            found.setdefault(outcome.area, Counter())[outcome.outcome] += 1
        order = [*AREAS, *sorted(set(found) - set(AREAS))]
        return {area: found[area] for area in order if area in found}

    def skip_reasons(self, run: Run) -> list[tuple[str, int]]:
        reasons = Counter(o.message for o in self.runs.get(run, {}).values() if o.outcome == "skipped")
        return reasons.most_common()

    def summary_lines(self) -> list[str]:
        lines: list[str] = []
        for run in sorted(self.runs):
            counts = self.counts(run)
            if not counts or run.mutant is not None:  # (mutants are scored, not tabled)
                continue
            lines += ["", f"conformance of {run.title}", *table(counts).splitlines()]
            reasons = self.skip_reasons(run)
            if reasons:
                lines.append("skipped, and why:")
                lines += [f"  {count:>3} x {reason}" for reason, count in reasons]
        return lines

    def document(self, *, seed: int, depth: int) -> dict[str, Any]:
        """The JSON report: per run, the table, the skip reasons and every test's outcome."""
        runs = []
        for run in sorted(self.runs):
            outcomes = list(self.runs[run].values())
            runs.append(
                {
                    "target": run.target,
                    "mutant": run.mutant,
                    "areas": {area: dict(c) for area, c in self.counts(run).items()},
                    "skipped_because": [{"reason": r, "count": n} for r, n in self.skip_reasons(run)],
                    "tests": [attrs.asdict(o) for o in outcomes],
                }
            )
        return {"seed": seed, "depth": depth, "runs": runs}

    def write_json(self, path: Path, *, seed: int, depth: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.document(seed=seed, depth=depth), indent=2) + "\n")


def table(counts: dict[str, Counter[str]]) -> str:
    """Areas as rows, passed / failed / skipped as columns, and a total."""
    width = max([len("total"), *(len(a) for a in counts)])
    lines = [f"{'area':<{width}}  passed  failed  skipped", f"{'-' * width}  ------  ------  -------"]
    for area, c in counts.items():
        lines.append(f"{area:<{width}}  {c['passed']:>6}  {c['failed']:>6}  {c['skipped']:>7}")
    total = sum(counts.values(), Counter())
    lines.append(f"{'total':<{width}}  {total['passed']:>6}  {total['failed']:>6}  {total['skipped']:>7}")
    return "\n".join(lines)


def _message(report: pytest.TestReport, state: str) -> str:
    """A skip's reason, or a failure's message (the exception's text, not its traceback)."""
    longrepr = report.longrepr
    if state == "skipped" and isinstance(longrepr, tuple):
        return str(longrepr[2]).removeprefix("Skipped: ")
    if state == "passed":
        return ""
    message = getattr(getattr(longrepr, "reprcrash", None), "message", None)
    if message is not None:
        return str(message)
    lines = report.longreprtext.strip().splitlines()
    return lines[-1] if lines else ""
