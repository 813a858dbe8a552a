{#
    Incremental builds of the jobs model (int_jobs_derived): which jobs a build recomputes.
#}

{#- The raw sources int_jobs_derived tracks, as (state row name, relation) read marks. -#}
{% macro jobs_marks() -%}
    {{ return([
        ('int_jobs_derived@events_big', source('app', 'events_big')),
        ('int_jobs_derived@sentry_errors_big', source('sentry', 'sentry_errors_big')),
    ]) }}
{%- endmacro %}

{#-
    The ids of the jobs an incremental build of int_jobs_derived recomputes, as a query of one column job_id
    over the staged `events` and `errors`: jobs with an event, or matched by a Sentry error, that landed since
    the last build or became visible since its as-of time (an outcome can arrive any time after the start),
    and the jobs still pending then (they may have timed out since).
-#}
{% macro changed_job_ids(events, errors) -%}
    {%- set previous_as_of = vitals._state_value('as_of', 'int_jobs_derived@events_big') -%}
    with changed_events as (
        select
            event_id,
            event_name,
            note_id,
            request_id
        from {{ events }} as recent_events
        where
            occurred_at > {{ previous_as_of }}
            or event_id in (
                select {{ vitals.normalize_id('event_id') }} from {{ source('app', 'events_big') }}
                where {{ vitals.newly_loaded('int_jobs_derived@events_big') }}
            )
    ),

    changed_errors as (
        select
            tag_request_id,
            tag_note_id
        from {{ errors }} as recent_errors
        where
            created_at > {{ previous_as_of }}
            or error_id in (
                select {{ vitals.normalize_id('event_id') }} from {{ source('sentry', 'sentry_errors_big') }}
                where {{ vitals.newly_loaded('int_jobs_derived@sentry_errors_big') }}
            )
    )

    select coalesce(note_id, request_id, event_id) as job_id
    from changed_events
    where event_name = 'note_submit'
    union all
    select coalesce(note_id, request_id) as job_id
    from changed_events
    where event_name in ('summarize_start', 'summarize_success', 'summarize_failed', 'note_locked', 'note_review')
    union all
    select job_id
    from {{ this }} as built_jobs
    where is_pending
    union all
    select coalesce(note_id, request_id, event_id) as job_id
    from {{ events }} as erred_submits
    where
        event_name = 'note_submit'
        and (
            request_id in (select tag_request_id from changed_errors)
            or note_id in (select tag_note_id from changed_errors)
        )
{%- endmacro %}
