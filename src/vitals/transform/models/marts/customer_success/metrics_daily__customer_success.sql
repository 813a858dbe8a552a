{#-
    Customer-success daily metrics in long form (the metrics contract): the health score and its five
    components per provider, per org and global (the mean over the orgs scored that day, an org
    without a component counting 0 as in its score), and the number of orgs in each band (global).
    Undefined values (a component without data, a day with no org scored) are omitted rather than
    emitted as null.
-#}
{%- set values = ['health_score'] -%}
{%- for c in vitals.cs_components() -%}
    {%- do values.append('health_' ~ c) -%}
{%- endfor -%}
{%- set bands = [
    ('health_orgs_healthy', 'Healthy'),
    ('health_orgs_neutral', 'Neutral'),
    ('health_orgs_at_risk', 'At risk'),
    ('health_orgs_critical', 'Critical'),
] -%}

with

provider_health as (
    select * from {{ ref('mart_customer_success_provider_health') }}
),

org_health as (
    select * from {{ ref('mart_customer_success_org_health') }}
),

global_health as (
    select
        metric_date,
        avg(health_score) as health_score,
        {#- an org without a component counts 0, as in its score (see mart_customer_success_org_health) #}
        {%- for c in vitals.cs_components() %}
            case
                when count(health_{{ c }}) > 0 then avg(coalesce(health_{{ c }}, 0.0))
            end as health_{{ c }},
        {%- endfor %}
        {%- for name, band in bands %}
            {{ vitals.count_if("health_band = '" ~ band ~ "'") }} as {{ name }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from org_health
    group by metric_date
),

bounds as (
    select min(metric_date) as first_day
    from provider_health
),

days as (
    -- every day from the first scored day to the as-of date
    {{ vitals.date_spine_select('first_day', vitals.as_of_date(), 'bounds') }}
),

global_days as (
    select
        days.day as metric_date,
        {%- for value in values %}
            global_health.{{ value }},
        {%- endfor %}
        {%- for name, _ in bands %}
            coalesce(global_health.{{ name }}, 0) as {{ name }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from days
    left join global_health
        on days.day = global_health.metric_date
    where days.day is not null
),

long_form as (
    {%- for value in values %}
        select
            metric_date,
            '{{ value }}' as metric_name,
            'provider' as entity_type,
            provider_id as entity_id,
            cast({{ value }} as {{ vitals.type_double() }}) as value  -- noqa: RF04
        from provider_health
        where {{ value }} is not null

        union all

        select
            metric_date,
            '{{ value }}' as metric_name,
            'org' as entity_type,
            org_id as entity_id,
            cast({{ value }} as {{ vitals.type_double() }}) as value  -- noqa: RF04
        from org_health
        where {{ value }} is not null

        union all

        select
            metric_date,
            '{{ value }}' as metric_name,
            'global' as entity_type,
            'global' as entity_id,
            cast({{ value }} as {{ vitals.type_double() }}) as value  -- noqa: RF04
        from global_days
        where {{ value }} is not null

        union all
    {%- endfor %}
    {%- for name, _ in bands %}
        select
            metric_date,
            '{{ name }}' as metric_name,
            'global' as entity_type,
            'global' as entity_id,
            cast({{ name }} as {{ vitals.type_double() }}) as value  -- noqa: RF04
        from global_days
        {%- if not loop.last %}

            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select
        metric_date,
        metric_name,
        entity_type,
        entity_id,
        value
    from long_form
    where metric_date >= {{ vitals.metrics_from_date() }}
)

select * from final
