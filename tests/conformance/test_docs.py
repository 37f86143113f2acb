"""``docs/contract.md`` is the page the contract tests' docstrings make, as they are now."""

from __future__ import annotations

from pathlib import Path

from conformance.__main__ import main
from conformance.areas import AREA_MODULES
from conformance.docs import contract_tests, render

PAGE = Path(__file__).parents[2] / "docs" / "contract.md"


def test_the_checked_in_page_is_current() -> None:
    assert PAGE.read_text() == render(), "regenerate it: python -m conformance docs --write docs/contract.md"
    assert main(["docs", "--check", str(PAGE)]) == 0


def test_the_page_lists_every_contract_test_under_its_area() -> None:
    page = render()
    for area, module in AREA_MODULES.items():
        section = page.split(f"## {area}\n", 1)[1].split("\n## ", 1)[0]
        for name, rule in contract_tests(module):
            assert f"| `{name}` | {rule.replace('|', chr(92) + '|')} |" in section, name


def test_a_stale_page_is_reported(tmp_path: Path) -> None:
    stale = tmp_path / "contract.md"
    stale.write_text(render().replace("## orders", "## order", 1))
    assert main(["docs", "--check", str(stale)]) == 1
    assert main(["docs", "--write", str(stale)]) == 0
    assert stale.read_text() == render()
