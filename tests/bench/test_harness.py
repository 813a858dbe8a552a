"""`vitals bench` on a tiny dataset: every phase runs in its own process and the JSON report holds medians."""

from __future__ import annotations

import json
from pathlib import Path

from vitals.bench.harness import duckdb_run_env, run_bench
from vitals.config import Settings


def test_bench_reports_load_build_and_incremental(tmp_path: Path) -> None:
    said: list[str] = []
    out = tmp_path / "report.json"
    report = run_bench(
        Settings(warehouse=tmp_path / "unused.duckdb", state_dir=tmp_path / "state"),
        events=3000,
        runs=1,
        data_root=tmp_path / "bench",
        out=out,
        fresh_warehouse=duckdb_run_env(tmp_path / "bench"),
        progress=False,
        say=said.append,
    )
    assert report.rows["events_big"] > 2000
    assert report.load_seconds_median > 0 and report.build_seconds_median > 0
    assert report.incremental_build_seconds_median > 0
    assert report.tail_build_seconds_median > 0 and report.late_build_seconds_median > 0
    late = json.loads(out.read_text())["raw_runs"][0]["late"]
    assert late["rows"] > 0, "the late batch brought events of past days"
    assert late["load_seconds"] > 0
    parts = Path(report.dataset) / "increments"
    assert {p.name for p in parts.iterdir() if p.is_dir()} == {"base", "tail", "late"}
    assert report.load_peak_rss_mb_median > 50, "the child's own peak RSS, in MB"
    assert (report.runs, report.runs_requested) == (1, 1)
    saved = json.loads(out.read_text())
    assert saved["raw_runs"][0]["incremental"]["seconds"] == report.incremental_build_seconds_median
    assert any("incremental" in line for line in report.lines())
    assert said[-1].startswith("run 1/1: load")
    # the run's warehouse is removed afterwards; the dataset stays for the next run
    assert not list((tmp_path / "bench").glob("bench-run-*.duckdb"))
    assert (Path(report.dataset) / "MANIFEST.json").exists()


def test_bench_can_measure_a_csv_load_alone(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    report = run_bench(
        Settings(warehouse=tmp_path / "unused.duckdb", state_dir=tmp_path / "state"),
        events=3000,
        runs=1,
        data_root=tmp_path / "bench",
        out=out,
        fresh_warehouse=duckdb_run_env(tmp_path / "bench"),
        progress=False,
        say=lambda line: None,
        source_format="csv",
        load_only=True,
    )
    assert Path(report.dataset).name.endswith("-csv")
    assert (Path(report.dataset) / "events_big.csv").exists()
    assert report.source_format == "csv"
    assert report.build_seconds_median is None and report.incremental_build_seconds_median is None
    assert set(report.raw_runs[0]) == {"load"}
    assert report.raw_runs[0]["load"].cpu_seconds > 0 and report.load_cpu_seconds_median > 0
    assert report.raw_runs[0]["load"].rows == sum(report.rows.values())
    assert "from csv" in report.lines()[2] and len(report.lines()) == 3
