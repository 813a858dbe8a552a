{#-
    Stripe subscription activity per org and business day, wide (SPEC §6.4; seed 004's Stripe counts):
    subscriptions by status at the day's end (int_revenue_subscription_states_daily), the trials that
    ended that day and how many converted, and failed invoice payment attempts that day
    (stg_stripe__invoice_payment_failures, the org of the invoice). Every day from the org's first
    subscription state or payment failure to the as-of date; 0 where nothing happened. Needs the Stripe
    webhooks or backfill: with invoices alone there are no rows.
-#}

with

states as (
    select * from {{ ref('int_revenue_subscription_states_daily') }}
),

invoices as (
    select * from {{ ref('stg_stripe__invoices') }}
),

payment_failures as (
    select * from {{ ref('stg_stripe__invoice_payment_failures') }}
),

org_failures as (
    -- each failed attempt on the business day it happened, for the org of its invoice
    select
        invoices.org_id,
        {{ vitals.business_date('payment_failures.failed_at') }} as metric_date
    from payment_failures
    inner join invoices
        on payment_failures.invoice_id = invoices.invoice_id
    where invoices.org_id is not null
),

org_starts as (
    select
        org_id,
        min(metric_date) as start_day
    from (
        select
            org_id,
            metric_date
        from states
        union all
        select
            org_id,
            metric_date
        from org_failures
    ) as org_activity
    group by org_id
),

org_days as (
    {{ vitals.date_spine_select('start_day', vitals.as_of_date(), 'org_starts', carry=['org_id']) }}
),

state_counts as (
    select
        org_id,
        metric_date,
        {{ vitals.count_if("subscription_status = 'active'") }} as active_subscriptions,
        {{ vitals.count_if("subscription_status = 'trialing'") }} as trialing_subscriptions,
        {{ vitals.count_if("subscription_status = 'past_due'") }} as past_due_subscriptions,
        {{ vitals.count_if("subscription_status = 'canceled'") }} as canceled_subscriptions,
        {{ vitals.count_if('is_trial_ended') }} as trials_ended,
        {{ vitals.count_if('is_trial_converted') }} as trials_converted
    from states
    group by org_id, metric_date
),

failure_counts as (
    select
        org_id,
        metric_date,
        count(*) as payment_failures
    from org_failures
    group by org_id, metric_date
),

final as (
    select
        org_days.day as metric_date,
        org_days.org_id,
        coalesce(state_counts.active_subscriptions, 0) as active_subscriptions,
        coalesce(state_counts.trialing_subscriptions, 0) as trialing_subscriptions,
        coalesce(state_counts.past_due_subscriptions, 0) as past_due_subscriptions,
        coalesce(state_counts.canceled_subscriptions, 0) as canceled_subscriptions,
        coalesce(state_counts.trials_ended, 0) as trials_ended,
        coalesce(state_counts.trials_converted, 0) as trials_converted,
        {{ vitals.safe_divide('state_counts.trials_converted', 'state_counts.trials_ended') }}
            as trial_conversion_rate,
        coalesce(failure_counts.payment_failures, 0) as payment_failures
    from org_days
    left join state_counts
        on
            org_days.org_id = state_counts.org_id
            and org_days.day = state_counts.metric_date
    left join failure_counts
        on
            org_days.org_id = failure_counts.org_id
            and org_days.day = failure_counts.metric_date
)

select * from final
