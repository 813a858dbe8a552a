{#-
    Support tickets (snapshots): one row per version of a help-desk ticket dated at or before the build's as-of
    time (by updated_at); copies of one version (same ticket_id and updated_at) keep the newest _ingest_ts, then
    the last landed. is_current_version marks the ticket as it stands at the as-of time. Ids are trimmed and
    lowercased; an org or provider id that is not a valid UUID is null. A status, priority or rating outside the
    contract's values is null. A response or resolution time after the as-of time has not happened yet (null);
    a missing creation time (or one after the as-of time) is the ticket's first version time.
-#}

with

source as (
    select * from {{ source('support', 'support_tickets') }}
),

cleaned as (
    select
        {{ vitals.normalize_id('ticket_id') }} as ticket_id,
        {{ vitals.normalize_id('org_id') }} as org_id,
        {{ vitals.normalize_id('provider_id') }} as provider_id,
        {{ vitals.clean_text('created_at') }} as created_at_text,
        {{ vitals.clean_text('first_response_at') }} as first_response_at_text,
        {{ vitals.clean_text('resolved_at') }} as resolved_at_text,
        {{ vitals.clean_text('status', lower=true) }} as status,
        {{ vitals.clean_text('priority', lower=true) }} as priority,
        {{ vitals.clean_text('channel', lower=true) }} as channel,
        {{ vitals.clean_text('category', lower=true) }} as category,
        {{ vitals.clean_text('csat_score') }} as csat_score_text,
        escalated as escalated_text,
        {{ vitals.clean_text('updated_at') }} as updated_at_text,
        {{ vitals.clean_text('_ingest_ts') }} as ingested_at_text,
        {{ vitals.clean_text('_loaded_at') }} as loaded_at_text,
        _row_hash as row_hash
    from source
),

typed as (
    select
        ticket_id,
        {{ vitals.uuid_or_null('org_id') }} as org_id,
        {{ vitals.uuid_or_null('provider_id') }} as provider_id,
        {{ vitals.parse_utc_timestamp('created_at_text') }} as created_at,
        {{ vitals.parse_utc_timestamp('first_response_at_text') }} as first_response_at,
        {{ vitals.parse_utc_timestamp('resolved_at_text') }} as resolved_at,
        case when status in ('new', 'open', 'pending', 'solved', 'closed') then status end as status,
        case when priority in ('low', 'normal', 'high', 'urgent') then priority end as priority,
        channel,
        category,
        {{ vitals.try_cast_bigint('csat_score_text') }} as csat_score,
        {{ vitals.try_cast_boolean('escalated_text') }} as is_escalated,
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
            partition by ticket_id, updated_at
            order by
                ingested_at desc nulls last,
                loaded_at desc nulls last,
                row_hash desc
        ) as copy_rank
    from typed
    where
        ticket_id is not null
        and updated_at is not null
        and updated_at <= {{ vitals.as_of() }}
),

versions as (
    select * from copies_ranked
    where copy_rank = 1
),

final as (
    select
        ticket_id,
        cast(row_number() over (partition by ticket_id order by updated_at) as integer) as version_number,
        row_number() over (partition by ticket_id order by updated_at desc) = 1 as is_current_version,
        org_id,
        provider_id,
        coalesce(
            case when created_at <= {{ vitals.as_of() }} then created_at end,
            min(updated_at) over (partition by ticket_id)
        ) as created_at,
        case when first_response_at <= {{ vitals.as_of() }} then first_response_at end as first_response_at,
        case when resolved_at <= {{ vitals.as_of() }} then resolved_at end as resolved_at,
        status,
        priority,
        channel,
        category,
        case when csat_score between 1 and 5 then cast(csat_score as integer) end as csat_score,
        is_escalated,
        updated_at,
        ingested_at,
        loaded_at
    from versions
)

select * from final
