{#-
    The items of each subscription's current state (its greatest state_order), once each.
-#}

{{
    config(
        indexes=[
            {'columns': ['subscription_item_id'], 'unique': true},
            {'columns': ['org_id']},
        ],
    )
}}

with

states as (
    select * from {{ ref('stg_stripe__subscription_item_states') }}
),

final as (
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
        monthly_list_amount_cents,
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
        ingest_source,
        state_at
    from states
    where is_current_state
)

select * from final
