{#-
    The exchange rate in effect for each currency with rates on each day, from the first day any amount
    could count (the earliest invoice period or subscription; deal, quota month or marketing spend) to the
    as-of date: the rate of the
    currency's latest rate_date on or before the day; before its first rate_date, its first rate.
-#}

with

rates as (
    select * from {{ ref('stg_reference__currency_rates') }}
),

money_starts as (
    select min({{ vitals.business_date('period_start') }}) as first_day
    from {{ ref('stg_stripe__invoices') }}
    union all
    select min({{ vitals.business_date('subscription_created_at') }}) as first_day
    from {{ ref('stg_stripe__subscription_item_states') }}
    union all
    select min({{ vitals.business_date('created_at') }}) as first_day
    from {{ ref('stg_crm__deal_versions') }}
    union all
    select min(month_start) as first_day
    from {{ ref('stg_crm__quotas') }}
    union all
    select min(spend_date) as first_day
    from {{ ref('stg_marketing__spend') }}
),

validity as (
    select
        currency,
        rate,
        rate_date,
        row_number() over (partition by currency order by rate_date) as rate_rank,
        lead(rate_date) over (partition by currency order by rate_date) as next_rate_date
    from rates
),

currency_starts as (
    select
        validity.currency,
        least(
            validity.rate_date,
            coalesce((select min(money_starts.first_day) from money_starts), validity.rate_date)
        ) as start_day
    from validity
    where validity.rate_rank = 1
),

currency_days as (
    {{ vitals.date_spine_select('start_day', vitals.as_of_date(), 'currency_starts', carry=['currency']) }}
),

final as (
    select
        currency_days.currency,
        currency_days.day as metric_date,
        validity.rate
    from currency_days
    inner join validity
        on
            currency_days.currency = validity.currency
            and (validity.rate_rank = 1 or currency_days.day >= validity.rate_date)
            and (validity.next_rate_date is null or currency_days.day < validity.next_rate_date)
)

select * from final
