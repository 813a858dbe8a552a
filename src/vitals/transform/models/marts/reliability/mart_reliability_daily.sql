{#- Reliability per org and business day, wide (SPEC §6.6). -#}

with

{{ vitals.marts_reliability_ctes('day') }},

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
        quality_pass_rate as quality_pass_rate_1d
    from reliability_wide
    where entity_type = 'org'
)

select * from final
