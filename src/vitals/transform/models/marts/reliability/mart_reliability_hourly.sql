{#-
    Reliability per business-time-zone hour, global and per org: the hours with at least one attempt,
    Sentry error or successful job (the on-call view: quality pass rate and error rate per hour).
-#}

with

{{ vitals.marts_reliability_ctes('hour') }},

final as (
    select
        hour_start,
        metric_date,
        business_hour,
        entity_type,
        entity_id,
        attempt_events,
        error_events,
        error_rate_per_100_attempts as error_rate_per_100_attempts_hourly,
        successful_jobs,
        quality_passed_jobs,
        quality_pass_rate as quality_pass_rate_hourly
    from reliability_wide
)

select * from final
