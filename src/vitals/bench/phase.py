"""One benchmark phase in its own process, so its peak memory can be read from the OS alone.

Usage: ``python -m vitals.bench.phase PHASE DATA_DIR`` with the warehouse taken from the environment
(VITALS_*). Prints one JSON line: the phase, its seconds and its row count. The phases, in order:

- ``load``: the dataset's base (``DATA_DIR/increments/base``, see vitals.bench.increments);
- ``load_all`` (instead of all the others, to measure a load alone): the whole dataset;
- ``build``: a full build as of the dataset's as-of time T;
- ``incremental``: an hour later, no new rows;
- ``tail``: the last 30 minutes of events arrive, then a build as of T + 1.5 h;
- ``late``: a batch of events of three past days arrives, then a build as of T + 2 h.

For ``tail`` and ``late`` the seconds are the build's; the load's are reported as ``load_seconds``.
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
    extra: dict[str, float] = {}
    if phase in ("load", "load_all"):
        from vitals.ingest.files import load_directory

        directory = data_dir if phase == "load_all" else _part(data_dir, "base")
        report = load_directory(settings, directory, progress=False)
        rows = report.rows_inserted
    elif phase in BUILD_HOURS:
        from vitals.ingest.files import load_directory
        from vitals.warehouse.dbt import build

        if phase in {"tail", "late"}:
            report = load_directory(settings, _part(data_dir, phase), progress=False)
            rows = report.rows_inserted
            extra["load_seconds"] = time.perf_counter() - started
            started = time.perf_counter()
        hours = BUILD_HOURS[phase]
        build(settings, as_of=_as_of(data_dir) + timedelta(hours=hours), full_refresh=phase == "build")
    else:
        print(f"unknown phase {phase!r}", file=sys.stderr)
        return 2
    print(json.dumps({"phase": phase, "seconds": time.perf_counter() - started, "rows": rows, **extra}))
    return 0


BUILD_HOURS = {"build": 0.0, "incremental": 1.0, "tail": 1.5, "late": 2.0}
"""Each build phase's as-of time, in hours after the dataset's."""


def _part(data_dir: Path, name: str) -> Path:
    """A part of the dataset cut for the incremental phases (the whole dataset when it was not cut)."""
    part = data_dir / "increments" / name
    return part if part.is_dir() else data_dir


def _as_of(data_dir: Path) -> datetime:
    """The dataset's as-of time (recorded by the harness), so every run builds the same thing."""
    return datetime.fromisoformat((data_dir / "AS_OF").read_text().strip())


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
