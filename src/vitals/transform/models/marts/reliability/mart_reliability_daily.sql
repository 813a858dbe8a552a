{#- Reliability per org and business day, wide (SPEC §6.6): the org rows of int_reliability_daily. -#}

with

final as (
    select
        metric_date,
        entity_id as org_id,
        attempt_events,
        error_events,
        error_rate_per_100_attempts,
        successful_jobs,
        duration_ms_p50,
        duration_ms_p95,
        summarize_ms_p50,
        summarize_ms_p95,
        turnaround_slo_hit_rate,
        summarize_slo_hit_rate,
        quality_passed_jobs,
        quality_pass_rate_1d,
        jobs_attempted,
        jobs_failed,
        job_failure_rate
    from {{ ref('int_reliability_daily') }}
    where entity_type = 'org'
)

select * from final
