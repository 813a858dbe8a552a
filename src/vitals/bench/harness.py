"""`vitals bench`: generate (or reuse) a dataset, then load and build it several times into fresh
warehouses, each phase in its own process; report medians of seconds, rows/s, CPU seconds and peak RSS."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from vitals.bench import increments
from vitals.config import Settings

PHASES = ("load", "build", "incremental", "tail", "late")
"""The phases of a run, each in its own process (vitals.bench.phase)."""

SOURCE_FORMATS = ("parquet", "csv")
"""Formats a benchmark dataset can be written in (the same rows in each; the builds need Parquet)."""

BENCH_SEED = 7
BENCH_END = date(2026, 10, 31)
"""Fixed so that every machine benchmarks the same data."""


@dataclass
class PhaseRun:
    """One phase of one run."""

    seconds: float
    peak_rss_mb: float
    rows: int = 0
    load_seconds: float = 0.0
    """For the phases that load rows before they build: the load's seconds (``seconds`` is the build's)."""
    cpu_seconds: float = 0.0
    """User plus system CPU time of the phase's process (steadier than wall time on a shared machine)."""


@dataclass
class BenchReport:
    """Medians over the runs, and every run's raw figures."""

    events_target: int
    engine: str
    runs: int
    """Runs done (the medians are over these)."""
    runs_requested: int
    dataset: str
    rows: dict[str, int]
    load_seconds_median: float
    build_seconds_median: float | None
    """None when the load was measured alone (as are the other build figures)."""
    load_rows_per_second_median: float
    load_peak_rss_mb_median: float
    build_peak_rss_mb_median: float | None
    incremental_build_seconds_median: float | None
    tail_build_seconds_median: float | None
    """An incremental build after the last 30 minutes of events arrived."""
    late_build_seconds_median: float | None
    """An incremental build after a batch of events of three past days arrived."""
    generate_seconds: float | None
    measured_at: str
    source_format: str = "parquet"
    load_cpu_seconds_median: float = 0.0
    raw_runs: list[dict[str, PhaseRun]] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The report as the CLI prints it."""
        out = [
            f"dataset        {self.dataset} ({', '.join(f'{k} {v:,}' for k, v in self.rows.items())})",
            f"engine         {self.engine}, {self.runs} of {self.runs_requested} runs (medians)",
            f"load           {self.load_seconds_median:.1f} s  ({self.load_rows_per_second_median:,.0f} rows/s "
            f"from {self.source_format}, {self.load_cpu_seconds_median:.1f} CPU s)"
            f"  peak RSS {self.load_peak_rss_mb_median:,.0f} MB",
        ]
        if self.build_seconds_median is not None and self.build_peak_rss_mb_median is not None:
            out.append(
                f"full build     {self.build_seconds_median:.1f} s  peak RSS {self.build_peak_rss_mb_median:,.0f} MB"
            )
        for figure, what in (
            (self.incremental_build_seconds_median, "incremental    {:.1f} s  (rebuild an hour later, no new rows)"),
            (self.tail_build_seconds_median, "               {:.1f} s  (after 30 minutes of new events)"),
            (self.late_build_seconds_median, "               {:.1f} s  (after a late batch touching 3 past days)"),
        ):
            if figure is not None:
                out.append(what.format(figure))
        return out


def dataset_dir(root: Path, events: int, fmt: str = "parquet") -> Path:
    """Where the benchmark dataset for ``events`` in ``fmt`` lives (reused across runs)."""
    suffix = "" if fmt == "parquet" else f"-{fmt}"
    return root / f"events-{events}-seed-{BENCH_SEED}{suffix}"


def ensure_dataset(
    root: Path, events: int, progress: bool, fmt: str = "parquet"
) -> tuple[Path, dict[str, int], float | None]:
    """Generate the dataset unless it is already there; return its dir, row counts and generate time."""
    from vitals.generate import generate

    if fmt not in SOURCE_FORMATS:
        raise ValueError(f"unknown dataset format {fmt!r}; use one of {', '.join(SOURCE_FORMATS)}")
    directory = dataset_dir(root, events, fmt)
    manifest = directory / "MANIFEST.json"
    if manifest.exists():
        return directory, json.loads(manifest.read_text()), None
    result = generate(
        directory,
        events=events,
        seed=BENCH_SEED,
        end=BENCH_END,
        fmt="csv" if fmt == "csv" else "parquet",
        progress=progress,
    )
    rows = dict(result.rows)
    as_of = datetime.combine(BENCH_END + timedelta(days=1), time(8, 0), tzinfo=UTC)
    (directory / "AS_OF").write_text(as_of.isoformat())
    manifest.write_text(json.dumps(rows))
    return directory, rows, result.elapsed_seconds


def _run_phase_measured(phase: str, data: Path, env: dict[str, str]) -> PhaseRun:
    """Run a phase in a child process and read that child's own peak RSS with wait4."""
    with tempfile.TemporaryFile(mode="w+") as out, tempfile.TemporaryFile(mode="w+") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "vitals.bench.phase", phase, str(data)], env=env, stdout=out, stderr=err
        )
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise RuntimeError(f"bench phase {phase} failed:\n{err.read().strip()[-2000:]}")
        result = json.loads(out.read().strip().splitlines()[-1])
    return PhaseRun(
        seconds=result["seconds"],
        peak_rss_mb=usage.ru_maxrss / 1024,
        rows=result["rows"],
        load_seconds=result.get("load_seconds", 0.0),
        cpu_seconds=usage.ru_utime + usage.ru_stime,
    )


