"""Loading strategies and checking their parameters before constructing them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from simulator.backtest import Strategy, load_strategy, make_strategy, strategy_params


class Named(Strategy):
    def __init__(self, symbol: str = "BTC/USDT", window: str = "5") -> None:
        super().__init__(symbol)
        self.window = int(window)


class Open(Strategy):
    def __init__(self, symbol: str = "BTC/USDT", **params: Any) -> None:
        super().__init__(symbol, **params)


def test_declared_parameters_are_checked_by_name() -> None:
    assert strategy_params(Named) == ["window"]
    strategy = make_strategy(Named, "ETH/USDT", {"window": "7"})
    assert isinstance(strategy, Named) and strategy.window == 7 and strategy.symbol == "ETH/USDT"
    with pytest.raises(ValueError, match=r"Named has no parameter 'windw'; it accepts: window$"):
        make_strategy(Named, "BTC/USDT", {"windw": "7"})
    with pytest.raises(ValueError, match="no parameter 'symbol'"):
        make_strategy(Named, "BTC/USDT", {"symbol": "ETH/USDT"})


def test_strategies_taking_any_params_still_get_them() -> None:
    assert strategy_params(Open) is None and strategy_params(Strategy) is None
    assert make_strategy(Open, "BTC/USDT", {"anything": "1"}).params == {"anything": "1"}


def test_a_missing_module_is_a_clear_error_but_a_broken_one_is_not_hidden(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ValueError, match=r"no file nonexist\.module and no module 'nonexist'"):
        load_strategy("nonexist.module")
    with pytest.raises(ValueError, match=r"no module 'examples\.nosuch'"):
        load_strategy("examples.nosuch:Thing")
    assert load_strategy("examples.ma_crossover").__name__ == "MovingAverageCrossover"
    (tmp_path / "needs_missing_dep.py").write_text("import nonexistent_dependency_xyz\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError, match="nonexistent_dependency_xyz"):
        load_strategy("needs_missing_dep")
