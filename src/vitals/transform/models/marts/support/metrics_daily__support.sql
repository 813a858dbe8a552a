{#-
    Support in long form (the metrics contract): the daily support metrics (macro support_daily_metrics), global
    and per org, every business day from the entity's first ticket day to the as-of date; undefined ratios and
    times are omitted. Rebuilt whole at every build (metrics_daily replaces the support domain's rows whole: a
    ticket's new version can change any day since it was opened). No ticket loaded: no rows (the metrics report
    "source not connected").
-#}

with

support_wide as (
    select * from {{ ref('int_support_daily') }}
),

final as (
    {{ vitals.marts_unpivot('support_wide', vitals.support_daily_metrics()) }}
)

select * from final
