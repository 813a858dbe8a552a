"""`vitals bench --incident`: how fast on-call is paged while an incident happens, and told it is over.

1. A warehouse of about ``events`` events is generated (the benchmark dataset, which ends in the past), loaded
   and built once under the data root, then copied for the run.
2. `vitals serve` runs over the copy with 1-minute build and alert intervals and the ``oncall`` route pointed
   at a local PagerDuty-compatible receiver (Events API v2, vitals.bench.pager).
3. Traffic: one completed job per ``60 / rate`` seconds is posted to ``POST /ingest/events`` (its submit,
   pick-up and success events, stamped as they happened). Normal jobs are fast and pass the quality checks.
   After ``normal_minutes`` the incident starts: jobs are slow (``slow``: 5 minutes of summarization) or fail
   the quality checks (``quality``). Once the page arrives (and ``linger_seconds`` more), traffic is normal
   again: the recovery.
4. Reported: incident start -> page delivered, and recovery start -> resolve delivered; beside each, when the
   rule's window itself crossed (computed from the posted jobs by the same window code), so the part the
   window's definition takes and the part the service takes are told apart; the pages per incident (one
   means no flapping) and how long each alert evaluation took.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import httpx

from vitals.alerts.message import dedup_key
from vitals.alerts.realtime import judge_realtime
from vitals.alerts.rules import DEFAULT_RULES_FILE, Rule, read_rules_file
from vitals.bench.pager import Pager, serve_pager
from vitals.bench.served import free_port, stop
from vitals.bench.tokens import make_tokens
from vitals.config import Settings
from vitals.errors import VitalsError
from vitals.realtime.jobs import FeedEvent
from vitals.realtime.windows import Snapshot

Kind = Literal["slow", "quality"]
RULES: dict[str, str] = {"slow": "summarize_p50_high_15m", "quality": "quality_pass_rate_hourly_low"}
"""The default rule each kind of incident trips."""
ORG = "0d0d0d0d-0000-4000-8000-00000000d0d0"
PROVIDER = "0e0e0e0e-0000-4000-8000-00000000e0e0"
ROUTING_KEY = "0123456789abcdef0123456789abcdef"
STAMP = "%Y-%m-%dT%H:%M:%S.%fZ"


class IncidentBenchError(VitalsError):
    """The incident benchmark could not run; the message says what it waited for."""


@dataclass(frozen=True)
class JobShape:
    """How long a job took from submit and from pick-up to completion, and its quality score."""

    turnaround_seconds: float
    summarize_seconds: float
    quality: float


NORMAL = JobShape(45, 20, 0.92)
INCIDENTS: dict[str, JobShape] = {"slow": JobShape(330, 300, 0.92), "quality": JobShape(45, 20, 0.3)}


def bearer(token: str) -> dict[str, str]:
    """The ``Authorization`` header that presents ``token``."""
    return {"Authorization": f"Bearer {token}"}


def post_events(client: httpx.Client, url: str, events: list[dict[str, Any]], token: str) -> int:
    """Post one batch to ``POST /ingest/events`` with the ingest ``token``; the HTTP status (0 when no answer)."""
    try:
        return client.post(f"{url}/ingest/events", json=events, headers=bearer(token)).status_code
    except httpx.HTTPError:
        return 0


def job_events(key: str, done: datetime, shape: JobShape) -> list[dict[str, Any]]:
    """A completed job's note_submit, summarize_start and summarize_success, as the app would send them."""

    def row(name: str, at: datetime, **properties: Any) -> dict[str, Any]:
        return {
            "event_id": f"{key}-{name}",
            "org_id": ORG,
            "provider_id": PROVIDER,
            "occurred_at": at.strftime(STAMP),
            "event_name": name,
            "session_id": "bench-incident",
            "source": "bench",
            "properties": {"note_id": key, **properties},
        }

    return [
        row("note_submit", done - timedelta(seconds=shape.turnaround_seconds), feature="note"),
        row("summarize_start", done - timedelta(seconds=shape.summarize_seconds)),
        row("summarize_success", done, quality_score=shape.quality, hard_error=False),
    ]


