"""Example strategies; each runs unchanged in a backtest and live."""
