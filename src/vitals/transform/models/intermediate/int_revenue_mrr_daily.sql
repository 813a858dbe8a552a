{#-
    Daily MRR per org (SPEC §6.4), in the reporting currency, from the best record of each day: from the
    day an org's first Stripe subscription state was seen, its subscriptions
    (int_revenue_mrr_subscriptions_daily); before that, or with no subscription data at all, its invoices
    (int_revenue_mrr_invoices_daily). A backfill sees subscriptions only as they are now, so their history
    comes from the invoices; webhooks keep every later state. Every day from the org's first day in either
    to the as-of date.
-#}

with

from_invoices as (
    select * from {{ ref('int_revenue_mrr_invoices_daily') }}
),

from_subscriptions as (
    select * from {{ ref('int_revenue_mrr_subscriptions_daily') }}
),

subscription_starts as (
    select
        org_id,
        min(metric_date) as first_day
    from from_subscriptions
    group by org_id
),

org_days as (
    select
        org_id,
        metric_date
    from from_invoices
    union
    select
        org_id,
        metric_date
    from from_subscriptions
),

final as (
    select
        org_days.metric_date,
        org_days.org_id,
        case
            when org_days.metric_date >= subscription_starts.first_day then 'subscriptions'
            else 'invoices'
        end as mrr_source,
        case
            when org_days.metric_date >= subscription_starts.first_day then coalesce(from_subscriptions.mrr_cents, 0)
            else coalesce(from_invoices.mrr_cents, 0)
        end as mrr_cents,
        case
            when org_days.metric_date >= subscription_starts.first_day
                then coalesce(from_subscriptions.has_unconverted_amount, false)
            else coalesce(from_invoices.has_unconverted_amount, false)
        end as has_unconverted_amount
    from org_days
    left join subscription_starts
        on org_days.org_id = subscription_starts.org_id
    left join from_invoices
        on
            org_days.org_id = from_invoices.org_id
            and org_days.metric_date = from_invoices.metric_date
    left join from_subscriptions
        on
            org_days.org_id = from_subscriptions.org_id
            and org_days.metric_date = from_subscriptions.metric_date
)

select * from final
