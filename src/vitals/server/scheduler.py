"""A small job scheduler: interval and weekly triggers, one thread, so jobs never overlap.

Jobs run one at a time in due order on the scheduler's thread; a ``SchedulerGroup`` runs several schedulers
side by side, so that a job that must keep its pace (the alert evaluation) never waits behind a long one (a
build). A job that raises is logged with its
cause, its state records the error, and it runs again at its next tick (a failure never stops the
schedule). A job running late does not pile up runs: its next tick is counted from when it was due,
and ticks already missed collapse into one immediate run.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

log = logging.getLogger("vitals.server.scheduler")

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """Now, timezone-aware UTC."""
    return datetime.now(UTC)


class Trigger(Protocol):
    """When a job runs: its first time, and the next time after a run that was due at ``due``."""

    def first(self, now: datetime) -> datetime: ...

    def next(self, due: datetime, now: datetime) -> datetime: ...


@dataclass(frozen=True)
class Every:
    """Every ``seconds``; with ``at_start`` the first run is right away, else one interval after start."""

    seconds: float
    at_start: bool = False

    def first(self, now: datetime) -> datetime:
        return now if self.at_start else now + timedelta(seconds=self.seconds)

    def next(self, due: datetime, now: datetime) -> datetime:
        following = due + timedelta(seconds=self.seconds)
        return following if following > now else now


@dataclass(frozen=True)
class Weekly:
    """Once a week on ``weekday`` (0 = Monday) at ``at`` local time in ``timezone`` (DST-correct)."""

    weekday: int
    at: time
    timezone: str

    def first(self, now: datetime) -> datetime:
        return self.after(now)

    def next(self, due: datetime, now: datetime) -> datetime:
        return self.after(max(due, now))

    def after(self, moment: datetime) -> datetime:
        """The first scheduled time strictly after ``moment`` (UTC)."""
        zone = ZoneInfo(self.timezone)
        local = moment.astimezone(zone)
        day = local.date() + timedelta(days=(self.weekday - local.weekday()) % 7)
        while True:
            candidate = datetime.combine(day, self.at, tzinfo=zone).astimezone(UTC)
            if candidate > moment:
                return candidate
            day += timedelta(days=7)


@dataclass
class JobState:
    """What a job has done: runs, failures, the last outcome and error, and when it runs next."""

    runs: int = 0
    failures: int = 0
    running: bool = False
    last_started: datetime | None = None
    last_finished: datetime | None = None
    last_outcome: str | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    next_run: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (times as ISO UTC)."""

        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "runs": self.runs,
            "failures": self.failures,
            "running": self.running,
            "last_started": iso(self.last_started),
            "last_finished": iso(self.last_finished),
            "last_outcome": self.last_outcome,
            "last_error": self.last_error,
            "last_error_at": iso(self.last_error_at),
            "next_run": iso(self.next_run),
        }


@dataclass
class Job:
    """A named callable and its trigger."""

    name: str
    run: Callable[[], None]
    trigger: Trigger
    state: JobState = field(default_factory=JobState)


class Scheduler:
    """Runs the jobs on one thread, in due order."""

    def __init__(self, jobs: list[Job], clock: Clock = utc_now, *, name: str = "vitals-scheduler") -> None:
        names = [job.name for job in jobs]
        if len(set(names)) != len(names):
            raise ValueError(f"job names must be distinct: {names}")
        self.jobs = {job.name: job for job in jobs}
        self.clock = clock
        self.name = name
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Schedule every job's first run and start the thread."""
        now = self.clock()
        for job in self.jobs.values():
            job.state.next_run = job.trigger.first(now)
        self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """Stop after the running job (if any) finishes."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def states(self) -> dict[str, dict[str, Any]]:
        """Each job's state, JSON-ready."""
        with self._lock:
            return {name: job.state.as_dict() for name, job in self.jobs.items()}

    def _due(self) -> Job | None:
        with self._lock:
            scheduled = [j for j in self.jobs.values() if j.state.next_run is not None]
            return min(scheduled, key=lambda j: j.state.next_run or self.clock()) if scheduled else None

    def _loop(self) -> None:
        while not self._stop.is_set():
            job = self._due()
            if job is None:
                self._stop.wait()
                return
            due = job.state.next_run or self.clock()
            wait = (due - self.clock()).total_seconds()
            if wait > 0:
                self._wake.wait(min(wait, 60.0))
                self._wake.clear()
                continue  # re-check: stopped, woken for another job, or due now
            self._run(job, due)

    def _run(self, job: Job, due: datetime) -> None:
        state = job.state
        with self._lock:
            state.running = True
            state.last_started = self.clock()
        try:
            job.run()
        except Exception as exc:
            cause = f"{type(exc).__name__}: {exc}"
            log.error("job %s failed (retried at its next tick): %s", job.name, cause)
            with self._lock:
                state.failures += 1
                state.last_outcome = "failed"
                state.last_error = cause
                state.last_error_at = self.clock()
        else:
            with self._lock:
                state.last_outcome = "success"
        finally:
            with self._lock:
                state.runs += 1
                state.running = False
                state.last_finished = self.clock()
                state.next_run = job.trigger.next(due, state.last_finished)


class SchedulerGroup:
    """Schedulers that run side by side (each on its own thread), started, stopped and reported together."""

    def __init__(self, schedulers: list[Scheduler]) -> None:
        self.schedulers = [s for s in schedulers if s.jobs]
        self.jobs = {name: job for s in self.schedulers for name, job in s.jobs.items()}

    def start(self) -> None:
        """Start every scheduler."""
        for scheduler in self.schedulers:
            scheduler.start()

    def stop(self, timeout: float | None = None) -> None:
        """Stop every scheduler (each after its running job, if any)."""
        for scheduler in self.schedulers:
            scheduler.stop(timeout)

    def states(self) -> dict[str, dict[str, Any]]:
        """Each job's state, JSON-ready."""
        return {name: state for s in self.schedulers for name, state in s.states().items()}
