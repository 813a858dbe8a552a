{{
    config(
        materialized=vitals.keyed_materialization(),
        incremental_strategy='delete+insert',
        unique_key=['org_id', 'session_id'],
        pre_hook=[
            "{{ vitals.marks_pre_hook([('int_sessions_aggregated@events_big', source('app', 'events_big'))]) }}",
            "{{ vitals.delete_recomputed_sql('session_id', "
            ~ "vitals.changed_event_ids('int_sessions_aggregated@events_big', 'session_id')) }}",
        ],
        post_hook="{{ vitals.marks_post_hook([('int_sessions_aggregated@events_big', source('app', 'events_big'))]) }}",
    )
}}
-- depends_on: {{ source('app', 'events_big') }}

with

events as (
    select * from {{ ref('stg_app__events') }}
),

session_events as (
    -- events of a known org that carry a session id
    select
        org_id,
        session_id,
        provider_id,
        event_id,
        occurred_at
    from events
    where
        org_id is not null
        and session_id is not null
        -- an incremental build recomputes the sessions of every copy of the events that changed (any org)
        and {{ vitals.recompute_only(
            'session_id', vitals.changed_event_ids('int_sessions_aggregated@events_big', 'session_id')
        ) }}
),

spans as (
    select
        org_id,
        session_id,
        min(occurred_at) as started_at,
        max(occurred_at) as ended_at,
        count(*) as events_count
    from session_events
    group by
        org_id,
        session_id
),

ranked_providers as (
    select
        org_id,
        session_id,
        provider_id,
        row_number() over (
            partition by org_id, session_id
            order by occurred_at desc, event_id desc
        ) as provider_rank
    from session_events
    where provider_id is not null
),

latest_providers as (
    -- the provider of the session's latest event that has one
    select
        org_id,
        session_id,
        provider_id
    from ranked_providers
    where provider_rank = 1
),

final as (
    select
        spans.org_id,
        spans.session_id,
        latest_providers.provider_id,
        spans.started_at,
        spans.ended_at,
        spans.events_count
    from spans
    left join latest_providers
        on
            spans.org_id = latest_providers.org_id
            and spans.session_id = latest_providers.session_id
)

select * from final
