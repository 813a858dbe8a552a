{{
    config(
        indexes=[
            {'columns': ['job_id'], 'unique': true},
            {'columns': ['org_id', 'created_at']},
            {'columns': ['provider_id', 'completed_at']},
        ],
    )
}}

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
    where org_id is not null and not is_pending
)

select * from final
