{#-
    Invoice-based revenue metrics in long form: MRR and ARR per org and in total, paying orgs and
    ARPA (MRR per paying org) in total, every day of mart_revenue_mrr_daily. ARPA is omitted on a
    day without a paying org. The monthly movements and ratios are dated on their month's last
    built day (a past month's last day; the as-of day for the current month, month to date).
-#}
{% set org_movements = [
    ('new_mrr_cents', 'new_mrr_cents'),
    ('expansion_mrr_cents', 'expansion_mrr_cents'),
    ('reactivation_mrr_cents', 'reactivation_mrr_cents'),
    ('contraction_mrr_cents', 'contraction_mrr_cents'),
    ('churned_mrr_cents', 'churned_mrr_cents'),
] %}
{% set global_monthly = org_movements + [
    ('nrr', 'nrr'),
    ('grr', 'grr'),
    ('logo_churn_rate', 'logo_churn_rate'),
    ('revenue_churn_rate', 'revenue_churn_rate'),
    ('ltv_cents', 'ltv_cents'),
] %}

with

mrr as (
    select * from {{ ref('mart_revenue_mrr_daily') }}
    where metric_date >= {{ vitals.metrics_from_date() }}
),

movements as (
    select * from {{ ref('mart_revenue_movements_monthly') }}
    where last_day >= {{ vitals.metrics_from_date() }}
),

monthly as (
    select * from {{ ref('mart_revenue_monthly') }}
    where last_day >= {{ vitals.metrics_from_date() }}
),

totals as (
    select
        metric_date,
        sum(mrr_cents) as mrr_cents,
        sum(case when mrr_cents > 0 then 1 else 0 end) as paying_orgs
    from mrr
    group by metric_date
),

final as (
    select
        metric_date,
        'mrr_cents' as metric_name,
        'org' as entity_type,
        org_id as entity_id,
        cast(mrr_cents as {{ vitals.type_double() }}) as value
    from mrr
    union all
    select
        metric_date,
        'arr_cents' as metric_name,
        'org' as entity_type,
        org_id as entity_id,
        cast(arr_cents as {{ vitals.type_double() }}) as value
    from mrr
    union all
    select
        metric_date,
        'mrr_cents' as metric_name,
        'global' as entity_type,
        'global' as entity_id,
        cast(mrr_cents as {{ vitals.type_double() }}) as value
    from totals
    union all
    select
        metric_date,
        'arr_cents' as metric_name,
        'global' as entity_type,
        'global' as entity_id,
        cast(12 * mrr_cents as {{ vitals.type_double() }}) as value
    from totals
    union all
    select
        metric_date,
        'paying_orgs' as metric_name,
        'global' as entity_type,
        'global' as entity_id,
        cast(paying_orgs as {{ vitals.type_double() }}) as value
    from totals
    union all
    select
        metric_date,
        'arpa_cents' as metric_name,
        'global' as entity_type,
        'global' as entity_id,
        cast(mrr_cents as {{ vitals.type_double() }}) / paying_orgs as value
    from totals
    where paying_orgs > 0
    {%- for metric, column in org_movements %}
        union all
        select
            last_day as metric_date,
            '{{ metric }}' as metric_name,
            'org' as entity_type,
            org_id as entity_id,
            cast({{ column }} as {{ vitals.type_double() }}) as value
        from movements
    {%- endfor %}
    {%- for metric, column in global_monthly %}
        union all
        select
            last_day as metric_date,
            '{{ metric }}' as metric_name,
            'global' as entity_type,
            'global' as entity_id,
            cast({{ column }} as {{ vitals.type_double() }}) as value
        from monthly
        where {{ column }} is not null
    {%- endfor %}
)

select * from final
