{#-
    Sales in long form (the metrics contract), from int_sales_daily: every metric globally, and the pipeline,
    stalled deals, flows and activities per org, every business day from the entity's first deal, close or
    activity day to the as-of date. Ratios are omitted on days they are undefined. No CRM data loaded: no rows
    (the metrics report "source not connected"). Rebuilt whole at every build; metrics_daily replaces its
    sales rows whole too.
-#}

with

global_wide as (
    select * from {{ ref('int_sales_daily') }}
    where entity_type = 'global'
),

org_wide as (
    select * from {{ ref('int_sales_daily') }}
    where entity_type = 'org'
),

final as (
    {{ vitals.marts_unpivot('global_wide', vitals.sales_global_metrics()) }}
    union all
    {{ vitals.marts_unpivot('org_wide', vitals.sales_org_metrics()) }}
)

select * from final
