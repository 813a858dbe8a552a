"""Rolling windows from the feed, with hand-computed answers, on DuckDB and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.realtime.rows import ORG_A, ORG_B, at, error, event, job, land
from vitals.config import Settings
from vitals.realtime.feed import RETENTION, Feed
from vitals.realtime.windows import Figures, Snapshot, percentile_cont
from vitals.warehouse import open_warehouse

HOUR = timedelta(hours=1)
QUARTER = timedelta(minutes=15)


def utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC)


def figures(settings: Settings, as_of: datetime, window: timedelta) -> dict[str, Figures]:
    with open_warehouse(settings) as wh:
        Feed(wh, settings).refresh(utc(as_of))
        return Snapshot.read(wh, utc(as_of), timedelta(hours=2)).figures(window)


JOBS = [
    # j1: 15 min turnaround, 13 min summarization, passes; completed in the hour before 12:00
    *job("j1", at(10, 50), at(10, 52), at(11, 5), 0.9),
    # j2: quality 0.5 fails; 10 min turnaround, 9 min summarization
    *job("j2", at(11, 30), at(11, 31), at(11, 40), 0.5),
    # j3: quality 0.8 but a hard error fails; 5 min / 5 min; the only one in the last 15 minutes
    *job("j3", at(11, 50), at(11, 50), at(11, 55), 0.8, hard_error=True),
    # j4: completed at 10:59, before the hour
    *job("j4", at(10, 0), at(10, 1), at(10, 59), 0.95),
    # j5: an org id that is no UUID: not a job, but its attempts count company-wide
    *job("j5", at(11, 10), at(11, 12), at(11, 20), 0.9, org="org-x"),
    # j6: org B, not completed yet (no success): two attempts of org B, no job
    *job("j6", at(11, 58), at(11, 59), None, org=ORG_B),
    # a note_save of org A at 11:15: an attempt
    event("s1", "note_save", at(11, 15), note_id="j1"),
]
ERRORS = [
    error("e1", at(11, 15)),
    error("e2", at(11, 45), org=ORG_B),
    {**error("e2", at(11, 45), org=ORG_B), "_ingest_source": "copy"},  # a second copy of e2: counted once
    error("w1", at(11, 50), level="warning"),  # not an error
    error("e0", at(10, 30)),  # before the hour
]


def test_hour_and_quarter_windows_are_computed_by_hand(engine_settings: Settings) -> None:
    land(engine_settings, JOBS, ERRORS)
    hour = figures(engine_settings, at(12), HOUR)
    company = hour["global"]
    # j1 (pass), j2 (fail), j3 (fail): 1 of 3
    assert (company.successful_jobs, company.quality_passed_jobs) == (3, 1)
    assert company.quality_pass_rate == pytest.approx(1 / 3)
    assert company.duration_ms_p50 == 600_000  # median of 900 000, 600 000, 300 000
    assert company.summarize_ms_p50 == 540_000  # median of 780 000, 540 000, 300 000
    # attempts in (11:00, 12:00]: j2 x2, j3 x2, j5 x2, j6 x2, s1 = 9; errors e1, e2 = 2
    assert (company.attempt_events, company.error_events) == (9, 2)
    assert company.error_rate_per_100_attempts == pytest.approx(200 / 9)
    org_a, org_b = hour[ORG_A], hour[ORG_B]
    assert (org_a.successful_jobs, org_a.attempt_events, org_a.error_events) == (3, 5, 1)
    assert (org_b.successful_jobs, org_b.attempt_events, org_b.error_events) == (0, 2, 1)
    assert org_b.quality_pass_rate is None and org_b.duration_ms_p50 is None
    quarter = figures(engine_settings, at(12), QUARTER)["global"]
    assert (quarter.successful_jobs, quarter.duration_ms_p50, quarter.summarize_ms_p50) == (1, 300_000, 300_000)
    assert quarter.quality_pass_rate == 0.0
    # the same rows an hour earlier: j4 (10:59) is the hour's only job; j1 is not completed yet
    earlier = figures(engine_settings, at(11), HOUR)["global"]
    assert (earlier.successful_jobs, earlier.quality_passed_jobs, earlier.duration_ms_p50) == (1, 1, 3_540_000)


def test_late_rows_count_at_the_next_tick_and_old_rows_leave_the_feed(engine_settings: Settings) -> None:
    land(engine_settings, job("j1", at(11, 30), at(11, 31), None) + job("j2", at(11, 40), at(11, 41), at(11, 45)))
    first = figures(engine_settings, at(12), HOUR)["global"]
    assert (first.successful_jobs, first.duration_ms_p50) == (1, 300_000)
    # j1's success happened at 11:50 but lands only now, after that tick
    land(engine_settings, [event("j1-done", "summarize_success", at(11, 50), note_id="j1", quality_score=0.2)])
    later = figures(engine_settings, at(12, 1), HOUR)["global"]
    assert (later.successful_jobs, later.quality_passed_jobs) == (2, 1)
    assert later.duration_ms_p50 == pytest.approx((300_000 + 1_200_000) / 2)
    # a row landing now that happened before the retention never enters the feed, and the rest leave it
    land(engine_settings, job("old", at(1), at(1, 1), at(1, 5)))
    far = at(12, 1) + RETENTION + timedelta(hours=1)
    with open_warehouse(engine_settings) as wh:
        Feed(wh, engine_settings).refresh(utc(at(12, 2)))
        held = wh.query("select count(*) from realtime.job_events")[0][0]
        report = Feed(wh, engine_settings).refresh(utc(far))
        left = wh.query("select count(*) from realtime.job_events")[0][0]
    assert held == 6  # j1 x3, j2 x3: not the old job
    assert (left, report.rows_pruned) == (0, 6)


def test_percentile_is_continuous() -> None:
    assert percentile_cont([4.0, 1.0, 3.0, 2.0], 0.5) == 2.5
    assert percentile_cont([7.0], 0.5) == 7.0
    assert percentile_cont([], 0.5) is None
