"""Each extra installs what its packages import, and the light ones stay light.

``pip install exchanges[kucoin]`` is what a bot author running a live KuCoin bot installs: it must
not bring the simulator's web server or the backtest's plotting. Installing into a fresh
environment would need the network, so the check runs the packages in a subprocess where every
third-party module outside the extra's closure fails to import, as it would there.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]

#: Distributions whose import name differs from their name (the rest: "-" read as "_").
MODULE_OF = {
    "python-kucoin": "kucoin",
    "kucoin-universal-sdk": "kucoin_universal_sdk",
    "types-jsonschema": None,
    "python-binance": "binance",
    "binance-connector": "binance",
    "pyarrow": "pyarrow",
}
#: Never in a light install.
HEAVY = {"matplotlib", "starlette", "uvicorn"}


def _name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9_.-]+(\[[^\]]*\])?", requirement)
    assert match is not None, requirement
    return match.group(0)


def distributions(*extras: str) -> set[str]:
    """The distributions ``exchanges[extras]`` installs (ours followed through self-references)."""
    found: set[str] = {_name(r) for r in PROJECT["dependencies"]}
    todo = list(extras)
    seen: set[str] = set()
    while todo:
        extra = todo.pop()
        if extra in seen:
            continue
        seen.add(extra)
        for requirement in PROJECT["optional-dependencies"][extra]:
            name = _name(requirement)
            if name.startswith("exchanges["):
                todo.extend(part.strip() for part in name[len("exchanges[") : -1].split(","))
            else:
                found.add(name)
    return {name.split("[")[0].lower() for name in found}


def modules(names: set[str]) -> set[str]:
    out = set()
    for name in names:
        module = MODULE_OF.get(name, name.replace("-", "_"))
        if module is not None:
            out.add(module)
    return out


def every_module() -> set[str]:
    return modules(distributions(*PROJECT["optional-dependencies"]))


def run_without(
    blocked: set[str], code: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter in which ``blocked`` (top-level names) cannot be
    imported."""
    prelude = textwrap.dedent(
        f"""
        import sys
        BLOCKED = {sorted(blocked)!r}

        class Missing:
            @staticmethod
            def find_spec(name, path=None, target=None):
                if name.partition(".")[0] in BLOCKED:
                    raise ModuleNotFoundError(f"No module named {{name!r}} (not in this extra)", name=name)
                return None

        sys.meta_path.insert(0, Missing)
        """
    )
    return subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
        env=None if env is None else {**os.environ, **env},
    )


def test_the_kucoin_extra_is_light() -> None:
    assert not HEAVY & distributions("kucoin")
    assert not HEAVY & distributions("binance")
    assert not HEAVY & {_name(r).lower() for r in PROJECT["dependencies"]}


def test_every_extra_names_only_known_extras() -> None:
    for extra, requirements in PROJECT["optional-dependencies"].items():
        for requirement in requirements:
            name = _name(requirement)
            if name.startswith("exchanges["):
                for part in name[len("exchanges[") : -1].split(","):
                    assert part.strip() in PROJECT["optional-dependencies"], (extra, part)


