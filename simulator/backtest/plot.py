"""The run as a PNG: the price with our buys and sells, equity against buy-and-hold, and
the drawdown, on one time axis."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from exchanges import Fill, Side

from .report import Report

__all__ = ["plot_report"]


def plot_report(report: Report, path: Path, fills: Sequence[Fill] = ()) -> Path:
    """Write the three-panel PNG and return its path."""
    import matplotlib

    matplotlib.use("Agg")  # no display; also keeps the output identical across machines
    import matplotlib.pyplot as plt
    from matplotlib.dates import AutoDateFormatter, AutoDateLocator

    from exchanges import from_ms

    curve = report.equity_curve
    times = [from_ms(p.timestamp) for p in curve]
    equity = [float(p.equity) for p in curve]
    prices = [float(p.price) for p in curve]
    first = prices[0] if prices and prices[0] else 1.0
    hold = [float(report.initial_equity) * p / first for p in prices]
    peak = float("-inf")
    drawdown = []
    for e in equity:
        peak = max(peak, e)
        drawdown.append((e - peak) / peak * 100 if peak > 0 else 0.0)

    fig, (top, middle, bottom) = plt.subplots(
        3, 1, figsize=(10, 8), sharex=True, gridspec_kw={"height_ratios": [3, 3, 1]}, dpi=100
    )
    top.plot(times, prices, color="#57606a", linewidth=1.0, label="price")
    mine = [f for f in fills if f.symbol == report.symbol]  # (the price is the first symbol's)
    buys = [f for f in mine if f.side is Side.BUY]
    sells = [f for f in mine if f.side is Side.SELL]
    top.scatter([from_ms(f.timestamp) for f in buys], [float(f.price) for f in buys], marker="^",
                color="#1a7f37", s=28, zorder=3, label=f"buy ({len(buys)})")  # fmt: skip
    top.scatter([from_ms(f.timestamp) for f in sells], [float(f.price) for f in sells], marker="v",
                color="#cf222e", s=28, zorder=3, label=f"sell ({len(sells)})")  # fmt: skip
    top.set_title(f"{report.symbol}: price ({report.symbol.partition('/')[2]}) and fills")
    top.legend(loc="upper left", fontsize=8)
    top.grid(alpha=0.3)
    middle.plot(times, equity, color="#1f6feb", linewidth=1.2, label=f"equity {report.total_return:+.2%}")
    middle.plot(times, hold, color="#8c959f", linewidth=1.0, linestyle="--",
                label=f"buy and hold {report.buy_and_hold_return:+.2%}")  # fmt: skip
    middle.set_title(f"equity ({report.quote})")
    middle.legend(loc="upper left", fontsize=8)
    middle.grid(alpha=0.3)
    bottom.fill_between(times, drawdown, 0, color="#d1242f", alpha=0.35, linewidth=0)
    bottom.set_ylabel("drawdown %")
    bottom.set_title(f"max drawdown {report.max_drawdown:.2%}", fontsize=9)
    bottom.grid(alpha=0.3)
    locator = AutoDateLocator()  # type: ignore[no-untyped-call]
    bottom.xaxis.set_major_locator(locator)
    bottom.xaxis.set_major_formatter(AutoDateFormatter(locator))  # type: ignore[no-untyped-call]
    fig.autofmt_xdate()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)
    return path
