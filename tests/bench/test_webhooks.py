"""`vitals bench --webhooks`, briefly: a real server is driven, and the freshness marker reaches metrics_daily."""

from __future__ import annotations

import json
from pathlib import Path

from vitals.bench.harness import duckdb_run_env
from vitals.bench.webhooks import run_webhook_bench
from vitals.config import Settings


def test_webhook_bench_reports_throughput_latency_and_verified_freshness(tmp_path: Path) -> None:
    out = tmp_path / "webhooks.json"
    said: list[str] = []
    report = run_webhook_bench(
        Settings(warehouse=tmp_path / "unused.duckdb", state_dir=tmp_path / "state"),
        seconds=2,
        processes=1,
        threads=2,
        build_interval_minutes=0.02,
        work_dir=tmp_path / "bench",
        fresh_warehouse=duckdb_run_env(tmp_path / "bench"),
        out=out,
        say=said.append,
    )
    assert report.acknowledged > 0 and report.refused == 0
    assert report.requests_per_second > 0
    assert 0 < report.latency_p50_ms <= report.latency_p99_ms
    # the marker event was in the first build after it, and metrics_daily shows its org active today
    assert report.freshness_seconds is not None and report.freshness_seconds > 0
    assert report.freshness_verified
    assert json.loads(out.read_text())["acknowledged"] == report.acknowledged
    assert any(line.startswith("freshness") and "NOT" not in line for line in report.lines())
    assert not list((tmp_path / "bench").glob("bench-run-*.duckdb"))