@pytest.mark.parametrize(
    ("extras", "code"),
    [
        (
            ("kucoin",),
            """
            import asyncio
            import exchanges
            from adapters.kucoin import KucoinExchange

            async def main():
                ex = exchanges.connect("kucoin", public=True)
                assert isinstance(ex, KucoinExchange)
                await ex.close()
                assert "paper" in exchanges.venue_names()

            asyncio.run(main())
            assert not {"starlette", "uvicorn", "matplotlib"} & set(sys.modules)
            """,
        ),
        (
            ("binance",),
            """
            import asyncio
            import exchanges
            from adapters.binance import BinanceExchange

            async def main():
                ex = exchanges.connect("binance", public=True)
                assert isinstance(ex, BinanceExchange)
                await ex.close()

            asyncio.run(main())
            assert not {"starlette", "uvicorn", "matplotlib", "simulator"} & set(sys.modules)
            """,
        ),
        (
            ("sim",),
            """
            import asyncio
            from decimal import Decimal
            from exchanges import OrderRequest, Side
            from simulator import PaperExchange
            from simulator.kucoin import KucoinFacade, build_served, serve_in_thread

            async def main():
                ex = PaperExchange({"USDT": Decimal(1000)})
                order = await ex.place_order(
                    OrderRequest.limit("BTC/USDT", Side.BUY, Decimal("0.001"), Decimal(1000))
                )
                await ex.cancel_order("BTC/USDT", order_id=order.id)
                await ex.close()

            asyncio.run(main())
            assert KucoinFacade and build_served and serve_in_thread
            assert "matplotlib" not in sys.modules
            """,
        ),
        (
            ("backtest",),
            """
            import pathlib, tempfile
            from simulator.cli import main

            out = pathlib.Path(tempfile.mkdtemp())
            argv = ["backtest", "examples/ma_crossover.py", "--data", "synthetic:2h", "--seed", "3",
                    "--out", str(out), "--quiet"]
            assert main(argv) == 0
            assert (out / "equity.png").stat().st_size > 0 and (out / "report.json").exists()
            """,
        ),
        (
            ("signals",),
            """
            import signals
            assert signals.__all__
            """,
        ),
    ],
    ids=lambda value: value[0] if isinstance(value, tuple) else None,
)
def test_an_extra_is_enough_for_its_packages(extras: tuple[str, ...], code: str) -> None:
    blocked = every_module() - modules(distributions(*extras))
    done = run_without(blocked, code)
    assert done.returncode == 0, done.stderr[-3000:]


def test_the_paper_exchange_loads_no_server() -> None:
    """(A bot's start-up: the dialects' servers load when served, not with ``PaperExchange``.)"""
    done = run_without(
        set(),
        """
        from simulator import PaperExchange
        loaded = {"starlette", "uvicorn", "cryptography", "matplotlib"} & set(sys.modules)
        assert not loaded, loaded
        """,
    )
    assert done.returncode == 0, done.stderr[-3000:]


def test_the_check_can_fail() -> None:
    done = run_without({"attrs"}, "import exchanges")
    assert done.returncode != 0 and "not in this extra" in done.stderr


@pytest.mark.parametrize("extras", [(), ("kucoin",)], ids=["core", "kucoin"])
def test_pytest_still_starts_beside_a_light_install(extras: tuple[str, ...], tmp_path: Path) -> None:
    """The conformance plugin is registered with pytest on every install; a bot author's own
    test run must not break because its extras are absent."""
    blocked = every_module() - modules(distributions(*extras)) - {"pytest"}
    (tmp_path / "test_nothing.py").write_text("def test_nothing():\n    assert True\n")
    # (only our plugin: the others installed here would be absent there, and so unregistered)
    done = run_without(
        blocked,
        f"""
        import pytest
        sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", "-p", "conformance.plugin", {str(tmp_path)!r}]))
        """,
        env={"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def test_an_author_runs_the_contract_with_only_the_conformance_extra(tmp_path: Path) -> None:
    """The README's conftest, on the paper exchange, with nothing but ``exchanges[conformance]``
    importable: the whole suite collects and passes (the state machine aside, for time)."""
    (tmp_path / "conftest.py").write_text(
        textwrap.dedent(
            """
            from decimal import Decimal

            import pytest

            from conformance import Target
            from simulator import PaperExchange

            BALANCES = {"USDT": Decimal(100_000), "BTC": Decimal(10), "ETH": Decimal(100)}


            def open_exchange() -> PaperExchange:
                return PaperExchange(BALANCES, seed=7)


            @pytest.fixture(scope="session")
            def conformance_target() -> Target:
                return Target(name="light", exchange=open_exchange, symbol="BTC/USDT",
                              other_symbol="ETH/USDT", balances=BALANCES)
            """
        )
    )
    blocked = every_module() - modules(distributions("conformance"))
    assert {"starlette", "uvicorn", "matplotlib", "aiohttp", "orjson"} <= blocked
    done = run_without(
        blocked,
        f"""
        import os, pytest
        os.chdir({str(tmp_path)!r})
        sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", "-p", "pytest_asyncio.plugin",
                              "-p", "conformance.plugin", "--pyargs", "conformance",
                              "-m", "not conformance_state_machine"]))
        """,
        # (the extra's plugins only: others installed here would be absent there)
        env={"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    summary = done.stdout.strip().splitlines()[-1]
    assert re.match(r"\d+ passed", summary) and "failed" not in summary and "error" not in summary, summary
