{#-
    Seed 000 "session health by org" over the last 30 days before the as-of time, with the seed's
    semantics: the sessions are made of the events of the window alone, so a session that began
    before the window starts at its first event inside it (its duration, events, provider and
    success/error window are those of that part). Per org with at least 30 sessions: p50/p95
    duration, average events, and the bounce, error-session and success rates (fractions of the
    sessions). Sessions that began inside the window are the core `sessions` rows as they are; only
    the few that straddle its start are re-derived from their events in the window (macros/sessions.sql).
-#}

with

sessions as (
    select * from {{ ref('sessions') }}
),

events as (
    select * from {{ ref('stg_app__events') }}
),

jobs as (
    select * from {{ ref('summarization_jobs') }}
),

errors as (
    select * from {{ ref('stg_sentry__errors') }}
),

organizations as (
    select * from {{ ref('organizations') }}
),

inside_sessions as (
    -- every event of the session is in the window
    select
        org_id,
        session_id,
        duration_sec,
        events_count,
        is_bounce,
        has_success,
        has_error
    from sessions
    where started_at >= {{ vitals.analyses_window_start() }}
),

straddling_sessions as (
    select
        org_id,
        session_id
    from sessions
    where
        started_at < {{ vitals.analyses_window_start() }}
        and ended_at >= {{ vitals.analyses_window_start() }}
),

straddling_events as (
    -- the part of a straddling session inside the window
    select
        events.org_id,
        events.session_id,
        events.provider_id,
        events.event_id,
        events.occurred_at
    from events
    inner join straddling_sessions
        on
            events.org_id = straddling_sessions.org_id
            and events.session_id = straddling_sessions.session_id
    where events.occurred_at >= {{ vitals.analyses_window_start() }}
),

clipped_spans as (
    {{ vitals.session_spans_sql('straddling_events') }}
),

window_jobs as (
    select * from jobs
    where completed_at >= {{ vitals.analyses_window_start() }}
),

window_errors as (
    select * from errors
    where created_at >= {{ vitals.analyses_window_start() }}
),

clipped_sessions as (
    {{ vitals.session_outcomes_sql('clipped_spans', 'window_jobs', 'window_errors') }}
),

recent_sessions as (
    select * from inside_sessions

    union all

    select
        org_id,
        session_id,
        duration_sec,
        events_count,
        is_bounce,
        has_success,
        has_error
    from clipped_sessions
),

org_session_metrics as (
    select
        org_id,
        count(*) as sessions_30d,
        {{ vitals.percentile('duration_sec', 0.5) }} as session_p50_duration_sec,
        {{ vitals.percentile('duration_sec', 0.95) }} as session_p95_duration_sec,
        avg(cast(events_count as {{ vitals.type_double() }})) as session_avg_events,
        cast({{ vitals.count_if('is_bounce') }} as {{ dbt.type_bigint() }}) as bounce_sessions,
        cast({{ vitals.count_if('has_error') }} as {{ dbt.type_bigint() }}) as error_sessions,
        cast({{ vitals.count_if('has_success') }} as {{ dbt.type_bigint() }}) as success_sessions
    from recent_sessions
    group by org_id
),

final as (
    select
        org_session_metrics.org_id,
        organizations.org_name,
        org_session_metrics.sessions_30d,
        cast(org_session_metrics.session_p50_duration_sec as {{ vitals.type_double() }}) as session_p50_duration_sec,
        cast(org_session_metrics.session_p95_duration_sec as {{ vitals.type_double() }}) as session_p95_duration_sec,
        org_session_metrics.session_avg_events,
        {{ vitals.safe_divide('org_session_metrics.bounce_sessions', 'org_session_metrics.sessions_30d') }}
            as session_bounce_rate,
        {{ vitals.safe_divide('org_session_metrics.error_sessions', 'org_session_metrics.sessions_30d') }}
            as session_error_rate,
        {{ vitals.safe_divide('org_session_metrics.success_sessions', 'org_session_metrics.sessions_30d') }}
            as session_success_rate
    from org_session_metrics
    inner join organizations
        on org_session_metrics.org_id = organizations.org_id
    where org_session_metrics.sessions_30d >= 30
)

select * from final
