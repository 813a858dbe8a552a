{#-
    The KPIs of SPEC §6.2 (all but MRR, which is revenue's) in long form, global and per org,
    for every day from the first event day to the as-of date.
    An unpivot of int_kpi_daily; incremental by the same days.
-#}

{{ config(**vitals.metrics_domain_config()) }}
{{ vitals.metrics_affected_from_depends_on() }}

with

facts as (
    select * from {{ ref('int_kpi_daily') }}
    where metric_date >= {{ vitals.metrics_domain_from() }}
),

final as (
    {{ vitals.marts_unpivot('facts', vitals.marts_kpi_metrics()) }}
)

select * from final
