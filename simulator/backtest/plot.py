"""The equity curve and its drawdown, as a PNG."""

from __future__ import annotations

from pathlib import Path

from .report import Report

__all__ = ["plot_report"]


def plot_report(report: Report, path: Path) -> Path:
    """Write a two-panel PNG (equity on top, drawdown below) and return its path."""
    import matplotlib

    matplotlib.use("Agg")  # no display; also keeps the output identical across machines
    import matplotlib.pyplot as plt
    from matplotlib.dates import DateFormatter

    from exchanges import from_ms

    times = [from_ms(p.timestamp) for p in report.equity_curve]
    equity = [float(p.equity) for p in report.equity_curve]
    peak = float("-inf")
    drawdown = []
    for e in equity:
        peak = max(peak, e)
        drawdown.append((e - peak) / peak * 100 if peak > 0 else 0.0)

    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(10, 6), sharex=True, gridspec_kw={"height_ratios": [3, 1]}, dpi=100
    )
    top.plot(times, equity, color="#1f6feb", linewidth=1.2)
    top.set_title(f"{report.symbol}: equity ({report.quote}), return {report.total_return:+.2%}")
    top.grid(alpha=0.3)
    bottom.fill_between(times, drawdown, 0, color="#d1242f", alpha=0.35, linewidth=0)
    bottom.set_ylabel("drawdown %")
    bottom.set_title(f"max drawdown {report.max_drawdown:.2%}", fontsize=9)
    bottom.grid(alpha=0.3)
    bottom.xaxis.set_major_formatter(DateFormatter("%m-%d %H:%M"))  # type: ignore[no-untyped-call]
    fig.autofmt_xdate()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)
    return path
