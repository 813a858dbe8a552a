"""Summarization jobs: every outcome occurs, Sentry errors match their jobs, the quality incident shows."""

from __future__ import annotations

from datetime import timedelta

import duckdb
import pytest

from vitals.generate import GenerateResult

JOB_EVENTS = """
    create or replace temp view ev as
    select
        lower(trim(org_id)) as org,
        event_name,
        request_id,
        cast(occurred_at as timestamptz) as ts,
        case when json_valid(properties) then properties ->> 'note_id' end as note_id,
        case when json_valid(properties) then try_cast(properties ->> 'quality_score' as double) end as quality,
        case when json_valid(properties) then properties ->> 'feature' end as feature,
        json_valid(properties) as valid
    from e
"""
API_ERRORS = """
    create or replace temp view api_errors as
    select
        tags ->> 'request_id' as request_id,
        tags ->> 'note_id' as note_id,
        lower(tags ->> 'org_id') as tag_org,
        level,
        cast(created_at as timestamptz) as ts
    from s
    where project = 'clinical-notes-api'
"""
JOBS = """
    create or replace temp view jobs as
    select
        coalesce(sub.note_id, sub.request_id) as job_id,
        sub.request_id,
        sub.note_id,
        sub.ts,
        exists (
            select 1 from ev
            where ev.event_name = 'summarize_success'
              and coalesce(ev.note_id, ev.request_id) = coalesce(sub.note_id, sub.request_id)
        ) as has_success,
        exists (
            select 1 from ev
            where ev.event_name = 'summarize_failed'
              and coalesce(ev.note_id, ev.request_id) = coalesce(sub.note_id, sub.request_id)
        ) as has_failed,
        exists (
            select 1 from api_errors x
            where x.request_id = sub.request_id or x.note_id = sub.note_id
        ) as has_error
    from ev as sub
    where sub.event_name = 'note_submit' and sub.valid
"""


@pytest.fixture(scope="module")
def jobs(db: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    for statement in (JOB_EVENTS, API_ERRORS, JOBS):
        db.execute(statement)
    return db


def test_every_job_outcome_occurs(jobs: duckdb.DuckDBPyConnection) -> None:
    counts = jobs.sql(
        """
        select
            count(*) filter (where has_success),
            count(*) filter (where has_failed and has_error),
            count(*) filter (where not has_success and not has_failed and has_error),
            count(*) filter (where not has_success and not has_failed and not has_error),
            count(*)
        from jobs
        """
    ).fetchone()
    assert counts is not None
    success, failed_with_event, sentry_only, timeout, total = counts
    assert min(failed_with_event, sentry_only, timeout) > 0
    assert success > 0.9 * total


def test_some_jobs_have_no_note_id(jobs: duckdb.DuckDBPyConnection) -> None:
    without = jobs.sql("select count(*) from jobs where note_id is null").fetchone()
    assert without is not None and without[0] > 0


def test_failed_events_have_a_matching_sentry_error(jobs: duckdb.DuckDBPyConnection) -> None:
    row = jobs.sql(
        """
        select
            count(*),
            count(*) filter (where exists (
                select 1 from api_errors x
                where (x.request_id = f.request_id or x.note_id = f.note_id)
                  and x.ts >= f.ts - interval 5 minute and x.ts <= f.ts + interval 5 second
            ))
        from ev as f
        where f.event_name = 'summarize_failed'
        """
    ).fetchone()
    assert row is not None
    failed, matched = row
    assert failed > 0 and matched >= 0.99 * failed


def test_job_errors_carry_ids_of_their_job(jobs: duckdb.DuckDBPyConnection) -> None:
    row = jobs.sql(
        """
        select
            count(*),
            count(*) filter (where x.request_id is null and x.note_id is not null),
            count(*) filter (where exists (
                select 1 from ev
                where (ev.request_id = x.request_id or ev.note_id = x.note_id)
                  and ev.event_name = 'summarize_start' and ev.ts <= x.ts and ev.org = x.tag_org
            )),
            count(*) filter (where level not in ('error', 'fatal')),
            count(*) filter (where level = 'fatal')
        from api_errors as x
        """
    ).fetchone()
    assert row is not None
    total, note_only, matched, other_levels, fatal = row
    assert total > 0 and note_only > 0 and fatal > 0 and other_levels == 0
    assert matched >= 0.98 * total


def test_sentry_noise_and_org_mapping(db: duckdb.DuckDBPyConnection) -> None:
    row = db.sql(
        """
        select
            count(*) filter (where project <> 'clinical-notes-api'),
            count(*) filter (where level in ('warning', 'info')),
            count(*) filter (where coalesce(org_id, '') = '' and (tags ->> 'org_id') is not null),
            count(*) filter (where coalesce(org_id, '') = '' and (tags ->> 'org_id') is null),
            count(*) filter (where environment <> 'production' or tags is null or group_id is null)
        from s
        """
    ).fetchone()
    assert row is not None
    noise, warnings, org_in_tag_only, no_org, incomplete = row
    assert noise > 0 and warnings > 0 and org_in_tag_only > 0 and no_org > 0 and incomplete == 0


def test_quality_incident_in_the_last_three_days(small: GenerateResult, jobs: duckdb.DuckDBPyConnection) -> None:
    assert small.window_end - small.incident_start <= timedelta(days=3)
    row = jobs.sql(
        f"""
        select
            count(*) filter (where inside),
            avg(case when quality < 0.7 then 1 else 0 end) filter (where inside),
            avg(case when quality < 0.7 then 1 else 0 end) filter (where not inside)
        from (
            select quality,
                   ts >= timestamptz '{small.incident_start.isoformat()}'
                   and ts < timestamptz '{small.incident_end.isoformat()}' as inside
            from ev
            where event_name = 'summarize_success' and quality is not null
        )
        """
    ).fetchone()
    assert row is not None
    during, low_during, low_otherwise = row
    assert during >= 10
    assert low_during > 0.6
    assert low_otherwise < 0.1


def test_feature_mix_and_patient_status(jobs: duckdb.DuckDBPyConnection) -> None:
    row = jobs.sql(
        """
        select
            avg(case when feature = 'auto_coding' then 1 else 0 end) filter (where event_name = 'note_submit'),
            count(*) filter (where event_name = 'note_locked'),
            count(*) filter (where event_name = 'note_review')
        from ev
        """
    ).fetchone()
    assert row is not None
    auto_coding, locked, review = row
    assert 0.05 < auto_coding < 0.5
    assert locked > review > 0
