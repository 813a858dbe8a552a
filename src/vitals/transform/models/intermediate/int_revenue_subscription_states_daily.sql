{#-
    Each Stripe subscription's status at the end of every business day (SPEC §6.4), from its first state's
    day to the as-of date: the stored state in force at the day's end (on the as-of day, at the as-of time),
    by the state timeline the daily MRR reads (macro revenue_subscription_timeline_ctes: a state applies
    from its time, never before an earlier state's, until the next state's). Subscriptions of no known
    org are left out, as in MRR.
    A trial ends on the first day whose status is no longer trialing after a day that ended trialing; it
    converted when that day ends active (a trial that ends past_due, canceled or incomplete did not).
-#}

{%- set far_future = "cast('9999-12-31 00:00:00' as " ~ dbt.type_timestamp() ~ ")" %}

with

{{ vitals.revenue_subscription_timeline_ctes() }},

spans as (
    -- each state from the time it applies to the next state's (empty when the next applies at once)
    select
        subscription_id,
        org_id,
        subscription_status,
        effective_from,
        coalesce(
            lead(effective_from) over (partition by subscription_id order by state_order),
            {{ far_future }}
        ) as effective_to
    from timeline
),

subscription_starts as (
    select
        subscription_id,
        min({{ vitals.business_date('effective_from') }}) as start_day
    from timeline
    group by subscription_id
),

subscription_days as (
    {{ vitals.date_spine_select('start_day', vitals.as_of_date(), 'subscription_starts', carry=['subscription_id']) }}
),

day_states as (
    -- the one state covering each day's end (covers_business_day, as for MRR)
    select
        subscription_days.day as metric_date,
        spans.subscription_id,
        spans.org_id,
        spans.subscription_status
    from subscription_days
    inner join spans
        on
            subscription_days.subscription_id = spans.subscription_id
            and spans.effective_from < spans.effective_to
            and {{ vitals.covers_business_day('spans.effective_from', 'spans.effective_to', 'subscription_days.day') }}
),

with_previous as (
    select
        *,
        lag(subscription_status) over (partition by subscription_id order by metric_date) as previous_status
    from day_states
),

final as (
    select
        metric_date,
        subscription_id,
        org_id,
        subscription_status,
        coalesce(previous_status = 'trialing' and subscription_status <> 'trialing', false) as is_trial_ended,
        coalesce(previous_status = 'trialing' and subscription_status = 'active', false) as is_trial_converted
    from with_previous
)

select * from final
