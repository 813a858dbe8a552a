{#-
    Every daily metric at global, org and provider grain over the whole history, in long form.
    Incremental on DuckDB and PostgreSQL, by the rule of the daily domain models (macro metrics_domain_config): a
    pre-hook works out the first affected day (macro metrics_affected_from) and deletes every day from it on,
    and the build appends those days recomputed; Spark rebuilds it. The domains of the small CRM, marketing and
    help-desk sources (macro metrics_whole_domains) are the exception: their models are rebuilt whole at every
    build and their rows here are replaced whole, so a CRM change or a ticket's new version never recomputes the
    event-based days.
-#}
{% set domain_models = [
    ref('metrics_daily__kpi'),
    ref('metrics_daily__product'),
    ref('metrics_daily__reliability'),
    ref('metrics_daily__customer_success'),
    ref('metrics_daily__data_health'),
    ref('metrics_daily__revenue'),
    ref('metrics_daily__nps'),
] %}
{% set whole_domain_models = [
    ref('metrics_daily__sales'),
    ref('metrics_daily__marketing'),
    ref('metrics_daily__support'),
] %}
{% set catalog = vitals.daily_metric_catalog() %}
{% set domain_config = vitals.metrics_domain_config() %}
{% do domain_config['pre_hook'].append("{{ vitals.metrics_whole_domains_clear_sql() }}") %}
{{
    config(
        indexes=[{'columns': ['metric_name', 'entity_type', 'entity_id', 'metric_date']}],
        **domain_config
    )
}}
{{ vitals.metrics_affected_from_depends_on() }}

with

long_metrics as (
    {% for model in domain_models %}
        select
            metric_date,
            metric_name,
            entity_type,
            entity_id,
            value
        from {{ model }}
        where metric_date >= {{ vitals.metrics_domain_from() }}
        union all
    {% endfor %}
    {% for model in whole_domain_models %}
        select
            metric_date,
            metric_name,
            entity_type,
            entity_id,
            value
        from {{ model }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

catalog as (
    {% for name, entry in catalog.items() %}
        select
            '{{ name }}' as metric_name,
            '{{ entry.domain }}' as domain,
            {{ entry.tier | int }} as tier
        {% if not loop.last %}union all{% endif %}
    {% else %}
        select
            cast(null as {{ dbt.type_string() }}) as metric_name,
            cast(null as {{ dbt.type_string() }}) as domain,
            cast(null as integer) as tier
        where 1 = 0
    {% endfor %}
),

loaded as (
    select max(loaded_at) as loaded_through from {{ ref('stg_app__events') }}
    union all
    select max(loaded_at) as loaded_through from {{ ref('stg_sentry__errors') }}
    union all
    select max(loaded_at) as loaded_through from {{ ref('stg_stripe__invoices') }}
    union all
    select max(loaded_at) as loaded_through from {{ ref('stg_nps__responses') }}
    union all
    select max(loaded_at) as loaded_through from {{ ref('stg_crm__deal_versions') }}
    union all
    select max(loaded_at) as loaded_through from {{ ref('stg_crm__activities') }}
    union all
    select max(loaded_at) as loaded_through from {{ ref('stg_crm__quotas') }}
    union all
    select max(loaded_at) as loaded_through from {{ ref('stg_marketing__spend') }}
    union all
    select max(loaded_at) as loaded_through from {{ ref('stg_marketing__leads') }}
    union all
    select max(loaded_at) as loaded_through from {{ ref('stg_support__ticket_versions') }}
)

select
    long_metrics.metric_date,
    long_metrics.metric_name,
    catalog.domain,
    long_metrics.entity_type,
    long_metrics.entity_id,
    cast(long_metrics.value as {{ vitals.type_double() }}) as value,
    catalog.tier,
    {{ vitals.as_of() }} as computed_as_of,
    (select max(loaded.loaded_through) from loaded) as loaded_through
from long_metrics
left join catalog
    on long_metrics.metric_name = catalog.metric_name
where long_metrics.metric_date <= {{ vitals.as_of_date() }}
-- stored in the order the API reads it (one metric of one entity): DuckDB's zone maps then skip
-- every row group but the few holding it
order by
    long_metrics.metric_name,
    long_metrics.entity_type,
    long_metrics.entity_id,
    long_metrics.metric_date
