{#
    Sessions (SPEC 5, seed 000 "session health"): the one definition of a session, shared by the core
    `sessions` (every event) and the session-health mart (the events of its 30-day window only, as in
    the seed, where a session that began before the window starts at its first event inside it).
#}

{#- Whole seconds from `start` to `end`, halves rounded up (seed 000's `::int` of the epoch difference). -#}
{% macro session_duration_sec(start, end) -%}
    cast(floor({{ vitals.epoch_ms_between(start, end) }} / 1000.0 + 0.5) as {{ dbt.type_bigint() }})
{%- endmacro %}

{#-
    One row per org and session from `session_events` (a relation or CTE with org_id, session_id,
    provider_id, event_id, occurred_at; org_id and session_id not null): started_at, ended_at,
    events_count and the provider of the latest event that has one (ties: the greatest event_id).
-#}
{% macro session_spans_sql(session_events) -%}
    with

    spans as (
        select
            org_id,
            session_id,
            min(occurred_at) as started_at,
            max(occurred_at) as ended_at,
            count(*) as events_count
        from {{ session_events }}
        group by
            org_id,
            session_id
    ),

    ranked_providers as (
        select
            org_id,
            session_id,
            provider_id,
            row_number() over (
                partition by org_id, session_id
                order by occurred_at desc, event_id desc
            ) as provider_rank
        from {{ session_events }}
        where provider_id is not null
    ),

    latest_providers as (
        select
            org_id,
            session_id,
            provider_id
        from ranked_providers
        where provider_rank = 1
    )

    select
        spans.org_id,
        spans.session_id,
        latest_providers.provider_id,
        spans.started_at,
        spans.ended_at,
        spans.events_count
    from spans
    left join latest_providers
        on
            spans.org_id = latest_providers.org_id
            and spans.session_id = latest_providers.session_id
{%- endmacro %}

{#-
    One row per session of `sessions` (org_id, session_id, provider_id, started_at, ended_at,
    events_count) with duration_sec, is_bounce, has_success and has_error:
    - has_success: a job of `jobs` with status 'success' of the same org whose provider is not
      distinct from the session's (a session without provider matches jobs without provider),
      completed within [started_at, ended_at] (both ends included);
    - has_error: an error of `errors` (level error or fatal) of the org created within that window.
    `jobs` and `errors` may be narrowed to a time range by the caller (points outside every window
    change nothing).

    Instead of a range join, each session contributes a start marker and an end marker to a timeline
    shared with the points; a running count of points along the timeline, read at the end marker minus
    at the start marker, is the number of points inside the window (markers sort so that points at the
    same instant fall inside).
-#}
{% macro session_outcomes_sql(sessions, jobs, errors) -%}
    with

    success_timeline as (
        select
            org_id,
            coalesce(provider_id, '') as provider_key,
            session_id,
            started_at as point_at,
            0 as sort_order,
            0 as points
        from {{ sessions }}

        union all

        select
            org_id,
            coalesce(provider_id, '') as provider_key,
            session_id,
            ended_at as point_at,
            2 as sort_order,
            0 as points
        from {{ sessions }}

        union all

        select
            org_id,
            coalesce(provider_id, '') as provider_key,
            cast(null as {{ dbt.type_string() }}) as session_id,
            completed_at as point_at,
            1 as sort_order,
            1 as points
        from {{ jobs }}
        where status = 'success' and completed_at is not null
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
        select
            org_id,
            session_id,
            started_at as point_at,
            0 as sort_order,
            0 as points
        from {{ sessions }}

        union all

        select
            org_id,
            session_id,
            ended_at as point_at,
            2 as sort_order,
            0 as points
        from {{ sessions }}

        union all

        select
            org_id,
            cast(null as {{ dbt.type_string() }}) as session_id,
            created_at as point_at,
            1 as sort_order,
            1 as points
        from {{ errors }}
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
    )

    select
        {{ sessions }}.org_id,
        {{ sessions }}.session_id,
        {{ sessions }}.provider_id,
        {{ sessions }}.started_at,
        {{ sessions }}.ended_at,
        {{ vitals.session_duration_sec(sessions ~ '.started_at', sessions ~ '.ended_at') }} as duration_sec,
        {{ sessions }}.events_count,
        {{ sessions }}.events_count = 1 as is_bounce,
        coalesce(success_counts.successes, 0) > 0 as has_success,
        coalesce(error_counts.errors, 0) > 0 as has_error
    from {{ sessions }}
    left join success_counts
        on
            {{ sessions }}.org_id = success_counts.org_id
            and {{ sessions }}.session_id = success_counts.session_id
    left join error_counts
        on
            {{ sessions }}.org_id = error_counts.org_id
            and {{ sessions }}.session_id = error_counts.session_id
{%- endmacro %}
