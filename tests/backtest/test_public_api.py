"""What a user of the backtest imports comes from ``simulator.backtest`` itself: the runner,
the sources, the report and the writers of its files; the README's examples import nothing
deeper."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import simulator.backtest as backtest

README = Path(__file__).parents[2] / "README.md"
WRITERS = ("write_result", "write_html", "plot_report", "write_table", "plot_heatmap")


def test_the_writers_are_the_packages_own() -> None:
    for name in WRITERS:
        assert name in backtest.__all__, name
        assert callable(getattr(backtest, name)), name


def _backtest_section() -> str:
    text = README.read_text()
    start = text.index("## Backtesting (`simulator.backtest`)")
    return text[start : text.index("\n## ", start + 1)]


def test_the_readmes_examples_import_only_the_package() -> None:
    blocks = re.findall(r"```python\n(.*?)```", _backtest_section(), flags=re.S)
    assert len(blocks) >= 3
    imported: set[str] = set()
    for block in blocks:
        lines = (line[2:] if line.startswith("  ") else line for line in block.splitlines())
        tree = ast.parse("\n".join(lines))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("simulator"):
                assert node.module == "simulator.backtest", f"the README imports from {node.module}"
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.Import):
                assert not any(a.name.startswith("simulator.") for a in node.names)
    assert "write_result" in imported
    assert imported <= set(backtest.__all__), imported - set(backtest.__all__)
