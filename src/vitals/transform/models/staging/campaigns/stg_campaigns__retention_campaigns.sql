{#-
    Retention campaigns (snapshots): one row per campaign as it stands at the build's as-of time, its newest
    version dated at or before it (by updated_at; copies of that version keep the newest _ingest_ts, then the
    last landed). Ids are trimmed and lowercased; an org id that is not a valid UUID is null. A kind or outcome
    outside the contract's values is null. A step (sent, opened, clicked, responded) after the as-of time has
    not happened yet (null); a missing start time (or one after the as-of time) is the campaign's first version
    time.
-#}

with

source as (
    select * from {{ source('campaigns', 'retention_campaigns') }}
),

cleaned as (
    select
        {{ vitals.normalize_id('campaign_id') }} as campaign_id,
        {{ vitals.normalize_id('org_id') }} as org_id,
        {{ vitals.clean_text('kind', lower=true) }} as kind,
        {{ vitals.clean_text('channel', lower=true) }} as channel,
        {{ vitals.clean_text('started_at') }} as started_at_text,
        {{ vitals.clean_text('sent_at') }} as sent_at_text,
        {{ vitals.clean_text('opened_at') }} as opened_at_text,
        {{ vitals.clean_text('clicked_at') }} as clicked_at_text,
        {{ vitals.clean_text('responded_at') }} as responded_at_text,
        {{ vitals.clean_text('outcome', lower=true) }} as outcome,
        {{ vitals.clean_text('updated_at') }} as updated_at_text,
        {{ vitals.clean_text('_ingest_ts') }} as ingested_at_text,
        {{ vitals.clean_text('_loaded_at') }} as loaded_at_text,
        _row_hash as row_hash
    from source
),

typed as (
    select
        campaign_id,
        {{ vitals.uuid_or_null('org_id') }} as org_id,
        case when kind in ('win_back', 'training', 'check_in', 'renewal') then kind end as kind,
        channel,
        {{ vitals.parse_utc_timestamp('started_at_text') }} as started_at,
        {{ vitals.parse_utc_timestamp('sent_at_text') }} as sent_at,
        {{ vitals.parse_utc_timestamp('opened_at_text') }} as opened_at,
        {{ vitals.parse_utc_timestamp('clicked_at_text') }} as clicked_at,
        {{ vitals.parse_utc_timestamp('responded_at_text') }} as responded_at,
        case when outcome in ('recovered', 'churned', 'no_response') then outcome end as outcome,
        {{ vitals.parse_utc_timestamp('updated_at_text') }} as updated_at,
        {{ vitals.parse_utc_timestamp('ingested_at_text') }} as ingested_at,
        {{ vitals.parse_utc_timestamp('loaded_at_text') }} as loaded_at,
        row_hash
    from cleaned
),

versions_ranked as (
    select
        *,
        min(updated_at) over (partition by campaign_id) as first_updated_at,
        row_number() over (
            partition by campaign_id
            order by
                updated_at desc,
                ingested_at desc nulls last,
                loaded_at desc nulls last,
                row_hash desc
        ) as version_rank
    from typed
    where
        campaign_id is not null
        and updated_at is not null
        and updated_at <= {{ vitals.as_of() }}
),

final as (
    select
        campaign_id,
        org_id,
        kind,
        channel,
        coalesce(
            case when started_at <= {{ vitals.as_of() }} then started_at end,
            first_updated_at
        ) as started_at,
        case when sent_at <= {{ vitals.as_of() }} then sent_at end as sent_at,
        case when opened_at <= {{ vitals.as_of() }} then opened_at end as opened_at,
        case when clicked_at <= {{ vitals.as_of() }} then clicked_at end as clicked_at,
        case when responded_at <= {{ vitals.as_of() }} then responded_at end as responded_at,
        outcome,
        updated_at,
        loaded_at
    from versions_ranked
    where version_rank = 1
)

select * from final
