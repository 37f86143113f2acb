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
from .live import LiveResult, LiveRunner
from .report import EquityPoint, Report, build_report
from .strategy import Strategy, load_strategy, make_strategy, strategy_params
from .tracking import TrackingExchange

__all__ = [
    "EquityPoint",
    "LiveResult",
    "LiveRunner",
    "Report",
    "Strategy",
    "TrackingExchange",
    "build_report",
    "cache_path",
    "candles_from_kucoin_rows",
    "check_replayable",
    "load_strategy",
    "make_strategy",
    "read_candles_csv",
    "read_trades_csv",
    "strategy_params",
    "trades_from_kucoin_rows",
    "write_candles_csv",
    "write_trades_csv",
]
