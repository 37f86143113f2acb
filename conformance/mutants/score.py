"""Scoring a run of the catalogue: which mutants the suite caught, in the tests named for
them and for the right reason, and whether anything else failed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from .catalogue import MUTANTS, Mutant

__all__ = ["Verdict", "render", "verdicts"]


@attrs.frozen
class Verdict:
    """What the suite did to one mutant of one target."""

    mutant: Mutant
    target: str
    failed: tuple[str, ...]
    message: str
    ran: int

    @property
    def caught(self) -> bool:
        """Its first named test failed saying the contract the mutant breaks."""
        return self.mutant.caught_by[0] in self.failed and self.mutant.reason in self.message

    @property
    def elsewhere(self) -> tuple[str, ...]:
        """Tests that failed without being named for it."""
        return tuple(t for t in self.failed if t not in self.mutant.caught_by)

    @property
    def missed(self) -> tuple[str, ...]:
        """Tests named for it that did not fail."""
        return tuple(t for t in self.mutant.caught_by if t not in self.failed)

    @property
    def exact(self) -> bool:
        """Caught, by every test named for it and by no other."""
        return self.caught and not self.elsewhere and not self.missed


def verdicts(document: Mapping[str, Any]) -> list[Verdict]:
    """One verdict per mutant run in a ``--conformance-json`` document."""
    out = []
    for run in document["runs"]:
        name = run.get("mutant")
        if name is None or name not in MUTANTS:
            continue
        mutant = MUTANTS[name]
        tests = run["tests"]
        failed = tuple(sorted({t["test"] for t in tests if t["outcome"] == "failed"}))
        home = [t["message"] for t in tests if t["test"] == mutant.caught_by[0] and t["outcome"] == "failed"]
        ran = sum(1 for t in tests if t["outcome"] != "skipped")
        out.append(Verdict(mutant, run["target"], failed, home[0] if home else "", ran))
    return out


def render(found: Iterable[Verdict], scope: str) -> str:
    """The catalogue as a table (mutant, flaw, named test, verdict) and the score."""
    rows = list(found)
    lines = []
    for v in rows:
        if v.exact:
            verdict = "caught"
        elif v.caught:
            verdict = "caught, but " + "; ".join(
                [*(f"also failed {t}" for t in v.elsewhere), *(f"{t} passed" for t in v.missed)]
            )
        elif v.mutant.caught_by[0] in v.failed:
            verdict = f"failed for another reason: {v.message[:120]!r}"
        else:
            verdict = "MISSED"
        named = " + ".join(v.mutant.caught_by)
        lines.append(f"{v.mutant.name:<40} {verdict:<8}  {named}\n    {v.mutant.flaw}")
    caught = sum(v.caught for v in rows)
    exact = sum(v.exact for v in rows)
    where = {
        "named": "the tests named for them",
        "neighbour": "those tests and a neighbour of theirs",
        "area": "their areas",
        "suite": "the whole suite",
    }[scope]
    lines += [
        "",
        f"score: {caught}/{len(rows)} mutants caught in the test named for them, for the right reason;",
        f"       {exact}/{len(rows)} failing no other test of {where} ({sum(v.ran for v in rows)} test runs)",
    ]
    return "\n".join(lines)
