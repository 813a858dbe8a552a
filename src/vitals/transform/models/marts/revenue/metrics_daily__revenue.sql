{#-
    Invoice-based revenue metrics in long form: MRR and ARR per org and in total, paying orgs and
    ARPA (MRR per paying org) in total, every day of mart_revenue_mrr_daily. ARPA is omitted on a
    day without a paying org. The monthly movements and ratios are dated on their month's last
    built day (a past month's last day; the as-of day for the current month, month to date).
    The Stripe subscription counts of mart_revenue_subscriptions_daily per org and in total (the sum over
    orgs; the trial conversion rate of the total is its converted / ended trials, omitted without one).
-#}
{% set org_movements = [
    ('new_mrr_cents', 'new_mrr_cents'),
    ('expansion_mrr_cents', 'expansion_mrr_cents'),
    ('reactivation_mrr_cents', 'reactivation_mrr_cents'),
    ('contraction_mrr_cents', 'contraction_mrr_cents'),
    ('churned_mrr_cents', 'churned_mrr_cents'),
] %}
{% set subscription_metrics = [
    'active_subscriptions', 'trialing_subscriptions', 'past_due_subscriptions', 'canceled_subscriptions',
    'trials_ended', 'trials_converted', 'trial_conversion_rate', 'payment_failures',
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

subscriptions as (
    select * from {{ ref('mart_revenue_subscriptions_daily') }}
    where metric_date >= {{ vitals.metrics_from_date() }}
),

subscription_totals as (
    select
        metric_date,
        sum(active_subscriptions) as active_subscriptions,
        sum(trialing_subscriptions) as trialing_subscriptions,
        sum(past_due_subscriptions) as past_due_subscriptions,
        sum(canceled_subscriptions) as canceled_subscriptions,
        sum(trials_ended) as trials_ended,
        sum(trials_converted) as trials_converted,
        sum(payment_failures) as payment_failures
    from subscriptions
    group by metric_date
),

subscription_entities as (
    -- org rows and their total, side by side for the unpivot
    select
        metric_date,
        'org' as entity_type,
        org_id as entity_id,
        {{ subscription_metrics | join(', ') }}
    from subscriptions
    union all
    select
        metric_date,
        'global' as entity_type,
        'global' as entity_id,
        active_subscriptions,
        trialing_subscriptions,
        past_due_subscriptions,
        canceled_subscriptions,
        trials_ended,
        trials_converted,
        {{ vitals.safe_divide('trials_converted', 'trials_ended') }} as trial_conversion_rate,
        payment_failures
    from subscription_totals
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
    union all
    {{ vitals.marts_unpivot('subscription_entities', subscription_metrics) }}
)

select * from final
