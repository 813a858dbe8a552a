{#-
    Failed invoice payment attempts: one row per stored `invoice.payment_failed` webhook event (Stripe
    sends one per failed attempt; the receiver stores each event id once), at the event's time, up to
    the as-of time. A backfill stores objects without events, so it adds none.
-#}

with

source as (
    {{ vitals.stripe_raw_or_empty(source('stripe_raw', 'stripe_objects'), [
        'object_id', 'object_type', 'customer_id', 'state_ts', 'event_id', 'event_type', '_loaded_at',
    ]) }}
),

typed as (
    select
        {{ vitals.clean_text('event_id') }} as event_id,
        -- Stripe object ids are case-sensitive: trimmed, not lowercased
        {{ vitals.clean_text('object_id') }} as invoice_id,
        {{ vitals.clean_text('customer_id') }} as customer_id,
        {{ vitals.parse_utc_timestamp('state_ts') }} as failed_at,
        coalesce(_loaded_at, '') as loaded_at
    from source
    where
        {{ vitals.clean_text('object_type', lower=true) }} = 'invoice'
        and {{ vitals.clean_text('event_type', lower=true) }} = 'invoice.payment_failed'
),

ranked as (
    select
        *,
        row_number() over (partition by event_id order by loaded_at asc, invoice_id asc) as copy_rank
    from typed
    where event_id is not null and failed_at is not null and failed_at <= {{ vitals.as_of() }}
),

final as (
    select
        event_id,
        invoice_id,
        customer_id,
        failed_at
    from ranked
    where copy_rank = 1
)

select * from final
