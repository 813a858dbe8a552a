{#-
    Exchange rates: one row per currency and day a rate starts to apply (the last landed row of a
    currency and day wins). Rows with an unknown currency code, date or a rate that is not a positive
    number are left out.
-#}

with

source as (
    select * from {{ source('reference', 'currency_rates') }}
),

typed as (
    select
        upper({{ vitals.clean_text('currency') }}) as currency,
        cast({{ vitals.parse_utc_timestamp(vitals.clean_text('rate_date')) }} as date) as rate_date,
        {{ vitals.try_cast_double(vitals.clean_text('rate')) }} as rate,
        coalesce(_loaded_at, '') as loaded_at,
        _row_hash as row_hash
    from source
),

ranked as (
    select
        *,
        row_number() over (
            partition by currency, rate_date
            order by loaded_at desc, row_hash desc
        ) as copy_rank
    from typed
    where
        {{ vitals.regex_match('currency', '^[A-Z]{3}$') }}
        and rate_date is not null
        and rate > 0
),

final as (
    select
        currency,
        rate_date,
        rate
    from ranked
    where copy_rank = 1
)

select * from final
