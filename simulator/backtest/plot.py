"""The run as a PNG: each market's price with our buys and sells, equity against
buy-and-hold, and the drawdown, on one time axis."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import attrs

from exchanges import Fill, Side

from .report import Report, fill_markets

__all__ = ["PricePanel", "plot_report", "price_panels"]


@attrs.frozen
class PricePanel:
    """One market's price along the equity curve and our fills on it."""

    title: str
    prices: list[Decimal]
    buys: list[Fill]
    sells: list[Fill]


def price_panels(report: Report, fills: Sequence[Fill] = (), venues: Sequence[str] = ()) -> list[PricePanel]:
    """A panel per market of the run (``venues``: each fill's, on several venues)."""
    where = fill_markets(report, fills, venues)
    panels = []
    for k, row in enumerate(report.symbol_rows()):
        mine = [f for f, m in zip(fills, where, strict=True) if m == k]
        panels.append(PricePanel(
            f"{row.label}: price ({row.quote}) and fills", report.prices_of(k),
            [f for f in mine if f.side is Side.BUY], [f for f in mine if f.side is Side.SELL],
        ))  # fmt: skip
    return panels


def plot_report(report: Report, path: Path, fills: Sequence[Fill] = (), venues: Sequence[str] = ()) -> Path:
    """Write the PNG (a price panel per market, equity, drawdown) and return its path."""
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

    panels = price_panels(report, fills, venues)
    n = len(panels)
    fig, axes = plt.subplots(
        n + 2, 1, figsize=(10, 5 + 3 * n if n == 1 else 5 + 2.2 * n), sharex=True,
        gridspec_kw={"height_ratios": [3 if n == 1 else 2] * n + [3, 1]}, dpi=100, squeeze=False,
    )  # fmt: skip
    *tops, middle, bottom = axes[:, 0]
    for top, panel in zip(tops, panels, strict=True):
        top.plot(times, [float(p) for p in panel.prices], color="#57606a", linewidth=1.0, label="price")
        buys, sells = panel.buys, panel.sells
        top.scatter([from_ms(f.timestamp) for f in buys], [float(f.price) for f in buys], marker="^",
                    color="#1a7f37", s=28, zorder=3, label=f"buy ({len(buys)})")  # fmt: skip
        top.scatter([from_ms(f.timestamp) for f in sells], [float(f.price) for f in sells], marker="v",
                    color="#cf222e", s=28, zorder=3, label=f"sell ({len(sells)})")  # fmt: skip
        top.set_title(panel.title, **({"fontsize": 10} if n > 1 else {}))
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
