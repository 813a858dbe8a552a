{#-
    CRM activities: one row per activity_id that happened at or before the build's as-of time (the last landed
    copy wins: newest _ingest_ts, then the last landed). Ids are trimmed and lowercased; an org id that is not a
    valid UUID is null. Rows without an id, a time or a known kind (call, email, meeting, note) are left out.
-#}

with

source as (
    select * from {{ source('crm', 'crm_activities') }}
),

cleaned as (
    select
        {{ vitals.normalize_id('activity_id') }} as activity_id,
        {{ vitals.normalize_id('deal_id') }} as deal_id,
        {{ vitals.normalize_id('org_id') }} as org_id,
        {{ vitals.normalize_id('owner_id') }} as owner_id,
        {{ vitals.clean_text('kind', lower=true) }} as kind,
        {{ vitals.clean_text('occurred_at') }} as occurred_at_text,
        {{ vitals.clean_text('_ingest_ts') }} as ingested_at_text,
        {{ vitals.clean_text('_loaded_at') }} as loaded_at_text,
        _row_hash as row_hash
    from source
),

typed as (
    select
        activity_id,
        deal_id,
        {{ vitals.uuid_or_null('org_id') }} as org_id,
        owner_id,
        kind,
        {{ vitals.parse_utc_timestamp('occurred_at_text') }} as occurred_at,
        {{ vitals.parse_utc_timestamp('ingested_at_text') }} as ingested_at,
        {{ vitals.parse_utc_timestamp('loaded_at_text') }} as loaded_at,
        row_hash
    from cleaned
),

ranked as (
    select
        *,
        row_number() over (
            partition by activity_id
            order by
                ingested_at desc nulls last,
                loaded_at desc nulls last,
                row_hash desc
        ) as copy_rank
    from typed
    where
        activity_id is not null
        and occurred_at is not null
        and occurred_at <= {{ vitals.as_of() }}
        and kind in ('call', 'email', 'meeting', 'note')
),

final as (
    select
        activity_id,
        deal_id,
        org_id,
        owner_id,
        kind,
        occurred_at,
        {{ vitals.business_date('occurred_at') }} as activity_date,
        loaded_at
    from ranked
    where copy_rank = 1
)

select * from final
