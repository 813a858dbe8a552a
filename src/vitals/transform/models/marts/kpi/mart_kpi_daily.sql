{#- The KPIs of SPEC §6.2 (all but MRR) per org and business day, wide: the org rows of int_kpi_daily. -#}

with

final as (
    select
        metric_date,
        entity_id as org_id,
        {{ vitals.marts_kpi_metrics() | join(',\n        ') }}
    from {{ ref('int_kpi_daily') }}
    where entity_type = 'org'
)

select * from final
