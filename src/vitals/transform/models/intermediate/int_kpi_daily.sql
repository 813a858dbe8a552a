{#-
    The KPI facts at (entity_type, entity_id, metric_date) grain, wide: global and per org, every business day
    from the entity's first event day to the as-of date. The one place the KPIs are computed; an incremental
    build recomputes only the days from the first affected one on.
-#}

{{ config(**vitals.metrics_domain_config()) }}
{{ vitals.metrics_affected_from_depends_on() }}

with

{{ vitals.marts_kpi_ctes() }}

select * from kpi_wide
