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

    {{ vitals.session_window_counts_ctes(
        'success', sessions, [('org_id', 'org_id'), ('provider_key', "coalesce(provider_id, '')")],
        "select org_id, coalesce(provider_id, '') as provider_key, completed_at as point_at from " ~ jobs
        ~ " where status = 'success' and completed_at is not null"
    ) }},

    {{ vitals.session_window_counts_ctes(
        'error', sessions, [('org_id', 'org_id')],
        "select org_id, created_at as point_at from " ~ errors
        ~ " where org_id is not null and level in ('error', 'fatal')"
    ) }}

    select
        {{ sessions }}.org_id,
        {{ sessions }}.session_id,
        {{ sessions }}.provider_id,
        {{ sessions }}.started_at,
        {{ sessions }}.ended_at,
        {{ vitals.session_duration_sec(sessions ~ '.started_at', sessions ~ '.ended_at') }} as duration_sec,
        {{ sessions }}.events_count,
        {{ sessions }}.events_count = 1 as is_bounce,
        coalesce(success_counts.points_inside, 0) > 0 as has_success,
        coalesce(error_counts.points_inside, 0) > 0 as has_error
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

{#-
    CTEs `<name>_timeline`, `<name>_running` and `<name>_counts` (org_id, session_id, points_inside): how many
    points of `points_sql` (a select of the `keys` columns and point_at) fall inside each session's window of
    `sessions`, matched on `keys` ((column, expression over `sessions`) pairs), by the timeline described at
    session_outcomes_sql.
-#}
{% macro session_window_counts_ctes(name, sessions, keys, points_sql) -%}
    {%- set key_names = keys | map(attribute=0) | list -%}
    {{ name }}_timeline as (
        {%- for marker_at, sort_order in [('started_at', 0), ('ended_at', 2)] %}
        select
            {%- for column, expression in keys %}
            {{ expression }} as {{ column }},
            {%- endfor %}
            session_id,
            {{ marker_at }} as point_at,
            {{ sort_order }} as sort_order,
            0 as points
        from {{ sessions }}

        union all
        {% endfor %}
        select
            {%- for column in key_names %}
            {{ column }},
            {%- endfor %}
            cast(null as {{ dbt.type_string() }}) as session_id,
            point_at,
            1 as sort_order,
            1 as points
        from ({{ points_sql }}) as window_points
    ),

    {{ name }}_running as (
        select
            *,
            sum(points) over (
                partition by {{ key_names | join(', ') }}
                order by point_at, sort_order
                rows between unbounded preceding and current row
            ) as points_so_far
        from {{ name }}_timeline
    ),

    {{ name }}_counts as (
        select
            org_id,
            session_id,
            max(case when sort_order = 2 then points_so_far end)
            - max(case when sort_order = 0 then points_so_far end) as points_inside
        from {{ name }}_running
        where points = 0
        group by
            org_id,
            session_id
    )
{%- endmacro %}
