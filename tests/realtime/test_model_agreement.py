"""The real-time window agrees with the built models on the same rows, and a window that crosses a build
counts the rows on both sides of it (DuckDB and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.realtime.rows import at, event, job, land
from tests.realtime.test_windows import ERRORS, JOBS, figures
from vitals.config import Settings
from vitals.realtime.feed import Feed
from vitals.realtime.jobs import QUALITY_PASS_SCORE
from vitals.realtime.windows import Snapshot
from vitals.warehouse import open_warehouse
from vitals.warehouse.dbt import build

HOUR = timedelta(hours=1)


def window_jobs(settings: Settings, as_of: datetime) -> set[tuple[str, int, int | None, bool]]:
    """(job id, duration ms, summarize ms, passed) of the jobs completed in the hour before ``as_of``."""
    with open_warehouse(settings) as wh:
        Feed(wh, settings).refresh(as_of.replace(tzinfo=UTC))
        snap = Snapshot.read(wh, as_of.replace(tzinfo=UTC), timedelta(hours=2))
    return {
        (j.job_id, j.duration_ms, j.summarize_ms, j.passed) for j in snap.jobs if as_of - HOUR < j.completed_at <= as_of
    }


def model_jobs(settings: Settings, as_of: datetime) -> set[tuple[str, int, int | None, bool]]:
    with open_warehouse(settings) as wh:
        rows = wh.query(
            "select job_id, duration_ms, summarize_ms, quality_score, hard_error "
            f"from {wh.core_schema}.summarization_jobs "
            "where status = 'success' and completed_at > ? and completed_at <= ?",
            [as_of - HOUR, as_of],
        )
    return {
        (
            str(job_id),
            int(duration),
            None if summarize is None else int(summarize),
            score is not None and float(score) >= QUALITY_PASS_SCORE and not hard,
        )
        for job_id, duration, summarize, score, hard in rows
    }


def mart_hour(settings: Settings, hour_utc: datetime) -> tuple[int, int, int, int]:
    local = hour_utc.replace(tzinfo=UTC).astimezone(ZoneInfo(settings.timezone)).replace(tzinfo=None)
    with open_warehouse(settings) as wh:
        row = wh.query(
            "select successful_jobs, quality_passed_jobs, attempt_events, error_events "
            f"from {wh.core_schema}.mart_reliability_hourly where entity_type = 'global' and hour_start = ?",
            [local],
        )[0]
    return tuple(int(v or 0) for v in row)  # type: ignore[return-value]


def test_window_matches_the_model_and_crosses_a_build(engine_settings: Settings) -> None:
    settings = engine_settings
    # j7 is picked up before the build; its success lands after it
    land(settings, [*JOBS, *job("j7", at(11, 20), at(11, 21), None)], ERRORS)
    result = build(settings, as_of=at(12).replace(tzinfo=UTC))
    assert result.success, result.failures()

    built = model_jobs(settings, at(12))
    mine = window_jobs(settings, at(12))
    assert mine == built
    assert {j[0] for j in mine} == {"j1", "j2", "j3"}
    company = figures(settings, at(12), HOUR)["global"]
    # the clock hour 11:00-12:00 of the mart holds the same rows as the window (11:00, 12:00]
    assert mart_hour(settings, at(11)) == (
        company.successful_jobs,
        company.quality_passed_jobs,
        company.attempt_events,
        company.error_events,
    )

    land(settings, [event("j7-done", "summarize_success", at(11, 35), note_id="j7", quality_score=0.95)])
    crossed = window_jobs(settings, at(12))
    assert crossed - built == {("j7", 15 * 60_000, 14 * 60_000, True)}
    after = figures(settings, at(12), HOUR)["global"]
    assert (after.successful_jobs, after.quality_passed_jobs) == (4, 2)
    assert after.duration_ms_p50 == (600_000 + 900_000) / 2  # 300 000, 600 000, 900 000, 900 000
