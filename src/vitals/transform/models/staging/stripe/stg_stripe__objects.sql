{{
    config(
        indexes=[
            {'columns': ['object_id'], 'unique': true},
            {'columns': ['object_type', 'customer_id']},
        ],
    )
}}

with

source as (
    {{ vitals.stripe_raw_or_empty(source('stripe_raw', 'stripe_objects'), [
        'object_id', 'object_type', 'customer_id', 'status', 'created_at', 'state_ts', 'object_ts',
        'lifecycle_rank', 'is_deleted', 'received_via', 'event_id', 'event_type', 'api_version', 'payload',
        'payload_hash', '_loaded_at',
    ]) }}
),

typed as (
    select
        -- Stripe object ids are case-sensitive: trimmed, not lowercased
        {{ vitals.clean_text('object_id') }} as object_id,
        {{ vitals.clean_text('object_type', lower=true) }} as object_type,
        {{ vitals.clean_text('customer_id') }} as customer_id,
        {{ vitals.clean_text('status', lower=true) }} as status,
        {{ vitals.parse_utc_timestamp('created_at') }} as created_at,
        {{ vitals.parse_utc_timestamp('state_ts') }} as state_at,
        coalesce(object_ts, '') as object_ts,
        coalesce({{ vitals.try_cast_bigint('lifecycle_rank') }}, 0) as lifecycle_rank,
        coalesce({{ vitals.try_cast_boolean('is_deleted') }}, false) as is_deleted,
        {{ vitals.clean_text('received_via', lower=true) }} as received_via,
        {{ vitals.clean_text('event_id') }} as event_id,
        {{ vitals.clean_text('event_type') }} as event_type,
        {{ vitals.clean_text('api_version') }} as api_version,
        payload,
        payload_hash,
        coalesce(_loaded_at, '') as loaded_at
    from source
),

ranked as (
    -- an object's current state: its own lifecycle time, then how far its status got, then when
    -- the state was produced (event or fetch), then when vitals stored it
    select
        *,
        row_number() over (
            partition by object_id
            order by
                object_ts desc,
                lifecycle_rank desc,
                state_at desc nulls last,
                loaded_at desc,
                payload_hash desc
        ) as state_rank,
        count(*) over (partition by object_id) as states
    from typed
    where
        object_id is not null
        and (created_at is null or created_at <= {{ vitals.as_of() }})
),

final as (
    select
        object_id,
        object_type,
        customer_id,
        status,
        created_at,
        state_at,
        is_deleted,
        received_via,
        event_id,
        event_type,
        api_version,
        payload,
        states
    from ranked
    where state_rank = 1
)

select * from final
