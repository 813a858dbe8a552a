{#-
    Reliability metrics of SPEC §6.6 in long form, global and per org, for every day from the first
    event day to the as-of date: error rate per 100 attempts, latency percentiles, SLO hit rates and
    the day's quality pass rate, and
    jobs attempted and failed (by creation day) with the job failure rate.
    An unpivot of int_reliability_daily; incremental by the same days.
-#}

{{ config(**vitals.metrics_domain_config()) }}
{{ vitals.metrics_affected_from_depends_on() }}

with

facts as (
    select * from {{ ref('int_reliability_daily') }}
    where metric_date >= {{ vitals.metrics_domain_from() }}
),

final as (
    {{ vitals.marts_unpivot('facts', vitals.marts_reliability_metrics()) }}
)

select * from final
