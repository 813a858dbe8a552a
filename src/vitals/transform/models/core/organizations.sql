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

org_ids as (
    -- every valid org seen in the app's events or on an invoice
    select org_id from events
    where org_id is not null
    union
    select org_id from invoices
    where org_id is not null
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
    select
        org_id,
        org_name,
        row_number() over (partition by org_id order by occurred_at, event_id) as signup_rank
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

ranked_covering_invoices as (
    select
        org_id,
        mrr_cents,
        row_number() over (
            partition by org_id
            order by period_start desc, ingested_at desc, invoice_id desc
        ) as covering_rank
    from invoices
    where
        org_id is not null
        and status in ('paid', 'open')
        and period_start <= {{ vitals.as_of() }}
        and period_end > {{ vitals.as_of() }}
),

current_mrr as (
    -- the latest paid or open invoice whose period covers the as-of time
    -- (a churn_flag invoice still counts until its period_end)
    select
        org_id,
        coalesce(mrr_cents, 0) as mrr_cents
    from ranked_covering_invoices
    where covering_rank = 1
),

final as (
    select
        org_ids.org_id,
        coalesce(first_signups.org_name, org_ids.org_id) as org_name,
        latest_invoices.customer_id as stripe_customer_id,
        latest_invoices.product as current_plan,
        latest_invoices.quantity as seats_purchased,
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
    left join current_mrr
        on org_ids.org_id = current_mrr.org_id
)

select * from final
