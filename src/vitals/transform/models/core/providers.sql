{{
    config(
        materialized=vitals.keyed_materialization(),
        incremental_strategy='delete+insert',
        unique_key='provider_id',
        pre_hook=[
            "{{ vitals.marks_pre_hook([('providers@events_big', source('app', 'events_big'))]) }}",
            "{{ vitals.delete_recomputed_sql('provider_id', "
            ~ "vitals.changed_event_ids('providers@events_big', 'provider_id')) }}",
        ],
        post_hook="{{ vitals.marks_post_hook([('providers@events_big', source('app', 'events_big'))]) }}",
        indexes=[
            {'columns': ['provider_id'], 'unique': target.type != 'duckdb'},
            {'columns': ['org_id']},
        ],
    )
}}
-- depends_on: {{ source('app', 'events_big') }}

with

events as (
    select * from {{ ref('stg_app__events') }}
),

provider_events as (
    select * from events
    where
        provider_id is not null
        -- an incremental build recomputes the providers of every copy of the events that changed
        and {{ vitals.recompute_only('provider_id', vitals.changed_event_ids('providers@events_big', 'provider_id')) }}
),

spans as (
    select
        provider_id,
        min(occurred_at) as first_seen_at,
        max(occurred_at) as last_seen_at
    from provider_events
    group by provider_id
),

ranked_orgs as (
    select
        provider_id,
        org_id,
        row_number() over (partition by provider_id order by occurred_at, event_id) as org_rank
    from provider_events
    where org_id is not null
),

first_orgs as (
    -- the org of the provider's first event that names a valid org
    select
        provider_id,
        org_id
    from ranked_orgs
    where org_rank = 1
),

ranked_roles as (
    select
        provider_id,
        role,
        row_number() over (partition by provider_id order by occurred_at, event_id) as role_rank
    from provider_events
    where event_name = 'provider_created' and role is not null
),

first_roles as (
    -- the role of the provider's first provider_created event
    select
        provider_id,
        role
    from ranked_roles
    where role_rank = 1
),

ranked_devices as (
    select
        provider_id,
        device,
        row_number() over (partition by provider_id order by occurred_at desc, event_id desc) as device_rank
    from provider_events
    where device is not null
),

last_devices as (
    select
        provider_id,
        device
    from ranked_devices
    where device_rank = 1
),

ranked_countries as (
    select
        provider_id,
        geo_country,
        row_number() over (partition by provider_id order by occurred_at desc, event_id desc) as country_rank
    from provider_events
    where geo_country is not null
),

last_countries as (
    select
        provider_id,
        geo_country
    from ranked_countries
    where country_rank = 1
),

final as (
    select
        spans.provider_id,
        first_orgs.org_id,
        first_roles.role,
        spans.first_seen_at,
        spans.last_seen_at,
        last_devices.device as last_device,
        last_countries.geo_country as last_geo_country
    from spans
    left join first_orgs
        on spans.provider_id = first_orgs.provider_id
    left join first_roles
        on spans.provider_id = first_roles.provider_id
    left join last_devices
        on spans.provider_id = last_devices.provider_id
    left join last_countries
        on spans.provider_id = last_countries.provider_id
)

select * from final
