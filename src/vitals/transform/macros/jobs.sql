{#
    Incremental builds of the jobs model (int_jobs_derived): which jobs a build recomputes.
#}

{#- The raw sources a jobs model (int_jobs_derived, summarization_jobs) tracks, as (state row name, relation). -#}
{% macro jobs_marks(model='int_jobs_derived') -%}
    {{ return([
        (model ~ '@events_big', source('app', 'events_big')),
        (model ~ '@sentry_errors_big', source('sentry', 'sentry_errors_big')),
    ]) }}
{%- endmacro %}

{#-
    The ids of the jobs an incremental build of int_jobs_derived recomputes, as a query of one column job_id
    over the staged `events` and `errors`: jobs with an event, or matched by a Sentry error, that landed since
    the last build or became visible since its as-of time (an outcome can arrive any time after the start),
    and the jobs still pending then (they may have timed out since). `model` names the marks read;
    `settled_query` gives the jobs whose outcome may have become known since (by default int_jobs_derived's
    pending jobs).
-#}
{% macro changed_job_ids(events, errors, model='int_jobs_derived', settled_query=none) -%}
    {%- set previous_as_of = vitals._state_value('as_of', model ~ '@events_big') -%}
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
                where {{ vitals.newly_loaded(model ~ '@events_big') }}
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
                where {{ vitals.newly_loaded(model ~ '@sentry_errors_big') }}
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
    {%- if settled_query is none %}
    select job_id
    from {{ this }} as built_jobs
    where is_pending
    {%- else %}
    {{ settled_query }}
    {%- endif %}
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

{#-
    The jobs an incremental build of summarization_jobs recomputes: those int_jobs_derived recomputes by its
    rule (with marks of summarization_jobs' own), and every settled job of a known org it does not hold yet
    (a job that completed, failed or timed out since).
-#}
{% macro changed_summarization_job_ids() -%}
    {%- set settled -%}
    select derived.job_id
    from {{ ref('int_jobs_derived') }} as derived
    where
        derived.org_id is not null
        and not derived.is_pending
        and not exists (select 1 from {{ this }} as built_jobs where built_jobs.job_id = derived.job_id)
    {%- endset -%}
    {{ vitals.changed_job_ids(ref('stg_app__events'), ref('stg_sentry__errors'), 'summarization_jobs', settled) }}
{%- endmacro %}
