"""Plot build and load time against dataset size from `vitals bench` reports (docs/performance.md's figure).

    .venv/bin/python scripts/plot_bench.py docs/bench/duckdb-1m-incremental.json \
        docs/bench/duckdb-10m-incremental.json --out docs/images/bench-time-vs-events.png
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

PHASES = {
    "load_seconds_median": "load",
    "build_seconds_median": "full build",
    "incremental_build_seconds_median": "incremental, no new rows",
    "tail_build_seconds_median": "incremental, 30 min of new events",
    "late_build_seconds_median": "incremental, late batch of 3 past days",
}
"""Report field -> the line's label."""


def plot(reports: list[Path], out: Path) -> None:
    """One line per phase: seconds against the dataset's event rows, both axes logarithmic."""
    data = sorted((json.loads(path.read_text()) for path in reports), key=lambda r: r["rows"]["events_big"])
    figure, axes = plt.subplots(figsize=(7, 4.5), dpi=120)
    events = [report["rows"]["events_big"] for report in data]
    for field, label in PHASES.items():
        points = [(n, report[field]) for n, report in zip(events, data, strict=True) if report.get(field)]
        if points:
            axes.plot(*zip(*points, strict=True), marker="o", label=label)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("events in the warehouse")
    axes.set_ylabel("seconds (DuckDB, 2 cores)")
    axes.set_title("vitals bench: time against events")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out)


def main() -> None:
    """Command line: the reports, then --out."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    arguments = parser.parse_args()
    plot(arguments.reports, arguments.out)


if __name__ == "__main__":
    main()
