"""The direction of imports (``docs/architecture.md``), read from the source of every module.

The KuCoin adapter and the KuCoin dialect are two readings of one spec and must not share
code; the venue is neutral and must not know a dialect; the engine is pure. A rule broken by
a convenient import would pass every other test, so each is checked here.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = ("exchanges", "adapters", "simulator", "conformance", "signals")


def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, root: Path = ROOT) -> Iterator[tuple[int, str]]:
    """Every module ``path`` imports (absolute names; relative ones resolved), with its line."""
    package = _module_name(path, root)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            yield node.lineno, name
            for alias in node.names:  # ("from simulator import venue" imports simulator.venue)
                yield node.lineno, f"{name}.{alias.name}"


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


#: (the package whose modules are checked, what they may not import)
FORBIDDEN: list[tuple[str, tuple[str, ...]]] = [
    ("exchanges", ("adapters", "simulator", "conformance", "signals")),
    ("adapters", ("simulator", "conformance", "signals")),
    ("simulator", ("adapters", "conformance", "signals")),
    ("simulator.engine", ("exchanges", "simulator.ledger", "simulator.venue", "simulator.kucoin",
                          "simulator.market", "simulator.backtest", "simulator.cli", "simulator.paper")),
    ("simulator.ledger", ("simulator.venue", "simulator.kucoin", "simulator.market",
                          "simulator.backtest", "simulator.cli", "simulator.paper")),
    ("simulator.venue", ("simulator.kucoin", "simulator.market", "simulator.backtest",
                         "simulator.cli", "simulator.paper", "simulator.paper_venue")),
    ("simulator.market", ("simulator.kucoin", "simulator.backtest", "simulator.cli", "simulator.paper")),
    ("conformance.contract", ("adapters", "simulator", "signals", "conformance.targets")),
    ("signals", ("adapters", "simulator", "conformance")),
]  # fmt: skip


def _files(package: str, root: Path = ROOT) -> list[Path]:
    return sorted((root / package.replace(".", "/")).rglob("*.py"))


def breaches(package: str, forbidden: tuple[str, ...], root: Path = ROOT) -> list[str]:
    return [
        f"{path.relative_to(root)}:{line}: {name}"
        for path in _files(package, root)
        for line, name in imports_of(path, root)
        if any(_within(name, banned) for banned in forbidden)
    ]


def _private_member(name: str, prefix: str) -> bool:
    """``simulator.venue._x``: a private module or name of another package."""
    rest = name[len(prefix) + 1 :].split(".") if _within(name, prefix) and name != prefix else []
    return any(part.startswith("_") and not part.startswith("__") for part in rest)


@pytest.mark.parametrize(("package", "forbidden"), FORBIDDEN, ids=[p for p, _ in FORBIDDEN])
def test_imports_go_one_way(package: str, forbidden: tuple[str, ...]) -> None:
    assert _files(package), package
    broken = breaches(package, forbidden)
    assert not broken, "\n".join(broken)


def test_the_core_needs_only_attrs() -> None:
    allowed = set(sys.stdlib_module_names) | {"attrs", "exchanges", "__future__"}
    broken = [
        f"{path.relative_to(ROOT)}:{line}: {name}"
        for path in _files("exchanges")
        for line, name in imports_of(path)
        if name.partition(".")[0] not in allowed
    ]
    assert not broken, "\n".join(broken)


def test_the_market_and_the_dialect_use_the_venues_public_names() -> None:
    """(The venue's port: nothing under ``simulator.venue`` whose name starts with ``_``.)"""
    broken = [
        f"{path.relative_to(ROOT)}:{line}: {name}"
        for package in ("simulator.market", "simulator.kucoin", "simulator.backtest")
        for path in _files(package)
        for line, name in imports_of(path)
        if _private_member(name, "simulator.venue")
    ]
    broken += [
        f"{path.relative_to(ROOT)}:{line}: {name}"
        for path in [ROOT / "simulator" / "paper.py", ROOT / "simulator" / "paper_venue.py"]
        for line, name in imports_of(path)
        if _private_member(name, "simulator.venue")
    ]
    assert not broken, "\n".join(broken)


def test_the_reader_sees_a_planted_breach(tmp_path: Path) -> None:
    """(A check that cannot fail proves nothing: relative and aliased imports across a line
    are found.)"""
    venue = tmp_path / "simulator" / "venue"
    venue.mkdir(parents=True)
    (venue / "__init__.py").write_text("")
    (venue / "sneaky.py").write_text(
        "from ..kucoin import words\nfrom .. import paper as p\nimport simulator.market.synthetic\n"
    )
    found = breaches("simulator.venue", dict(FORBIDDEN)["simulator.venue"], tmp_path)
    assert found == [
        "simulator/venue/sneaky.py:1: simulator.kucoin",
        "simulator/venue/sneaky.py:1: simulator.kucoin.words",
        "simulator/venue/sneaky.py:2: simulator.paper",
        "simulator/venue/sneaky.py:3: simulator.market.synthetic",
    ]
