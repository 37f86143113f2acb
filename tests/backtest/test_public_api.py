"""What a user of the backtest imports comes from ``simulator.backtest`` itself: the runner,
the sources, the report and the writers of its files; the README's examples import nothing
deeper."""

from __future__ import annotations

import ast
import json
import re
from decimal import Decimal as D
from pathlib import Path

import pytest

import simulator.backtest as backtest
from exchanges import Side, Trade
from simulator.backtest import write_trades_csv

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


def test_the_readmes_spread_example_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = re.findall(r"```python\n(.*?)```", _backtest_section(), flags=re.S)
    (block,) = [b for b in blocks if "examples/spread.py" in b]
    walk = [D(60_000) + 10 * (i % 7) for i in range(30)]
    for k, (venue, over) in enumerate((("kucoin", D(1)), ("binance", D("1.003")))):
        write_trades_csv(tmp_path / f"{venue}-trades.csv", [
            Trade(id=f"{k}{i}", symbol="BTC/USDT", price=p * (over if i % 2 else 1), size=D(1), side=Side.BUY,
                  timestamp=1_700_000_000_000 + 60_000 * i + k)
            for i, p in enumerate(walk)
        ])  # fmt: skip
    (tmp_path / "examples").symlink_to(README.parent / "examples")
    monkeypatch.chdir(tmp_path)
    exec(compile("\n".join(line[2:] for line in block.splitlines()), "README.md", "exec"), {})
    body = json.loads((tmp_path / "out" / "spread" / "report.json").read_text())
    assert set(body["venues"]) == {"kucoin", "binance"}
    assert [row["fills"] for row in body["per_symbol"]] == [14, 14]
