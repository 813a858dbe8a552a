{#-
    Quotas in the reporting currency: one row per owner and month, converted at the rate of the month's first
    day (of the as-of day for a month that starts later). A quota whose currency has no rate is null.
-#}

with

quotas as (
    select * from {{ ref('stg_crm__quotas') }}
),

rates as (
    select * from {{ ref('int_currency_rates_daily') }}
),

final as (
    select
        quotas.owner_id,
        quotas.month_start,
        {{ vitals.to_reporting_cents('quotas.quota_cents', 'quotas.currency', 'rates.rate') }} as quota_cents,
        quotas.quota_cents as original_quota_cents,
        quotas.currency as original_currency
    from quotas
    left join rates
        on
            quotas.currency = rates.currency
            and rates.metric_date = least(quotas.month_start, {{ vitals.as_of_date() }})
)

select * from final
