"""Run every benchmark module in ``bench/`` (or those named on the command line)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    names = argv or sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    if not names:
        print("no benchmarks yet")
        return 0
    machine = f"{sys.platform} python {sys.version.split()[0]}"
    print(f"# benchmarks on {machine}, {time.strftime('%Y-%m-%d %H:%M')}")
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        print(f"\n## {name}")
        module.main()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