def run_bench(
    settings: Settings,
    *,
    events: int,
    runs: int = 3,
    data_root: Path,
    out: Path,
    fresh_warehouse: Callable[[int], tuple[dict[str, str], Callable[[], None]]],
    progress: bool = True,
    say: Callable[[str], None] = print,
    source_format: str = "parquet",
    load_only: bool = False,
) -> BenchReport:
    """Benchmark load, full build and an incremental rebuild ``runs`` times; write the report as JSON to ``out``.

    ``fresh_warehouse(i)`` returns the VITALS_* variables that point run ``i`` at an empty warehouse,
    and a function that removes that warehouse afterwards. ``load_only`` loads the whole dataset (from
    ``source_format`` files) and builds nothing; the builds need the Parquet dataset.
    """
    if source_format != "parquet" and not load_only:
        raise ValueError(f"a {source_format} dataset measures the load alone (load_only); the builds use Parquet")
    data, rows, gen_seconds = ensure_dataset(data_root, events, progress, source_format)
    if gen_seconds is not None:
        say(f"generated {sum(rows.values()):,} rows in {gen_seconds:.1f} s")
    if not load_only:
        increments.prepare(data, datetime.fromisoformat((data / "AS_OF").read_text().strip()))
    all_runs: list[dict[str, PhaseRun]] = []
    for i in range(runs):
        variables, cleanup = fresh_warehouse(i)
        env = {**os.environ, **variables}
        try:
            if load_only:
                phases = {"load": _run_phase_measured("load_all", data, env)}
            else:
                phases = {phase: _run_phase_measured(phase, data, env) for phase in PHASES}
        finally:
            cleanup()
        all_runs.append(phases)
        say(f"run {i + 1}/{runs}: " + ", ".join(f"{phase} {run.seconds:.1f} s" for phase, run in phases.items()))

        report = _report(settings, events, data, rows, gen_seconds, runs, all_runs, source_format)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(asdict(report), indent=2))  # after every run: a long bench cut short keeps its runs
    return report


def _report(
    settings: Settings,
    events: int,
    data: Path,
    rows: dict[str, int],
    gen_seconds: float | None,
    runs: int,
    all_runs: list[dict[str, PhaseRun]],
    source_format: str = "parquet",
) -> BenchReport:
    """The report over the runs done so far (``runs`` of them asked for)."""

    def median(phase: str, attr: str) -> float:
        return statistics.median(getattr(r[phase], attr) for r in all_runs)

    def built(phase: str, attr: str) -> float | None:
        return median(phase, attr) if all(phase in r for r in all_runs) else None

    events_rows = rows.get("events_big", events)
    report = BenchReport(
        events_target=events,
        engine=settings.engine,
        runs=len(all_runs),
        runs_requested=runs,
        dataset=str(data),
        rows=rows,
        load_seconds_median=median("load", "seconds"),
        build_seconds_median=built("build", "seconds"),
        load_rows_per_second_median=statistics.median(r["load"].rows / r["load"].seconds for r in all_runs)
        if events_rows
        else 0.0,
        load_peak_rss_mb_median=median("load", "peak_rss_mb"),
        build_peak_rss_mb_median=built("build", "peak_rss_mb"),
        incremental_build_seconds_median=built("incremental", "seconds"),
        tail_build_seconds_median=built("tail", "seconds"),
        late_build_seconds_median=built("late", "seconds"),
        generate_seconds=gen_seconds,
        measured_at=datetime.now(UTC).isoformat(timespec="seconds"),
        source_format=source_format,
        load_cpu_seconds_median=median("load", "cpu_seconds"),
        raw_runs=all_runs,
    )
    return report


def duckdb_run_env(root: Path) -> Callable[[int], tuple[dict[str, str], Callable[[], None]]]:
    """Fresh DuckDB files under ``root``, one per run, deleted after it."""

    def env(i: int) -> tuple[dict[str, str], Callable[[], None]]:
        path = root / f"bench-run-{i}-{uuid.uuid4().hex[:8]}.duckdb"
        snapshot = path.with_name(path.stem + "-bi.duckdb")  # what a served run's builds publish for BI tools
        variables = {
            "VITALS_ENGINE": "duckdb",
            "VITALS_WAREHOUSE": str(path),
            "VITALS_STATE_DIR": str(root / "state"),
            "VITALS_BI__SNAPSHOT_PATH": str(snapshot),
        }

        def cleanup() -> None:
            for leftover in (path, path.with_name(path.name + ".wal"), snapshot):
                leftover.unlink(missing_ok=True)

        return variables, cleanup

    return env


def postgres_run_env(admin_dsn: str) -> Callable[[int], tuple[dict[str, str], Callable[[], None]]]:
    """A fresh PostgreSQL database per run (created through ``admin_dsn``), dropped after it."""
    import psycopg

    def env(i: int) -> tuple[dict[str, str], Callable[[], None]]:
        name = f"vitals_bench_{i}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(admin_dsn, autocommit=True) as con:
            con.execute(f'create database "{name}"')
        dsn = psycopg.conninfo.make_conninfo(admin_dsn, dbname=name)
        variables = {"VITALS_ENGINE": "postgres", "VITALS_POSTGRES__DSN": dsn}

        def cleanup() -> None:
            with psycopg.connect(admin_dsn, autocommit=True) as con:
                con.execute(f'drop database if exists "{name}" with (force)')

        return variables, cleanup

    return env
