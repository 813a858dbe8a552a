{#- The KPIs of SPEC §6.2 (all but MRR) per org and business day, wide. -#}

with

{{ vitals.marts_kpi_ctes() }},

final as (
    select
        metric_date,
        entity_id as org_id,
        {{ vitals.marts_kpi_metrics() | join(',\n        ') }}
    from kpi_wide
    where entity_type = 'org'
)

select * from final
