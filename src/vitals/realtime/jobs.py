"""Jobs from feed events, by the rules of ``int_jobs_derived`` and ``summarization_jobs`` (SPEC §5).

Events are visible when they happened at or before the as-of time; duplicates of an ``event_id`` keep the
first ingested copy (``_ingest_ts``, then the landing time, then the row hash). A job is its first
``note_submit`` (by time, then event id), its id ``coalesce(note_id, request_id, event_id)``; a later event
belongs to it when ``coalesce(note_id, request_id)`` is the job id and it is not earlier than the start.
``completed_at`` is the first ``summarize_success`` (with its quality score and hard error), and the
summarize time counts from the first ``summarize_start`` when that is not after completion. Jobs of an
unknown org are left out. Only what the windows need is derived: successful jobs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

EPOCH = datetime(1970, 1, 1)
QUALITY_PASS_SCORE = 0.7


@dataclass(frozen=True)
class FeedEvent:
    """One job event of the feed (times naive UTC)."""

    event_id: str
    event_name: str
    org_id: str | None
    request_id: str | None
    note_id: str | None
    occurred_at: datetime
    quality_score: float | None = None
    hard_error: bool | None = None
    ingested_at: datetime | None = None
    loaded_at: datetime | None = None
    row_hash: str = ""


@dataclass(frozen=True)
class Job:
    """A successful job: when it started, was picked up and completed, and its quality."""

    job_id: str
    org_id: str
    created_at: datetime
    summarize_started_at: datetime | None
    completed_at: datetime
    quality_score: float | None
    hard_error: bool | None

    @property
    def duration_ms(self) -> int:
        """Submit to completed, in whole milliseconds (each time floored to the millisecond)."""
        return epoch_ms(self.completed_at) - epoch_ms(self.created_at)

    @property
    def summarize_ms(self) -> int | None:
        """Picked up to completed, when it was picked up no later than completed."""
        start = self.summarize_started_at
        if start is None or start > self.completed_at:
            return None
        return epoch_ms(self.completed_at) - epoch_ms(start)

    @property
    def passed(self) -> bool:
        """Quality score at least 0.7 and no hard error (a missing score does not pass)."""
        return self.quality_score is not None and self.quality_score >= QUALITY_PASS_SCORE and not self.hard_error


def epoch_ms(moment: datetime) -> int:
    """Milliseconds since the epoch, rounded down."""
    return (moment - EPOCH) // timedelta(milliseconds=1)


class Copy(Protocol):
    """A landed copy of a row: which copy of a duplicated id wins."""

    @property
    def ingested_at(self) -> datetime | None: ...

    @property
    def loaded_at(self) -> datetime | None: ...

    @property
    def row_hash(self) -> str: ...


def copy_order(row: Copy) -> tuple[bool, datetime, bool, datetime, str]:
    """First ingested wins: ``_ingest_ts``, then the landing time (missing last), then the row hash."""
    return (
        row.ingested_at is None,
        row.ingested_at or EPOCH,
        row.loaded_at is None,
        row.loaded_at or EPOCH,
        row.row_hash,
    )


def visible(events: Iterable[FeedEvent], as_of: datetime) -> list[FeedEvent]:
    """The first ingested copy of each event that happened at or before ``as_of``."""
    first: dict[str, FeedEvent] = {}
    for event in events:
        if event.occurred_at > as_of:
            continue
        held = first.get(event.event_id)
        if held is None or copy_order(event) < copy_order(held):
            first[event.event_id] = event
    return list(first.values())


def successful_jobs(events: Iterable[FeedEvent]) -> list[Job]:
    """The successful jobs of known orgs among deduplicated ``events``."""
    ordered = sorted(events, key=lambda e: (e.occurred_at, e.event_id))
    starts: dict[str, FeedEvent] = {}
    later: dict[str, list[FeedEvent]] = {}
    for event in ordered:
        if event.event_name == "note_submit":
            starts.setdefault(event.note_id or event.request_id or event.event_id, event)
        elif event.event_name in ("summarize_start", "summarize_success"):
            key = event.note_id or event.request_id
            if key is not None:
                later.setdefault(key, []).append(event)
    jobs: list[Job] = []
    for job_id, submit in starts.items():
        if submit.org_id is None:
            continue
        picked: FeedEvent | None = None
        success: FeedEvent | None = None
        for event in later.get(job_id, ()):
            if event.occurred_at < submit.occurred_at:
                continue
            if event.event_name == "summarize_start" and picked is None:
                picked = event
            elif event.event_name == "summarize_success" and success is None:
                success = event
        if success is None:
            continue
        jobs.append(
            Job(
                job_id=job_id,
                org_id=submit.org_id,
                created_at=submit.occurred_at,
                summarize_started_at=picked.occurred_at if picked else None,
                completed_at=success.occurred_at,
                quality_score=success.quality_score,
                hard_error=success.hard_error,
            )
        )
    return jobs
