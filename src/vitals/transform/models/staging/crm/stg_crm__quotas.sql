{#-
    Sales quotas: one row per owner and month (the first day of the month given). A quota is a plan, not an
    event: every landed quota counts whatever the build's as-of time, and the last landed copy of an owner's
    month wins (newest _ingest_ts, then the last landed). Rows without an owner, a month or a whole
    non-negative quota are left out.
-#}

with

source as (
    select * from {{ source('crm', 'crm_quotas') }}
),

cleaned as (
    select
        {{ vitals.normalize_id('owner_id') }} as owner_id,
        {{ vitals.clean_text('owner_name') }} as owner_name,
        {{ vitals.clean_text('team') }} as team,
        {{ vitals.clean_text('month') }} as month_text,
        {{ vitals.clean_text('quota_cents') }} as quota_cents_text,
        upper({{ vitals.clean_text('currency') }}) as currency,
        {{ vitals.clean_text('_ingest_ts') }} as ingested_at_text,
        {{ vitals.clean_text('_loaded_at') }} as loaded_at_text,
        _row_hash as row_hash
    from source
),

typed as (
    select
        owner_id,
        owner_name,
        team,
        {{ vitals.month_start('cast(' ~ vitals.parse_utc_timestamp('month_text') ~ ' as date)') }} as month_start,
        {{ vitals.try_cast_bigint('quota_cents_text') }} as quota_cents,
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
            partition by owner_id, month_start
            order by
                ingested_at desc nulls last,
                loaded_at desc nulls last,
                row_hash desc
        ) as copy_rank
    from typed
    where
        owner_id is not null
        and month_start is not null
        and quota_cents >= 0
),

final as (
    select
        owner_id,
        owner_name,
        team,
        month_start,
        quota_cents,
        currency,
        loaded_at
    from ranked
    where copy_rank = 1
)

select * from final
