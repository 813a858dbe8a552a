{#-
    Marketing spend in the reporting currency: one row per day, channel and campaign (stg_marketing__spend),
    converted at the day's rate; a currency without a rate gives null.
-#}

with

spend as (
    select * from {{ ref('stg_marketing__spend') }}
),

rates as (
    select * from {{ ref('int_currency_rates_daily') }}
),

final as (
    select
        spend.spend_date,
        spend.channel,
        spend.campaign,
        {{ vitals.to_reporting_cents('spend.spend_cents', 'spend.currency', 'rates.rate') }} as spend_cents,
        spend.spend_cents as original_spend_cents,
        spend.currency as original_currency
    from spend
    left join rates
        on
            spend.currency = rates.currency
            and spend.spend_date = rates.metric_date
)

select * from final
