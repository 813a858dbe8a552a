"""Rolling-window reliability figures: over the jobs completed and the attempts and errors that happened in
(as_of - window, as_of], globally and per org, as the reliability marts define them per hour."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from vitals.realtime.feed import ERRORS, EVENTS, JOB_LOOKBACK, SCHEMA, naive_utc
from vitals.realtime.jobs import FeedEvent, Job, copy_order, successful_jobs, visible
from vitals.warehouse.base import Warehouse

ATTEMPT_EVENTS = ("note_submit", "summarize_start", "note_save")
"""The denominator of the error rate (SPEC §3)."""
GLOBAL = "global"


def percentile_cont(values: Sequence[float], p: float) -> float | None:
    """The ``p`` quantile with linear interpolation between ranks (``percentile_cont``); None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    position = p * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class Figures:
    """One scope's reliability over one window."""

    successful_jobs: int = 0
    quality_passed_jobs: int = 0
    attempt_events: int = 0
    error_events: int = 0
    durations: list[int] = field(default_factory=list)
    summarize_times: list[int] = field(default_factory=list)

    @property
    def quality_pass_rate(self) -> float | None:
        return self.quality_passed_jobs / self.successful_jobs if self.successful_jobs else None

    @property
    def duration_ms_p50(self) -> float | None:
        return percentile_cont(self.durations, 0.5)

    @property
    def summarize_ms_p50(self) -> float | None:
        return percentile_cont(self.summarize_times, 0.5)

    @property
    def summarize_timed_jobs(self) -> int:
        return len(self.summarize_times)

    @property
    def error_rate_per_100_attempts(self) -> float | None:
        return 100.0 * self.error_events / self.attempt_events if self.attempt_events else None

    def value(self, name: str) -> float | None:
        """A figure by name (``quality_pass_rate``, ``duration_ms_p50``, ``attempt_events``, ...)."""
        found = getattr(self, name)
        return None if found is None else float(found)


@dataclass(frozen=True)
class FeedError:
    """One Sentry error of the feed (level error or fatal)."""

    error_id: str
    org_id: str | None
    created_at: datetime
    ingested_at: datetime | None = None
    loaded_at: datetime | None = None
    row_hash: str = ""


def _first_errors(errors: Iterable[FeedError], as_of: datetime) -> list[FeedError]:
    """The first ingested copy of each error created at or before ``as_of``."""
    first: dict[str, FeedError] = {}
    for error in errors:
        if error.created_at > as_of:
            continue
        held = first.get(error.error_id)
        if held is None or copy_order(error) < copy_order(held):
            first[error.error_id] = error
    return list(first.values())


class Snapshot:
    """The feed's rows as of one time: every window of one tick is computed from it."""

    def __init__(self, as_of: datetime, events: Iterable[FeedEvent], errors: Iterable[FeedError]) -> None:
        self.as_of = naive_utc(as_of)
        self.events = visible(events, self.as_of)
        self.errors = _first_errors(errors, self.as_of)
        self.jobs: list[Job] = successful_jobs(self.events)

    @classmethod
    def read(
        cls,
        wh: Warehouse,
        as_of: datetime,
        longest: timedelta,
        pending: tuple[Sequence[Sequence[Any]], Sequence[Sequence[Any]]] = ((), ()),
    ) -> Snapshot:
        """The feed rows a window of up to ``longest`` ending at ``as_of`` needs, plus ``pending`` (event
        rows, error rows in the feed's columns: the journal's rows not landed yet)."""
        end = naive_utc(as_of)
        start = end - longest - JOB_LOOKBACK
        names = [c for c, _ in EVENTS.columns]
        rows = wh.query(
            f"select {', '.join(names)} from {SCHEMA}.{EVENTS.feed_table} where occurred_at >= ? and occurred_at <= ?",
            [start, end],
        )
        events = [FeedEvent(*(_naive(v) for v in row)) for row in (*rows, *pending[0])]
        error_names = [c for c, _ in ERRORS.columns if c != "level"]
        error_rows = wh.query(
            f"select {', '.join(error_names)} from {SCHEMA}.{ERRORS.feed_table} "
            "where created_at > ? and created_at <= ?",
            [end - longest, end],
        )
        kept = [(*row[:2], *row[3:]) for row in pending[1]]  # the feed's error columns without the level
        errors = [FeedError(*(_naive(v) for v in row)) for row in (*error_rows, *kept)]
        return cls(as_of, events, errors)

    def figures(self, window: timedelta) -> dict[str, Figures]:
        """Scope (``global`` or an org id) -> its figures over (as_of - window, as_of]."""
        start = self.as_of - window
        out: dict[str, Figures] = defaultdict(Figures)
        out[GLOBAL] = Figures()

        def scopes(org_id: str | None) -> list[Figures]:
            return [out[GLOBAL]] + ([out[org_id]] if org_id is not None else [])

        for job in self.jobs:
            if not start < job.completed_at <= self.as_of:
                continue
            for figures in scopes(job.org_id):
                figures.successful_jobs += 1
                figures.quality_passed_jobs += int(job.passed)
                figures.durations.append(job.duration_ms)
                if job.summarize_ms is not None:
                    figures.summarize_times.append(job.summarize_ms)
        for event in self.events:
            if event.event_name in ATTEMPT_EVENTS and start < event.occurred_at <= self.as_of:
                for figures in scopes(event.org_id):
                    figures.attempt_events += 1
        for error in self.errors:
            if start < error.created_at <= self.as_of:
                for figures in scopes(error.org_id):
                    figures.error_events += 1
        return dict(out)


def _naive(value: Any) -> Any:
    """Times as naive UTC (PostgreSQL and DuckDB both return naive for ``timestamp``)."""
    return naive_utc(value) if isinstance(value, datetime) else value