def feed_events(events: list[dict[str, Any]]) -> list[FeedEvent]:
    """The posted events as the real-time feed holds them (for the window's own crossing times)."""
    out = []
    for e in events:
        at = datetime.strptime(e["occurred_at"], STAMP)
        quality = e["properties"].get("quality_score")
        out.append(FeedEvent(e["event_id"], e["event_name"], ORG, None, e["properties"]["note_id"], at, quality, False))
    return out


@dataclass
class Traffic:
    """Posts one job per interval on its own thread (with the ingest ``token``); ``shape`` is switched by the
    benchmark."""

    url: str
    token: str
    interval: float
    shape: JobShape = NORMAL
    posted: list[dict[str, Any]] = field(default_factory=list)
    refused: int = 0
    switched_at: dict[str, float] = field(default_factory=dict)
    _pending: str | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="bench-traffic", daemon=True)
        self._thread.start()

    def switch(self, name: str, shape: JobShape) -> None:
        """From the next job on, jobs have ``shape``; the time of that first job is ``switched_at[name]``."""
        with self._lock:
            self.shape = shape
            self._pending = name

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        number = 0
        with httpx.Client(timeout=30) as client:
            next_at = time.monotonic()
            while not self._stop.is_set():
                with self._lock:
                    shape, pending, self._pending = self.shape, self._pending, None
                key = f"incident-bench-{uuid.uuid4().hex[:8]}-{number}"
                number += 1
                done = datetime.now(UTC)
                events = job_events(key, done, shape)
                if post_events(client, self.url, events, self.token) == 200:
                    self.posted.extend(events)
                    if pending is not None:
                        self.switched_at[pending] = done.timestamp()
                else:
                    self.refused += 1
                    if pending is not None:
                        with self._lock:
                            self._pending = pending
                next_at += self.interval
                self._stop.wait(max(0.0, next_at - time.monotonic()))


@dataclass
class IncidentBenchReport:
    """The figures of one incident benchmark."""

    engine: str
    dataset_events: int
    kind: str
    rule: str
    jobs_per_minute: float
    normal_minutes: float
    page_seconds: float | None
    """Incident start (first incident job posted) -> the page arrived at the receiver."""
    window_breach_seconds: float | None
    """Incident start -> the rule's window first met its condition (by the posted jobs)."""
    resolve_seconds: float | None
    """Recovery start (first normal job after the incident) -> the resolve arrived."""
    window_clear_seconds: float | None
    """Recovery start -> the window first met its clear bound."""
    pages: int
    resolves: int
    other_pages: list[str]
    evaluation_seconds_p50: float | None
    evaluation_seconds_max: float | None
    builds: int
    jobs_posted: int
    refused: int
    measured_at: str
    cpu_count: int

    def lines(self) -> list[str]:
        def s(value: float | None) -> str:
            return "not measured" if value is None else f"{value:.0f} s"

        return [
            f"engine        {self.engine}, {self.cpu_count} CPU(s), warehouse of {self.dataset_events:,} events",
            f"incident      {self.kind} jobs ({self.rule}), {self.jobs_per_minute:g} jobs/min, "
            f"{self.normal_minutes:g} min of normal traffic first",
            f"page          {s(self.page_seconds)} after the incident started "
            f"(the window crossed after {s(self.window_breach_seconds)})",
            f"resolve       {s(self.resolve_seconds)} after the recovery started "
            f"(the window cleared after {s(self.window_clear_seconds)})",
            f"pages         {self.pages} trigger(s), {self.resolves} resolve(s) for the incident"
            + (f"; other pages: {', '.join(self.other_pages)}" if self.other_pages else ""),
            f"evaluation    p50 {s(self.evaluation_seconds_p50)}, max {s(self.evaluation_seconds_max)} "
            f"per alert evaluation; {self.builds} build(s) ran meanwhile",
        ]


