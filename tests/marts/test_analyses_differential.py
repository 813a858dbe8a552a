"""The seed 000 analyses marts against independent PostgreSQL formulations, on generated data.

A small generated dataset (10 orgs x 30 days, across the 2026 fall-back DST change) is loaded into
a fresh PostgreSQL database and built; each mart must equal, row for row (floats to 6 decimals), a
straightforward query written here in plain PostgreSQL (AT TIME ZONE, FILTER, generate_series, LAG,
bool_or, percentile_cont ...) over the same core and staging tables, following the seed's SQL with
its known bugs fixed (duplicate events are already dropped by stg_app__events).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.transform.transform_dataset import engine_warehouse, query
from vitals.config import Settings
from vitals.generate.runner import generate
from vitals.ingest.files import load_directory
from vitals.warehouse.dbt import build

pytestmark = pytest.mark.postgres

AS_OF = datetime(2026, 11, 10, 20, 0, 0)
TZ = "America/Los_Angeles"
LOCAL = f"at time zone 'UTC' at time zone '{TZ}'"  # a UTC timestamp -> business wall clock
WINDOW = f"(timestamp '{AS_OF:%Y-%m-%d %H:%M:%S}' - interval '30 days')"
AS_OF_LOCAL = f"(timestamp '{AS_OF:%Y-%m-%d %H:%M:%S}' {LOCAL})"
JOBS = "{core}.summarization_jobs"
ORGS = "{core}.organizations"
EVENTS = "staging.stg_app__events"

WAP_SQL = f"""
    select sj.org_id, o.org_name,
           date_trunc('week', sj.completed_at {LOCAL})::date as week_start,
           count(distinct sj.provider_id) as weekly_active_providers
    from {JOBS} sj join {ORGS} o on o.org_id = sj.org_id
    where sj.status = 'success' and sj.provider_id is not null and sj.completed_at is not null
    group by 1, 2, 3
