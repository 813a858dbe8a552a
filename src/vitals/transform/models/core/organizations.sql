{{
    config(
        indexes=[
            {'columns': ['org_id'], 'unique': true},
        ],
    )
}}

with

events as (
    select * from {{ ref('stg_app__events') }}
),

invoices as (
    select * from {{ ref('stg_stripe__invoices') }}
),

daily_mrr as (
    select * from {{ ref('int_revenue_mrr_daily') }}
),

org_ids as (
    -- every valid org seen in the app's events, on an invoice or on a Stripe subscription
    select org_id from events
    where org_id is not null
    union
    select org_id from invoices
    where org_id is not null
    union
    select org_id from daily_mrr
),

ranked_subscription_items as (
    select
        org_id,
        customer_id,
        product,
        quantity,
        row_number() over (
            partition by org_id
            order by
                case when subscription_status in ('active', 'past_due', 'trialing') then 0 else 1 end asc,
                monthly_list_amount_cents desc nulls last,
                subscription_item_id asc
        ) as item_rank
    from {{ ref('stg_stripe__subscription_items') }}
    where org_id is not null
),

current_items as (
    -- for an org without invoices: its current subscription's largest item
    select
        org_id,
        customer_id,
        product,
        quantity
    from ranked_subscription_items
    where item_rank = 1
),

activity as (
    select
        org_id,
        min(occurred_at) as first_seen_at,
        max(occurred_at) as last_seen_at
    from events
    where org_id is not null
    group by org_id
),

ranked_signups as (
    -- the first org_created vitals received names the org: an event dated earlier but received later (a
    -- forged or replayed signup) cannot rename it; within one load the earliest occurred_at wins, and rows
    -- landed before load stamps existed (no loaded_at) came first
    select
        org_id,
        org_name,
        row_number() over (
            partition by org_id
            order by loaded_at asc nulls first, occurred_at asc, event_id asc
        ) as signup_rank
    from events
    where event_name = 'org_created' and org_id is not null and org_name is not null
),

first_signups as (
    select
        org_id,
        org_name
    from ranked_signups
    where signup_rank = 1
),

ranked_billed_invoices as (
    select
        org_id,
        customer_id,
        product,
        quantity,
        row_number() over (
            partition by org_id
            order by period_start desc, ingested_at desc, invoice_id desc
        ) as invoice_rank
    from invoices
    where org_id is not null and coalesce(status, '') <> 'void'
),

latest_invoices as (
    -- the latest non-void invoice by period start: customer, plan and seats
    select
        org_id,
        customer_id,
        product,
        quantity
    from ranked_billed_invoices
    where invoice_rank = 1
),

current_mrr as (
    -- the org's MRR on the as-of day (SPEC §6.4: from its subscriptions where known, else the latest paid or
    -- open invoice covering the as-of time; a churn_flag invoice still counts until its period_end)
    select
        org_id,
        mrr_cents
    from daily_mrr
    where metric_date = {{ vitals.as_of_date() }}
),

final as (
    select
        org_ids.org_id,
        coalesce(first_signups.org_name, org_ids.org_id) as org_name,
        coalesce(latest_invoices.customer_id, current_items.customer_id) as stripe_customer_id,
        coalesce(latest_invoices.product, current_items.product) as current_plan,
        coalesce(latest_invoices.quantity, current_items.quantity) as seats_purchased,
        coalesce(current_mrr.mrr_cents, 0) as mrr_cents,
        coalesce(current_mrr.mrr_cents, 0) > 0 as is_active,
        activity.first_seen_at,
        activity.last_seen_at
    from org_ids
    left join activity
        on org_ids.org_id = activity.org_id
    left join first_signups
        on org_ids.org_id = first_signups.org_id
    left join latest_invoices
        on org_ids.org_id = latest_invoices.org_id
    left join current_items
        on org_ids.org_id = current_items.org_id
    left join current_mrr
        on org_ids.org_id = current_mrr.org_id
)

select * from final
