{{
    config(
        materialized=vitals.keyed_materialization(),
        incremental_strategy='delete+insert',
        unique_key='error_id',
        pre_hook=[
            "{{ vitals.state_row_sql() }}",
            "{{ vitals.read_mark_sql(source('sentry', 'sentry_errors_big')) }}",
        ],
        post_hook=[
            "{{ vitals.pending_insert_sql(source('sentry', 'sentry_errors_big'), 'event_id', 'created_at') }}",
            "{{ vitals.pending_prune_sql() }}",
            "{{ vitals.state_advance_sql() }}",
        ],
        indexes=[
            {'columns': ['error_id'], 'unique': vitals.builds_incrementally() and target.type != 'duckdb'},
            {'columns': ['tag_request_id']},
            {'columns': ['tag_note_id']},
        ],
    )
}}

with

source as (
    -- on an incremental build, every raw copy of the ids that changed since the last one
    select * from {{ source('sentry', 'sentry_errors_big') }}
    where {{ vitals.changed_rows_filter(source('sentry', 'sentry_errors_big'), 'event_id') }}
),

cleaned as (
    select
        {{ vitals.normalize_id('event_id') }} as error_id,
        {{ vitals.normalize_id('org_id') }} as org_id,
        {{ vitals.normalize_id('provider_id') }} as provider_id,
        {{ vitals.clean_text('project') }} as project,
        {{ vitals.normalize_id('group_id') }} as group_id,
        {{ vitals.clean_text('level', lower=true) }} as level,
        {{ vitals.clean_text('message') }} as message,
        {{ vitals.clean_text('culprit') }} as culprit,
        {{ vitals.clean_text('release') }} as release,
        {{ vitals.clean_text('environment', lower=true) }} as environment,
        {{ vitals.clean_text('url') }} as url,
        {{ vitals.clean_text('user_id_raw') }} as user_id_raw,
        {{ vitals.clean_text('created_at') }} as created_at_text,
        case when trim(tags) = '' then null else tags end as tags_text,
        case when trim(contexts) = '' then null else contexts end as contexts_text,
        {{ vitals.clean_text('group_first_seen') }} as group_first_seen_text,
        {{ vitals.clean_text('group_last_seen') }} as group_last_seen_text,
        trim(group_count) as group_count_text,
        {{ vitals.clean_text('_ingest_source') }} as ingest_source,
        {{ vitals.clean_text('_ingest_ts') }} as ingested_at_text,
        {{ vitals.clean_text('_loaded_at') }} as loaded_at_text,
        _row_hash as row_hash
    from source
),

typed as (
    select
        error_id,
        org_id as org_id_text,
        {{ vitals.uuid_or_null('provider_id') }} as provider_id,
        {{ vitals.is_invalid_uuid('provider_id') }} as has_invalid_provider_id,
        project,
        group_id,
        level,
        message,
        culprit,
        release,
        environment,
        url,
        user_id_raw,
        {{ vitals.parse_utc_timestamp('created_at_text') }} as created_at,
        tags_text,
        contexts_text,
        {{ vitals.parse_utc_timestamp('group_first_seen_text') }} as group_first_seen_at,
        {{ vitals.parse_utc_timestamp('group_last_seen_text') }} as group_last_seen_at,
        {{ vitals.try_cast_bigint('group_count_text') }} as group_count,
        ingest_source,
        {{ vitals.parse_utc_timestamp('ingested_at_text') }} as ingested_at,
        {{ vitals.parse_utc_timestamp('loaded_at_text') }} as loaded_at,
        row_hash
    from cleaned
),

visible as (
    -- only errors that happened at or before the build's as-of time
    select
        *,
        row_number() over (
            partition by error_id
            order by
                ingested_at asc nulls last,
                loaded_at asc nulls last,
                row_hash asc
        ) as copy_rank,
        count(*) over (partition by error_id) as copies
    from typed
    where
        error_id is not null
        and created_at is not null
        and created_at <= {{ vitals.as_of() }}
),

deduplicated as (
    -- the first ingested copy of each error wins
    select
        *,
        {{ vitals.json_parse('tags_text') }} as tags,
        {{ vitals.json_parse('contexts_text') }} as contexts
    from visible
    where copy_rank = 1
),

tagged as (
    select
        *,
        {{ vitals.normalize_id(vitals.json_tag('tags', 'request_id')) }} as tag_request_id,
        {{ vitals.normalize_id(vitals.json_tag('tags', 'note_id')) }} as tag_note_id,
        {{ vitals.normalize_id(vitals.json_tag('tags', 'org_id')) }} as tag_org_id
    from deduplicated
),

final as (
    select
        error_id,
        -- the org: the column when it is a valid UUID, else the org_id tag when that is one
        coalesce(
            {{ vitals.uuid_or_null('org_id_text') }},
            {{ vitals.uuid_or_null('tag_org_id') }}
        ) as org_id,
        provider_id,
        project,
        group_id,
        level,
        message,
        culprit,
        release,
        environment,
        url,
        user_id_raw,
        created_at,
        tag_request_id,
        tag_note_id,
        tag_org_id,
        group_first_seen_at,
        group_last_seen_at,
        group_count,
        ingest_source,
        ingested_at,
        loaded_at,
        (
            {{ vitals.is_invalid_uuid('org_id_text') }}
            or {{ vitals.is_invalid_uuid('tag_org_id') }}
            or has_invalid_provider_id
        ) as has_invalid_ids,
        (tags_text is not null and tags is null) as has_invalid_tags,
        (contexts_text is not null and contexts is null) as has_invalid_contexts,
        copies - 1 as duplicates_dropped
    from tagged
)

select * from final
