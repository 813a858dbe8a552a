{{
    config(
        materialized=vitals.keyed_materialization(),
        incremental_strategy='delete+insert',
        unique_key='job_id',
        pre_hook=[
            "{{ vitals.marks_pre_hook(vitals.jobs_marks('summarization_jobs')) }}",
            "{{ vitals.delete_recomputed_sql('job_id', vitals.changed_summarization_job_ids()) }}",
        ],
        post_hook="{{ vitals.marks_post_hook(vitals.jobs_marks('summarization_jobs')) }}",
        indexes=[
            {'columns': ['job_id'], 'unique': target.type != 'duckdb'},
            {'columns': ['org_id', 'created_at']},
            {'columns': ['provider_id', 'completed_at']},
        ],
    )
}}
-- depends_on: {{ ref('stg_app__events') }}
-- depends_on: {{ ref('stg_sentry__errors') }}
-- depends_on: {{ source('app', 'events_big') }}
-- depends_on: {{ source('sentry', 'sentry_errors_big') }}

with

jobs as (
    select * from {{ ref('int_jobs_derived') }}
),

final as (
    -- jobs of a known org whose outcome is known (pending jobs appear once they succeed, fail or time out)
    select
        job_id,
        org_id,
        provider_id,
        request_id,
        note_id,
        session_id,
        status,
        feature,
        created_at,
        completed_at,
        failed_at,
        duration_ms,
        summarize_ms,
        patient_status,
        source,
        endpoint,
        client_release,
        error_group_id,
        error_level,
        quality_score,
        hard_error
    from jobs
    where
        org_id is not null
        and not is_pending
        -- an incremental build recomputes the jobs that changed or settled (macro changed_summarization_job_ids)
        and {{ vitals.recompute_only('job_id', vitals.changed_summarization_job_ids()) }}
)

select * from final
