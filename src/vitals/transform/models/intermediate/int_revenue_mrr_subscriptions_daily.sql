{#-
    Daily MRR per org from Stripe subscription states (SPEC §6.4), in the reporting currency.

    A subscription's stored states, in state order, each apply from its state time (never before an
    earlier state's) until the next state's. Within a state the subscription pays from the trial's end (a
    trialing state pays nothing) until it churns:
    - active: until the churn moment (below); past_due: also at most stripe_past_due_grace_days after the
      unpaid period started; canceled: until the churn moment, if that is still to come; unpaid, paused,
      incomplete and incomplete_expired: nothing.
    - the churn moment, by stripe_churn_recognition: period_end (default) = when it ends (ended_at, else the
      period end of a cancel_at_period_end, else cancel_at); cancellation = when the customer cancelled
      (canceled_at, else the state's time for a scheduled cancellation), even while service runs on.
    Its amount: the licensed items' unit amount x quantity normalized to a month (stripe_monthly_cents),
    less a recurring coupon while it applies (percent off, then amount off normalized by the billing
    interval; never below 0); metered items, one-time coupons, tax and proration are not MRR. Converted
    at the day's rate (int_currency_rates_daily); an amount with no rate counts 0 and is flagged.
    Days, and "covers a day", as for invoices: from the org's first state's day to the as-of date.
    States produced after the as-of time are invisible.
-#}

{%- set churn_recognition = var('stripe_churn_recognition', 'period_end') -%}
{%- if churn_recognition not in ['period_end', 'cancellation'] -%}
    {{ exceptions.raise_compiler_error(
        "var 'stripe_churn_recognition' must be period_end or cancellation, got '" ~ churn_recognition ~ "'"
    ) }}
{%- endif -%}
{%- if churn_recognition == 'cancellation' -%}
    {%- set churn_moment = "canceled_at, case when cancel_at_period_end or cancel_at is not null"
        ~ " then effective_from end, ended_at" -%}
{%- else -%}
    {%- set churn_moment = "ended_at, case when cancel_at_period_end then current_period_end end, cancel_at" -%}
{%- endif -%}
{%- set far_future = "cast('9999-12-31 00:00:00' as " ~ dbt.type_timestamp() ~ ")" %}

with

{{ vitals.revenue_subscription_timeline_ctes() }},

rates as (
    select * from {{ ref('int_currency_rates_daily') }}
),

bounded as (
    select
        *,
        lead(effective_from) over (partition by subscription_id order by state_order) as effective_to,
        coalesce(
            {{ churn_moment }},
            case when subscription_status = 'canceled' then effective_from end
        ) as churn_at,
        case
            when subscription_status = 'past_due'
                then {{ dbt.dateadd('day', var('stripe_past_due_grace_days', 30), 'current_period_start') }}
        end as grace_end
    from timeline
),

paying as (
    -- the span of each state in which the subscription pays, and its monthly amounts with and without coupon
    select
        org_id,
        subscription_id,
        currency,
        case when trial_end > effective_from then trial_end else effective_from end as paying_from,
        least(
            coalesce(effective_to, {{ far_future }}),
            coalesce(churn_at, {{ far_future }}),
            coalesce(grace_end, {{ far_future }})
        ) as paying_to,
        monthly_list_cents,
        case
            when discount_percent_off is null and discount_amount_off_cents is null then monthly_list_cents
            else greatest(
                monthly_list_cents * (1 - coalesce(discount_percent_off, 0) / 100.0)
                - coalesce({{ vitals.stripe_monthly_cents(
                    'discount_amount_off_cents', 'billing_interval', 'interval_count'
                ) }}, 0),
                0
            )
        end as monthly_discounted_cents,
        coalesce(discount_end, {{ far_future }}) as discount_end
    from bounded
    where subscription_status in ('active', 'past_due', 'canceled')
),

org_starts as (
    select
        org_id,
        min({{ vitals.business_date('effective_from') }}) as start_day
    from timeline
    group by org_id
),

org_days as (
    {{ vitals.date_spine_select('start_day', vitals.as_of_date(), 'org_starts', carry=['org_id']) }}
),

day_amounts as (
    select
        org_days.org_id,
        org_days.day as metric_date,
        paying.currency,
        case
            when {{ vitals.covers_business_day('paying.paying_from', 'paying.discount_end', 'org_days.day') }}
                then paying.monthly_discounted_cents
            else paying.monthly_list_cents
        end as mrr_minor
    from org_days
    inner join paying
        on
            org_days.org_id = paying.org_id
            and paying.paying_from < paying.paying_to
            and {{ vitals.covers_business_day('paying.paying_from', 'paying.paying_to', 'org_days.day') }}
),

converted as (
    select
        day_amounts.org_id,
        day_amounts.metric_date,
        sum(day_amounts.mrr_minor * {{ vitals.to_reporting_factor('day_amounts.currency', 'rates.rate') }})
            as mrr_reporting,
        max(
            case
                when
                    day_amounts.mrr_minor <> 0
                    and {{ vitals.to_reporting_factor('day_amounts.currency', 'rates.rate') }} is null
                    then 1
                else 0
            end
        ) = 1 as has_unconverted_amount
    from day_amounts
    left join rates
        on
            day_amounts.currency = rates.currency
            and day_amounts.metric_date = rates.metric_date
    group by day_amounts.org_id, day_amounts.metric_date
),

final as (
    select
        org_days.day as metric_date,
        org_days.org_id,
        coalesce({{ vitals.round_half_away('converted.mrr_reporting') }}, 0) as mrr_cents,
        coalesce(converted.has_unconverted_amount, false) as has_unconverted_amount
    from org_days
    left join converted
        on
            org_days.org_id = converted.org_id
            and org_days.day = converted.metric_date
)

select * from final
