{#-
    Seed 000 "session health by org" over the last 30 days before the as-of time: the sessions with
    an event in the window (ended_at in it; a session that began earlier counts whole), per org with
    at least 30 of them: p50/p95 duration, average events, and the bounce, error-session and success
    rates (fractions of the sessions).
-#}

with

sessions as (
    select * from {{ ref('sessions') }}
),

organizations as (
    select * from {{ ref('organizations') }}
),

recent_sessions as (
    select *
    from sessions
    where ended_at >= {{ vitals.analyses_window_start() }}
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
