"""Which contract tests a mutant runs on, short of the whole suite."""

from __future__ import annotations

from .catalogue import MUTANTS

__all__ = ["mutant_scope"]


def mutant_scope(mutant: str, scope: str, areas: dict[str, str], order: dict[str, list[str]]) -> set[str]:
    """The tests a mutant runs: those named for it; with ``neighbour``, also the test after
    the first of them in its area (a sound test the mutant must pass); with ``area``, every
    test of their areas."""
    named = set(MUTANTS[mutant].caught_by)
    if scope == "named":
        return named
    if scope == "area":
        return {test for test, area in areas.items() if area in {areas.get(n) for n in named}}
    home = MUTANTS[mutant].caught_by[0]
    tests = order.get(areas.get(home, ""), [])
    others = [t for t in tests if t not in named]
    later = [t for t in others if home in tests and tests.index(t) > tests.index(home)]
    neighbour = later[0] if later else others[-1] if others else None
    return named | ({neighbour} if neighbour else set())
