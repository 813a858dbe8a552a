{{
    config(
        indexes=[
            {'columns': ['org_id', 'session_id'], 'unique': true},
        ],
    )
}}

{#-
    has_success and has_error ask "is there a point inside [started_at, ended_at]?" for every
    session. Instead of a range join, each session contributes a start marker and an end marker
    to a timeline shared with the points; a running count of points along the timeline, read at
    the end marker minus at the start marker, is the number of points inside the window
    (markers sort so that points at the same instant fall inside).
-#}

with

sessions as (
    select * from {{ ref('int_sessions_aggregated') }}
),

jobs as (
    select * from {{ ref('summarization_jobs') }}
),

errors as (
    select * from {{ ref('stg_sentry__errors') }}
),

success_timeline as (
    -- per org and provider (a session without provider matches jobs without provider)
    select
        org_id,
        coalesce(provider_id, '') as provider_key,
        session_id,
        started_at as point_at,
        0 as sort_order,
        0 as points
    from sessions

    union all

    select
        org_id,
        coalesce(provider_id, '') as provider_key,
        session_id,
        ended_at as point_at,
        2 as sort_order,
        0 as points
    from sessions

    union all

    select
        org_id,
        coalesce(provider_id, '') as provider_key,
        cast(null as {{ dbt.type_string() }}) as session_id,
        completed_at as point_at,
        1 as sort_order,
        1 as points
    from jobs
    where status = 'success'
),

success_running as (
    select
        *,
        sum(points) over (
            partition by org_id, provider_key
            order by point_at, sort_order
            rows between unbounded preceding and current row
        ) as points_so_far
    from success_timeline
),

success_counts as (
    select
        org_id,
        session_id,
        max(case when sort_order = 2 then points_so_far end)
        - max(case when sort_order = 0 then points_so_far end) as successes
    from success_running
    where points = 0
    group by
        org_id,
        session_id
),

error_timeline as (
    -- per org: Sentry errors of level error or fatal
    select
        org_id,
        session_id,
        started_at as point_at,
        0 as sort_order,
        0 as points
    from sessions

    union all

    select
        org_id,
        session_id,
        ended_at as point_at,
        2 as sort_order,
        0 as points
    from sessions

    union all

    select
        org_id,
        cast(null as {{ dbt.type_string() }}) as session_id,
        created_at as point_at,
        1 as sort_order,
        1 as points
    from errors
    where org_id is not null and level in ('error', 'fatal')
),

error_running as (
    select
        *,
        sum(points) over (
            partition by org_id
            order by point_at, sort_order
            rows between unbounded preceding and current row
        ) as points_so_far
    from error_timeline
),

error_counts as (
    select
        org_id,
        session_id,
        max(case when sort_order = 2 then points_so_far end)
        - max(case when sort_order = 0 then points_so_far end) as errors
    from error_running
    where points = 0
    group by
        org_id,
        session_id
),

final as (
    select
        sessions.org_id,
        sessions.session_id,
        sessions.provider_id,
        sessions.started_at,
        sessions.ended_at,
        {{ vitals.seconds_between('sessions.started_at', 'sessions.ended_at') }} as duration_sec,
        sessions.events_count,
        sessions.events_count = 1 as is_bounce,
        coalesce(success_counts.successes, 0) > 0 as has_success,
        coalesce(error_counts.errors, 0) > 0 as has_error
    from sessions
    left join success_counts
        on
            sessions.org_id = success_counts.org_id
            and sessions.session_id = success_counts.session_id
    left join error_counts
        on
            sessions.org_id = error_counts.org_id
            and sessions.session_id = error_counts.session_id
)

select * from final