def prepared_warehouse(
    settings: Settings, events: int, data_root: Path, say: Callable[[str], None]
) -> tuple[Path, int]:
    """A built DuckDB warehouse of the benchmark dataset of about ``events`` events (made once, reused)."""
    from vitals.bench.harness import ensure_dataset
    from vitals.ingest.files import load_directory
    from vitals.warehouse.dbt import build

    directory, rows, _ = ensure_dataset(data_root, events, progress=True)
    path = data_root / f"incident-{events}.duckdb"
    marker = path.with_name(path.name + ".built")
    if not marker.exists():
        path.unlink(missing_ok=True)
        target = settings.model_copy(update={"engine": "duckdb", "warehouse": path})
        say(f"loading {directory} into {path}")
        load_directory(target, directory, progress=True)
        say("building every model once")
        result = build(target, full_refresh=True)
        if not result.success:
            raise IncidentBenchError(f"the build of {path} failed: {result.failures()}")
        marker.write_text(json.dumps(rows) + "\n")
    return path, int(rows.get("events_big", events))


def _wait_ready(url: str, server: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise IncidentBenchError(f"vitals serve exited ({server.returncode}) before it was ready")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise IncidentBenchError(f"vitals serve was not ready within {timeout:.0f} s")


@dataclass
class JobWatch:
    """Samples the alert and build jobs from ``/api/v1/status`` on a thread (with the analyst ``token``)."""

    url: str
    token: str
    evaluations: list[float] = field(default_factory=list)
    builds: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="bench-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        seen: str | None = None
        first_builds: int | None = None
        while not self._stop.wait(2.0):
            try:
                jobs = httpx.get(f"{self.url}/api/v1/status", headers=bearer(self.token), timeout=10).json()["jobs"]
            except (httpx.HTTPError, ValueError, KeyError):
                continue
            alerts, build = jobs.get("alerts", {}), jobs.get("build", {})
            if first_builds is None:
                first_builds = int(build.get("runs", 0))
            self.builds = int(build.get("runs", 0)) - first_builds
            finished, started = alerts.get("last_finished"), alerts.get("last_started")
            if finished and started and finished != seen and not alerts.get("running"):
                seen = finished
                took = datetime.fromisoformat(finished) - datetime.fromisoformat(started)
                self.evaluations.append(took.total_seconds())


def window_crossing(rule: Rule, events: list[FeedEvent], start: float, end: float, *, firing: bool) -> float | None:
    """Seconds after ``start`` when the rule's window first breached (``firing`` False) or cleared (True)."""
    step = 1.0
    moment = start
    while moment <= end:
        at = datetime.fromtimestamp(moment, UTC)
        figures = Snapshot(at, events, []).figures(rule.window).get("global")
        verdict = judge_realtime(rule, figures, None, at, firing=firing)
        if (verdict.kind == "breach") != firing and verdict.kind != "nodata":
            return moment - start
        moment += step
    return None


def run_incident_bench(
    settings: Settings,
    *,
    events: int,
    data_root: Path,
    kind: Kind,
    jobs_per_minute: float,
    normal_minutes: float,
    linger_seconds: float,
    max_wait_minutes: float,
    out: Path,
    say: Callable[[str], None],
    alerts_interval_minutes: float = 1.0,
    build_interval_minutes: float = 1.0,
) -> IncidentBenchReport:
    """Run the benchmark and write its JSON report to ``out`` (the server's intervals are the issue's 1 minute
    unless given)."""
    data_root.mkdir(parents=True, exist_ok=True)
    prepared, dataset_events = prepared_warehouse(settings, events, data_root, say)
    run_dir = data_root / f"incident-run-{uuid.uuid4().hex[:8]}"
    run_dir.mkdir()
    warehouse = run_dir / "vitals.duckdb"
    shutil.copy(prepared, warehouse)
    rule = next(r for r in read_rules_file(DEFAULT_RULES_FILE) if r.name == RULES[kind])  # what the server runs
    key = dedup_key(rule.name, "global")
    try:
        with serve_pager() as pager:
            config = run_dir / "vitals.toml"
            config.write_text(
                f'[alerts.routes.oncall]\ntype = "pagerduty"\nrouting_key = "{ROUTING_KEY}"\nurl = "{pager.url}"\n'
            )
            intervals = (alerts_interval_minutes, build_interval_minutes)
            report = _drive(
                settings, warehouse, run_dir, config, pager, rule, key, kind, jobs_per_minute, normal_minutes,
                linger_seconds, max_wait_minutes, dataset_events, intervals, say,
            )  # fmt: skip
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(asdict(report), indent=2) + "\n")
    return report


