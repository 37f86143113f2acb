"""Backtesting: strategies, market data, replay, runners, reports and the files they write."""

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
from .html import render_html, write_html
from .instruments import Instruments, declare, instrument, load_instruments
from .live import LiveResult, LiveRunner
from .output import write_result
from .plot import plot_report
from .replay import FillRules
from .report import EquityPoint, Report, SymbolPnl, build_report
from .runner import Backtest, BacktestResult, MarketData, SetupError, SyntheticData, Unfunded
from .sources import load_source
from .strategy import DEFAULT_VENUE, Strategy, load_strategy, make_strategy, strategy_params
from .sweep_output import plot_heatmap, write_table
from .tracking import TrackingExchange

__all__ = [
    "DEFAULT_VENUE",
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
    "plot_heatmap",
    "plot_report",
    "read_candles_csv",
    "read_trades_csv",
    "render_html",
    "strategy_params",
    "trades_from_kucoin_rows",
    "write_candles_csv",
    "write_html",
    "write_result",
    "write_table",
    "write_trades_csv",
]
