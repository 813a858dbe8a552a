"""One benchmark phase in its own process, so its peak memory can be read from the OS alone.

Usage: ``python -m vitals.bench.phase load|build|incremental DATA_DIR`` with the warehouse taken from the
environment (VITALS_*). Prints one JSON line: the phase, its seconds and its row count.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path


def main(argv: list[str]) -> int:
    """Run the named phase and print its timing as JSON."""
    from vitals.config import load_settings

    phase, data_dir = argv[0], Path(argv[1])
    settings = load_settings()
    started = time.perf_counter()
    rows = 0
    if phase == "load":
        from vitals.ingest.files import load_directory

        report = load_directory(settings, data_dir, progress=False)
        rows = report.rows_inserted
    elif phase == "build":
        from vitals.warehouse.dbt import build

        build(settings, as_of=_as_of(data_dir), full_refresh=True)
    elif phase == "incremental":
        from vitals.warehouse.dbt import build

        # an hour later, no new rows: metrics_daily recomputes only from the previous build's last day
        build(settings, as_of=_as_of(data_dir) + timedelta(hours=1), full_refresh=False)
    else:
        print(f"unknown phase {phase!r}", file=sys.stderr)
        return 2
    print(json.dumps({"phase": phase, "seconds": time.perf_counter() - started, "rows": rows}))
    return 0


def _as_of(data_dir: Path) -> datetime:
    """The dataset's as-of time (recorded by the harness), so every run builds the same thing."""
    return datetime.fromisoformat((data_dir / "AS_OF").read_text().strip())


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
