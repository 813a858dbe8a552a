{#-
    Product metrics of SPEC §6.3 in long form, global and per org, for every day from the first
    event day to the as-of date: DAU/WAU/MAU, stickiness, feature adoption, power users.
    An unpivot of int_product_daily; incremental by the same days.
-#}

{{ config(**vitals.metrics_domain_config()) }}
{{ vitals.metrics_affected_from_depends_on() }}

with

facts as (
    select * from {{ ref('int_product_daily') }}
    where metric_date >= {{ vitals.metrics_domain_from() }}
),

final as (
    {{ vitals.marts_unpivot('facts', vitals.marts_product_metrics()) }}
)

select * from final
