{#-
    Every stored state of every subscription item (one row per item per state of its subscription),
    typed, each state once. The revenue models read the states in order to know what was billed when.
-#}

{{
    config(
        indexes=[
            {'columns': ['subscription_id', 'state_order']},
        ],
    )
}}

with

source as (
    {{ vitals.stripe_raw_or_empty(source('stripe_raw', 'stripe_subscription_items'), [
        'subscription_item_id', 'subscription_id', 'customer_id', 'org_id', 'subscription_status', 'price_id',
        'product', 'currency', 'unit_amount_cents', 'quantity', 'billing_interval', 'interval_count', 'usage_type',
        'discount_percent_off', 'discount_amount_off_cents', 'discount_end', 'item_created_at',
        'subscription_created_at',
        'current_period_start', 'current_period_end', 'trial_start', 'trial_end', 'cancel_at_period_end',
        'cancel_at', 'canceled_at', 'ended_at', 'state_order', '_ingest_source', '_ingest_ts', '_row_hash',
        '_loaded_at',
    ]) }}
),

typed as (
    select
        {{ vitals.clean_text('subscription_item_id') }} as subscription_item_id,
        {{ vitals.clean_text('subscription_id') }} as subscription_id,
        {{ vitals.clean_text('customer_id') }} as customer_id,
        {{ vitals.uuid_or_null(vitals.normalize_id('org_id')) }} as org_id,
        {{ vitals.clean_text('subscription_status', lower=true) }} as subscription_status,
        {{ vitals.clean_text('price_id') }} as price_id,
        {{ vitals.clean_text('product') }} as product,
        upper({{ vitals.clean_text('currency') }}) as currency,
        {{ vitals.try_cast_bigint('unit_amount_cents') }} as unit_amount_cents,
        {{ vitals.try_cast_bigint('quantity') }} as quantity,
        {{ vitals.clean_text('billing_interval', lower=true) }} as billing_interval,
        {{ vitals.try_cast_bigint('interval_count') }} as interval_count,
        {{ vitals.clean_text('usage_type', lower=true) }} as usage_type,
        {{ vitals.try_cast_double('discount_percent_off') }} as discount_percent_off,
        {{ vitals.try_cast_bigint('discount_amount_off_cents') }} as discount_amount_off_cents,
        {{ vitals.parse_utc_timestamp('discount_end') }} as discount_end,
        {{ vitals.parse_utc_timestamp('item_created_at') }} as item_created_at,
        {{ vitals.parse_utc_timestamp('subscription_created_at') }} as subscription_created_at,
        {{ vitals.parse_utc_timestamp('current_period_start') }} as current_period_start,
        {{ vitals.parse_utc_timestamp('current_period_end') }} as current_period_end,
        {{ vitals.parse_utc_timestamp('trial_start') }} as trial_start,
        {{ vitals.parse_utc_timestamp('trial_end') }} as trial_end,
        coalesce({{ vitals.try_cast_boolean('cancel_at_period_end') }}, false) as cancel_at_period_end,
        {{ vitals.parse_utc_timestamp('cancel_at') }} as cancel_at,
        {{ vitals.parse_utc_timestamp('canceled_at') }} as canceled_at,
        {{ vitals.parse_utc_timestamp('ended_at') }} as ended_at,
        coalesce(state_order, '') as state_order,
        {{ vitals.clean_text('_ingest_source') }} as ingest_source,
        {{ vitals.parse_utc_timestamp('_ingest_ts') }} as state_at,
        coalesce(_loaded_at, '') as loaded_at,
        _row_hash as row_hash
    from source
),

visible as (
    select
        *,
        max(state_order) over (partition by subscription_id) = state_order as is_current_state,
        row_number() over (
            partition by subscription_item_id, state_order
            order by loaded_at desc, row_hash desc
        ) as copy_rank
    from typed
    where
        subscription_item_id is not null
        and subscription_id is not null
        and (subscription_created_at is null or subscription_created_at <= {{ vitals.as_of() }})
),

final as (
    -- each item of each state once; the current state is the subscription's greatest state_order
    select
        subscription_item_id,
        subscription_id,
        customer_id,
        org_id,
        subscription_status,
        price_id,
        product,
        currency,
        unit_amount_cents,
        quantity,
        billing_interval,
        interval_count,
        usage_type,
        {{ vitals.stripe_monthly_cents('unit_amount_cents * quantity', 'billing_interval', 'interval_count') }}
            as monthly_list_amount_cents,
        discount_percent_off,
        discount_amount_off_cents,
        discount_end,
        item_created_at,
        subscription_created_at,
        current_period_start,
        current_period_end,
        trial_start,
        trial_end,
        cancel_at_period_end,
        cancel_at,
        canceled_at,
        ended_at,
        state_order,
        is_current_state,
        ingest_source,
        state_at
    from visible
    where copy_rank = 1
)

select * from final
