{#-
    Marketing spend: one row per day, channel and campaign, for days up to the build's as-of date (spend_date is
    a business date). The last landed copy wins (newest _ingest_ts, then the last landed). A missing channel is
    'unknown' (the name leads without a channel get too). Rows without a day or a whole amount are left out.
-#}

with

source as (
    select * from {{ source('marketing', 'marketing_spend') }}
),

cleaned as (
    select
        {{ vitals.clean_text('spend_date') }} as spend_date_text,
        coalesce({{ vitals.clean_text('channel', lower=true) }}, 'unknown') as channel,
        {{ vitals.clean_text('campaign') }} as campaign,
        {{ vitals.clean_text('spend_cents') }} as spend_cents_text,
        upper({{ vitals.clean_text('currency') }}) as currency,
        {{ vitals.clean_text('_ingest_ts') }} as ingested_at_text,
        {{ vitals.clean_text('_loaded_at') }} as loaded_at_text,
        _row_hash as row_hash
    from source
),

typed as (
    select
        cast({{ vitals.parse_utc_timestamp('spend_date_text') }} as date) as spend_date,
        channel,
        campaign,
        {{ vitals.try_cast_bigint('spend_cents_text') }} as spend_cents,
        coalesce(currency, {{ vitals.reporting_currency() }}) as currency,
        {{ vitals.parse_utc_timestamp('ingested_at_text') }} as ingested_at,
        {{ vitals.parse_utc_timestamp('loaded_at_text') }} as loaded_at,
        row_hash
    from cleaned
),

ranked as (
    select
        *,
        row_number() over (
            partition by spend_date, channel, campaign
            order by
                ingested_at desc nulls last,
                loaded_at desc nulls last,
                row_hash desc
        ) as copy_rank
    from typed
    where
        spend_date is not null
        and spend_date <= {{ vitals.as_of_date() }}
        and spend_cents is not null
),

final as (
    select
        spend_date,
        channel,
        campaign,
        spend_cents,
        currency,
        loaded_at
    from ranked
    where copy_rank = 1
)

select * from final
