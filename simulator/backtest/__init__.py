"""Backtesting: strategies, market data, replay, runners and reports."""

from .data import (
    cache_path,
    candles_from_kucoin_rows,
    check_replayable,
    read_candles_csv,
    read_trades_csv,
    trades_from_kucoin_rows,
    write_candles_csv,
    write_trades_csv,
)
from .instruments import Instruments, declare, instrument, load_instruments
from .live import LiveResult, LiveRunner
from .replay import FillRules
from .report import EquityPoint, Report, SymbolPnl, build_report
from .runner import Backtest, BacktestResult, MarketData, SetupError, SyntheticData, Unfunded
from .sources import load_source
from .strategy import Strategy, load_strategy, make_strategy, strategy_params
from .tracking import TrackingExchange

__all__ = [
    "Backtest",
    "BacktestResult",
    "EquityPoint",
    "FillRules",
    "Instruments",
    "LiveResult",
    "LiveRunner",
    "MarketData",
    "Report",
    "SetupError",
    "Strategy",
    "SymbolPnl",
    "SyntheticData",
    "TrackingExchange",
    "Unfunded",
    "build_report",
    "cache_path",
    "candles_from_kucoin_rows",
    "check_replayable",
    "declare",
    "instrument",
    "load_instruments",
    "load_source",
    "load_strategy",
    "make_strategy",
    "read_candles_csv",
    "read_trades_csv",
    "strategy_params",
    "trades_from_kucoin_rows",
    "write_candles_csv",
    "write_trades_csv",
]
