"""A backtest's files: report.json, report.txt, fills.csv, log.txt, equity.png, report.html."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path

from .runner import BacktestResult

__all__ = ["write_result"]


def write_result(
    out: Path,
    result: BacktestResult,
    *,
    plot: bool = True,
    params: Mapping[str, object] | None = None,
) -> list[Path]:
    """Write every file of the run to ``out``; returns their paths."""
    from .html import write_html
    from .plot import plot_report

    out.mkdir(parents=True, exist_ok=True)
    report = result.report
    written = [out / "report.json", out / "report.txt", out / "log.txt", out / "fills.csv"]
    (out / "report.json").write_text(report.to_json())
    (out / "report.txt").write_text(report.table() + "\n")
    (out / "log.txt").write_text("".join(f"{line}\n" for line in result.log))
    with (out / "fills.csv").open("w", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        venues = result.fill_venues  # (a column of its own on several venues only)
        writer.writerow(
            ("timestamp_ms", "order_id", "side", "price", "size", "funds", "fee", "fee_currency", "liquidity",
             "symbol", *(("venue",) if venues else ()))
        )  # fmt: skip
        for i, f in enumerate(result.fills):
            row = (f.timestamp, f.order_id, f.side, f.price, f.size, f.funds, f.fee, f.fee_currency)
            writer.writerow((*row, f.liquidity, f.symbol, *((venues[i],) if venues else ())))
    written.append(write_html(out / "report.html", result, params or {}))
    if plot:
        written.append(plot_report(report, out / "equity.png", result.fills, result.fill_venues))
    return written
