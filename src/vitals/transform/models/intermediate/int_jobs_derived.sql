{{
    config(
        materialized=vitals.keyed_materialization(),
        incremental_strategy='delete+insert',
        unique_key='job_id',
        pre_hook="{{ vitals.marks_pre_hook(vitals.jobs_marks()) }}",
        post_hook="{{ vitals.marks_post_hook(vitals.jobs_marks()) }}",
        indexes=[
            {'columns': ['job_id'], 'unique': target.type != 'duckdb'},
        ],
    )
}}
-- depends_on: {{ source('app', 'events_big') }}
-- depends_on: {{ source('sentry', 'sentry_errors_big') }}

with

events as (
    select * from {{ ref('stg_app__events') }}
),

errors as (
    select * from {{ ref('stg_sentry__errors') }}
),

submits as (
    select
        coalesce(note_id, request_id, event_id) as job_id,
        event_id,
        org_id,
        provider_id,
        session_id,
        request_id,
        note_id,
        source,
        endpoint,
        feature,
        occurred_at,
        row_number() over (
            partition by coalesce(note_id, request_id, event_id)
            order by occurred_at, event_id
        ) as submit_rank
    from events
    where
        event_name = 'note_submit'
        -- an incremental build recomputes the jobs that changed (macro changed_job_ids)
        and {{ vitals.recompute_only(
            'coalesce(note_id, request_id, event_id)', vitals.changed_job_ids('events', 'errors')
        ) }}
),

jobs_started as (
    -- a job is its first note_submit; a later submit of the same note is part of the same job
    select
        job_id,
        event_id as submit_event_id,
        org_id,
        provider_id,
        session_id,
        request_id,
        note_id,
        source,
        endpoint,
        coalesce(feature, 'note') as feature,
        occurred_at as created_at
    from submits
    where submit_rank = 1
),

job_events as (
    -- later events of the job: same coalesce(note_id, request_id), not earlier than its start
    select
        jobs_started.job_id,
        events.event_id,
        events.event_name,
        events.occurred_at,
        events.quality_score,
        events.hard_error,
        events.client_release,
        events.error_code,
        row_number() over (
            partition by
                jobs_started.job_id,
                case
                    when events.event_name in ('note_locked', 'note_review') then 'patient_status'
                    else events.event_name
                end
            order by events.occurred_at, events.event_id
        ) as first_rank,
        row_number() over (
            partition by
                jobs_started.job_id,
                case
                    when events.event_name in ('note_locked', 'note_review') then 'patient_status'
                    else events.event_name
                end
            order by events.occurred_at desc, events.event_id desc
        ) as last_rank
    from jobs_started
    inner join events
        on
            coalesce(events.note_id, events.request_id) = jobs_started.job_id
            and jobs_started.created_at <= events.occurred_at
    where events.event_name in (
        'summarize_start',
        'summarize_success',
        'summarize_failed',
        'note_locked',
        'note_review'
    )
),

first_starts as (
    select
        job_id,
        occurred_at as summarize_started_at
    from job_events
    where event_name = 'summarize_start' and first_rank = 1
),

first_successes as (
    select
        job_id,
        occurred_at as completed_at,
        quality_score,
        hard_error,
        client_release
    from job_events
    where event_name = 'summarize_success' and first_rank = 1
),

first_failures as (
    select
        job_id,
        occurred_at as first_failed_event_at,
        error_code
    from job_events
    where event_name = 'summarize_failed' and first_rank = 1
),

latest_patient_status as (
    select
        job_id,
        case when event_name = 'note_locked' then 'Locked' else 'Review' end as patient_status
    from job_events
    where event_name in ('note_locked', 'note_review') and last_rank = 1
),

serious_errors as (
    select * from errors
    where level in ('error', 'fatal')
),

error_matches as (
    -- a Sentry error not earlier than the start, tagged with the job's request_id or note_id
    select
        jobs_started.job_id,
        serious_errors.error_id,
        serious_errors.created_at,
        serious_errors.group_id,
        serious_errors.level,
        serious_errors.release
    from jobs_started
    inner join serious_errors
        on
            jobs_started.request_id = serious_errors.tag_request_id
            and jobs_started.created_at <= serious_errors.created_at

    union all

    select
        jobs_started.job_id,
        serious_errors.error_id,
        serious_errors.created_at,
        serious_errors.group_id,
        serious_errors.level,
        serious_errors.release
    from jobs_started
    inner join serious_errors
        on
            jobs_started.note_id = serious_errors.tag_note_id
            and jobs_started.created_at <= serious_errors.created_at
),

ranked_error_matches as (
    select
        *,
        row_number() over (
            partition by job_id
            order by created_at, error_id
        ) as error_rank
    from error_matches
),

first_errors as (
    select
        job_id,
        created_at as first_error_at,
        group_id as error_group_id,
        level as error_level,
        release as error_release
    from ranked_error_matches
    where error_rank = 1
),

joined as (
    select
        jobs_started.*,
        first_starts.summarize_started_at,
        first_successes.completed_at,
        first_successes.quality_score,
        first_successes.hard_error,
        first_successes.client_release as success_client_release,
        first_failures.first_failed_event_at,
        first_failures.error_code,
        latest_patient_status.patient_status,
        first_errors.first_error_at,
        first_errors.error_group_id,
        first_errors.error_level,
        first_errors.error_release,
        {{ vitals.add_minutes('jobs_started.created_at', vitals.job_timeout_minutes()) }} as timeout_at
    from jobs_started
    left join first_starts
        on jobs_started.job_id = first_starts.job_id
    left join first_successes
        on jobs_started.job_id = first_successes.job_id
    left join first_failures
        on jobs_started.job_id = first_failures.job_id
    left join latest_patient_status
        on jobs_started.job_id = latest_patient_status.job_id
    left join first_errors
        on jobs_started.job_id = first_errors.job_id
),

outcomes as (
    select
        *,
        case
            when completed_at is not null then 'success'
            when first_failed_event_at is not null or first_error_at is not null then 'error'
            when timeout_at <= {{ vitals.as_of() }} then 'timeout'
            else 'pending'
        end as outcome
    from joined
),

final as (
    select
        job_id,
        submit_event_id,
        org_id,
        provider_id,
        request_id,
        note_id,
        session_id,
        case when outcome = 'success' then 'success' else 'error' end as status,
        outcome,
        feature,
        created_at,
        summarize_started_at,
        completed_at,
        case
            when outcome = 'timeout' then timeout_at
            when outcome <> 'error' then null
            when first_error_at is null then first_failed_event_at
            when first_failed_event_at is null then first_error_at
            when first_error_at < first_failed_event_at then first_error_at
            else first_failed_event_at
        end as failed_at,
        case
            when completed_at is not null
                then {{ vitals.epoch_ms_between('created_at', 'completed_at') }}
        end as duration_ms,
        case
            when completed_at is not null and summarize_started_at <= completed_at
                then {{ vitals.epoch_ms_between('summarize_started_at', 'completed_at') }}
        end as summarize_ms,
        patient_status,
        source,
        endpoint,
        coalesce(error_release, success_client_release) as client_release,
        error_group_id,
        case when outcome = 'timeout' then 'timeout' else error_level end as error_level,
        error_code,
        quality_score,
        hard_error,
        outcome = 'pending' as is_pending
    from outcomes
)

select * from final
