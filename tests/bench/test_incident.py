"""`vitals bench --incident`, briefly: a real server over a small built warehouse, normal traffic then slow
jobs through /ingest/events; the page and the resolve reach the local PagerDuty-compatible receiver once each."""

from __future__ import annotations

import json
from pathlib import Path

from vitals.bench.incident import run_incident_bench
from vitals.bench.pager import problems
from vitals.config import Settings


def test_incident_bench_measures_page_and_resolve(tmp_path: Path) -> None:
    out = tmp_path / "incident.json"
    said: list[str] = []
    report = run_incident_bench(
        Settings(warehouse=tmp_path / "unused.duckdb", state_dir=tmp_path / "state"),
        events=2_000,
        data_root=tmp_path / "bench",
        kind="slow",
        jobs_per_minute=600,
        normal_minutes=0.1,
        linger_seconds=2,
        max_wait_minutes=3,
        out=out,
        say=said.append,
        alerts_interval_minutes=0.05,
        build_interval_minutes=100,
    )
    assert report.rule == "summarize_p50_high_15m"
    assert (report.pages, report.resolves) == (1, 1)  # one incident, one page, no flapping
    assert report.page_seconds is not None and report.window_breach_seconds is not None
    # the page follows the window's own crossing (found to the second) within a few evaluation intervals
    assert -1 <= report.page_seconds - report.window_breach_seconds < 60
    assert report.resolve_seconds is not None and report.window_clear_seconds is not None
    assert -1 <= report.resolve_seconds - report.window_clear_seconds < 60
    assert report.evaluation_seconds_p50 is not None and report.refused == 0
    assert json.loads(out.read_text())["pages"] == 1
    assert not list((tmp_path / "bench").glob("incident-run-*"))


def test_pager_checks_events_as_pagerduty_does() -> None:
    good = {
        "routing_key": "0" * 32,
        "event_action": "trigger",
        "dedup_key": "k",
        "payload": {"summary": "s", "source": "vitals", "severity": "critical"},
    }
    assert problems(good) == []
    assert problems({**good, "routing_key": "short"}) == ["'routing_key' is invalid"]
    assert problems({"routing_key": "0" * 32, "event_action": "resolve"}) == ["'dedup_key' is missing"]
    assert problems({**good, "payload": {"summary": "s", "source": "v", "severity": "fatal"}}) == [
        "'payload.severity' is invalid"
    ]
