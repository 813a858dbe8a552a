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

final as (
    -- one row per org and session (macros/sessions.sql)
    {{ vitals.session_spans_sql('session_events') }}
)

select * from final
