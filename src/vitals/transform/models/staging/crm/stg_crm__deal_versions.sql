{#-
    CRM deals (snapshots): one row per version of a deal dated at or before the build's as-of time (by
    updated_at); copies of one version (same deal_id and updated_at) keep the newest _ingest_ts, then the last
    landed. is_current_version marks the newest version as of the as-of time, the deal as it stands. A version
    whose outcome (is_won) is given without a close time closed when it was recorded; a close time after the
    as-of time has not happened yet (the deal is still open); a missing created_at is the deal's first version.
    Ids are trimmed and lowercased; an org id that is not a valid UUID is null (a prospect).
-#}

with

source as (
    select * from {{ source('crm', 'crm_deals') }}
),

cleaned as (
    select
        {{ vitals.normalize_id('deal_id') }} as deal_id,
        {{ vitals.normalize_id('org_id') }} as org_id,
        {{ vitals.clean_text('company_name') }} as company_name,
        {{ vitals.clean_text('company_domain', lower=true) }} as company_domain,
        {{ vitals.normalize_id('owner_id') }} as owner_id,
        {{ vitals.clean_text('pipeline', lower=true) }} as pipeline,
        {{ vitals.clean_text('stage', lower=true) }} as stage,  -- noqa: RF04
        {{ vitals.clean_text('amount_cents') }} as amount_cents_text,
        upper({{ vitals.clean_text('currency') }}) as currency,
        {{ vitals.clean_text('created_at') }} as created_at_text,
        {{ vitals.clean_text('expected_close_date') }} as expected_close_date_text,
        {{ vitals.clean_text('closed_at') }} as closed_at_text,
        is_won as is_won_text,
        {{ vitals.clean_text('lost_reason') }} as lost_reason,
        {{ vitals.clean_text('source_channel', lower=true) }} as source_channel,
        {{ vitals.clean_text('updated_at') }} as updated_at_text,
        {{ vitals.clean_text('_ingest_ts') }} as ingested_at_text,
        {{ vitals.clean_text('_loaded_at') }} as loaded_at_text,
        _row_hash as row_hash
    from source
),

typed as (
    select
        deal_id,
        {{ vitals.uuid_or_null('org_id') }} as org_id,
        company_name,
        company_domain,
        owner_id,
        pipeline,
        stage,
        {{ vitals.try_cast_bigint('amount_cents_text') }} as amount_cents,
        coalesce(currency, {{ vitals.reporting_currency() }}) as currency,
        {{ vitals.parse_utc_timestamp('created_at_text') }} as created_at,
        cast({{ vitals.parse_utc_timestamp('expected_close_date_text') }} as date) as expected_close_date,
        {{ vitals.parse_utc_timestamp('closed_at_text') }} as closed_at,
        {{ vitals.try_cast_boolean('is_won_text') }} as is_won,
        lost_reason,
        source_channel,
        {{ vitals.parse_utc_timestamp('updated_at_text') }} as updated_at,
        {{ vitals.parse_utc_timestamp('ingested_at_text') }} as ingested_at,
        {{ vitals.parse_utc_timestamp('loaded_at_text') }} as loaded_at,
        row_hash
    from cleaned
),

copies_ranked as (
    select
        *,
        row_number() over (
            partition by deal_id, updated_at
            order by
                ingested_at desc nulls last,
                loaded_at desc nulls last,
                row_hash desc
        ) as copy_rank
    from typed
    where
        deal_id is not null
        and updated_at is not null
        and updated_at <= {{ vitals.as_of() }}
),

versions as (
    select
        *,
        coalesce(closed_at, case when is_won is not null then updated_at end) as recorded_closed_at
    from copies_ranked
    where copy_rank = 1
),

final as (
    select
        deal_id,
        cast(row_number() over (partition by deal_id order by updated_at) as integer) as version_number,
        row_number() over (partition by deal_id order by updated_at desc) = 1 as is_current_version,
        org_id,
        company_name,
        company_domain,
        owner_id,
        pipeline,
        stage,
        coalesce(stage in ('deleted', 'merged'), false) as is_removed,
        amount_cents,
        currency,
        coalesce(created_at, min(updated_at) over (partition by deal_id)) as created_at,
        expected_close_date,
        case when recorded_closed_at <= {{ vitals.as_of() }} then recorded_closed_at end as closed_at,
        case when recorded_closed_at <= {{ vitals.as_of() }} then is_won end as is_won,
        lost_reason,
        source_channel,
        updated_at,
        ingested_at,
        loaded_at
    from versions
)

select * from final
