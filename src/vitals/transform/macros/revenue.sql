{#-
    The state timeline of Stripe subscriptions (SPEC §6.4), shared by the daily MRR and the daily
    subscription-state models so both read a subscription's states the same way. CTEs:
    - item_states: the stored item states of orgs known to vitals, produced at or before the as-of time;
    - states: one row per subscription state: its licensed items' monthly amount and the subscription's fields;
    - timeline: each state with effective_from, the time it applies from (its own time, never before an
      earlier state's), ordered by state_order.
-#}
{% macro revenue_subscription_timeline_ctes() -%}
item_states as (
    select * from {{ ref('stg_stripe__subscription_item_states') }}
    where org_id is not null and state_at <= {{ vitals.as_of() }}
),

states as (
    select
        subscription_id,
        state_order,
        max(org_id) as org_id,
        coalesce(max(currency), {{ vitals.reporting_currency() }}) as currency,
        max(subscription_status) as subscription_status,
        sum(
            case
                when coalesce(usage_type, 'licensed') = 'metered' then 0
                else coalesce(monthly_list_amount_cents, 0)
            end
        ) as monthly_list_cents,
        max(billing_interval) as billing_interval,
        max(interval_count) as interval_count,
        max(discount_percent_off) as discount_percent_off,
        max(discount_amount_off_cents) as discount_amount_off_cents,
        max(discount_end) as discount_end,
        min(current_period_start) as current_period_start,
        max(current_period_end) as current_period_end,
        max(trial_end) as trial_end,
        max(case when cancel_at_period_end then 1 else 0 end) = 1 as cancel_at_period_end,
        max(cancel_at) as cancel_at,
        max(canceled_at) as canceled_at,
        max(ended_at) as ended_at,
        max(state_at) as state_at
    from item_states
    group by subscription_id, state_order
),

timeline as (
    select
        *,
        max(state_at) over (
            partition by subscription_id
            order by state_order
            rows between unbounded preceding and current row
        ) as effective_from
    from states
)
{%- endmacro %}
