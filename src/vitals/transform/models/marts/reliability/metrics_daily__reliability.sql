{#-
    Reliability metrics of SPEC §6.6 in long form, global and per org, for every day from the first
    event day to the as-of date: error rate per 100 attempts, latency percentiles, SLO hit rates and
    the day's quality pass rate.
-#}

with

{{ vitals.marts_reliability_ctes('day') }},

reliability_daily as (
    select
        *,
        quality_pass_rate as quality_pass_rate_1d
    from reliability_wide
),

final as (
    {{ vitals.marts_unpivot('reliability_daily', vitals.marts_reliability_metrics()) }}
)

select * from final