"""

REFERENCE: dict[str, tuple[str, list[str]]] = {
    "weekly_active_providers": (WAP_SQL, ["org_id", "week_start"]),
    "declining_accounts": (
        f"""
        with wap as ({WAP_SQL}),
        weeks as (  -- every week from the org's first active week to the as-of week
            select w.org_id, w.org_name, gs::date as week_start
            from (select org_id, org_name, min(week_start) as first_week from wap group by 1, 2) w,
                 generate_series(w.first_week, date_trunc('week', {AS_OF_LOCAL})::date, interval '7 days') gs
        ),
        filled as (
            select weeks.org_id, weeks.org_name, weeks.week_start,
                   coalesce(wap.weekly_active_providers, 0) as wap,
                   lag(coalesce(wap.weekly_active_providers, 0))
                       over (partition by weeks.org_id order by weeks.week_start) as prev
            from weeks left join wap on wap.org_id = weeks.org_id and wap.week_start = weeks.week_start
        )
        select org_id, org_name, week_start, prev as prev_wap, wap as curr_wap, prev - wap as wap_change_abs,
               (prev - wap)::float8 / prev as wap_decline_rate
        from filled
        where prev > 0 and (prev - wap)::numeric / prev >= 0.20
        """,
        ["org_id", "week_start"],
    ),
    "monthly_active_providers": (
        f"""
        with monthly as (
            select org_id, date_trunc('month', completed_at {LOCAL})::date as month_start,
                   count(distinct provider_id) as n
            from {JOBS}
            where status = 'success' and provider_id is not null and completed_at is not null
            group by 1, 2
        ),
        bounds as (
            select date_trunc('month', {AS_OF_LOCAL})::date as curr,
                   (date_trunc('month', {AS_OF_LOCAL}) - interval '1 month')::date as prev
        )
        select o.org_id, o.org_name, b.curr as month_start, b.prev as prev_month_start,
               coalesce(c.n, 0) as curr_month_active_providers,
               coalesce(p.n, 0) as prev_month_active_providers,
               coalesce(c.n, 0) - coalesce(p.n, 0) as month_active_providers_change,
               (coalesce(c.n, 0) - coalesce(p.n, 0))::float8 / nullif(p.n, 0) as month_active_providers_change_rate
        from {ORGS} o cross join bounds b
        left join monthly c on c.org_id = o.org_id and c.month_start = b.curr
        left join monthly p on p.org_id = o.org_id and p.month_start = b.prev
        where c.n is not null or p.n is not null
        """,
        ["org_id"],
    ),
    "hourly_load": (
        f"""
        with ev as (
            select (occurred_at {LOCAL}) as ts from {EVENTS}
        ),
        ev_day as (
            select ts::date as d, extract(dow from ts)::int as dow, extract(hour from ts)::int as h, count(*) as n
            from ev group by 1, 2, 3
        ),
        ev_slot as (
            select dow, h, avg(n)::float8 as a, count(*) as days, sum(n) as total from ev_day group by 1, 2
        ),
        jb as (
            select (completed_at {LOCAL}) as ts from {JOBS} where status = 'success' and completed_at is not null
        ),
        jb_day as (
            select ts::date as d, extract(dow from ts)::int as dow, extract(hour from ts)::int as h, count(*) as n
            from jb group by 1, 2, 3
        ),
        jb_slot as (
            select dow, h, avg(n)::float8 as a, count(*) as days, sum(n) as total from jb_day group by 1, 2
        )
        select g.dow, hh.h as hour_of_day,
               coalesce(e.a, 0) as avg_events, coalesce(e.days, 0) as slot_event_days,
               coalesce(e.total, 0) as slot_total_events,
               coalesce(j.a, 0) as avg_successful_jobs, coalesce(j.days, 0) as slot_successful_job_days,
               coalesce(j.total, 0) as slot_total_successful_jobs
        from generate_series(0, 6) as g(dow)
        cross join generate_series(0, 23) as hh(h)
        left join ev_slot e on e.dow = g.dow and e.h = hh.h
        left join jb_slot j on j.dow = g.dow and j.h = hh.h
        """,
        ["dow", "hour_of_day"],
    ),
    "quietest_hours": (
        f"""
        with hourly as (
            select date_trunc('hour', completed_at {LOCAL}) as hour_start, count(*) as n
            from {JOBS} where status = 'success' and completed_at is not null group by 1
        ),
        ranked as (
            select hour_start, n, row_number() over (order by n, hour_start) as quiet_rank from hourly
        )
        select r.quiet_rank, r.hour_start, r.n as quiet_hour_jobs,
               (select count(*) from {EVENTS} e
                where date_trunc('hour', e.occurred_at {LOCAL}) = r.hour_start) as quiet_hour_events
        from ranked r where r.quiet_rank <= 5
        """,
        ["quiet_rank"],
    ),
    "notes_per_provider": (
        f"""
        with provider_notes as (
            select org_id, provider_id, count(*) as notes_count
            from {JOBS} where status = 'success' and provider_id is not null group by 1, 2
        )
        select o.org_id, o.org_name, count(*) as providers_with_notes, sum(pn.notes_count) as total_notes,
               avg(pn.notes_count)::float8 as avg_notes_per_provider
        from provider_notes pn join {ORGS} o on o.org_id = pn.org_id
        group by 1, 2
        """,
        ["org_id"],
    ),
    "training_needs": (
        f"""
        with status_by_org as (
            select org_id, count(*) as total,
                   count(*) filter (where patient_status = 'Review') as review,
                   count(*) filter (where patient_status = 'Locked') as locked
            from {JOBS} where completed_at >= {WINDOW} group by 1
        ),
        errors as (
            select org_id, count(*) as n from staging.stg_sentry__errors
            where created_at >= {WINDOW} and level in ('error', 'fatal') and org_id is not null group by 1
        ),
        attempts as (
            select org_id, count(*) as n from {EVENTS}
            where occurred_at >= {WINDOW} and event_name in ('note_submit', 'summarize_start', 'note_save')
              and org_id is not null
            group by 1
        ),
        billing as (
            select org_id, bool_or(status = 'paid' and period_end >= {WINDOW}) as paid,
                   max(mrr_cents) as mrr, max(quantity) as seats
            from staging.stg_stripe__invoices where org_id is not null group by 1
        )
        select s.org_id, o.org_name, coalesce(b.paid, false) as paid_recently,
               b.mrr as max_invoice_mrr_cents, b.seats as max_invoice_seats,
               s.total as completed_jobs_30d, s.review as review_jobs_30d, s.locked as locked_jobs_30d,
               s.review::float8 / s.total as review_rate_30d,
               coalesce(e.n, 0) as error_events_30d, coalesce(a.n, 0) as attempt_events_30d,
               100.0 * coalesce(e.n, 0) / nullif(a.n, 0) as errors_per_100_attempts_30d,
               coalesce(
                   (s.review::numeric / s.total >= 0.5 or coalesce(e.n, 0)::numeric / nullif(a.n, 0) >= 0.05)
                   and coalesce(b.paid, false),
                   false
               ) as needs_training
        from status_by_org s
        join {ORGS} o on o.org_id = s.org_id
        left join errors e on e.org_id = s.org_id
        left join attempts a on a.org_id = s.org_id
        left join billing b on b.org_id = s.org_id
        where s.total >= 20
        """,
        ["org_id"],
    ),
    "session_health": (
        # the seed's sessions are built from the events of the window alone (a session that began
        # earlier starts at its first event in the window), its durations are whole seconds with
        # halves rounded up (`::int` of a numeric), and a success is a job of the same org whose
        # provider is not distinct from the session's, completed inside the (clipped) window; the
        # window is taken in UTC, not on the wall clock (the seed's wall-clock arithmetic is wrong
        # across a DST change)
        f"""
        with ev as (
            select org_id, session_id, provider_id, event_id, occurred_at
            from {EVENTS}
            where occurred_at >= {WINDOW} and session_id is not null and org_id is not null
        ),
        s as (
            select org_id, session_id,
                   (array_remove(array_agg(provider_id order by occurred_at desc, event_id desc), null))[1]
                       as provider_id,
                   min(occurred_at) as session_start, max(occurred_at) as session_end,
                   extract(epoch from (max(occurred_at) - min(occurred_at)))::int as duration_sec,
                   count(*) as events_count
            from ev group by 1, 2
        ),
        h as (
            select s.*, s.events_count = 1 as is_bounce,
                   exists (
                       select 1 from {JOBS} sj
                       where sj.org_id = s.org_id and sj.provider_id is not distinct from s.provider_id
                         and sj.status = 'success' and sj.completed_at between s.session_start and s.session_end
                   ) as has_success,
                   exists (
                       select 1 from staging.stg_sentry__errors se
                       where se.org_id = s.org_id and se.level in ('error', 'fatal')
                         and se.created_at between s.session_start and s.session_end
                   ) as has_error
            from s
        )
        select h.org_id, o.org_name, count(*) as sessions_30d,
               percentile_cont(0.5) within group (order by h.duration_sec) as session_p50_duration_sec,
               percentile_cont(0.95) within group (order by h.duration_sec) as session_p95_duration_sec,
               avg(h.events_count)::float8 as session_avg_events,
               avg(h.is_bounce::int)::float8 as session_bounce_rate,
               avg(h.has_error::int)::float8 as session_error_rate,
               avg(h.has_success::int)::float8 as session_success_rate
        from h join {ORGS} o on o.org_id = h.org_id
        group by 1, 2
        having count(*) >= 30
        """,
        ["org_id"],
    ),
    "adoption_funnel": (
        f"""
        with first_transcription as (
            select provider_id, min(created_at) as first_tx_at
            from {JOBS} where status = 'success' and feature = 'note' group by 1
        ),
        weekly_ok as (
            select provider_id, date_trunc('week', created_at {LOCAL}) as wk,
                   count(*) filter (where status = 'success' and feature = 'note') as ok_cnt
            from {JOBS} group by 1, 2
        ),
        regular_usage as (
            select distinct w1.provider_id
            from weekly_ok w1 join weekly_ok w2
              on w1.provider_id = w2.provider_id and w2.wk = w1.wk + interval '1 week'
            where w1.ok_cnt >= 3 and w2.ok_cnt >= 3
        ),
        funnel as (
            select o.org_id, o.org_name,
                   count(*) filter (where p.provider_id is not null) as provider_signups,
                   count(*) filter (where ft.first_tx_at is not null) as providers_first_transcription,
                   count(*) filter (where ru.provider_id is not null) as providers_regular_usage
            from {ORGS} o
            left join {{core}}.providers p on p.org_id = o.org_id
            left join first_transcription ft on ft.provider_id = p.provider_id
            left join regular_usage ru on ru.provider_id = p.provider_id
            group by 1, 2
        )
        select *,
               providers_first_transcription::float8 / nullif(provider_signups, 0)
                   as signup_to_first_transcription_rate,
               providers_regular_usage::float8 / nullif(providers_first_transcription, 0)
                   as first_transcription_to_regular_rate
        from funnel
        """,
        ["org_id"],
    ),
    "journey_stage": (
        f"""
        with params as (select 2 as min_wap, 2 as min_weeks, 0.60::float8 as min_locked_rate),
        signup as (
            select org_id, min(occurred_at) as signup_at from {EVENTS}
            where event_name = 'org_created' and org_id is not null group by 1
        ),
        first_tx as (
            select org_id, min(completed_at) as first_transcription_at
            from {JOBS} where status = 'success' and completed_at is not null group by 1
        ),
        weekly as (
            select org_id, date_trunc('week', completed_at {LOCAL}) as week_start,
                   count(distinct provider_id) as wap,
                   (count(*) filter (where patient_status = 'Locked'))::float8 / nullif(count(*), 0) as locked_rate
            from {JOBS} where completed_at is not null group by 1, 2
        ),
        streak as (
            select w1.org_id, min(w1.week_start) as regular_usage_start
            from weekly w1 cross join params p
            where not exists (
                select 1
                from generate_series(0, p.min_weeks - 1) as g(week_offset)
                left join weekly w2
                  on w2.org_id = w1.org_id and w2.week_start = w1.week_start + make_interval(weeks => g.week_offset)
                where w2.org_id is null or w2.wap < p.min_wap or w2.locked_rate < p.min_locked_rate
            )
            group by 1
        )
        select o.org_id, o.org_name, s.signup_at, f.first_transcription_at,
               st.regular_usage_start::date as regular_usage_start,
               extract(epoch from (f.first_transcription_at - s.signup_at)) / 86400.0 as days_to_first_transcription,
               -- the seed's formula, but 0 (not negative) when the run starts in the anchor's week
               case when st.regular_usage_start is not null then greatest(0, extract(epoch from (
                   (st.regular_usage_start at time zone '{TZ}' at time zone 'UTC')
                   - coalesce(f.first_transcription_at, s.signup_at)
               )) / 86400.0) end as days_to_regular_usage,
               case
                   when st.regular_usage_start is not null then 'regular_usage'
                   when f.first_transcription_at is not null then 'first_transcription'
                   when s.signup_at is not null then 'signup'
                   else 'unknown'
               end as current_stage
        from {ORGS} o
        left join signup s on s.org_id = o.org_id
        left join first_tx f on f.org_id = o.org_id
        left join streak st on st.org_id = o.org_id
        """,
        ["org_id"],
    ),
    "time_to_first_value": (
        f"""
        with signup as (
            select org_id, min(occurred_at) as signup_at from {EVENTS}
            where event_name = 'org_created' and org_id is not null group by 1
        ),
        first_value as (
            select org_id, min(completed_at) as first_transcription_at from {JOBS} where status = 'success' group by 1
        )
        select o.org_id, o.org_name, s.signup_at, f.first_transcription_at,
               extract(epoch from (f.first_transcription_at - s.signup_at)) / 86400.0 as days_to_first_value
        from {ORGS} o join signup s on s.org_id = o.org_id join first_value f on f.org_id = o.org_id
        """,
        ["org_id"],
    ),
}


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    directory: Path = tmp_path_factory.mktemp("analyses-differential")
    generate(directory / "data", orgs=10, days=30, seed=11, fmt="parquet", end=date(2026, 11, 10), progress=False)
    with engine_warehouse("postgres", directory) as built:
        load_directory(built, directory / "data", progress=False)
        result = build(built, as_of=AS_OF, select="+path:models/marts/analyses")
        assert result.success and not result.failures()
        yield built


def _normalized(rows: list[dict[str, Any]], key: list[str]) -> list[dict[str, Any]]:
    def value(v: Any) -> Any:
        if isinstance(v, Decimal):
            v = float(v)
        if isinstance(v, float):
            return round(v, 6) + 0.0  # -0.0 -> 0.0
        return v

    cleaned = [{k: value(v) for k, v in row.items()} for row in rows]
    return sorted(cleaned, key=lambda r: tuple(str(r[k]) for k in key))


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_mart_matches_reference(settings: Settings, name: str) -> None:
    sql, key = REFERENCE[name]
    mart = _normalized(query(settings, f"select * from {{core}}.mart_analyses_{name}"), key)
    expected = _normalized(query(settings, sql), key)
    assert expected, f"the reference query of {name} returned nothing: the generated data does not exercise it"
    assert [list(r) for r in mart[:1]] == [list(r) for r in expected[:1]]  # same columns, same order
    assert len(mart) == len(expected)
    for got, want in zip(mart, expected, strict=True):
        assert got == want
