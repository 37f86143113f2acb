"""What a sweep writes: the table of every trial (Parquet and CSV) and, for two
parameters, a heatmap of the objective (each cell the best over the other parameters)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["plot_heatmap", "write_table"]


def write_table(rows: Sequence[dict[str, Any]], stem: Path) -> list[Path]:
    """``stem``.parquet and ``stem``.csv; the columns are the union of the rows' keys."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    table = pa.table({name: [row.get(name) for row in rows] for name in names})
    stem.parent.mkdir(parents=True, exist_ok=True)
    parquet, csv = stem.with_suffix(".parquet"), stem.with_suffix(".csv")
    pq.write_table(table, parquet)
    pacsv.write_csv(table, csv)
    return [parquet, csv]


def plot_heatmap(rows: Sequence[dict[str, Any]], x: str, y: str, figure: str, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def order(name: str) -> list[str]:
        values = list(dict.fromkeys(str(r[name]) for r in rows))
        try:
            return sorted(values, key=float)
        except ValueError:
            return values

    xs, ys = order(x), order(y)
    cells: dict[tuple[str, str], float] = {}
    for r in rows:
        value = r.get(figure)
        if value is None:
            continue
        key = (str(r[x]), str(r[y]))
        cells[key] = max(cells.get(key, float("-inf")), float(value))
    grid = [[cells.get((xv, yv), float("nan")) for xv in xs] for yv in ys]
    fig, ax = plt.subplots(figsize=(max(4, len(xs) * 0.6 + 2), max(3, len(ys) * 0.45 + 1.5)), dpi=100)
    image = ax.imshow(grid, origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(len(xs)), xs, rotation=45 if len(xs) > 8 else 0)
    ax.set_yticks(range(len(ys)), ys)
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title(f"{figure} by {x} and {y}")
    if len(xs) * len(ys) <= 150:
        for j, row in enumerate(grid):
            for i, value in enumerate(row):
                if value == value:  # (not NaN)
                    ax.text(i, j, f"{value:.3g}", ha="center", va="center", fontsize=7, color="white")
    fig.colorbar(image, ax=ax)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)
    return path
