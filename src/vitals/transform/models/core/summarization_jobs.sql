{#-
    A view: the jobs of int_jobs_derived that belong to a known org and have an outcome. It costs a build
    nothing, and it follows int_jobs_derived's incremental recompute exactly (a job that leaves this set, say
    when an earlier submit of an unknown org arrives, leaves the view too). Its lookup indexes live on
    int_jobs_derived.
-#}
{{ config(materialized='view') }}

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
