"""The kit as an adapter author starts with it: ``python -m conformance init`` writes the
README's conftest, and that conftest, next to a tiny adapter, passes the suite as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conformance.__main__ import main
from conformance.starter import starter

pytest_plugins = ["pytester"]

REPO = Path(__file__).parents[2]

#: A tiny adapter: a venue's client (the paper exchange here) behind the author's own class.
TINY_ADAPTER = """
from decimal import Decimal

from simulator import PaperExchange


class MyExchange(PaperExchange):
    def __init__(self, key: str = "", secret: str = "") -> None:
        super().__init__({"USDT": Decimal(100000), "BTC": Decimal(2), "ETH": Decimal(30)}, seed=5)
"""


def _readme_conftest() -> str:
    readme = (REPO / "README.md").read_text()
    blocks = re.findall(r"```python\n(# conftest\.py.*?)```", readme, re.S)
    assert len(blocks) == 1, "the README should show one conftest.py"
    return str(blocks[0])


def test_init_writes_the_readme_conftest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", "--exchange", "my_adapter:MyExchange", "--path", str(tmp_path)]) == 0
    assert "wrote" in capsys.readouterr().out
    assert (tmp_path / "conftest.py").read_text() == _readme_conftest() == starter("my_adapter:MyExchange")


def test_init_keeps_an_existing_conftest_and_refuses_a_bad_exchange(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text("# mine\n")
    with pytest.raises(SystemExit):
        main(["init", "--path", str(tmp_path)])
    assert (tmp_path / "conftest.py").read_text() == "# mine\n"
    with pytest.raises(SystemExit):
        main(["init", "--path", str(tmp_path / "new"), "--exchange", "no_colon"])
    assert main(["init", "--path", str(tmp_path), "--force", "--exchange", "pkg.mod:Venue"]) == 0
    assert "from pkg.mod import Venue" in (tmp_path / "conftest.py").read_text()


def test_the_readme_conftest_runs_as_written(pytester: pytest.Pytester) -> None:
    """In a fresh project (no pytest configuration), with nothing but the README's conftest
    and a tiny adapter: the whole suite passes, or skips saying why, with no warning."""
    pytester.makepyfile(my_adapter=TINY_ADAPTER)
    pytester.makeconftest(_readme_conftest())
    result = pytester.runpytest_subprocess("--pyargs", "conformance", "-p", "no:cacheprovider", timeout=600)
    out = result.stdout.str()
    outcomes = result.parseoutcomes()
    assert result.ret == 0, out
    assert outcomes.get("passed", 0) >= 55, out
    assert "warning" not in out.lower(), out
    assert "conformance of my-venue" in out
    assert "my-venue: no credentials to get wrong" in out
