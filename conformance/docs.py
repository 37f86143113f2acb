"""``docs/contract.md``: every contract test and the rule it holds, by area, written from
the tests' own docstrings (``python -m conformance docs``)."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from typing import Any

from .areas import AREA_MODULES, area_marker

__all__ = ["contract_tests", "render"]


def contract_tests(module_name: str) -> list[tuple[str, str]]:
    """``(test name, rule)`` for each contract test of a module, in source order; a test
    with no docstring is an error (its rule would go unsaid)."""
    module = importlib.import_module(module_name)
    found: list[tuple[int, str, str]] = []
    for name, value in vars(module).items():
        if not name.startswith("test_") or not callable(value):
            continue
        func: Callable[..., Any] = value
        doc = inspect.getdoc(func)
        if not doc:
            raise ValueError(f"{module_name}.{name} has no docstring: say the rule it holds")
        found.append((inspect.getsourcelines(func)[1], name, " ".join(doc.split())))
    return [(name, rule) for _, name, rule in sorted(found)]


def render() -> str:
    """The page, as Markdown."""
    from .mutants import MUTANTS

    catches: dict[str, list[str]] = {}
    for mutant in MUTANTS.values():
        for test in mutant.caught_by:
            catches.setdefault(test, []).append(mutant.name)
    lines = [
        "# The contract",
        "",
        "Every test of the conformance suite and the rule it holds, by area, with the mutants of the",
        "catalogue (`python -m conformance mutants`) each one catches. Written by",
        "`python -m conformance docs --write docs/contract.md` from the tests' docstrings: edit those,",
        "not this page.",
        "",
        "Run one area with `-m <marker>`, `--conformance-area <area>`, or its module",
        "(`pytest --pyargs <module>`).",
    ]
    for area, module_name in AREA_MODULES.items():
        module = importlib.import_module(module_name)
        intro = " ".join((inspect.getdoc(module) or "").split())
        lines += [
            "",
            f"## {area}",
            "",
            f"Marker `{area_marker(area)}`, module `{module_name}`. {intro}",
            "",
            "| test | rule | catches |",
            "|---|---|---|",
        ]
        for name, rule in contract_tests(module_name):
            caught = ", ".join(f"`{m}`" for m in catches.get(name, ()))
            cell = rule.replace("|", "\\|")
            lines.append(f"| `{name}` | {cell} | {caught} |")
    return "\n".join(lines) + "\n"
