{#-
    Marketing leads (snapshots): one row per lead as it stands at the build's as-of time, its newest version by
    updated_at at or before it (copies of one version: newest _ingest_ts, then the last landed). A qualification
    time after the as-of time has not happened yet; a missing created_at is the lead's first version. A missing
    channel is 'unknown'. Ids are trimmed and lowercased; an org id that is not a valid UUID is null.
-#}

with

source as (
    select * from {{ source('marketing', 'marketing_leads') }}
),

cleaned as (
    select
        {{ vitals.normalize_id('lead_id') }} as lead_id,
        {{ vitals.clean_text('created_at') }} as created_at_text,
        {{ vitals.clean_text('company_domain', lower=true) }} as company_domain,
        coalesce({{ vitals.clean_text('channel', lower=true) }}, 'unknown') as channel,
        {{ vitals.clean_text('campaign') }} as campaign,
        {{ vitals.clean_text('mql_at') }} as mql_at_text,
        {{ vitals.clean_text('sql_at') }} as sql_at_text,
        {{ vitals.normalize_id('deal_id') }} as deal_id,
        {{ vitals.normalize_id('org_id') }} as org_id,
        {{ vitals.clean_text('updated_at') }} as updated_at_text,
        {{ vitals.clean_text('_ingest_ts') }} as ingested_at_text,
        {{ vitals.clean_text('_loaded_at') }} as loaded_at_text,
        _row_hash as row_hash
    from source
),

typed as (
    select
        lead_id,
        {{ vitals.parse_utc_timestamp('created_at_text') }} as created_at,
        company_domain,
        channel,
        campaign,
        {{ vitals.parse_utc_timestamp('mql_at_text') }} as mql_at,
        {{ vitals.parse_utc_timestamp('sql_at_text') }} as sql_at,
        deal_id,
        {{ vitals.uuid_or_null('org_id') }} as org_id,
        {{ vitals.parse_utc_timestamp('updated_at_text') }} as updated_at,
        {{ vitals.parse_utc_timestamp('ingested_at_text') }} as ingested_at,
        {{ vitals.parse_utc_timestamp('loaded_at_text') }} as loaded_at,
        row_hash
    from cleaned
),

visible as (
    select
        *,
        min(updated_at) over (partition by lead_id) as first_seen_at,
        row_number() over (
            partition by lead_id
            order by
                updated_at desc,
                ingested_at desc nulls last,
                loaded_at desc nulls last,
                row_hash desc
        ) as version_rank
    from typed
    where
        lead_id is not null
        and updated_at is not null
        and updated_at <= {{ vitals.as_of() }}
),

final as (
    select
        lead_id,
        coalesce(created_at, first_seen_at) as created_at,
        {{ vitals.business_date('coalesce(created_at, first_seen_at)') }} as lead_date,
        company_domain,
        channel,
        campaign,
        case when mql_at <= {{ vitals.as_of() }} then mql_at end as mql_at,
        case when sql_at <= {{ vitals.as_of() }} then sql_at end as sql_at,
        deal_id,
        org_id,
        updated_at,
        loaded_at
    from visible
    where version_rank = 1
)

select * from final
