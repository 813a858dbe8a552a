"""The scheduler: jobs never overlap, a failing job is logged and retried at its next tick, triggers.

Short intervals come from the settings; the tests wait for observable state (run counts, recorded
errors), never for an amount of time.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import make_settings
from tests.server.conftest import ServerProcess, make_tokens, wait_for
from vitals.config import Settings
from vitals.server import hooks
from vitals.server.app import create_app
from vitals.server.builds import Builder
from vitals.server.jobs import scheduled_jobs
from vitals.server.scheduler import Every, Job, Scheduler, Weekly
from vitals.server.writer import Writer


def test_jobs_never_overlap() -> None:
    active = 0
    most = 0
    guard = threading.Lock()
    runs = {"a": 0, "b": 0, "c": 0}
    overlap_window = threading.Event()

    def job(name: str) -> None:
        nonlocal active, most
        with guard:
            active += 1
            most = max(most, active)
        overlap_window.wait(0.002)  # give another thread the chance to enter, were there one
        with guard:
            active -= 1
            runs[name] += 1

    scheduler = Scheduler([Job(n, lambda n=n: job(n), Every(0.001, at_start=True)) for n in runs])  # type: ignore[misc]
    scheduler.start()
    try:
        wait_for("every job to run 20 times", lambda: min(runs.values()) >= 20)
    finally:
        scheduler.stop()
    assert most == 1
    states = scheduler.states()
    assert all(states[n]["runs"] >= 20 and states[n]["failures"] == 0 for n in runs)


def test_a_failing_job_is_logged_and_retried_next_tick(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[int] = []

    def flaky() -> None:
        calls.append(1)
        if len(calls) <= 2:
            raise RuntimeError(f"source down (attempt {len(calls)})")

    scheduler = Scheduler([Job("flaky", flaky, Every(0.01, at_start=True))])
    with caplog.at_level(logging.ERROR, logger="vitals.server.scheduler"):
        scheduler.start()
        try:
            wait_for("a success after the failures", lambda: scheduler.states()["flaky"]["last_outcome"] == "success")
        finally:
            scheduler.stop()
    state = scheduler.states()["flaky"]
    assert state["failures"] == 2 and state["runs"] >= 3
    assert state["last_error"] == "RuntimeError: source down (attempt 2)"
    logged = [r.getMessage() for r in caplog.records]
    assert any("flaky failed" in m and "source down (attempt 1)" in m for m in logged)
    assert any("source down (attempt 2)" in m for m in logged)


def test_interval_ticks_count_from_when_due_and_missed_ticks_collapse() -> None:
    start = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    every = Every(60)
    assert every.first(start) == start + timedelta(seconds=60)
    assert Every(60, at_start=True).first(start) == start
    # a run that took 10 s: the next tick is still a minute after the last was due
    assert every.next(start, start + timedelta(seconds=10)) == start + timedelta(seconds=60)
    # a run that took 5 minutes: one run right away, not five
    late = start + timedelta(minutes=5)
    assert every.next(start, late) == late


def test_weekly_digest_is_monday_8_business_time_across_dst() -> None:
    weekly = Weekly(0, time(8, 0), "America/Los_Angeles")
    # winter (PST, UTC-8): Monday 2026-03-02 08:00 = 16:00 UTC
    assert weekly.after(datetime(2026, 2, 27, 12, 0, tzinfo=UTC)) == datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
    # DST starts Sunday 2026-03-08: Monday 2026-03-09 08:00 PDT = 15:00 UTC
    assert weekly.after(datetime(2026, 3, 8, 12, 0, tzinfo=UTC)) == datetime(2026, 3, 9, 15, 0, tzinfo=UTC)
    # exactly at the time: the following week
    assert weekly.after(datetime(2026, 3, 9, 15, 0, tzinfo=UTC)) == datetime(2026, 3, 16, 15, 0, tzinfo=UTC)
    # a Monday before 08:00 local: the same day
    assert weekly.after(datetime(2026, 3, 16, 14, 59, tzinfo=UTC)) == datetime(2026, 3, 16, 15, 0, tzinfo=UTC)


def test_jobs_follow_the_settings(tmp_path: Path) -> None:
    settings = make_settings(
        "duckdb",
        tmp_path,
        serve={
            "source_dsn": "postgresql://app@127.0.0.1:5432/app",
            "pull_interval_minutes": 2,
            "build_interval_minutes": 7,
            "digest_weekday": "friday",
            "digest_time": "17:30",
        },
    )
    writer = Writer(settings)
    jobs = {job.name: job for job in scheduled_jobs(settings, writer, Builder(settings, writer))}
    assert list(jobs) == ["postgres_pull", "build", "alerts", "digest"]
    assert jobs["postgres_pull"].trigger == Every(120, at_start=True)
    assert jobs["build"].trigger == Every(420)
    assert jobs["alerts"].trigger == Every(300)
    assert jobs["digest"].trigger == Weekly(4, time(17, 30), "America/Los_Angeles")
    without_source = scheduled_jobs(make_settings("duckdb", tmp_path), writer, Builder(settings, writer))
    assert [job.name for job in without_source] == ["build", "alerts", "digest"]


def test_alert_hooks_run_on_schedule_in_the_server(tmp_path: Path) -> None:
    calls: list[Settings] = []

    def evaluate(settings: Settings) -> None:
        calls.append(settings)
        if len(calls) == 1:
            raise ValueError("rule table missing")

    settings = make_settings("duckdb", tmp_path, serve={"alerts_interval_minutes": 0.0002})
    admin = {"Authorization": f"Bearer {make_tokens(settings, 'sched')[1]}"}
    hooks.alerts.register(evaluate)
    try:
        with TestClient(create_app(settings, routers=[])) as client:
            wait_for("two alert evaluations", lambda: len(calls) >= 2)
            jobs = client.get("/api/v1/status", headers=admin).json()["jobs"]
    finally:
        hooks.alerts.unregister(evaluate)
    assert calls[0] is settings
    alerts = jobs["alerts"]
    assert alerts["failures"] == 1 and alerts["runs"] >= 2
    assert alerts["last_error"] == "ValueError: rule table missing"


def test_a_failing_pull_is_retried_each_tick(duckdb_settings: Settings, tmp_path: Path) -> None:
    # a source nobody listens on: every pull fails with the cause, and the schedule goes on
    server = ServerProcess(
        duckdb_settings,
        tmp_path,
        source_dsn="postgresql://postgres@127.0.0.1:9/app",
        pull_interval_minutes=0.005,
    ).start()
    try:
        pull = wait_for(
            "three failed pulls",
            lambda: (job := server.status()["jobs"]["postgres_pull"])["failures"] >= 3 and job,
        )
        assert server.status()["ready"] is True
    finally:
        server.stop()
    assert pull["last_outcome"] == "failed"
    assert "cannot connect" in pull["last_error"]
    assert "job postgres_pull failed" in server.log.read_text()