def _drive(
    settings: Settings,
    warehouse: Path,
    run_dir: Path,
    config: Path,
    pager: Pager,
    rule: Rule,
    key: str,
    kind: Kind,
    jobs_per_minute: float,
    normal_minutes: float,
    linger_seconds: float,
    max_wait_minutes: float,
    dataset_events: int,
    intervals: tuple[float, float],
    say: Callable[[str], None],
) -> IncidentBenchReport:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    variables = {"VITALS_CONFIG": str(config), "VITALS_ENGINE": "duckdb", "VITALS_WAREHOUSE": str(warehouse)}
    state = run_dir / "state"
    state.mkdir(parents=True, exist_ok=True)
    tokens = make_tokens(variables, state, prefix="bench-incident")  # before the server owns the warehouse
    env = {
        **os.environ,
        **variables,
        "VITALS_STATE_DIR": str(state),
        "VITALS_TIMEZONE": settings.timezone,
        "VITALS_SERVE__ALERTS_INTERVAL_MINUTES": str(intervals[0]),
        "VITALS_SERVE__BUILD_INTERVAL_MINUTES": str(intervals[1]),
    }
    log = (run_dir / "serve.log").open("ab")
    server = subprocess.Popen(
        [sys.executable, "-m", "vitals", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    traffic = Traffic(url, tokens.ingest, 60.0 / jobs_per_minute)
    watch = JobWatch(url, tokens.analyst)
    max_wait = max_wait_minutes * 60
    try:
        _wait_ready(url, server, 300)
        say(f"server ready at {url}; {normal_minutes:g} min of normal traffic ({jobs_per_minute:g} jobs/min)")
        traffic.start()
        watch.start()
        time.sleep(normal_minutes * 60)
        say(f"incident: {kind} jobs from now on; waiting for the page")
        traffic.switch("incident", INCIDENTS[kind])
        page = _await(lambda: pager.first("trigger", key), max_wait, server)
        time.sleep(linger_seconds)
        say("recovery: normal jobs again; waiting for the resolve")
        traffic.switch("recovery", NORMAL)
        resolve = _await(lambda: pager.first("resolve", key), max_wait, server)
        time.sleep(5)
    finally:
        traffic.stop()
        watch.stop()
        stop(server, signal.SIGTERM, 120)
        log.close()
    started = traffic.switched_at.get("incident")
    recovered = traffic.switched_at.get("recovery")
    posted = feed_events(traffic.posted)
    breach = clear = None
    if started is not None:
        breach = window_crossing(rule, posted, started, started + max_wait, firing=False)
    if recovered is not None:
        clear = window_crossing(rule, posted, recovered, recovered + max_wait, firing=True)
    others = sorted({e.dedup_key for e in pager.events if e.action == "trigger" and e.dedup_key != key})
    evaluations = watch.evaluations
    return IncidentBenchReport(
        engine="duckdb",
        dataset_events=dataset_events,
        kind=kind,
        rule=rule.name,
        jobs_per_minute=jobs_per_minute,
        normal_minutes=normal_minutes,
        page_seconds=round(page.at - started, 1) if page and started else None,
        window_breach_seconds=breach,
        resolve_seconds=round(resolve.at - recovered, 1) if resolve and recovered else None,
        window_clear_seconds=clear,
        pages=pager.count("trigger", key),
        resolves=pager.count("resolve", key),
        other_pages=others,
        evaluation_seconds_p50=round(statistics.median(evaluations), 2) if evaluations else None,
        evaluation_seconds_max=round(max(evaluations), 2) if evaluations else None,
        builds=watch.builds,
        jobs_posted=len(traffic.posted) // 3,
        refused=traffic.refused,
        measured_at=datetime.now(UTC).isoformat(),
        cpu_count=os.cpu_count() or 1,
    )


def _await(check: Callable[[], Any], timeout: float, server: subprocess.Popen[bytes]) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        if server.poll() is not None:
            raise IncidentBenchError(f"vitals serve exited ({server.returncode}) during the benchmark")
        time.sleep(0.5)
    return None
