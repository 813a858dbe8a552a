{{
    config(
        materialized=vitals.keyed_materialization(),
        incremental_strategy='delete+insert',
        unique_key='event_id',
        pre_hook=[
            "{{ vitals.state_row_sql() }}",
            "{{ vitals.read_mark_sql(source('app', 'events_big')) }}",
        ],
        post_hook=[
            "{{ vitals.pending_insert_sql(source('app', 'events_big'), 'event_id', 'occurred_at') }}",
            "{{ vitals.pending_prune_sql() }}",
            "{{ vitals.state_advance_sql() }}",
        ],
        indexes=[
            {'columns': ['event_id'], 'unique': vitals.builds_incrementally() and target.type != 'duckdb'},
            {'columns': ['org_id', 'session_id']},
        ],
    )
}}

with

source as (
    -- on an incremental build, every raw copy of the ids that changed since the last one
    select * from {{ source('app', 'events_big') }}
    where {{ vitals.changed_rows_filter(source('app', 'events_big'), 'event_id') }}
),

cleaned as (
    select
        {{ vitals.normalize_id('event_id') }} as event_id,
        {{ vitals.normalize_id('org_id') }} as org_id,
        {{ vitals.normalize_id('provider_id') }} as provider_id,
        {{ vitals.normalize_id('user_id') }} as user_id,
        {{ vitals.clean_text('occurred_at') }} as occurred_at_text,
        lower(trim(event_name)) as app_event_name,
        {{ vitals.normalize_id('session_id') }} as session_id,
        {{ vitals.normalize_id('request_id') }} as request_id,
        {{ vitals.clean_text('source', lower=true) }} as source,
        {{ vitals.clean_text('endpoint') }} as endpoint,
        {{ vitals.clean_text('device') }} as device,
        {{ vitals.clean_text('geo_country') }} as geo_country,
        case when trim(properties) = '' then null else properties end as properties_text,
        {{ vitals.clean_text('inserted_at') }} as inserted_at_text,
        {{ vitals.clean_text('_ingest_source') }} as ingest_source,
        {{ vitals.clean_text('_ingest_ts') }} as ingested_at_text,
        {{ vitals.clean_text('_loaded_at') }} as loaded_at_text,
        _row_hash as row_hash
    from source
),

typed as (
    select
        event_id,
        {{ vitals.uuid_or_null('org_id') }} as org_id,
        {{ vitals.uuid_or_null('provider_id') }} as provider_id,
        {{ vitals.uuid_or_null('user_id') }} as user_id,
        {{ vitals.is_invalid_uuid('org_id') }} as has_invalid_org_id,
        {{ vitals.is_invalid_uuid('provider_id') }} as has_invalid_provider_id,
        {{ vitals.is_invalid_uuid('user_id') }} as has_invalid_user_id,
        {{ vitals.parse_utc_timestamp('occurred_at_text') }} as occurred_at,
        {{ vitals.canonical_event_name('app_event_name') }} as event_name,
        app_event_name,
        session_id,
        request_id,
        source,
        endpoint,
        device,
        geo_country,
        properties_text,
        {{ vitals.parse_utc_timestamp('inserted_at_text') }} as inserted_at,
        ingest_source,
        {{ vitals.parse_utc_timestamp('ingested_at_text') }} as ingested_at,
        {{ vitals.parse_utc_timestamp('loaded_at_text') }} as loaded_at,
        row_hash
    from cleaned
),

visible as (
    -- only events that happened at or before the build's as-of time
    select * from typed
    where
        event_id is not null
        and occurred_at is not null
        and occurred_at <= {{ vitals.as_of() }}
),

copy_counts as (
    -- the ids with more than one visible copy: only their copies are ranked (a narrow aggregate, so most
    -- rows never go through the sort)
    select
        event_id,
        count(*) as copies
    from visible
    group by event_id
    having count(*) > 1
),

ranked_copies as (
    select
        visible.*,
        row_number() over (
            partition by visible.event_id
            order by
                visible.ingested_at asc nulls last,
                visible.loaded_at asc nulls last,
                visible.row_hash asc
        ) as copy_rank,
        copy_counts.copies
    from visible
    inner join copy_counts
        on visible.event_id = copy_counts.event_id
),

first_copies as (
    -- the first ingested copy of each event wins
    select * from ranked_copies
    where copy_rank = 1
    union all
    select
        visible.*,
        1 as copy_rank,
        1 as copies
    from visible
    where not exists (
        select 1 from copy_counts
        where copy_counts.event_id = visible.event_id
    )
),

deduplicated as (
    select
        *,
        {{ vitals.json_parse('properties_text') }} as properties
    from first_copies
),

extracted as (
    select
        *,
        {{ vitals.allowed_property('properties', 'note_id') }} as note_id_text,
        {{ vitals.allowed_property('properties', 'feature') }} as feature_text,
        {{ vitals.allowed_property('properties', 'length') }} as length_text,
        {{ vitals.allowed_property('properties', 'quality_score') }} as quality_score_text,
        {{ vitals.allowed_property('properties', 'hard_error') }} as hard_error_text,
        {{ vitals.allowed_property('properties', 'client_release') }} as client_release_text,
        {{ vitals.allowed_property('properties', 'error_code') }} as error_code_text,
        {{ vitals.allowed_property('properties', 'org_name') }} as org_name_text,
        {{ vitals.allowed_property('properties', 'plan') }} as plan_text,
        {{ vitals.allowed_property('properties', 'role') }} as role_text
    from deduplicated
),

final as (
    select
        event_id,
        org_id,
        provider_id,
        user_id,
        occurred_at,
        event_name,
        app_event_name,
        session_id,
        request_id,
        source,
        endpoint,
        device,
        geo_country,
        {{ vitals.normalize_id('note_id_text') }} as note_id,
        {{ vitals.clean_text('feature_text', lower=true) }} as feature,
        {{ vitals.try_cast_bigint('trim(length_text)') }} as note_length,
        {{ vitals.try_cast_double('trim(quality_score_text)') }} as quality_score,
        {{ vitals.try_cast_boolean('hard_error_text') }} as hard_error,
        {{ vitals.clean_text('client_release_text') }} as client_release,
        {{ vitals.clean_text('error_code_text') }} as error_code,
        {{ vitals.clean_text('org_name_text') }} as org_name,
        {{ vitals.clean_text('plan_text') }} as plan,
        {{ vitals.clean_text('role_text', lower=true) }} as role,
        inserted_at,
        ingest_source,
        ingested_at,
        loaded_at,
        has_invalid_org_id,
        has_invalid_provider_id,
        has_invalid_user_id,
        (properties_text is not null and properties is null) as has_invalid_properties,
        copies - 1 as duplicates_dropped
    from extracted
)

select * from final
